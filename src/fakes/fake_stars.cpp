#include "fakes/fake_stars.hpp"

#include <fmt/format.h>

#include "core/clock.hpp"
#include "core/utf16.hpp"

namespace nc::fakes {
namespace {

using json = nlohmann::json;

constexpr std::string_view kOldQuery =
    "query is too old and response timeout expired or query ID is invalid";

// Form values arrive as strings, JSON bodies as themselves.
json structured(const json& params, const char* name) {
  auto it = params.find(name);
  if (it == params.end() || it->is_null()) return nullptr;
  if (it->is_string()) return json::parse(it->get<std::string>(), nullptr, false);
  return *it;
}

std::string text(const json& params, const char* name) {
  auto it = params.find(name);
  if (it == params.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::optional<std::int64_t> whole(const json& value) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_string()) {
    try {
      std::size_t used = 0;
      const auto parsed = std::stoll(value.get<std::string>(), &used);
      if (used == value.get<std::string>().size()) return parsed;
    } catch (...) {
    }
  }
  return std::nullopt;
}

}  // namespace

std::string FakeStars::check_invoice(const json& params) {
  const auto title = text(params, "title");
  const auto description = text(params, "description");
  const auto payload = text(params, "payload");
  const auto title_length = core::utf8_characters(title);
  if (title_length == 0 || title_length > 32) return "TITLE_INVALID";
  const auto description_length = core::utf8_characters(description);
  if (description_length == 0 || description_length > 255) return "DESCRIPTION_INVALID";
  if (payload.empty() || payload.size() > 128) return "PAYLOAD_INVALID";
  if (text(params, "currency") != "XTR") return "CURRENCY_INVALID";
  // Stars are sold by Telegram itself: no payment provider.
  if (!text(params, "provider_token").empty()) return "PROVIDER_TOKEN_INVALID";
  const auto prices = structured(params, "prices");
  if (prices.is_discarded() || !prices.is_array()) return "can't parse prices JSON object";
  if (prices.size() != 1) return "STARS_INVOICE_INVALID";  // exactly one price in XTR
  const auto& price = prices.front();
  if (!price.is_object() || !price.contains("label") || !price["label"].is_string() ||
      price["label"].get<std::string>().empty()) {
    return "can't parse prices JSON object";
  }
  const auto amount = whole(price.value("amount", json()));
  if (!amount || *amount <= 0) return "CURRENCY_TOTAL_AMOUNT_INVALID";
  if (params.contains("max_tip_amount") || params.contains("suggested_tip_amounts")) {
    return "STARS_INVOICE_INVALID";
  }
  return {};
}

json FakeStars::add_invoice(FakeInvoice invoice) {
  json object = {{"title", invoice.title},
                 {"description", invoice.description},
                 {"start_parameter", ""},
                 {"currency", "XTR"},
                 {"total_amount", invoice.amount}};
  invoices_.push_back(std::move(invoice));
  return object;
}

std::optional<FakeInvoice> FakeStars::invoice(std::int64_t chat_id, std::int64_t message_id) const {
  for (const auto& invoice : invoices_) {
    if (invoice.chat_id == chat_id && invoice.message_id == message_id) return invoice;
  }
  return std::nullopt;
}

std::vector<FakeInvoice> FakeStars::invoices(std::int64_t chat_id) const {
  std::vector<FakeInvoice> found;
  for (const auto& invoice : invoices_) {
    if (invoice.chat_id == chat_id) found.push_back(invoice);
  }
  return found;
}

json FakeStars::start_payment(const json& from, const std::string& payload, std::int64_t amount) {
  const auto id = fmt::format("{}", 8'000'000'000'000'000'000 + ++counter_);
  payments_[id] = FakePayment{.query_id = id,
                              .user_id = from.value("id", std::int64_t{0}),
                              .payload = payload,
                              .amount = amount,
                              .deadline = Clock::now() + deadline_,
                              .from = from};
  return {{"pre_checkout_query",
           {{"id", id},
            {"from", from},
            {"currency", "XTR"},
            {"total_amount", amount},
            {"invoice_payload", payload}}}};
}

void FakeStars::expire(FakePayment& payment) const {
  if (payment.state == FakePaymentState::kAwaitingAnswer && Clock::now() > payment.deadline) {
    payment.state = FakePaymentState::kExpired;
  }
}

std::string FakeStars::new_charge(std::int64_t user_id, std::int64_t amount,
                                  const std::string& payload) {
  const auto charge = fmt::format("stxFakeCharge{:06}", ++counter_);
  charges_[charge] = user_id;
  charge_amounts_[charge] = amount;
  transactions_.push_back(Transaction{.id = charge,
                                      .amount = amount,
                                      .date = core::real_clock().unix_seconds(),
                                      .user_id = user_id,
                                      .payload = payload});
  return charge;
}

std::string FakeStars::answer(const std::string& query_id, bool ok,
                              const std::string& error_message,
                              std::optional<json>& successful_payment) {
  auto it = payments_.find(query_id);
  if (it == payments_.end()) return std::string(kOldQuery);
  auto& payment = it->second;
  expire(payment);
  if (payment.state != FakePaymentState::kAwaitingAnswer) return std::string(kOldQuery);
  if (!ok) {
    if (error_message.empty()) return "ERROR_MESSAGE_EMPTY";
    payment.state = FakePaymentState::kDeclined;
    payment.error_message = error_message;
    return {};
  }
  payment.state = FakePaymentState::kPaid;
  payment.charge_id = new_charge(payment.user_id, payment.amount, payment.payload);
  successful_payment = json{{"currency", "XTR"},
                            {"total_amount", payment.amount},
                            {"invoice_payload", payment.payload},
                            {"telegram_payment_charge_id", payment.charge_id},
                            {"provider_payment_charge_id", ""}};
  return {};
}

std::string FakeStars::add_completed_payment(std::int64_t user_id, const std::string& payload,
                                             std::int64_t amount) {
  const auto id = fmt::format("{}", 8'000'000'000'000'000'000 + ++counter_);
  auto charge = new_charge(user_id, amount, payload);
  payments_[id] = FakePayment{.query_id = id,
                              .user_id = user_id,
                              .payload = payload,
                              .amount = amount,
                              .state = FakePaymentState::kPaid,
                              .charge_id = charge};
  return charge;
}

std::optional<FakePayment> FakeStars::payment(const std::string& query_id) const {
  auto it = payments_.find(query_id);
  if (it == payments_.end()) return std::nullopt;
  auto payment = it->second;
  expire(payment);
  return payment;
}

std::string FakeStars::refund(std::int64_t user_id, const std::string& charge_id) {
  auto it = charges_.find(charge_id);
  if (it == charges_.end()) return "CHARGE_NOT_FOUND";
  if (it->second != user_id) return "USER_ID_INVALID";
  if (refunded_[charge_id]) return "CHARGE_ALREADY_REFUNDED";
  refunded_[charge_id] = true;
  transactions_.push_back(Transaction{.id = charge_id,
                                      .amount = charge_amounts_[charge_id],
                                      .date = core::real_clock().unix_seconds(),
                                      .user_id = user_id,
                                      .incoming = false});
  return {};
}

json FakeStars::transactions(std::int64_t offset, std::int64_t limit) const {
  json list = json::array();
  for (auto index = static_cast<std::size_t>(std::max<std::int64_t>(offset, 0));
       index < transactions_.size() && static_cast<std::int64_t>(list.size()) < limit; ++index) {
    const auto& transaction = transactions_[index];
    json partner = {
        {"type", "user"},
        {"user", {{"id", transaction.user_id}, {"is_bot", false}, {"first_name", "Tester"}}}};
    if (transaction.incoming) partner["invoice_payload"] = transaction.payload;
    json item = {
        {"id", transaction.id}, {"amount", transaction.amount}, {"date", transaction.date}};
    item[transaction.incoming ? "source" : "receiver"] = partner;
    list.push_back(std::move(item));
  }
  return json{{"transactions", std::move(list)}};
}

}  // namespace nc::fakes
