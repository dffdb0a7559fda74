#include "bot/order_service.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "store/job_queue.hpp"
#include "store/ledger.hpp"

namespace nc::bot {

OrderOutcome place_order(store::Connection& connection, const store::User& user,
                         const Order& order) {
  const auto key = [&](int index) { return fmt::format("confirm:{}:{}", order.flow, index); };
  if (!connection.execute("SELECT id FROM jobs WHERE idempotency_key = $1", {key(1)}).empty()) {
    return {.kind = OrderOutcome::Kind::kAlreadyPlaced};
  }
  const std::string product_info =
      nlohmann::json{{"text", order.product}, {"user_prompt", order.wishes}}.dump();
  // A savepoint, so running short of credits undoes only the order, not the update's handling.
  connection.execute_script("SAVEPOINT place_order");
  try {
    for (int index = 1; index <= order.count; ++index) {
      auto job = store::JobQueue::enqueue(
          connection, store::NewJob{.user_id = user.id,
                                    .tg_user_id = user.tg_user_id,
                                    .idempotency_key = key(index),
                                    .batch_id = order.flow,
                                    .batch_index = index,
                                    .batch_size = order.count,
                                    .template_id = order.template_id,
                                    .model = order.model,
                                    .input_photo_path = order.photo_path,
                                    .product_info = product_info});
      store::Ledger::charge_job(connection, user.id, job.job_id, order.price_per_video);
    }
  } catch (const store::InsufficientCredits&) {
    connection.execute_script("ROLLBACK TO SAVEPOINT place_order");
    connection.execute_script("RELEASE SAVEPOINT place_order");
    return {.kind = OrderOutcome::Kind::kInsufficient,
            .needed = static_cast<std::int64_t>(order.count) * order.price_per_video,
            .balance = user.credits};
  }
  connection.execute_script("RELEASE SAVEPOINT place_order");
  return {.kind = OrderOutcome::Kind::kPlaced};
}

}  // namespace nc::bot
