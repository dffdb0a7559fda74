// Send pacing: a sliding-window log for the global limit, GCRA token buckets for chats and for
// callback answers.
#include "telegram/send_limiter.hpp"

#include <algorithm>
#include <stdexcept>

namespace nc::telegram {
namespace {

// How often idle chats are swept out; a sweep is one pass over the map.
constexpr auto kSweepEvery = std::chrono::seconds(1);

}  // namespace

SendLimiter::SendLimiter(SendLimits limits) : limits_(limits) {
  if (limits_.global_sends < 1 || limits_.chat_burst < 1 || limits_.callback_burst < 1 ||
      limits_.global_window <= SendLimits::Duration::zero() ||
      limits_.chat_interval <= SendLimits::Duration::zero() ||
      limits_.callback_interval <= SendLimits::Duration::zero()) {
    throw std::invalid_argument("SendLimits: counts and intervals must be positive");
  }
  scratch_.reserve(2 * static_cast<std::size_t>(limits_.global_sends));
}

SendLimiter::Clock::time_point SendLimiter::reserve(std::int64_t chat_id, SendKind kind,
                                                    Clock::time_point now) {
  forget_idle(now);
  if (kind == SendKind::kCallbackAnswer) return reserve_callback(now);

  ChatState& chat = chats_.try_emplace(chat_id, ChatState{now, {}}).first->second;
  // GCRA: with tolerance tau a send may go once now >= arrival - tau, which allows chat_burst
  // sends at once from a full bucket.
  const auto tau = (limits_.chat_burst - 1) * limits_.chat_interval;
  const auto bucket_ready = std::max(chat.theoretical_arrival, now) - tau;
  const auto candidate = std::max({now, bucket_ready, chat.paused_until, global_paused_until_});
  const auto slot = earliest_global_slot(candidate);
  booked_.insert(slot);
  chat.theoretical_arrival = std::max(chat.theoretical_arrival, slot) + limits_.chat_interval;
  return slot;
}

SendLimiter::Clock::time_point SendLimiter::reserve_callback(Clock::time_point now) {
  const auto tau = (limits_.callback_burst - 1) * limits_.callback_interval;
  const auto at = std::max({now, std::max(callback_arrival_, now) - tau, global_paused_until_});
  callback_arrival_ = std::max(callback_arrival_, at) + limits_.callback_interval;
  return at;
}

void SendLimiter::on_retry_after(std::int64_t chat_id, std::chrono::seconds retry_after,
                                 Clock::time_point now) {
  const auto pause_end = now + std::max(retry_after, std::chrono::seconds::zero());
  ChatState& chat = chats_.try_emplace(chat_id, ChatState{now, {}}).first->second;
  chat.paused_until = std::max(chat.paused_until, pause_end);
  // An empty bucket at the pause end: after a 429, no burst.
  const auto tau = (limits_.chat_burst - 1) * limits_.chat_interval;
  chat.theoretical_arrival = std::max(chat.theoretical_arrival, chat.paused_until + tau);
}

void SendLimiter::on_global_retry_after(std::chrono::seconds retry_after, Clock::time_point now) {
  global_paused_until_ =
      std::max(global_paused_until_, now + std::max(retry_after, std::chrono::seconds::zero()));
}

std::optional<SendLimiter::Clock::time_point> SendLimiter::paused_until(
    std::int64_t chat_id, Clock::time_point now) const {
  auto end = global_paused_until_;
  if (const auto it = chats_.find(chat_id); it != chats_.end()) {
    end = std::max(end, it->second.paused_until);
  }
  if (end > now) return end;
  return std::nullopt;
}

SendLimiter::Clock::time_point SendLimiter::earliest_global_slot(Clock::time_point candidate) {
  auto from = candidate;
  auto t = candidate;
  if (t >= full_from_ && t < full_until_) {
    from = full_from_;
    t = full_until_;
  }
  while (const auto next = global_conflict(t))
    t = *next;
  if (t > from) {
    const bool touches = from <= full_until_ && t >= full_from_;
    full_from_ = touches ? std::min(from, full_from_) : from;
    full_until_ = touches ? std::max(t, full_until_) : t;
  }
  return t;
}

// A send at t is allowed when no window [a, a + W) holding t already has global_sends bookings.
// Such a window exists iff some global_sends consecutive bookings together with t span less
// than W; then no time before first + W can work, so that is where the search goes on.
std::optional<SendLimiter::Clock::time_point> SendLimiter::global_conflict(Clock::time_point t) {
  const auto window = limits_.global_window;
  const auto count = static_cast<std::size_t>(limits_.global_sends);
  scratch_.clear();
  for (auto it = booked_.upper_bound(t - window); it != booked_.end() && *it < t + window; ++it) {
    scratch_.push_back(*it);
  }
  std::optional<Clock::time_point> next;
  for (std::size_t i = 0; i + count <= scratch_.size(); ++i) {
    const auto first = scratch_[i];
    const auto last = scratch_[i + count - 1];
    if (std::max(last, t) - std::min(first, t) < window) next = first + window;
  }
  return next;
}

void SendLimiter::forget_idle(Clock::time_point now) {
  // Bookings at or before now - W cannot share a window with any send from now on.
  while (!booked_.empty() && *booked_.begin() <= now - limits_.global_window) {
    booked_.erase(booked_.begin());
  }
  if (now < next_sweep_) return;
  next_sweep_ = now + kSweepEvery;
  // A chat whose bucket is full again and that is not paused behaves like one never seen.
  std::erase_if(chats_, [now](const auto& entry) {
    return entry.second.theoretical_arrival <= now && entry.second.paused_until <= now;
  });
}

}  // namespace nc::telegram
