// Telegram Stars as the fake Bot API plays them (contract section 5.2): invoices in XTR with one
// price, a pre_checkout_query that must be answered within its deadline (a late or negative
// answer fails the payment), successful_payment with a charge id, refunds (once), and the
// bot's Star transactions. Plain state: FakeBotApi calls it under its own mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nc::fakes {

struct FakeInvoice {
  std::int64_t chat_id = 0;
  std::int64_t message_id = 0;
  std::string title;
  std::string description;
  std::string payload;
  std::int64_t amount = 0;  // Stars
};

enum class FakePaymentState {
  kAwaitingAnswer,  // pre_checkout_query sent, no answer yet
  kPaid,            // answered yes in time: successful_payment sent
  kDeclined,        // answered no: the user saw error_message
  kExpired,         // not answered in time, or answered late
};

struct FakePayment {
  std::string query_id;
  std::int64_t user_id = 0;
  std::string payload;
  std::int64_t amount = 0;
  FakePaymentState state = FakePaymentState::kAwaitingAnswer;
  std::string charge_id;      // kPaid
  std::string error_message;  // kDeclined
  std::chrono::steady_clock::time_point deadline;
  nlohmann::json from;  // the paying user, as the query showed them
};

class FakeStars {
 public:
  using Clock = std::chrono::steady_clock;

  explicit FakeStars(std::chrono::milliseconds answer_deadline) : deadline_(answer_deadline) {}

  // The error Telegram gives for these sendInvoice parameters, or "" when they are good.
  static std::string check_invoice(const nlohmann::json& params);
  // Keeps a sent invoice; returns the Message's "invoice" object.
  nlohmann::json add_invoice(FakeInvoice invoice);
  std::optional<FakeInvoice> invoice(std::int64_t chat_id, std::int64_t message_id) const;
  std::vector<FakeInvoice> invoices(std::int64_t chat_id) const;

  // The user pays: a pre_checkout_query update body (without update_id) for `payload`.
  nlohmann::json start_payment(const nlohmann::json& from, const std::string& payload,
                               std::int64_t amount);
  // answerPreCheckoutQuery. Returns the Bad Request text ("" when accepted) and, for a yes in
  // time, the successful_payment object to send to the user.
  std::string answer(const std::string& query_id, bool ok, const std::string& error_message,
                     std::optional<nlohmann::json>& successful_payment);
  // A payment Telegram completed without the bot hearing of it (for reconciling).
  std::string add_completed_payment(std::int64_t user_id, const std::string& payload,
                                    std::int64_t amount);
  std::optional<FakePayment> payment(const std::string& query_id) const;

  // refundStarPayment: "" when refunded, else the Bad Request text.
  std::string refund(std::int64_t user_id, const std::string& charge_id);
  // getStarTransactions' result, oldest first.
  nlohmann::json transactions(std::int64_t offset, std::int64_t limit) const;

 private:
  struct Transaction {
    std::string id;
    std::int64_t amount = 0;
    std::int64_t date = 0;
    std::int64_t user_id = 0;
    std::string payload;  // incoming: the invoice paid
    bool incoming = true;
  };
  std::string new_charge(std::int64_t user_id, std::int64_t amount, const std::string& payload);
  void expire(FakePayment& payment) const;

  std::chrono::milliseconds deadline_;
  std::vector<FakeInvoice> invoices_;
  std::map<std::string, FakePayment> payments_;  // by query id
  std::map<std::string, std::int64_t> charges_;  // charge id -> user id
  std::map<std::string, std::int64_t> charge_amounts_;
  std::map<std::string, bool> refunded_;
  std::vector<Transaction> transactions_;
  std::int64_t counter_ = 0;
};

}  // namespace nc::fakes
