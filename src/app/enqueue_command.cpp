#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "app/admin_command.hpp"
#include "store/ids.hpp"
#include "store/job_queue.hpp"
#include "store/ledger.hpp"
#include "store/migrations.hpp"
#include "store/savepoint.hpp"
#include "store/users.hpp"

namespace nc::app {
namespace {

struct EnqueueArgs {
  std::int64_t user = 0;
  std::string photo;
  std::string text;
  std::string wishes;
  std::string template_id = "self";
  std::string model;
  int count = 1;
  bool charge = false;
};

int enqueue(const Config& config, const EnqueueArgs& args) {
  auto database = store::open_database(config.database_url);
  store::migrate(*database);
  auto user = store::Users(*database).find(args.user);
  if (!user) {
    std::cerr << fmt::format(
        "no user with Telegram id {}: they appear after their first message to the bot\n",
        args.user);
    return 1;
  }
  const std::string batch = store::new_uuid();
  const std::string product =
      nlohmann::json{{"text", args.text}, {"user_prompt", args.wishes}}.dump();
  std::vector<std::string> ids;
  const bool created = database->transaction([&](store::Connection& connection) {
    store::Savepoint all_or_nothing(connection, "enqueue");
    for (int i = 1; i <= args.count; ++i) {
      auto job = store::JobQueue::enqueue(
          connection, store::NewJob{.user_id = user->id,
                                    .tg_user_id = user->tg_user_id,
                                    .idempotency_key = fmt::format("manual:{}:{}", batch, i),
                                    .batch_id = batch,
                                    .batch_index = i,
                                    .batch_size = args.count,
                                    .template_id = args.template_id,
                                    .model = args.model,
                                    .input_photo_path = args.photo,
                                    .product_info = product});
      if (args.charge) {
        const auto charged = store::Ledger::charge_job(connection, user->id, job.job_id, 1);
        if (charged != store::PostingOutcome::kApplied) return false;
      }
      ids.push_back(job.job_id);
    }
    all_or_nothing.release();
    return true;
  });
  if (!created) {
    std::cerr << fmt::format("not enough credits: needed {}, the balance is {}; nothing created\n",
                             args.count, user->credits);
    return 1;
  }
  database->notify_jobs_due();
  for (const auto& id : ids)
    std::cout << id << '\n';
  return 0;
}

}  // namespace

void add_enqueue_command(CLI::App& app, const std::function<void(StoreCommand)>& run) {
  auto* command = app.add_subcommand(
      "enqueue", "Create generation jobs by hand (what the old manual SQL insert did)");
  auto args = std::make_shared<EnqueueArgs>();
  command->add_option("--user", args->user, "Telegram user id of an existing user")->required();
  command->add_option("--photo", args->photo, "Product photo: a local path or an http(s) URL")
      ->required();
  command->add_option("--text", args->text, "Product description")->required();
  command->add_option("--wishes", args->wishes, "Wishes for the video");
  command->add_option("--template", args->template_id, "Video format id (default self)");
  command->add_option("--model", args->model, "Model (default VIDEO_MODEL)");
  command->add_option("--count", args->count, "How many videos")->check(CLI::Range(1, 50));
  command->add_flag("--charge", args->charge, "Charge the user one credit per video");
  command->callback([=] { run([=](const Config& c) { return enqueue(c, *args); }); });
}

}  // namespace nc::app
