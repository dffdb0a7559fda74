#include "bot/bot_front.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "bot/from_update.hpp"

namespace nc::bot {
namespace {

namespace asio = boost::asio;

PhotoProblem problem_of(media::PhotoRejection rejection) {
  switch (rejection) {
    case media::PhotoRejection::kTooSmall:
      return PhotoProblem::kTooSmall;
    case media::PhotoRejection::kTooLarge:
      return PhotoProblem::kTooLarge;
    case media::PhotoRejection::kUnsupportedFormat:
    case media::PhotoRejection::kNotAnImage:
      return PhotoProblem::kFormat;
    case media::PhotoRejection::kBroken:
      return PhotoProblem::kBroken;
  }
  return PhotoProblem::kBroken;
}

}  // namespace

BotFront::BotFront(telegram::BotTransport& api, Dispatcher& dispatcher,
                   telegram::OutboxSender& sender, net::BlockingPool& pool,
                   const media::Imaging& imaging, std::string data_dir, store::Retention& retention)
    : api_(api),
      dispatcher_(dispatcher),
      sender_(sender),
      pool_(pool),
      imaging_(imaging),
      data_dir_(std::move(data_dir)),
      retention_(retention) {}

asio::awaitable<void> BotFront::skip(std::int64_t update_id) {
  co_await pool_.run([&] { dispatcher_.skip(update_id); });
}

asio::awaitable<void> BotFront::deliver(telegram::Update update) {
  if (update.pre_checkout_query) {
    co_await answer_pre_checkout(update);
    co_return;
  }
  auto in = from_update(update);
  if (!in) {
    co_await skip(update.update_id);
    if (on_update) on_update(telegram::to_string(update.kind), "ignored", 0);
    co_return;
  }
  const auto kind = telegram::to_string(update.kind);
  const auto started = std::chrono::steady_clock::now();
  std::string_view outcome = "failed";
  try {
    co_await per_user_.run(in->user_id, [&]() -> asio::awaitable<void> {
      const bool fresh = co_await handle(*in);
      outcome = fresh ? "handled" : "duplicate";
    });
  } catch (...) {
    if (on_update) on_update(kind, outcome, 0);
    throw;
  }
  if (on_update) {
    on_update(kind, outcome,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
}

asio::awaitable<bool> BotFront::handle(const Incoming& in) {
  Prepared prepared;
  if (in.kind == IncomingKind::kPhoto &&
      co_await pool_.run([&] { return dispatcher_.wants_photo(in.user_id); })) {
    prepared = co_await prepare_photo(in);
  }
  auto handled = co_await dispatcher_.handle_in_batch(in, prepared);
  if (handled.duplicate) {
    spdlog::debug("update {} was handled before; no second effect", in.update_id);
    co_return false;
  }
  spdlog::debug("update {} from user {} handled: {} replies", in.update_id, in.user_id,
                handled.calls.size());
  sender_.enqueue(std::move(handled.calls));
  co_return true;
}

// Not serialised with the seller's other updates (a photo download must not delay it) and not
// deduplicated before the answer: answering a redelivered query again is harmless, while an
// update marked handled but never answered would fail the payment.
asio::awaitable<void> BotFront::answer_pre_checkout(const telegram::Update& update) {
  const auto started = std::chrono::steady_clock::now();
  const auto& query = *update.pre_checkout_query;
  const auto asked = from_query(query);
  PreCheckoutAnswer answer;
  try {
    answer = co_await pool_.run([&] { return dispatcher_.decide_pre_checkout(asked); });
  } catch (const std::exception& error) {
    spdlog::error("pre-checkout {} of user {} not checked: {}", query.id, asked.user_id,
                  error.what());
    answer = PreCheckoutAnswer{
        .ok = false,
        .error_message = std::string(texts(language_of(asked.language_code)).pre_checkout_failed)};
  }
  nlohmann::json params{{"pre_checkout_query_id", query.id}, {"ok", answer.ok}};
  if (!answer.ok) params["error_message"] = answer.error_message;
  std::string method = "answerPreCheckoutQuery";
  const auto result = co_await api_.call(std::move(method), std::move(params));
  if (!result.ok()) {
    spdlog::warn("pre-checkout {} of user {} not answered: {}", query.id, asked.user_id,
                 result.description);
  } else {
    spdlog::info("pre-checkout {} of user {} for '{}': {}", query.id, asked.user_id, asked.payload,
                 answer.ok ? "yes" : "no: " + answer.error_message);
  }
  co_await skip(update.update_id);
  if (on_update) {
    on_update(telegram::to_string(update.kind), answer.ok ? "handled" : "refused",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
}

// A seller cannot fill the disk with photos never ordered: past the cap, a new photo takes the
// place of their oldest unused one. Best effort: the photo in hand is usable either way.
void BotFront::keep_latest_photos(std::int64_t user_id, const std::string& photo_path) {
  try {
    const auto removed = retention_.keep_latest_photos(user_id, photo_path);
    if (removed.files > 0) {
      spdlog::info("user {}: {} older photo(s) no order uses removed ({} bytes)", user_id,
                   removed.files, removed.bytes);
    }
  } catch (const std::exception& error) {
    spdlog::warn("user {}: photos over the cap not removed: {}", user_id, error.what());
  }
}

asio::awaitable<Prepared> BotFront::prepare_photo(const Incoming& in) {
  Prepared prepared;
  if (in.file_size > kMaxDownloadBytes) {
    prepared.photo_problem = PhotoProblem::kTooLarge;
    co_return prepared;
  }
  const auto incoming_dir = std::filesystem::path(data_dir_) / "incoming";
  std::filesystem::create_directories(incoming_dir);
  const auto download = (incoming_dir / (std::to_string(in.update_id) + ".part")).string();
  auto result = co_await api_.download_file(in.file_id, download, kMaxDownloadBytes);
  if (!result.ok()) {
    spdlog::warn("photo of update {} not downloaded: {}", in.update_id, result.description);
    prepared.photo_problem = result.error == telegram::ApiError::kTooLarge ||
                                     result.description.find("too big") != std::string::npos
                                 ? PhotoProblem::kTooLarge
                                 : PhotoProblem::kDownload;
    co_return prepared;
  }
  prepared = co_await pool_.run([&] {
    Prepared checked;
    const auto check = imaging_.check_photo(download);
    if (!check.ok()) {
      checked.photo_problem = problem_of(check.rejection);
    } else {
      // Re-encoded without metadata and stored by content hash under DATA_DIR/photos.
      checked.photo_path = imaging_.store_photo(download, data_dir_);
      keep_latest_photos(in.user_id, checked.photo_path);
    }
    std::error_code ignored;
    std::filesystem::remove(download, ignored);
    return checked;
  });
  co_return prepared;
}

}  // namespace nc::bot
