// The buttons under a delivered video or a failure message. They read the job from the
// database (by the message they are attached to), so they work long after the conversation
// moved on.
#include <nlohmann/json.hpp>

#include "bot/turn.hpp"
#include "store/job_queue.hpp"

namespace nc::bot {

void handle_retry_same_product(Turn& turn) {
  auto job = store::JobQueue::find_by_message(turn.db, turn.user.tg_user_id,
                                              turn.in.callback_message_id);
  if (!job) {
    // Fall back to the seller's latest job (the message may predate message tracking).
    auto latest = store::JobQueue::list(
        turn.db, store::JobFilter{.tg_user_id = turn.user.tg_user_id, .limit = 1});
    if (!latest.empty()) job = latest.front();
  }
  if (!job || job->input_photo_path.empty()) {
    turn.toast = std::string(turn.texts.hint_stale_button);
    return show_menu(turn);
  }
  const auto info = nlohmann::json::parse(job->product_info, nullptr, false);
  const std::string product =
      info.is_object() && info.contains("text") && info["text"].is_string() ? info["text"].get<std::string>() : "";
  begin_reels_with(turn, job->input_photo_path, product);
}

}  // namespace nc::bot
