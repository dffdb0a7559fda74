// The bot front: turns each update into a handled turn. Updates of one user are handled in
// order, users in parallel; a photo is downloaded and checked before the handling transaction;
// the replies go to the outbox sender once the transaction commits. A pre_checkout_query is
// answered at once, straight to Telegram.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>

#include "bot/dispatcher.hpp"
#include "imaging/imaging.hpp"
#include "net/blocking_pool.hpp"
#include "net/keyed_serializer.hpp"
#include "store/retention.hpp"
#include "telegram/bot_api.hpp"
#include "telegram/outbox_sender.hpp"
#include "telegram/update_sink.hpp"

namespace nc::bot {

class BotFront final : public telegram::UpdateSink {
 public:
  // `retention` keeps each seller's photos that no order uses to its cap.
  BotFront(telegram::BotTransport& api, Dispatcher& dispatcher, telegram::OutboxSender& sender,
           net::BlockingPool& pool, const media::Imaging& imaging, std::string data_dir,
           store::Retention& retention);

  boost::asio::awaitable<void> deliver(telegram::Update update) override;
  boost::asio::awaitable<void> skip(std::int64_t update_id) override;

  // Called after each update with its kind and how it went ("handled", "duplicate", "ignored",
  // "failed") and how long it took (for metrics).
  std::function<void(std::string_view kind, std::string_view outcome, double seconds)> on_update;

 private:
  boost::asio::awaitable<bool> handle(const Incoming& in);  // false: handled before
  // Answered here, not through the paced outbox: Telegram fails the payment after 10 s.
  boost::asio::awaitable<void> answer_pre_checkout(const telegram::Update& update);
  boost::asio::awaitable<Prepared> prepare_photo(const Incoming& in);
  void keep_latest_photos(std::int64_t user_id, const std::string& photo_path);

  telegram::BotTransport& api_;
  Dispatcher& dispatcher_;
  telegram::OutboxSender& sender_;
  net::BlockingPool& pool_;
  const media::Imaging& imaging_;
  std::string data_dir_;
  store::Retention& retention_;
  net::KeyedSerializer per_user_;
};

}  // namespace nc::bot
