// /history and the 📜 button: the latest videos with their status; a delivered one can be
// sent again.
#include "bot/keyboards.hpp"
#include "bot/turn.hpp"
#include "store/ids.hpp"
#include "store/job_queue.hpp"

namespace nc::bot {
namespace {

constexpr int kHistorySize = 10;

std::string_view status_text(const Texts& texts, core::JobStatus status) {
  switch (status) {
    case core::JobStatus::kQueued: return texts.status_queued;
    case core::JobStatus::kDone: return texts.status_done;
    case core::JobStatus::kFailed: return texts.status_failed;
    case core::JobStatus::kCancelled: return texts.status_cancelled;
    default: return texts.status_working;
  }
}

}  // namespace

void handle_history(Turn& turn) {
  const auto jobs = store::JobQueue::list(
      turn.db, store::JobFilter{.tg_user_id = turn.user.tg_user_id, .limit = kHistorySize});
  if (jobs.empty()) {
    turn.out.send_text(std::string(turn.texts.history_empty), menu_keyboard(turn));
    return;
  }
  std::string text(turn.texts.history_title);
  std::vector<std::pair<int, std::string>> resendable;
  int index = 0;
  for (const auto& job : jobs) {
    ++index;
    const auto* item = turn.deps.catalog.find(job.template_id);
    const std::string title =
        item ? item->title(language_code(turn.language)) : job.template_id;
    text += "\n" + format(turn.texts.history_line, fmt::arg("index", index),
                          fmt::arg("status", status_text(turn.texts, job.status)),
                          fmt::arg("template", title),
                          fmt::arg("date", job.created_at.substr(0, 16)));
    if (job.status == core::JobStatus::kDone && job.tg_message_id) {
      resendable.emplace_back(index, job.id);
    }
  }
  turn.out.send_text(
      text, resendable.empty() ? menu_keyboard(turn) : resend_keyboard(turn.texts, resendable));
}

void handle_resend(Turn& turn, const std::string& job_id) {
  std::optional<core::Job> job;
  if (store::is_uuid(job_id)) job = store::JobQueue::find(turn.db, job_id);
  if (!job || job->tg_user_id != turn.user.tg_user_id || job->status != core::JobStatus::kDone ||
      !job->tg_message_id) {
    turn.toast = std::string(turn.texts.resend_missing);
    return;
  }
  turn.out.copy_message(*job->tg_message_id, result_keyboard(turn.texts));
}

}  // namespace nc::bot
