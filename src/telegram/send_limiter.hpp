// Paces outbound Bot API calls under Telegram's flood limits (contract section 2.2). Pure logic:
// the caller passes the time in and waits on its own timer.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

namespace nc::telegram {

enum class SendKind {
  kMessage,         // every chat-bound call: sendMessage, sendPhoto, edits, invoices, ...
  kVideo,           // sendVideo uploads; paced exactly like messages
  kCallbackAnswer,  // answerCallbackQuery: own lane, no per-chat limit, never behind sends
};

struct SendLimits {
  using Duration = std::chrono::steady_clock::duration;
  // Messages and videos, all chats together: at most this many in any window.
  int global_sends = 30;
  Duration global_window = std::chrono::seconds(1);
  // Each chat: a token bucket refilling one send per interval, holding up to chat_burst.
  Duration chat_interval = std::chrono::seconds(1);
  int chat_burst = 3;
  // Callback answers: a token bucket of their own (they are not messages).
  Duration callback_interval = Duration(std::chrono::seconds(1)) / 30;
  int callback_burst = 30;
};

// Reservation style, for one single-threaded loop:
//
//   co_await wait_until(limiter.reserve(chat_id, SendKind::kMessage, clock.now()));
//   while (limiter.paused_until(chat_id, clock.now())) {  // a 429 arrived while waiting
//     co_await wait_until(limiter.reserve(chat_id, SendKind::kMessage, clock.now()));
//   }
//   send(...);  // on 429: limiter.on_retry_after(chat_id, *reply.retry_after, clock.now())
//
// reserve() never refuses: a longer queue only gives a later time, in call order within a chat.
// now must never go backwards from one call to the next.
class SendLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SendLimiter(SendLimits limits = {});

  // Books the earliest moment this call may go out and returns it (now when nothing is waiting).
  Clock::time_point reserve(std::int64_t chat_id, SendKind kind, Clock::time_point now);

  // Telegram answered 429 for this chat: nothing more goes to it until now + retry_after, and
  // it restarts at the steady rate without a burst.
  void on_retry_after(std::int64_t chat_id, std::chrono::seconds retry_after,
                      Clock::time_point now);
  // A 429 about the bot as a whole (too many requests or uploads in flight): everything waits,
  // callback answers included.
  void on_global_retry_after(std::chrono::seconds retry_after, Clock::time_point now);

  // The end of a pause covering this chat that is still running at now, if any. Bookings made
  // before the 429 do not know about it; check after waiting and reserve again.
  std::optional<Clock::time_point> paused_until(std::int64_t chat_id, Clock::time_point now) const;

  // Chats with state still held; idle ones are dropped, so this stays near the active count.
  std::size_t tracked_chats() const { return chats_.size(); }

 private:
  struct ChatState {
    Clock::time_point theoretical_arrival;  // GCRA: when the bucket would be empty again
    Clock::time_point paused_until;
  };

  Clock::time_point reserve_callback(Clock::time_point now);
  Clock::time_point earliest_global_slot(Clock::time_point candidate);
  std::optional<Clock::time_point> global_conflict(Clock::time_point t);
  void forget_idle(Clock::time_point now);

  SendLimits limits_;
  std::unordered_map<std::int64_t, ChatState> chats_;
  // Booked message send times, sorted; kept from now - global_window on.
  std::multiset<Clock::time_point> booked_;
  // [full_from_, full_until_) had no free global slot at the last search. Only bookings too old
  // to share a window with a future send are ever dropped, so it stays full; searches starting
  // inside it jump to its end.
  Clock::time_point full_from_{};
  Clock::time_point full_until_{};
  Clock::time_point callback_arrival_{};
  Clock::time_point global_paused_until_{};
  Clock::time_point next_sweep_{};
  std::vector<Clock::time_point> scratch_;
};

}  // namespace nc::telegram
