// Top-ups with Telegram Stars: one row per invoice. The invoice payload names the row; the
// charge id Telegram gives on payment keys the crediting (ledger "purchase:<charge id>") and the
// refund, so each happens once whatever Telegram or the operator repeats.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/credit_packs.hpp"
#include "store/database.hpp"

namespace nc::store {

struct Payment {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::int64_t tg_user_id = 0;
  std::string pack;  // "credits:stars" as sold
  std::int64_t credits = 0;
  std::int64_t stars = 0;
  std::string payload;
  std::string status;  // created, paid, refunded
  std::string charge_id;
  std::string return_flow;  // the order summary the seller came from; empty: none
  std::int64_t refunded_credits = 0;
  std::string created_at;
  std::string paid_at;
  std::string refunded_at;
};

enum class CreditOutcome {
  kCredited,
  kAlreadyCredited,  // this charge was credited before; nothing changed
  kNoSuchPayment,    // the payload names no payment of this user at this price
  kAboveLimit,       // the balance would pass its ceiling; nothing changed
};

struct Credited {
  CreditOutcome outcome = CreditOutcome::kNoSuchPayment;
  Payment payment;
  std::int64_t balance = 0;  // after crediting
};

enum class RefundOutcome {
  kRefundable,  // plan: may go ahead
  kRefunded,    // recorded: payment refunded, credits taken back
  kNoSuchCharge,
  kNotPaid,  // the payment was never completed
  kAlreadyRefunded,
  kSpent,  // the seller holds fewer credits than the pack gave
};
const char* to_string(RefundOutcome outcome);

struct RefundPlan {
  RefundOutcome outcome = RefundOutcome::kNoSuchCharge;
  Payment payment;
  std::int64_t balance = 0;    // the seller's credits now
  std::int64_t take_back = 0;  // credits the refund removes
};

struct PaymentFilter {
  std::optional<std::int64_t> tg_user_id;
  std::string since;  // "YYYY-MM-DD[ HH:MM:SS]" UTC; empty: all
};

class Payments {
 public:
  explicit Payments(Database& database) : database_(database) {}

  // Inside the handling transaction.
  static Payment open(Connection& connection, std::int64_t user_id, const core::CreditPack& pack,
                      const std::string& return_flow);
  static std::optional<Payment> by_payload(Connection& connection, const std::string& payload);
  // Credits the payment named by `payload` once per charge id: the ledger row and the paid mark
  // go together, in the caller's transaction.
  static Credited credit(Connection& connection, std::int64_t tg_user_id,
                         const std::string& payload, const std::string& charge_id,
                         std::int64_t stars);

  // The operator's side, each in its own transaction.
  std::vector<Payment> list(const PaymentFilter& filter);
  std::optional<Payment> by_charge(const std::string& charge_id);
  // What a refund would do now; `to_zero` takes what is left when the credits were spent.
  RefundPlan plan_refund(const std::string& charge_id, bool to_zero);
  // Records a refund Telegram made: the reversing ledger row and the refunded mark, once.
  RefundPlan record_refund(const std::string& charge_id, bool to_zero);

 private:
  Database& database_;
};

}  // namespace nc::store
