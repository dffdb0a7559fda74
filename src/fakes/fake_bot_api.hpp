// A fake Telegram Bot API server on loopback: the real wire format and error texts, an update
// queue served by long polling or delivered to a webhook, recorded calls, fault knobs. The tests
// and benchmarks talk to it, and it is the Telegram of `neurocards demo`.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fakes/fake_stars.hpp"

namespace nc::fakes {

struct FakeBotApiOptions {
  std::string token = "123456789:AAFake-Token_ForTests0123456789abcdef";
  std::string bot_username = "neurocards_test_bot";
  std::string bot_first_name = "NeuroCards";
  std::int64_t first_update_id = 100000001;
  // Webhook delivery retries: the first after webhook_first_retry, then webhook_retry doubling
  // up to webhook_max_retry; a Retry-After header from the bot wins (capped by max_retry_after).
  std::chrono::milliseconds webhook_first_retry{20};
  std::chrono::milliseconds webhook_retry{100};
  std::chrono::milliseconds webhook_max_retry{1000};
  std::chrono::seconds max_retry_after{3600};
  std::chrono::milliseconds webhook_timeout{10'000};  // one delivery attempt
  // Like the real server, setWebhook first connects to the URL and fails when it cannot.
  bool check_webhook_reachable = true;
  std::size_t upload_limit = 50 << 20;  // bigger request bodies get 413
  // Non-empty: every accepted upload is also written here (video-1.mp4, …); see saved_path.
  std::filesystem::path keep_uploads_in;
  unsigned short port = 0;  // 0: any free port
  // For load benchmarks: calls are counted (stats()) but not recorded, sent messages are not
  // kept (so they cannot be edited or copied), and any callback query id may be answered once.
  bool lean = false;
  // How long the bot has to answer a pre_checkout_query; later answers fail the payment.
  std::chrono::milliseconds pre_checkout_deadline{10'000};
};

struct UploadedFile {
  std::string field;  // the multipart part name
  std::string filename;
  std::string content_type;
  std::size_t size = 0;
  std::string saved_path;  // where it was written (FakeBotApiOptions::keep_uploads_in)
};

struct RecordedCall {
  std::string method;     // canonical spelling, e.g. "sendMessage"
  nlohmann::json params;  // query and body fields; form values are strings, JSON as sent
  std::vector<UploadedFile> files;
  std::optional<std::int64_t> chat_id;
  std::chrono::steady_clock::time_point received_at;
  int status = 0;                   // HTTP status answered; 0 when the connection was dropped
  nlohmann::json response;          // the envelope answered; null when dropped
  bool from_webhook_reply = false;  // a method returned in the body of a webhook answer
};

struct WebhookDelivery {
  std::int64_t update_id = 0;
  int status = 0;     // the bot's HTTP status; 0 when it gave none
  std::string error;  // connection error or timeout
  std::chrono::steady_clock::time_point at;
};

struct FakeWebhook {
  std::string url;  // empty: no webhook
  std::string secret_token;
  std::string certificate;  // the uploaded PEM, if any
  int max_connections = 40;
  std::vector<std::string> allowed_updates;
};

// Runs on its own thread; every public member may be called from any thread.
class FakeBotApi {
 public:
  explicit FakeBotApi(FakeBotApiOptions options = {});
  ~FakeBotApi();  // stops
  FakeBotApi(const FakeBotApi&) = delete;
  FakeBotApi& operator=(const FakeBotApi&) = delete;

  void start();  // listens on 127.0.0.1, a free port
  void stop();   // ends every connection and delivery; recorded state stays readable

  std::string base_url() const;  // "http://127.0.0.1:PORT", the TELEGRAM_API_URL to use
  const std::string& token() const;
  std::string method_url(std::string_view method) const;  // base_url()/bot<token>/<method>

  // --- updates ---
  // Queues an update (update_id assigned when absent) for getUpdates or the webhook; returns
  // its update_id. Types outside the stored allowed_updates are dropped, as the server does.
  std::int64_t push_update(nlohmann::json update);
  // Update bodies without update_id; message ids continue the chat's sequence.
  nlohmann::json make_text_message(std::int64_t user_id, std::string_view text);
  nlohmann::json make_photo_message(std::int64_t user_id, std::string_view file_id, int width,
                                    int height);
  nlohmann::json make_document_message(std::int64_t user_id, std::string_view file_id,
                                       std::string_view file_name, std::string_view mime_type);
  // A press on a button of message_id in the user's private chat; its id is then answerable.
  nlohmann::json make_callback(std::int64_t user_id, std::string_view data,
                               std::int64_t message_id);
  void redeliver_next();  // the next update the webhook accepts is delivered once more
  std::size_t pending_update_count() const;

  // --- Telegram Stars (contract section 5.2) ---
  // The user pays the invoice the bot sent as message_id: a pre_checkout_query is queued and its
  // id returned (nullopt: no such invoice). A yes in time sends successful_payment.
  // `from` adds to the paying User (language_code, …), as ScriptedSeller does.
  std::optional<std::string> pay_invoice(std::int64_t user_id, std::int64_t message_id,
                                         const nlohmann::json& from = nullptr);
  // A pre_checkout_query for any payload and price, as a stale or forged invoice would give.
  std::string pay(std::int64_t user_id, const std::string& payload, std::int64_t amount);
  // Waits until the payment is answered or its deadline passes; nullopt for an unknown id.
  std::optional<FakePayment> wait_for_payment(const std::string& query_id,
                                              std::chrono::milliseconds timeout) const;
  std::vector<FakeInvoice> invoices(std::int64_t chat_id) const;
  // A payment Telegram completed that the bot never heard of; returns its charge id.
  std::string add_completed_payment(std::int64_t user_id, const std::string& payload,
                                    std::int64_t amount);

  // --- files ---
  // getFile answers for file_id with a file_path whose download serves local_path.
  void add_file(std::string file_id, std::filesystem::path local_path);

  // --- faults: per method name (any case, "*" for all), for the next `count` calls ---
  void rate_limit_next(std::string_view method, int count, int retry_after_seconds);
  void fail_next(std::string_view method, int count, int status = 500,
                 std::string description = "Internal Server Error: restart");
  void delay_next(std::string_view method, int count, std::chrono::milliseconds delay);
  void drop_next(std::string_view method, int count);          // close the connection, no answer
  void block_chat(std::int64_t chat_id, bool blocked = true);  // 403 bot was blocked by the user

  // --- observations (a call is recorded when its answer is sent) ---
  std::vector<RecordedCall> calls() const;
  std::vector<RecordedCall> calls(std::string_view method) const;
  std::size_t call_count(std::string_view method) const;
  bool wait_for_calls(std::string_view method, std::size_t count,
                      std::chrono::milliseconds timeout) const;
  void clear_calls();
  std::vector<WebhookDelivery> deliveries() const;
  bool wait_for_deliveries(std::size_t accepted, std::chrono::milliseconds timeout) const;
  FakeWebhook webhook() const;
  // A message the bot sent, as it stands after edits (text, caption, reply_markup, …).
  std::optional<nlohmann::json> message(std::int64_t chat_id, std::int64_t message_id) const;
  // Counts kept in every mode, also served as GET /stats: {"calls": {method: n},
  // "send_per_chat": {chat_id: sendMessage count}, "answered_callbacks": distinct ids answered,
  // "answer_duplicates": answers to an id answered before}.
  nlohmann::json stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nc::fakes
