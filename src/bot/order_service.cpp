#include "bot/order_service.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "net/hmac.hpp"
#include "store/job_queue.hpp"
#include "store/ledger.hpp"
#include "store/photos.hpp"
#include "store/savepoint.hpp"

namespace nc::bot {
namespace {

// Workers on other hosts read the photo from the store when their DATA_DIR lacks the file.
void keep_photo_in_store(store::Connection& connection, const std::string& path) {
  if (path.starts_with("http://") || path.starts_with("https://")) return;
  const auto name = std::filesystem::path(path).filename().string();
  if (store::Photos::has(connection, name)) return;
  std::ifstream file(path, std::ios::binary);
  if (!file) return;  // the worker reports a missing photo with a refund
  const std::string bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  store::Photos::put(connection, name, net::base64_encode(bytes));
}

}  // namespace

OrderOutcome place_order(store::Connection& connection, const store::User& user,
                         const Order& order) {
  const auto key = [&](int index) { return fmt::format("confirm:{}:{}", order.flow, index); };
  if (store::JobQueue::has_job_with_key(connection, key(1))) {
    return {.kind = OrderOutcome::Kind::kAlreadyPlaced};
  }
  const std::string product_info =
      nlohmann::json{{"text", order.product}, {"user_prompt", order.wishes}}.dump();
  // Running short of credits undoes only the order, not the rest of the update's handling.
  store::Savepoint order_savepoint(connection, "place_order");
  for (int index = 1; index <= order.count; ++index) {
    auto job =
        store::JobQueue::enqueue(connection, store::NewJob{.user_id = user.id,
                                                           .tg_user_id = user.tg_user_id,
                                                           .idempotency_key = key(index),
                                                           .batch_id = order.flow,
                                                           .batch_index = index,
                                                           .batch_size = order.count,
                                                           .template_id = order.template_id,
                                                           .model = order.model,
                                                           .input_photo_path = order.photo_path,
                                                           .product_info = product_info});
    const auto charged =
        store::Ledger::charge_job(connection, user.id, job.job_id, order.price_per_video);
    if (charged == store::PostingOutcome::kInsufficient) {
      return {.kind = OrderOutcome::Kind::kInsufficient,
              .needed = static_cast<std::int64_t>(order.count) * order.price_per_video,
              .balance = user.credits};
    }
    if (charged != store::PostingOutcome::kApplied) {
      throw store::DbError(
          fmt::format("charging job {}: {}", job.job_id, store::to_string(charged)));
    }
  }
  order_savepoint.release();
  keep_photo_in_store(connection, order.photo_path);
  return {.kind = OrderOutcome::Kind::kPlaced};
}

}  // namespace nc::bot
