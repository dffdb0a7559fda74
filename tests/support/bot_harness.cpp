#include "support/bot_harness.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <latch>
#include <optional>
#include <thread>

#include "store/conversations.hpp"
#include "store/job_queue.hpp"
#include "store/ledger.hpp"
#include "store/users.hpp"

namespace nc::testing {

namespace asio = boost::asio;
using bot::Incoming;
using bot::IncomingKind;
using bot::Prepared;
using nlohmann::json;

BotHarness::BotHarness(store::Backend backend) : test_db_(backend) {
  restart();
}

void BotHarness::restart() {
  dispatcher_.reset();
  router_.reset();
  database_ = test_db_.open_another();
  router_ = std::make_unique<bot::Router>(
      bot::BotDeps{catalog_, models_, bot::BotSettings{.admin_ids = {kAdmin}, .packs = packs_}});
  dispatcher_ = std::make_unique<bot::Dispatcher>(*database_, *router_, "test-front");
}

void BotHarness::sell(std::vector<core::CreditPack> packs) {
  packs_ = std::move(packs);
  restart();
}

Incoming BotHarness::base(IncomingKind kind, std::int64_t user) {
  Incoming in;
  in.update_id = ++update_id_;
  in.user_id = user;
  in.chat_id = user;
  in.username = "seller";
  in.language_code = "ru";
  in.kind = kind;
  return in;
}

namespace {

bot::Handled deliver_on(bot::Dispatcher& dispatcher, const Incoming& in, const Prepared& prepared) {
  asio::io_context io;
  std::optional<bot::Handled> handled;
  std::exception_ptr failure;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        handled = co_await dispatcher.handle_in_batch(in, prepared);
      },
      [&](std::exception_ptr error) { failure = error; });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*handled);
}

}  // namespace

std::vector<bot::Handled> BotHarness::deliver_concurrently(const std::vector<Incoming>& updates) {
  struct Front {
    std::unique_ptr<store::Database> database;
    std::unique_ptr<bot::Dispatcher> dispatcher;
  };
  std::vector<Front> fronts;
  for (std::size_t i = 0; i < updates.size(); ++i) {
    auto database = test_db_.open_another();
    auto dispatcher =
        std::make_unique<bot::Dispatcher>(*database, *router_, "front-" + std::to_string(i));
    fronts.push_back(Front{std::move(database), std::move(dispatcher)});
  }
  std::vector<bot::Handled> results(updates.size());
  std::vector<std::exception_ptr> failures(updates.size());
  std::latch start(static_cast<std::ptrdiff_t>(updates.size()));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < updates.size(); ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      try {
        results[i] = deliver_on(*fronts[i].dispatcher, updates[i], {});
      } catch (...) {
        failures[i] = std::current_exception();
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  for (const auto& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  return results;
}

Incoming BotHarness::payment(const std::string& payload, std::int64_t stars,
                             const std::string& charge_id, std::int64_t user) {
  auto in = base(IncomingKind::kPayment, user);
  in.payment_currency = "XTR";
  in.payment_amount = stars;
  in.payment_payload = payload;
  in.payment_charge_id = charge_id;
  return in;
}

bot::PreCheckoutAnswer BotHarness::pre_checkout(const std::string& payload, std::int64_t stars,
                                                std::int64_t user, const std::string& language) {
  return dispatcher_->decide_pre_checkout(bot::PreCheckout{.user_id = user,
                                                           .language_code = language,
                                                           .currency = "XTR",
                                                           .total_amount = stars,
                                                           .payload = payload});
}

json BotHarness::invoice(const Calls& calls) {
  json found;
  for (const auto& call : calls) {
    if (call.method == "sendInvoice") found = payload(call);
  }
  return found;
}

std::vector<std::string> BotHarness::buttons_of(const Calls& calls, const std::string& text) {
  std::vector<std::string> data;
  for (const auto& call : calls) {
    const auto body = payload(call);
    if (call.method != "sendMessage" || body.value("text", "") != text ||
        !body.contains("reply_markup")) {
      continue;
    }
    for (const auto& row : body["reply_markup"]["inline_keyboard"]) {
      for (const auto& button : row)
        data.push_back(button["callback_data"]);
    }
  }
  return data;
}

bot::Handled BotHarness::deliver(const Incoming& in, const Prepared& prepared) {
  return deliver_on(*dispatcher_, in, prepared);
}

Calls BotHarness::send(const Incoming& in, const Prepared& prepared) {
  auto handled = deliver(in, prepared);
  EXPECT_FALSE(handled.duplicate);
  return std::move(handled.calls);
}

Calls BotHarness::text(const std::string& text) {
  auto in = base(IncomingKind::kText);
  in.text = text;
  return send(in);
}

Calls BotHarness::command(const std::string& name, const std::string& args, std::int64_t user) {
  auto in = base(IncomingKind::kCommand, user);
  in.command = name;
  in.command_args = args;
  return send(in);
}

Calls BotHarness::photo(const std::string& stored_path) {
  auto in = base(IncomingKind::kPhoto);
  in.file_id = "AgAD";
  return send(in, Prepared{.photo_path = stored_path});
}

Calls BotHarness::bad_photo(bot::PhotoProblem problem) {
  auto in = base(IncomingKind::kPhoto);
  in.file_id = "AgAD";
  return send(in, Prepared{.photo_problem = problem});
}

Calls BotHarness::other(IncomingKind kind) {
  return send(base(kind));
}

Calls BotHarness::press(const std::string& data, std::int64_t message_id) {
  auto in = base(IncomingKind::kCallback);
  in.callback_id = "cb" + std::to_string(update_id_);
  in.callback_data = data;
  in.callback_message_id = message_id;
  return send(in);
}

json BotHarness::payload(const store::PendingCall& call) {
  return json::parse(call.payload);
}

std::string BotHarness::said(const Calls& calls) {
  for (const auto& call : calls) {
    if (call.method == "sendMessage") return payload(call)["text"];
  }
  return "";
}

std::vector<std::string> BotHarness::all_said(const Calls& calls) {
  std::vector<std::string> texts;
  for (const auto& call : calls) {
    if (call.method == "sendMessage") texts.push_back(payload(call)["text"]);
  }
  return texts;
}

namespace {

// The inline keyboard of the last message among the calls that has one.
json last_keyboard(const Calls& calls) {
  json keyboard = json::array();
  for (const auto& call : calls) {
    auto body = BotHarness::payload(call);
    if (call.method != "sendMessage" || !body.contains("reply_markup")) continue;
    keyboard = body["reply_markup"]["inline_keyboard"];
  }
  return keyboard;
}

}  // namespace

std::vector<std::string> BotHarness::buttons(const Calls& calls) {
  std::vector<std::string> data;
  for (const auto& row : last_keyboard(calls)) {
    for (const auto& button : row)
      data.push_back(button["callback_data"]);
  }
  return data;
}

std::vector<std::vector<std::string>> BotHarness::labels(const Calls& calls) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : last_keyboard(calls)) {
    rows.emplace_back();
    for (const auto& button : row)
      rows.back().push_back(button["text"]);
  }
  return rows;
}

