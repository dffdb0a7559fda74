#include "store/payments.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "store/ids.hpp"
#include "store/ledger.hpp"

namespace nc::store {
namespace {

#define NC_PAYMENT_COLUMNS                                                                     \
  "p.id, p.user_id, u.tg_user_id, p.pack, p.credits, p.stars, p.payload, p.status, "           \
  "p.telegram_payment_charge_id, p.return_flow, p.refunded_credits, p.created_at, p.paid_at, " \
  "p.refunded_at"

constexpr const char* kInsert =
    "INSERT INTO payments (user_id, pack, credits, stars, payload, return_flow) "
    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

constexpr const char* kById = "SELECT " NC_PAYMENT_COLUMNS
                              " FROM payments p JOIN users u ON u.id = p.user_id WHERE p.id = $1";

constexpr const char* kByPayload =
    "SELECT " NC_PAYMENT_COLUMNS
    " FROM payments p JOIN users u ON u.id = p.user_id WHERE p.payload = $1";

// The row stays locked to the end of the refund's transaction on PostgreSQL.
constexpr const char* kByCharge =
    "SELECT " NC_PAYMENT_COLUMNS
    " FROM payments p JOIN users u ON u.id = p.user_id WHERE p.telegram_payment_charge_id = $1 "
    "{for_update}";

// Only an open payment becomes paid: the ledger key already makes a second credit impossible.
constexpr const char* kMarkPaid =
    "UPDATE payments SET status = 'paid', telegram_payment_charge_id = $1, paid_at = {now} "
    "WHERE id = $2 AND status = 'created'";

constexpr const char* kMarkRefunded =
    "UPDATE payments SET status = 'refunded', refunded_at = {now}, refunded_credits = $1 "
    "WHERE id = $2 AND status = 'paid'";

// Completed payments; the filters are appended as they are given. A "since" date compares as
// text on SQLite (timestamps are sortable text) and is read as a timestamp on PostgreSQL.
constexpr const char* kList =
    "SELECT " NC_PAYMENT_COLUMNS
    " FROM payments p JOIN users u ON u.id = p.user_id WHERE p.status <> 'created'";
constexpr const char* kListByUser = " AND u.tg_user_id = ${}";
constexpr const char* kListSince = " AND p.paid_at >= ${}";
constexpr const char* kListOrder = " ORDER BY p.paid_at, p.id";

constexpr const char* kUserCredits = "SELECT credits FROM users WHERE id = $1";

Payment to_payment(const Row& row) {
  return Payment{.id = row.integer("id"),
                 .user_id = row.integer("user_id"),
                 .tg_user_id = row.integer("tg_user_id"),
                 .pack = row.text("pack"),
                 .credits = row.integer("credits"),
                 .stars = row.integer("stars"),
                 .payload = row.text("payload"),
                 .status = row.text("status"),
                 .charge_id = row.text("telegram_payment_charge_id"),
                 .return_flow = row.text("return_flow"),
                 .refunded_credits = row.integer("refunded_credits"),
                 .created_at = row.text("created_at"),
                 .paid_at = row.text("paid_at"),
                 .refunded_at = row.text("refunded_at")};
}

std::string purchase_key(const std::string& charge_id) {
  return "purchase:" + charge_id;
}
std::string refund_key(const std::string& charge_id) {
  return "purchase-refund:" + charge_id;
}

RefundPlan plan(Connection& connection, const std::string& charge_id, bool to_zero) {
  RefundPlan plan;
  auto rows = connection.execute(kByCharge, {charge_id});
  if (rows.empty()) return plan;
  plan.payment = to_payment(rows.front());
  plan.balance =
      connection.execute(kUserCredits, {plan.payment.user_id}).front().integer("credits");
  if (plan.payment.status == "refunded") {
    plan.outcome = RefundOutcome::kAlreadyRefunded;
  } else if (plan.payment.status != "paid") {
    plan.outcome = RefundOutcome::kNotPaid;
  } else if (plan.balance < plan.payment.credits && !to_zero) {
    plan.outcome = RefundOutcome::kSpent;
  } else {
    plan.outcome = RefundOutcome::kRefundable;
    plan.take_back = std::min(plan.balance, plan.payment.credits);
  }
  return plan;
}

}  // namespace

const char* to_string(RefundOutcome outcome) {
  switch (outcome) {
    case RefundOutcome::kRefundable:
      return "refundable";
    case RefundOutcome::kRefunded:
      return "refunded";
    case RefundOutcome::kNoSuchCharge:
      return "no payment has this charge id";
    case RefundOutcome::kNotPaid:
      return "the payment was never completed";
    case RefundOutcome::kAlreadyRefunded:
      return "already refunded";
    case RefundOutcome::kSpent:
      return "the seller has already spent the credits";
  }
  return "unknown";
}

Payment Payments::open(Connection& connection, std::int64_t user_id, const core::CreditPack& pack,
                       const std::string& return_flow) {
  const auto inserted = connection.execute(
      kInsert, {user_id, pack.name(), pack.credits, pack.stars, new_uuid(), return_flow});
  return to_payment(connection.execute(kById, {inserted.front().integer("id")}).front());
}

std::optional<Payment> Payments::by_payload(Connection& connection, const std::string& payload) {
  auto rows = connection.execute(kByPayload, {payload});
  if (rows.empty()) return std::nullopt;
  return to_payment(rows.front());
}

Credited Payments::credit(Connection& connection, std::int64_t tg_user_id,
                          const std::string& payload, const std::string& charge_id,
                          std::int64_t stars) {
  Credited result;
  auto payment = by_payload(connection, payload);
  if (!payment || payment->tg_user_id != tg_user_id || payment->stars != stars) return result;
  result.payment = *payment;
  const auto posted = Ledger::post(connection, Posting{.user_id = payment->user_id,
                                                       .delta = payment->credits,
                                                       .reason = "purchase",
                                                       .idempotency_key = purchase_key(charge_id),
                                                       .note = payment->pack});
  switch (posted) {
    case PostingOutcome::kApplied:
      connection.execute(kMarkPaid, {charge_id, payment->id});
      result.outcome = CreditOutcome::kCredited;
      break;
    case PostingOutcome::kAlreadyApplied:
      result.outcome = CreditOutcome::kAlreadyCredited;
      break;
    case PostingOutcome::kAboveLimit:
      result.outcome = CreditOutcome::kAboveLimit;
      break;
    default:
      throw DbError(fmt::format("crediting payment {}: {}", payment->id, to_string(posted)));
  }
  result.balance = connection.execute(kUserCredits, {payment->user_id}).front().integer("credits");
  return result;
}

std::vector<Payment> Payments::list(const PaymentFilter& filter) {
  std::string sql = kList;
  std::vector<Value> params;
  if (filter.tg_user_id) {
    params.emplace_back(*filter.tg_user_id);
    sql += fmt::format(fmt::runtime(kListByUser), params.size());
  }
  if (!filter.since.empty()) {
    params.emplace_back(filter.since);
    sql += fmt::format(fmt::runtime(kListSince), params.size());
  }
  sql += kListOrder;
  std::vector<Payment> payments;
  auto connection = database_.acquire();
  const auto rows = connection->execute(sql, params);
  for (const auto& row : rows)
    payments.push_back(to_payment(row));
  return payments;
}

std::optional<Payment> Payments::by_charge(const std::string& charge_id) {
  auto rows = database_.execute(kByCharge, {charge_id});
  if (rows.empty()) return std::nullopt;
  return to_payment(rows.front());
}

RefundPlan Payments::plan_refund(const std::string& charge_id, bool to_zero) {
  auto connection = database_.acquire();
  return plan(*connection, charge_id, to_zero);
}

RefundPlan Payments::record_refund(const std::string& charge_id, bool to_zero) {
  return database_.transaction([&](Connection& connection) {
    auto refund = plan(connection, charge_id, to_zero);
    if (refund.outcome != RefundOutcome::kRefundable) return refund;
    if (refund.take_back > 0) {
      const auto posted = Ledger::post(connection, Posting{.user_id = refund.payment.user_id,
                                                           .delta = -refund.take_back,
                                                           .reason = "adjust",
                                                           .idempotency_key = refund_key(charge_id),
                                                           .note = "Stars refund"});
      if (posted != PostingOutcome::kApplied) {
        throw DbError(
            fmt::format("taking back the credits of charge {}: {}", charge_id, to_string(posted)));
      }
    }
    connection.execute(kMarkRefunded, {refund.take_back, refund.payment.id});
    refund.outcome = RefundOutcome::kRefunded;
    refund.balance -= refund.take_back;
    return refund;
  });
}

}  // namespace nc::store