std::string BotHarness::toast(const Calls& calls) {
  for (const auto& call : calls) {
    if (call.method == "answerCallbackQuery") return payload(call).value("text", "");
  }
  return "<not answered>";
}

std::vector<std::string> BotHarness::methods(const Calls& calls) {
  std::vector<std::string> names;
  for (const auto& call : calls)
    names.push_back(call.method);
  return names;
}

const std::vector<std::string>& BotHarness::menu_buttons() {
  static const std::vector<std::string> kMenu{"m:reels", "m:balance", "m:history", "m:help"};
  return kMenu;
}

std::int64_t BotHarness::balance(std::int64_t user) {
  return store::Users(*database_).find(user)->credits;
}

std::vector<core::Job> BotHarness::jobs(std::int64_t user) {
  return store::JobQueue(*database_).list({.tg_user_id = user, .limit = 100});
}

bot::FlowState BotHarness::state(std::int64_t user) {
  auto connection = database_->acquire();
  const auto row = store::Conversations::load(*connection, user);
  return row ? bot::FlowState::from_row(*row) : bot::FlowState{};
}

void BotHarness::grant(int credits) {
  store::Users(*database_).upsert(kSeller, "seller", "ru", 0);
  store::Ledger(*database_).grant(kSeller, credits, "test:" + std::to_string(credits), "");
}

void BotHarness::delivered(const std::string& job_id, std::int64_t message_id) {
  database_->execute("UPDATE jobs SET status = 'done', tg_message_id = $1 WHERE id = $2",
                     {message_id, job_id});
}

std::vector<std::string> BotHarness::walk_to_confirmation(const std::string& count) {
  press("m:reels");
  photo("/data/photos/abc.jpg");
  auto formats = buttons(text("Кружка керамическая, 350 мл, держит тепло"));
  EXPECT_EQ(formats.size(), catalog_.all().size());
  auto skip = buttons(press(formats[1]));  // unboxing
  auto counts = buttons(press(skip[0]));
  return buttons(press(counts[count == "1" ? 0 : count == "3" ? 1 : 2]));
}

}  // namespace nc::testing
