// The fake Bot API: request decoding, the methods, the update queue (long polling and webhook
// delivery), recorded calls and fault knobs. All network work runs on one io_context thread;
// the state below is shared with the test thread under one mutex.
#include "fakes/fake_bot_api.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/status.hpp>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>

#include "core/clock.hpp"
#include "fakes/bot_api_text.hpp"
#include "fakes/http_client.hpp"
#include "net/http_server.hpp"
#include "net/multipart.hpp"

namespace nc::fakes {

namespace asio = boost::asio;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxText = 4096;
constexpr std::size_t kMaxCaption = 1024;
constexpr std::size_t kMaxCallbackData = 64;
constexpr std::size_t kMaxSecretToken = 256;
constexpr std::uintmax_t kDownloadLimit = 20 << 20;
constexpr auto kReachabilityTimeout = std::chrono::seconds(3);
constexpr std::string_view kBotPrefix = "/bot";
constexpr std::string_view kFilePrefix = "/file/bot";
constexpr std::string_view kNotModified =
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message";
constexpr std::string_view kWebhookActive =
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first";
constexpr std::string_view kOtherGetUpdates =
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running";
constexpr std::string_view kTerminatedBySetWebhook = "Conflict: terminated by setWebhook request";
constexpr std::string_view kOldQuery =
    "query is too old and response timeout expired or query ID is invalid";

// Update types left out when allowed_updates is empty (the server's default set).
const std::set<std::string, std::less<>> kNotByDefault = {"chat_member", "message_reaction",
                                                          "message_reaction_count"};
const std::set<std::string, std::less<>> kChatActions = {
    "typing",        "upload_photo",      "record_video",     "upload_video",
    "record_voice",  "upload_voice",      "upload_document",  "choose_sticker",
    "find_location", "record_video_note", "upload_video_note"};
const std::set<std::string, std::less<>> kButtonActions = {"callback_data",
                                                           "url",
                                                           "web_app",
                                                           "login_url",
                                                           "switch_inline_query",
                                                           "switch_inline_query_current_chat",
                                                           "switch_inline_query_chosen_chat",
                                                           "copy_text",
                                                           "callback_game",
                                                           "pay"};

struct Reply {
  int status = 200;
  json body;
  std::vector<std::pair<std::string, std::string>> headers;
};

Reply ok(json result, std::string description = {}) {
  json body = {{"ok", true}, {"result", std::move(result)}};
  if (!description.empty()) body["description"] = std::move(description);
  return {200, std::move(body), {}};
}

Reply error(int code, std::string_view description, json parameters = nullptr) {
  json body = {{"ok", false}, {"error_code", code}, {"description", description}};
  if (!parameters.is_null()) body["parameters"] = std::move(parameters);
  return {code, std::move(body), {}};
}

Reply bad_request(std::string_view what) {
  return error(400, "Bad Request: " + std::string(what));
}

net::HttpServerResponse to_http(const Reply& reply) {
  net::HttpServerResponse response;
  response.status = reply.status;
  response.content_type = "application/json";
  response.headers = reply.headers;
  response.body = reply.body.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// --- parameters: form values arrive as strings, JSON values as themselves ---

const json* find_param(const json& params, std::string_view name) {
  auto it = params.find(name);
  return it == params.end() || it->is_null() ? nullptr : &*it;
}

std::optional<std::string> string_param(const json& params, std::string_view name) {
  const auto* value = find_param(params, name);
  if (value == nullptr) return std::nullopt;
  if (value->is_string()) return value->get<std::string>();
  return value->dump();
}

std::optional<std::int64_t> int_param(const json& params, std::string_view name) {
  const auto* value = find_param(params, name);
  if (value == nullptr) return std::nullopt;
  if (value->is_number_integer()) return value->get<std::int64_t>();
  if (value->is_string()) return parse_int(value->get<std::string>());
  return std::nullopt;
}

bool bool_param(const json& params, std::string_view name) {
  const auto* value = find_param(params, name);
  if (value == nullptr) return false;
  if (value->is_boolean()) return value->get<bool>();
  if (value->is_number_integer()) return value->get<std::int64_t>() != 0;
  if (!value->is_string()) return false;
  auto text = to_lower(value->get<std::string>());
  return text == "true" || text == "1" || text == "yes";
}

// A structured parameter: a JSON value, or a string holding one. Discarded when unparsable.
std::optional<json> json_param(const json& params, std::string_view name) {
  const auto* value = find_param(params, name);
  if (value == nullptr) return std::nullopt;
  if (value->is_string()) return json::parse(value->get<std::string>(), nullptr, false);
  return *value;
}

// --- Telegram objects ---

json user_json(std::int64_t id) {
  return {{"id", id},
          {"is_bot", false},
          {"first_name", "Tester"},
          {"username", fmt::format("user{}", id)},
          {"language_code", "en"}};
}

json chat_json(std::int64_t id) {
  if (id > 0) {
    return {{"id", id},
            {"type", "private"},
            {"first_name", "Tester"},
            {"username", fmt::format("user{}", id)}};
  }
  return {{"id", id}, {"type", id < -1000000000000 ? "supergroup" : "group"}, {"title", "Group"}};
}

std::string update_type(const json& update) {
  for (const auto& [key, value] : update.items()) {
    if (key != "update_id") return key;
  }
  return {};
}

// Updates sharing a key are delivered one at a time, in order: a chat's messages, a user's
// queries.
std::string ordering_key(const json& update) {
  auto type = update_type(update);
  const auto& body = update.contains(type) ? update.at(type) : json();
  if (body.is_object() && body.contains("chat") && body["chat"].contains("id")) {
    return "chat:" + body["chat"]["id"].dump();
  }
  if (body.is_object() && body.contains("from") && body["from"].contains("id")) {
    return "user:" + body["from"]["id"].dump();
  }
  return "update:" + update["update_id"].dump();
}

}  // namespace

struct FakeBotApi::Impl {
  struct Call {
    std::string method;  // canonical
    json params = json::object();
    std::map<std::string, net::MultipartField> files;
    std::optional<std::int64_t> chat_id;
    Clock::time_point received_at;
    bool from_webhook_reply = false;
  };
  using Handler = asio::awaitable<Reply> (Impl::*)(Call&);
  struct Method {
    std::string_view name;
    Handler handler;
  };
  struct StoredMessage {
    json message;  // as last returned
    bool media = false;
    std::string raw_text;  // text or caption as sent, for "not modified"
    json markup;           // null when none
  };
  struct RegisteredFile {
    std::filesystem::path local_path;
    std::string file_path;
  };
  enum class FaultKind { kError, kDelay, kDrop };
  struct Fault {
    std::string method;  // lower case or "*"
    FaultKind kind;
    int remaining;
    Reply reply;
    std::chrono::milliseconds delay{0};
  };
  struct TakenFaults {
    std::chrono::milliseconds delay{0};
    bool drop = false;
    std::optional<Reply> reply;
  };
  struct PendingPoll {
    explicit PendingPoll(asio::any_io_executor executor) : timer(std::move(executor)) {}
    asio::steady_timer timer;
    std::string abort;  // non-empty: answer 409 with this
  };

  explicit Impl(FakeBotApiOptions fake_options)
      : options_(std::move(fake_options)),
        next_update_id_(options_.first_update_id),
        stars_(options_.pre_checkout_deadline) {
    bot_id_ =
        parse_int(std::string_view(options_.token).substr(0, options_.token.find(':'))).value_or(0);
  }

  static const std::vector<Method>& methods();
  static const Method* find_method(std::string_view name);

  asio::awaitable<net::HttpServerResponse> handle_bot(net::HttpServerRequest request);
  asio::awaitable<net::HttpServerResponse> handle_download(net::HttpServerRequest request);
  std::optional<Reply> check_token(std::string_view token) const;
  static std::optional<Reply> decode_params(const net::HttpServerRequest& request, Call& call);
  asio::awaitable<Reply> run_method(const Method& method, Call& call);
  TakenFaults take_faults(const std::string& method);
  void add_fault(std::string_view method, Fault fault);
  void record(const Call& call, int status, json response);
  std::string keep_upload(const std::string& field, const net::MultipartField& upload);

  // Methods.
  asio::awaitable<Reply> get_me(Call& call);
  asio::awaitable<Reply> get_updates(Call& call);
  asio::awaitable<Reply> set_webhook(Call& call);
  asio::awaitable<Reply> delete_webhook(Call& call);
  asio::awaitable<Reply> get_webhook_info(Call& call);
  asio::awaitable<Reply> send_message(Call& call);
  asio::awaitable<Reply> copy_message(Call& call);
  asio::awaitable<Reply> edit_message_text(Call& call) { return edit_text(call, false); }
  asio::awaitable<Reply> edit_message_reply_markup(Call& call);
  asio::awaitable<Reply> edit_message_caption(Call& call) { return edit_text(call, true); }
  asio::awaitable<Reply> edit_text(Call& call, bool caption);
  asio::awaitable<Reply> delete_message(Call& call);
  asio::awaitable<Reply> answer_callback_query(Call& call);
  asio::awaitable<Reply> send_photo(Call& call) { return send_media(call, "photo"); }
  asio::awaitable<Reply> send_video(Call& call) { return send_media(call, "video"); }
  asio::awaitable<Reply> send_document(Call& call) { return send_media(call, "document"); }
  asio::awaitable<Reply> send_media(Call& call, std::string kind);
  asio::awaitable<Reply> send_chat_action(Call& call);
  asio::awaitable<Reply> get_file(Call& call);
  asio::awaitable<Reply> set_my_commands(Call& call);
  asio::awaitable<Reply> send_invoice(Call& call);
  asio::awaitable<Reply> answer_pre_checkout_query(Call& call);
  asio::awaitable<Reply> refund_star_payment(Call& call);
  asio::awaitable<Reply> get_star_transactions(Call& call);
  // Queues an update; with the mutex held.
  std::int64_t enqueue_update(json update);

  // Shared checks; each gives the error reply, or nullopt when the call may go on.
  static std::optional<Reply> check_chat(const Call& call);
  static std::optional<Reply> check_text(const Call& call, std::string_view field,
                                         std::size_t limit, bool is_caption, std::string& visible);
  static std::optional<Reply> check_markup(const Call& call, bool inline_only, json& markup);
  StoredMessage* find_message(const Call& call, std::optional<Reply>& failure);
  // The message after an edit with `markup`; without one the keyboard goes away, as on the
  // real server.
  static json edited(StoredMessage& stored, const json& markup);

  // A message update from a user in their private chat, carrying `content` as `field`; with the
  // mutex held (the message id continues the chat's sequence).
  json user_message(std::int64_t user_id, const char* field, json content);
  // A registered file's size, as Telegram tells it with the file; with the mutex held.
  void add_file_size(json& file, std::string_view file_id) const;
  json bot_user() const;
  json base_message(std::int64_t chat_id, std::int64_t message_id) const;
  std::int64_t next_message_id(std::int64_t chat_id) { return ++last_message_id_[chat_id]; }
  bool allowed(const std::string& type) const;
  void confirm_updates(std::int64_t offset);
  void end_poll(std::string_view reason);
  void wake_poll_later();
  void start_deliveries();
  void deliver_later();
  asio::awaitable<void> deliver(json update, std::string key, std::uint64_t generation);
  asio::awaitable<void> apply_webhook_reply(const HttpResult& result);

  const FakeBotApiOptions options_;
  std::int64_t bot_id_ = 0;

  std::unique_ptr<asio::io_context> io_;
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::unique_ptr<net::HttpServer> server_;
  std::thread thread_;
  unsigned short port_ = 0;

  mutable std::mutex mutex_;  // guards everything below
  mutable std::condition_variable changed_;
  bool running_ = false;
  std::deque<json> updates_;
  std::int64_t next_update_id_;
  std::vector<std::string> allowed_updates_;
  std::shared_ptr<PendingPoll> current_poll_;
  FakeWebhook webhook_;
  std::uint64_t webhook_generation_ = 0;
  std::optional<std::int64_t> last_error_date_;
  std::string last_error_message_;
  std::set<std::string> busy_keys_;
  std::set<std::int64_t> in_flight_;
  bool redeliver_ = false;
  std::vector<WebhookDelivery> delivery_log_;
  std::map<std::pair<std::int64_t, std::int64_t>, StoredMessage> messages_;
  std::map<std::int64_t, std::int64_t> last_message_id_;
  std::set<std::string> open_callbacks_;
  std::int64_t next_callback_id_ = 4'000'000'000'000'000'001;
  std::map<std::string, RegisteredFile> files_by_id_;
  std::map<std::string, std::filesystem::path> files_by_path_;
  std::int64_t file_counter_ = 0;
  std::size_t kept_uploads_ = 0;
  std::map<std::string, std::int64_t> calls_per_method_;
  std::map<std::int64_t, std::int64_t> sends_per_chat_;
  std::set<std::string> answered_ids_;
  std::int64_t answer_duplicates_ = 0;
  std::set<std::int64_t> blocked_chats_;
  std::vector<Fault> faults_;
  std::vector<RecordedCall> recorded_;
  FakeStars stars_;
};

const std::vector<FakeBotApi::Impl::Method>& FakeBotApi::Impl::methods() {
  static const std::vector<Method> list = {
      {"getMe", &Impl::get_me},
      {"getUpdates", &Impl::get_updates},
      {"setWebhook", &Impl::set_webhook},
      {"deleteWebhook", &Impl::delete_webhook},
      {"getWebhookInfo", &Impl::get_webhook_info},
      {"sendMessage", &Impl::send_message},
      {"editMessageText", &Impl::edit_message_text},
      {"editMessageReplyMarkup", &Impl::edit_message_reply_markup},
      {"editMessageCaption", &Impl::edit_message_caption},
      {"deleteMessage", &Impl::delete_message},
      {"answerCallbackQuery", &Impl::answer_callback_query},
      {"sendPhoto", &Impl::send_photo},
      {"sendVideo", &Impl::send_video},
      {"copyMessage", &Impl::copy_message},
      {"sendDocument", &Impl::send_document},
      {"sendChatAction", &Impl::send_chat_action},
      {"getFile", &Impl::get_file},
      {"setMyCommands", &Impl::set_my_commands},
      {"sendInvoice", &Impl::send_invoice},
      {"answerPreCheckoutQuery", &Impl::answer_pre_checkout_query},
      {"refundStarPayment", &Impl::refund_star_payment},
      {"getStarTransactions", &Impl::get_star_transactions},
  };
  return list;
}

const FakeBotApi::Impl::Method* FakeBotApi::Impl::find_method(std::string_view name) {
  auto lower = to_lower(name);
  for (const auto& method : methods()) {
    if (to_lower(method.name) == lower) return &method;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Requests

std::optional<Reply> FakeBotApi::Impl::check_token(std::string_view token) const {
  if (token == options_.token) return std::nullopt;
  auto colon = token.find(':');
  bool well_formed = colon != std::string_view::npos && colon > 0 &&
                     parse_int(token.substr(0, colon)).has_value() && colon + 1 < token.size();
  return error(401, well_formed ? "Unauthorized" : "Unauthorized: invalid token specified");
}

asio::awaitable<net::HttpServerResponse> FakeBotApi::Impl::handle_bot(
    net::HttpServerRequest request) {
  Call call;
  call.received_at = Clock::now();
  auto rest = std::string_view(request.path).substr(kBotPrefix.size());
  auto slash = rest.find('/');
  if (auto failure = check_token(rest.substr(0, slash))) co_return to_http(*failure);
  auto name = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  if (name.empty() || name.find('/') != std::string_view::npos) {
    co_return to_http(error(404, "Not Found"));
  }
  const auto* method = find_method(name);
  if (method == nullptr) co_return to_http(error(404, "Not Found: method not found"));
  call.method = std::string(method->name);

  if (auto failure = decode_params(request, call)) {
    record(call, failure->status, failure->body);
    co_return to_http(*failure);
  }
  call.chat_id = int_param(call.params, "chat_id");

  auto faults_now = take_faults(call.method);
  if (faults_now.delay.count() > 0) {
    asio::steady_timer timer(co_await asio::this_coro::executor, faults_now.delay);
    co_await timer.async_wait(kUseTuple);
  }
  if (faults_now.drop) {
    record(call, 0, nullptr);
    net::HttpServerResponse dropped;
    dropped.drop_connection = true;
    co_return dropped;
  }
  Reply reply;
  if (faults_now.reply) {
    reply = std::move(*faults_now.reply);
  } else {
    reply = co_await run_method(*method, call);
  }
  record(call, reply.status, reply.body);
  co_return to_http(reply);
}

asio::awaitable<net::HttpServerResponse> FakeBotApi::Impl::handle_download(
    net::HttpServerRequest request) {
  auto rest = std::string_view(request.path).substr(kFilePrefix.size());
  auto slash = rest.find('/');
  if (auto failure = check_token(rest.substr(0, slash))) co_return to_http(*failure);
  auto file_path =
      slash == std::string_view::npos ? std::string{} : std::string(rest.substr(slash + 1));
  std::lock_guard lock(mutex_);
  auto it = files_by_path_.find(file_path);
  if (it == files_by_path_.end()) co_return to_http(error(404, "Not Found"));
  net::HttpServerResponse response;
  response.content_type = "application/octet-stream";
  response.file_path = it->second.string();
  co_return response;
}

std::optional<Reply> FakeBotApi::Impl::decode_params(const net::HttpServerRequest& request,
                                                     Call& call) {
  for (const auto& [key, value] : request.query)
    call.params[key] = value;
  if (request.body.empty()) return std::nullopt;
  auto content_type = request.header("content-type").value_or("");
  auto lower = to_lower(content_type);
  if (lower.find("application/json") != std::string::npos) {
    auto body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return bad_request("can't parse JSON object");
    for (auto& [key, value] : body.items())
      call.params[key] = value;
  } else if (lower.find("multipart/form-data") != std::string::npos) {
    auto fields = net::parse_multipart(content_type, request.body);
    if (!fields) return bad_request("can't parse multipart/form-data request");
    for (auto& field : *fields) {
      if (field.filename) {
        auto name = field.name;
        call.files.insert_or_assign(std::move(name), std::move(field));
      } else {
        call.params[field.name] = std::move(field.data);
      }
    }
  } else if (lower.empty() ||
             lower.find("application/x-www-form-urlencoded") != std::string::npos) {
    std::string_view body = request.body;
    while (!body.empty()) {
      auto amp = body.find('&');
      auto piece = body.substr(0, amp);
      body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
      if (piece.empty()) continue;
      auto eq = piece.find('=');
      call.params[net::url_decode(piece.substr(0, eq))] =
          eq == std::string_view::npos ? std::string{} : net::url_decode(piece.substr(eq + 1));
    }
  }
  return std::nullopt;
}

asio::awaitable<Reply> FakeBotApi::Impl::run_method(const Method& method, Call& call) {
  {
    std::lock_guard lock(mutex_);
    if (call.chat_id && blocked_chats_.contains(*call.chat_id)) {
      co_return error(403, "Forbidden: bot was blocked by the user");
    }
  }
  co_return co_await (this->*method.handler)(call);
}

FakeBotApi::Impl::TakenFaults FakeBotApi::Impl::take_faults(const std::string& method) {
  TakenFaults taken;
  auto lower = to_lower(method);
  std::lock_guard lock(mutex_);
  for (auto& fault : faults_) {
    if (fault.remaining <= 0 || (fault.method != "*" && fault.method != lower)) continue;
    if (fault.kind == FaultKind::kDelay && taken.delay.count() == 0) {
      taken.delay = fault.delay;
      --fault.remaining;
    } else if (fault.kind == FaultKind::kDrop && !taken.drop) {
      taken.drop = true;
      --fault.remaining;
    } else if (fault.kind == FaultKind::kError && !taken.reply) {
      taken.reply = fault.reply;
      --fault.remaining;
    }
  }
  std::erase_if(faults_, [](const Fault& fault) { return fault.remaining <= 0; });
  return taken;
}

void FakeBotApi::Impl::add_fault(std::string_view method, Fault fault) {
  fault.method = method == "*" ? std::string("*") : to_lower(method);
  std::lock_guard lock(mutex_);
  faults_.push_back(std::move(fault));
}

std::string FakeBotApi::Impl::keep_upload(const std::string& field,
                                          const net::MultipartField& upload) {
  const auto extension = std::filesystem::path(upload.filename.value_or("")).extension();
  std::size_t number = 0;
  {
    std::lock_guard lock(mutex_);
    number = ++kept_uploads_;
  }
  const auto path =
      options_.keep_uploads_in / fmt::format("{}-{}{}", field, number, extension.string());
  std::ofstream out(path, std::ios::binary);
  out.write(upload.data.data(), static_cast<std::streamsize>(upload.data.size()));
  return path.string();
}

void FakeBotApi::Impl::record(const Call& call, int status, json response) {
  RecordedCall entry;
  entry.method = call.method;
  entry.params = call.params;
  for (const auto& [name, field] : call.files) {
    entry.files.push_back(
        {name, field.filename.value_or(""), field.content_type, field.data.size(), ""});
    if (status == 200 && !options_.keep_uploads_in.empty()) {
      entry.files.back().saved_path = keep_upload(name, field);
    }
  }
  entry.chat_id = call.chat_id;
  entry.received_at = call.received_at;
  entry.status = status;
  entry.response = std::move(response);
  entry.from_webhook_reply = call.from_webhook_reply;
  std::lock_guard lock(mutex_);
  ++calls_per_method_[call.method];
  if (call.method == "sendMessage" && call.chat_id) ++sends_per_chat_[*call.chat_id];
  if (call.method == "answerCallbackQuery" &&
      !answered_ids_.insert(string_param(call.params, "callback_query_id").value_or("")).second) {
    ++answer_duplicates_;
  }
  if (!options_.lean) recorded_.push_back(std::move(entry));
  changed_.notify_all();
}

// ---------------------------------------------------------------------------------------------
// Shared checks and objects

std::optional<Reply> FakeBotApi::Impl::check_chat(const Call& call) {
  if (find_param(call.params, "chat_id") == nullptr) return bad_request("chat_id is empty");
  if (!call.chat_id) return bad_request("chat not found");
  return std::nullopt;
}

std::optional<Reply> FakeBotApi::Impl::check_text(const Call& call, std::string_view field,
                                                  std::size_t limit, bool is_caption,
                                                  std::string& visible) {
  auto raw = string_param(call.params, field).value_or("");
  auto parsed = parse_message_text(raw, string_param(call.params, "parse_mode").value_or(""));
  if (!parsed.error.empty()) return bad_request(parsed.error);
  auto length = utf16_length(parsed.text);
  if (!length) return bad_request("strings must be encoded in UTF-8");
  if (!is_caption && *length == 0) return bad_request("message text is empty");
  if (*length > limit) {
    return bad_request(is_caption ? "message caption is too long" : "message is too long");
  }
  visible = std::move(parsed.text);
  return std::nullopt;
}

std::optional<Reply> FakeBotApi::Impl::check_markup(const Call& call, bool inline_only,
                                                    json& markup) {
  markup = nullptr;
  auto value = json_param(call.params, "reply_markup");
  if (!value) return std::nullopt;
  if (value->is_discarded() || !value->is_object()) {
    return bad_request("can't parse reply keyboard markup JSON object");
  }
  if (!value->contains("inline_keyboard")) {
    if (inline_only) return bad_request("inline keyboard expected");
    if (value->contains("keyboard") || value->contains("remove_keyboard") ||
        value->contains("force_reply")) {
      return std::nullopt;
    }
    return bad_request("can't parse reply keyboard markup JSON object");
  }
  const auto& rows = (*value)["inline_keyboard"];
  bool rows_ok = rows.is_array() && std::all_of(rows.begin(), rows.end(),
                                                [](const json& row) { return row.is_array(); });
  if (!rows_ok) {
    return bad_request(
        "field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays");
  }
  for (const auto& row : rows) {
    for (const auto& button : row) {
      if (!button.is_object() || !button.contains("text") || !button["text"].is_string()) {
        return bad_request(
            "can't parse inline keyboard button: Field \"text\" must be of type String");
      }
      bool has_action = false;
      for (const auto& [key, field] : button.items())
        has_action |= kButtonActions.contains(key);
      if (!has_action) {
        return bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline "
            "keyboard");
      }
      if (button.contains("callback_data")) {
        const auto& data = button["callback_data"];
        if (!data.is_string() || data.get<std::string>().empty() ||
            data.get<std::string>().size() > kMaxCallbackData) {
          return bad_request("BUTTON_DATA_INVALID");
        }
      }
    }
  }
  markup = std::move(*value);
  return std::nullopt;
}

FakeBotApi::Impl::StoredMessage* FakeBotApi::Impl::find_message(const Call& call,
                                                                std::optional<Reply>& failure) {
  if ((failure = check_chat(call))) return nullptr;
  auto message_id = int_param(call.params, "message_id");
  if (!message_id) {
    failure = bad_request("message identifier is not specified");
    return nullptr;
  }
  auto it = messages_.find({*call.chat_id, *message_id});
  if (it == messages_.end()) {
    failure = bad_request(call.method == "deleteMessage" ? "message to delete not found"
                                                         : "message to edit not found");
    return nullptr;
  }
  return &it->second;
}

json FakeBotApi::Impl::edited(StoredMessage& stored, const json& markup) {
  stored.markup = markup;
  stored.message["edit_date"] = core::real_clock().unix_seconds();
  if (markup.is_null()) {
    stored.message.erase("reply_markup");
  } else {
    stored.message["reply_markup"] = markup;
  }
  return stored.message;
}

json FakeBotApi::Impl::user_message(std::int64_t user_id, const char* field, json content) {
  return {{"message",
           {{"message_id", next_message_id(user_id)},
            {"from", user_json(user_id)},
            {"chat", chat_json(user_id)},
            {"date", core::real_clock().unix_seconds()},
            {field, std::move(content)}}}};
}

void FakeBotApi::Impl::add_file_size(json& file, std::string_view file_id) const {
  if (auto it = files_by_id_.find(std::string(file_id)); it != files_by_id_.end()) {
    std::error_code ec;
    auto size = std::filesystem::file_size(it->second.local_path, ec);
    if (!ec) file["file_size"] = size;
  }
}

json FakeBotApi::Impl::bot_user() const {
  return {{"id", bot_id_},
          {"is_bot", true},
          {"first_name", options_.bot_first_name},
          {"username", options_.bot_username}};
}

json FakeBotApi::Impl::base_message(std::int64_t chat_id, std::int64_t message_id) const {
  return {{"message_id", message_id},
          {"from", bot_user()},
          {"chat", chat_json(chat_id)},
          {"date", core::real_clock().unix_seconds()}};
}

// ---------------------------------------------------------------------------------------------
// Methods

asio::awaitable<Reply> FakeBotApi::Impl::get_me(Call&) {
  auto user = bot_user();
  user["can_join_groups"] = true;
  user["can_read_all_group_messages"] = false;
  user["supports_inline_queries"] = false;
  co_return ok(std::move(user));
}

asio::awaitable<Reply> FakeBotApi::Impl::get_updates(Call& call) {
  auto offset = int_param(call.params, "offset").value_or(0);
  auto limit = std::clamp<std::int64_t>(int_param(call.params, "limit").value_or(100), 1, 100);
  auto timeout = std::clamp<std::int64_t>(int_param(call.params, "timeout").value_or(0), 0, 50);
  auto allowed_param = json_param(call.params, "allowed_updates");
  auto poll = std::make_shared<PendingPoll>(co_await asio::this_coro::executor);
  {
    std::lock_guard lock(mutex_);
    if (!webhook_.url.empty()) co_return error(409, kWebhookActive);
    if (allowed_param && allowed_param->is_array()) {
      allowed_updates_.clear();
      for (const auto& type : *allowed_param) {
        if (type.is_string()) allowed_updates_.push_back(type.get<std::string>());
      }
    }
    confirm_updates(offset);
    end_poll(kOtherGetUpdates);
    current_poll_ = poll;
  }
  auto deadline = Clock::now() + std::chrono::seconds(timeout);
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (!poll->abort.empty()) co_return error(409, poll->abort);
      if (!updates_.empty() || Clock::now() >= deadline) {
        json result = json::array();
        for (const auto& update : updates_) {
          if (static_cast<std::int64_t>(result.size()) >= limit) break;
          result.push_back(update);
        }
        if (current_poll_ == poll) current_poll_.reset();
        co_return ok(std::move(result));
      }
    }
    // Woken early by push_update or by a newer request (see wake_poll_later and end_poll).
    poll->timer.expires_at(deadline);
    co_await poll->timer.async_wait(kUseTuple);
  }
}

void FakeBotApi::Impl::confirm_updates(std::int64_t offset) {
  if (offset > 0) {
    std::erase_if(updates_, [&](const json& update) {
      return update["update_id"].get<std::int64_t>() < offset;
    });
  } else if (offset < 0) {
    while (static_cast<std::int64_t>(updates_.size()) > -offset)
      updates_.pop_front();
  }
  changed_.notify_all();
}

// Called on the io thread with the mutex held.
void FakeBotApi::Impl::end_poll(std::string_view reason) {
  if (!current_poll_) return;
  current_poll_->abort = std::string(reason);
  current_poll_->timer.cancel();
  current_poll_.reset();
}

void FakeBotApi::Impl::wake_poll_later() {
  asio::post(*io_, [this] {
    std::lock_guard lock(mutex_);
    if (current_poll_) current_poll_->timer.cancel();
  });
}

asio::awaitable<Reply> FakeBotApi::Impl::set_webhook(Call& call) {
  auto url = string_param(call.params, "url").value_or("");
  bool drop_pending = bool_param(call.params, "drop_pending_updates");
  if (url.empty()) co_return co_await delete_webhook(call);  // as the server does
  auto parsed = parse_url(url);
  if (!parsed) co_return bad_request("invalid webhook URL specified");
  auto secret = string_param(call.params, "secret_token").value_or("");
  if (secret.size() > kMaxSecretToken) co_return bad_request("secret token is too long");
  if (!std::all_of(secret.begin(), secret.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
      })) {
    co_return bad_request("secret token contains unallowed characters");
  }
  auto max_connections = static_cast<int>(
      std::clamp<std::int64_t>(int_param(call.params, "max_connections").value_or(40), 1, 100));
  std::optional<std::vector<std::string>> allowed;
  if (auto value = json_param(call.params, "allowed_updates")) {
    if (value->is_discarded() || !value->is_array()) {
      co_return bad_request("can't parse allowed updates JSON object");
    }
    allowed.emplace();
    for (const auto& type : *value) {
      if (type.is_string()) allowed->push_back(type.get<std::string>());
    }
  }
  std::string certificate;
  if (auto it = call.files.find("certificate"); it != call.files.end()) {
    certificate = it->second.data;
  } else if (auto ref = string_param(call.params, "certificate");
             ref && ref->starts_with("attach://")) {
    auto part = call.files.find(ref->substr(9));
    if (part == call.files.end()) co_return bad_request("bad webhook: failed to get certificate");
    certificate = part->second.data;
  }
  if (options_.check_webhook_reachable) {
    auto failure = co_await try_connect(*parsed, kReachabilityTimeout);
    if (!failure.empty()) co_return bad_request("bad webhook: " + failure);
  }
  bool same = false;
  {
    std::lock_guard lock(mutex_);
    if (allowed) allowed_updates_ = *allowed;
    same = webhook_.url == url && webhook_.secret_token == secret &&
           webhook_.certificate == certificate && webhook_.max_connections == max_connections &&
           webhook_.allowed_updates == allowed_updates_;
    webhook_ = FakeWebhook{url, secret, certificate, max_connections, allowed_updates_};
    if (!same) ++webhook_generation_;
    if (drop_pending) updates_.clear();
    end_poll(kTerminatedBySetWebhook);
    changed_.notify_all();
  }
  start_deliveries();
  co_return ok(true, same ? "Webhook is already set" : "Webhook was set");
}

asio::awaitable<Reply> FakeBotApi::Impl::delete_webhook(Call& call) {
  std::lock_guard lock(mutex_);
  bool had = !webhook_.url.empty();
  webhook_ = FakeWebhook{};
  ++webhook_generation_;
  if (bool_param(call.params, "drop_pending_updates")) updates_.clear();
  changed_.notify_all();
  co_return ok(true, had ? "Webhook was deleted" : "Webhook is already deleted");
}

asio::awaitable<Reply> FakeBotApi::Impl::get_webhook_info(Call&) {
  std::lock_guard lock(mutex_);
  json info = {{"url", webhook_.url},
               {"has_custom_certificate", !webhook_.certificate.empty()},
               {"pending_update_count", updates_.size()}};
  if (!webhook_.url.empty()) {
    info["max_connections"] = webhook_.max_connections;
    info["ip_address"] = "127.0.0.1";
  }
  if (last_error_date_) {
    info["last_error_date"] = *last_error_date_;
    info["last_error_message"] = last_error_message_;
  }
  if (!allowed_updates_.empty()) info["allowed_updates"] = allowed_updates_;
  co_return ok(std::move(info));
}

asio::awaitable<Reply> FakeBotApi::Impl::send_message(Call& call) {
  if (auto failure = check_chat(call)) co_return *failure;
  std::string text;
  if (auto failure = check_text(call, "text", kMaxText, false, text)) co_return *failure;
  json markup;
  if (auto failure = check_markup(call, false, markup)) co_return *failure;
  std::lock_guard lock(mutex_);
  auto id = next_message_id(*call.chat_id);
  auto message = base_message(*call.chat_id, id);
  message["text"] = text;
  if (!markup.is_null()) message["reply_markup"] = markup;
  if (!options_.lean) {
    messages_[{*call.chat_id, id}] =
        StoredMessage{message, false, string_param(call.params, "text").value_or(""), markup};
  }
  co_return ok(std::move(message));
}

// A copy of a message the bot sent: the same content in chat_id, optionally a new caption and
// keyboard; the answer is a MessageId, not a Message.
asio::awaitable<Reply> FakeBotApi::Impl::copy_message(Call& call) {
  if (auto failure = check_chat(call)) co_return *failure;
  auto from_chat = int_param(call.params, "from_chat_id");
  auto message_id = int_param(call.params, "message_id");
  if (!from_chat) co_return bad_request("chat not found");
  if (!message_id) co_return bad_request("message identifier is not specified");
  json markup;
  if (auto failure = check_markup(call, false, markup)) co_return *failure;
  std::lock_guard lock(mutex_);
  auto source = messages_.find({*from_chat, *message_id});
  if (source == messages_.end()) co_return bad_request("message to copy not found");
  auto id = next_message_id(*call.chat_id);
  StoredMessage copy = source->second;
  copy.message["message_id"] = id;
  copy.message["chat"] = base_message(*call.chat_id, id)["chat"];
  if (auto caption = string_param(call.params, "caption")) {
    copy.message["caption"] = *caption;
    copy.raw_text = *caption;
  }
  if (!markup.is_null()) {
    copy.markup = markup;
    copy.message["reply_markup"] = markup;
  }
  messages_[{*call.chat_id, id}] = std::move(copy);
  co_return ok(json{{"message_id", id}});
}

// editMessageText and editMessageCaption: the same rules for the text of a text message and
// the caption of a media message.
asio::awaitable<Reply> FakeBotApi::Impl::edit_text(Call& call, bool caption) {
  const char* field = caption ? "caption" : "text";
  std::string visible;
  if (auto failure = check_text(call, field, caption ? kMaxCaption : kMaxText, caption, visible)) {
    co_return *failure;
  }
  json markup;
  if (auto failure = check_markup(call, true, markup)) co_return *failure;
  if (find_param(call.params, "inline_message_id") != nullptr) co_return ok(true);
  std::lock_guard lock(mutex_);
  std::optional<Reply> failure;
  auto* stored = find_message(call, failure);
  if (stored == nullptr) co_return *failure;
  if (stored->media != caption) {
    co_return bad_request(fmt::format("there is no {} in the message to edit", field));
  }
  auto raw = string_param(call.params, field).value_or("");
  if (raw == stored->raw_text && markup == stored->markup) co_return bad_request(kNotModified);
  stored->raw_text = raw;
  if (caption && visible.empty()) {
    stored->message.erase("caption");
  } else {
    stored->message[field] = visible;
  }
  co_return ok(edited(*stored, markup));
}

asio::awaitable<Reply> FakeBotApi::Impl::edit_message_reply_markup(Call& call) {
  json markup;
  if (auto failure = check_markup(call, true, markup)) co_return *failure;
  if (find_param(call.params, "inline_message_id") != nullptr) co_return ok(true);
  std::lock_guard lock(mutex_);
  std::optional<Reply> failure;
  auto* stored = find_message(call, failure);
  if (stored == nullptr) co_return *failure;
  if (markup == stored->markup) co_return bad_request(kNotModified);
  co_return ok(edited(*stored, markup));
}

asio::awaitable<Reply> FakeBotApi::Impl::delete_message(Call& call) {
  std::lock_guard lock(mutex_);
  std::optional<Reply> failure;
  auto* stored = find_message(call, failure);
  if (stored == nullptr) co_return *failure;
  messages_.erase({*call.chat_id, stored->message["message_id"].get<std::int64_t>()});
  co_return ok(true);
}

asio::awaitable<Reply> FakeBotApi::Impl::answer_callback_query(Call& call) {
  auto id = string_param(call.params, "callback_query_id").value_or("");
  std::lock_guard lock(mutex_);
  // An id can be answered once; unknown and already answered ones get the same error. Lean:
  // the ids come from a load generator, not from this fake.
  const bool open = options_.lean ? !answered_ids_.contains(id) : open_callbacks_.erase(id) > 0;
  if (!open) co_return bad_request(kOldQuery);
  co_return ok(true);
}

asio::awaitable<Reply> FakeBotApi::Impl::send_media(Call& call, std::string kind) {
  if (auto failure = check_chat(call)) co_return *failure;
  const net::MultipartField* upload = nullptr;
  std::string reference;  // a file_id or URL instead of an upload
  if (auto it = call.files.find(kind); it != call.files.end()) {
    upload = &it->second;
  } else if (auto value = string_param(call.params, kind)) {
    if (value->starts_with("attach://")) {
      auto part = call.files.find(value->substr(9));
      if (part == call.files.end())
        co_return bad_request("wrong file identifier/HTTP URL specified");
      upload = &part->second;
    } else {
      reference = *value;
    }
  }
  if (upload == nullptr && reference.empty()) {
    co_return bad_request(fmt::format("there is no {} in the request", kind));
  }
  if (upload != nullptr && upload->data.empty()) co_return bad_request("file must be non-empty");
  std::string caption;
  if (auto failure = check_text(call, "caption", kMaxCaption, true, caption)) co_return *failure;
  json markup;
  if (auto failure = check_markup(call, false, markup)) co_return *failure;

  std::lock_guard lock(mutex_);
  auto counter = ++file_counter_;
  auto file_id = reference;
  if (upload != nullptr) {
    auto prefix = kind == "photo" ? "AgAC" : kind == "video" ? "BAAC" : "BQAC";
    file_id = fmt::format("{}FakeUpload{}", prefix, counter);
  }
  json file = {{"file_id", file_id}, {"file_unique_id", fmt::format("AQADFake{}", counter)}};
  if (upload != nullptr) file["file_size"] = upload->data.size();
  if (kind == "video") {
    file["width"] = int_param(call.params, "width").value_or(720);
    file["height"] = int_param(call.params, "height").value_or(1280);
    file["duration"] = int_param(call.params, "duration").value_or(8);
  }
  if (kind != "photo" && upload != nullptr) {
    if (!upload->filename->empty()) file["file_name"] = *upload->filename;
    file["mime_type"] = upload->content_type.empty()
                            ? (kind == "video" ? "video/mp4" : "application/octet-stream")
                            : upload->content_type;
  }
  auto id = next_message_id(*call.chat_id);
  auto message = base_message(*call.chat_id, id);
  if (kind == "photo") {
    file["width"] = 1280;
    file["height"] = 1280;
    json small = {{"file_id", file_id + "-s"},
                  {"file_unique_id", fmt::format("AQADFakeS{}", counter)},
                  {"width", 90},
                  {"height", 90}};
    message["photo"] = json::array({small, file});
  } else {
    message[kind] = file;
  }
  if (!caption.empty()) message["caption"] = caption;
  if (!markup.is_null()) message["reply_markup"] = markup;
  messages_[{*call.chat_id, id}] =
      StoredMessage{message, true, string_param(call.params, "caption").value_or(""), markup};
  co_return ok(std::move(message));
}

asio::awaitable<Reply> FakeBotApi::Impl::send_chat_action(Call& call) {
  if (auto failure = check_chat(call)) co_return *failure;
  if (!kChatActions.contains(string_param(call.params, "action").value_or(""))) {
    co_return bad_request("wrong parameter action in request");
  }
  co_return ok(true);
}

asio::awaitable<Reply> FakeBotApi::Impl::get_file(Call& call) {
  auto file_id = string_param(call.params, "file_id").value_or("");
  std::lock_guard lock(mutex_);
  auto it = files_by_id_.find(file_id);
  if (it == files_by_id_.end()) co_return bad_request("wrong file identifier/HTTP URL specified");
  std::error_code ec;
  auto size = std::filesystem::file_size(it->second.local_path, ec);
  if (ec) co_return bad_request("wrong file identifier/HTTP URL specified");
  if (size > kDownloadLimit) co_return bad_request("file is too big");
  co_return ok({{"file_id", file_id},
                {"file_unique_id", "AQADFile" + file_id},
                {"file_size", size},
                {"file_path", it->second.file_path}});
}

asio::awaitable<Reply> FakeBotApi::Impl::set_my_commands(Call& call) {
  auto commands = json_param(call.params, "commands");
  if (!commands || commands->is_discarded() || !commands->is_array()) {
    co_return bad_request("can't parse commands JSON object");
  }
  for (const auto& command : *commands) {
    auto name = command.value("command", std::string{});
    auto description = command.value("description", std::string{});
    bool name_ok =
        !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
          return std::islower(static_cast<unsigned char>(c)) ||
                 std::isdigit(static_cast<unsigned char>(c)) || c == '_';
        });
    if (!name_ok) co_return bad_request("BOT_COMMAND_INVALID");
    if (description.empty() || description.size() > 256) {
      co_return bad_request("command description is empty or too long");
    }
  }
  co_return ok(true);
}

asio::awaitable<Reply> FakeBotApi::Impl::send_invoice(Call& call) {
  if (auto failure = check_chat(call)) co_return *failure;
  if (auto problem = FakeStars::check_invoice(call.params); !problem.empty()) {
    co_return bad_request(problem);
  }
  json markup;
  if (auto failure = check_markup(call, true, markup)) co_return *failure;
  const auto prices = json_param(call.params, "prices").value_or(json::array());
  std::lock_guard lock(mutex_);
  const auto id = next_message_id(*call.chat_id);
  auto message = base_message(*call.chat_id, id);
  message["invoice"] = stars_.add_invoice(
      FakeInvoice{.chat_id = *call.chat_id,
                  .message_id = id,
                  .title = string_param(call.params, "title").value_or(""),
                  .description = string_param(call.params, "description").value_or(""),
                  .payload = string_param(call.params, "payload").value_or(""),
                  .amount = int_param(prices.front(), "amount").value_or(0)});
  if (!markup.is_null()) message["reply_markup"] = markup;
  co_return ok(std::move(message));
}

// A yes in time completes the payment: Telegram then sends the user's successful_payment.
asio::awaitable<Reply> FakeBotApi::Impl::answer_pre_checkout_query(Call& call) {
  const auto id = string_param(call.params, "pre_checkout_query_id").value_or("");
  if (find_param(call.params, "ok") == nullptr)
    co_return bad_request("parameter \"ok\" is required");
  std::lock_guard lock(mutex_);
  std::optional<json> paid;
  const auto problem = stars_.answer(id, bool_param(call.params, "ok"),
                                     string_param(call.params, "error_message").value_or(""), paid);
  if (!problem.empty()) co_return bad_request(problem);
  if (paid) {
    const auto payment = stars_.payment(id);
    auto update = user_message(payment->user_id, "successful_payment", std::move(*paid));
    update["message"]["from"] = payment->from;
    enqueue_update(std::move(update));
  }
  co_return ok(true);
}

asio::awaitable<Reply> FakeBotApi::Impl::refund_star_payment(Call& call) {
  const auto user_id = int_param(call.params, "user_id");
  const auto charge = string_param(call.params, "telegram_payment_charge_id").value_or("");
  if (!user_id) co_return bad_request("USER_ID_INVALID");
  if (charge.empty()) co_return bad_request("CHARGE_ID_EMPTY");
  std::lock_guard lock(mutex_);
  if (auto problem = stars_.refund(*user_id, charge); !problem.empty()) {
    co_return bad_request(problem);
  }
  co_return ok(true);
}

asio::awaitable<Reply> FakeBotApi::Impl::get_star_transactions(Call& call) {
  const auto offset = int_param(call.params, "offset").value_or(0);
  const auto limit = int_param(call.params, "limit").value_or(100);
  if (limit < 1 || limit > 100) co_return bad_request("limit must be between 1 and 100");
  std::lock_guard lock(mutex_);
  co_return ok(stars_.transactions(offset, limit));
}

// ---------------------------------------------------------------------------------------------
// Webhook delivery (io thread)

bool FakeBotApi::Impl::allowed(const std::string& type) const {
  if (allowed_updates_.empty()) return !kNotByDefault.contains(type);
  return std::find(allowed_updates_.begin(), allowed_updates_.end(), type) !=
         allowed_updates_.end();
}

void FakeBotApi::Impl::deliver_later() {
  asio::post(*io_, [this] { start_deliveries(); });
}

void FakeBotApi::Impl::start_deliveries() {
  std::vector<std::pair<json, std::string>> starting;
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    if (webhook_.url.empty() || !running_) return;
    generation = webhook_generation_;
    for (const auto& update : updates_) {
      if (static_cast<int>(in_flight_.size()) >= webhook_.max_connections) break;
      auto id = update["update_id"].get<std::int64_t>();
      auto key = ordering_key(update);
      if (in_flight_.contains(id) || busy_keys_.contains(key)) continue;
      busy_keys_.insert(key);
      in_flight_.insert(id);
      starting.emplace_back(update, std::move(key));
    }
  }
  for (auto& [update, key] : starting) {
    asio::co_spawn(*io_, deliver(std::move(update), std::move(key), generation), asio::detached);
  }
}

asio::awaitable<void> FakeBotApi::Impl::deliver(json update, std::string key,
                                                std::uint64_t generation) {
  auto id = update["update_id"].get<std::int64_t>();
  auto release = [&] {
    in_flight_.erase(id);
    busy_keys_.erase(key);
  };
  auto body = update.dump(-1, ' ', false, json::error_handler_t::replace);
  for (int attempt = 0;; ++attempt) {
    HttpCall request;
    {
      std::lock_guard lock(mutex_);
      if (generation != webhook_generation_ || webhook_.url.empty() || !running_) {
        release();  // the webhook changed; its own delivery round picks the update up
        break;
      }
      request.method = "POST";
      request.url = webhook_.url;
      request.headers.emplace_back("Content-Type", "application/json");
      if (!webhook_.secret_token.empty()) {
        request.headers.emplace_back("X-Telegram-Bot-Api-Secret-Token", webhook_.secret_token);
      }
      request.trusted_certificate = webhook_.certificate;
    }
    request.body = body;
    request.timeout = options_.webhook_timeout;
    auto result = co_await http_call(std::move(request));

    bool accepted = result.status >= 200 && result.status < 300;
    bool again = false;
    {
      std::lock_guard lock(mutex_);
      delivery_log_.push_back({id, result.status, result.error, Clock::now()});
      if (accepted && redeliver_) {
        redeliver_ = false;
        again = true;
      } else if (accepted) {
        std::erase_if(updates_, [&](const json& u) { return u["update_id"] == id; });
        release();
      } else {
        last_error_date_ = core::real_clock().unix_seconds();
        last_error_message_ =
            result.status != 0
                ? fmt::format("Wrong response from the webhook: {} {}", result.status,
                              std::string(boost::beast::http::obsolete_reason(
                                  static_cast<boost::beast::http::status>(result.status))))
                : result.error;
      }
      changed_.notify_all();
    }
    if (accepted) {
      co_await apply_webhook_reply(result);
      if (again) {
        attempt = -1;
        continue;
      }
      break;
    }

    auto delay = attempt == 0 ? options_.webhook_first_retry
                              : std::min(options_.webhook_max_retry,
                                         options_.webhook_retry * (1 << std::min(attempt - 1, 16)));
    if (auto retry_after = result.header("retry-after")) {
      if (auto seconds = parse_int(*retry_after); seconds && *seconds >= 0) {
        delay = std::chrono::seconds(
            std::min<std::int64_t>(*seconds, options_.max_retry_after.count()));
      }
    }
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(kUseTuple);
  }
  start_deliveries();
}

// A 2xx answer may carry a method call; the server performs it and shows nobody the result.
asio::awaitable<void> FakeBotApi::Impl::apply_webhook_reply(const HttpResult& result) {
  if (result.body.empty()) co_return;
  if (to_lower(result.header("content-type").value_or("")).find("application/json") ==
      std::string::npos) {
    co_return;
  }
  auto body = json::parse(result.body, nullptr, false);
  if (!body.is_object() || !body.contains("method") || !body["method"].is_string()) co_return;
  const auto* method = find_method(body["method"].get<std::string>());
  if (method == nullptr) co_return;
  auto name = to_lower(method->name);
  if (name.starts_with("get") || name == "setwebhook" || name == "deletewebhook") co_return;
  Call call;
  call.method = std::string(method->name);
  call.received_at = Clock::now();
  call.from_webhook_reply = true;
  body.erase("method");
  call.params = std::move(body);
  call.chat_id = int_param(call.params, "chat_id");
  auto reply = co_await run_method(*method, call);
  record(call, reply.status, reply.body);
}

// ---------------------------------------------------------------------------------------------
// FakeBotApi

FakeBotApi::FakeBotApi(FakeBotApiOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

FakeBotApi::~FakeBotApi() {
  stop();
}

void FakeBotApi::start() {
  auto& impl = *impl_;
  if (impl.io_) throw std::logic_error("FakeBotApi::start called twice");
  impl.io_ = std::make_unique<asio::io_context>();
  net::HttpServerOptions server_options;
  server_options.host = "127.0.0.1";
  server_options.port = impl.options_.port;
  server_options.body_limit = impl.options_.upload_limit + (1 << 20);
  server_options.read_timeout = std::chrono::seconds(60);
  impl.server_ = std::make_unique<net::HttpServer>(*impl.io_, server_options);
  impl.server_->route("*", std::string(kBotPrefix), [&impl](net::HttpServerRequest request) {
    return impl.handle_bot(std::move(request));
  });
  impl.server_->route("GET", std::string(kFilePrefix), [&impl](net::HttpServerRequest request) {
    return impl.handle_download(std::move(request));
  });
  impl.server_->route("GET", "/stats",
                      [this](net::HttpServerRequest) -> asio::awaitable<net::HttpServerResponse> {
                        net::HttpServerResponse response;
                        response.content_type = "application/json";
                        response.body = stats().dump();
                        co_return response;
                      });
  impl.server_->start();
  impl.port_ = impl.server_->port();
  {
    std::lock_guard lock(impl.mutex_);
    impl.running_ = true;
  }
  impl.work_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
      impl.io_->get_executor());
  impl.thread_ = std::thread([&impl] { impl.io_->run(); });
}

void FakeBotApi::stop() {
  auto& impl = *impl_;
  {
    std::lock_guard lock(impl.mutex_);
    if (!impl.running_) return;
    impl.running_ = false;
  }
  // Pending long polls and deliveries are not waited for: stopping the loop abandons them, and
  // destroying it below closes their connections.
  impl.io_->stop();
  impl.thread_.join();
  {
    std::lock_guard lock(impl.mutex_);
    impl.current_poll_.reset();  // its timer belongs to the loop
    impl.in_flight_.clear();
    impl.busy_keys_.clear();
  }
  impl.work_.reset();
  impl.server_.reset();
  impl.io_.reset();
}

std::string FakeBotApi::base_url() const {
  return fmt::format("http://127.0.0.1:{}", impl_->port_);
}

const std::string& FakeBotApi::token() const {
  return impl_->options_.token;
}

std::string FakeBotApi::method_url(std::string_view method) const {
  return fmt::format("{}/bot{}/{}", base_url(), impl_->options_.token, method);
}

std::int64_t FakeBotApi::Impl::enqueue_update(json update) {
  std::int64_t id = 0;
  if (update.contains("update_id")) {
    id = update["update_id"].get<std::int64_t>();
    next_update_id_ = std::max(next_update_id_, id + 1);
  } else {
    id = next_update_id_++;
    update["update_id"] = id;
  }
  if (!allowed(update_type(update))) return id;
  updates_.push_back(std::move(update));
  changed_.notify_all();
  if (running_) {
    wake_poll_later();
    deliver_later();
  }
  return id;
}

std::int64_t FakeBotApi::push_update(json update) {
  std::lock_guard lock(impl_->mutex_);
  return impl_->enqueue_update(std::move(update));
}

std::optional<std::string> FakeBotApi::pay_invoice(std::int64_t user_id, std::int64_t message_id,
                                                   const json& from) {
  auto& impl = *impl_;
  std::lock_guard lock(impl.mutex_);
  const auto invoice = impl.stars_.invoice(user_id, message_id);
  if (!invoice) return std::nullopt;
  auto payer = user_json(user_id);
  if (from.is_object()) payer.update(from);
  auto update = impl.stars_.start_payment(payer, invoice->payload, invoice->amount);
  auto id = update["pre_checkout_query"]["id"].get<std::string>();
  impl.enqueue_update(std::move(update));
  return id;
}

std::string FakeBotApi::pay(std::int64_t user_id, const std::string& payload, std::int64_t amount) {
  auto& impl = *impl_;
  std::lock_guard lock(impl.mutex_);
  auto update = impl.stars_.start_payment(user_json(user_id), payload, amount);
  auto id = update["pre_checkout_query"]["id"].get<std::string>();
  impl.enqueue_update(std::move(update));
  return id;
}

std::optional<FakePayment> FakeBotApi::wait_for_payment(const std::string& query_id,
                                                        std::chrono::milliseconds timeout) const {
  const auto end = Clock::now() + timeout;
  std::unique_lock lock(impl_->mutex_);
  for (;;) {
    auto payment = impl_->stars_.payment(query_id);
    if (!payment || payment->state != FakePaymentState::kAwaitingAnswer || Clock::now() >= end) {
      return payment;
    }
    // An answer wakes us; the deadline passing does not, so wake at the deadline too.
    impl_->changed_.wait_until(lock,
                               std::min(end, payment->deadline + std::chrono::milliseconds(1)));
  }
}

std::vector<FakeInvoice> FakeBotApi::invoices(std::int64_t chat_id) const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->stars_.invoices(chat_id);
}

std::string FakeBotApi::add_completed_payment(std::int64_t user_id, const std::string& payload,
                                              std::int64_t amount) {
  std::lock_guard lock(impl_->mutex_);
  return impl_->stars_.add_completed_payment(user_id, payload, amount);
}

json FakeBotApi::make_text_message(std::int64_t user_id, std::string_view text) {
  auto& impl = *impl_;
  std::lock_guard lock(impl.mutex_);
  auto message = impl.user_message(user_id, "text", text);
  if (text.starts_with('/')) {
    auto command = text.substr(0, text.find(' '));
    message["message"]["entities"] = json::array(
        {{{"offset", 0}, {"length", utf16_length(command).value_or(0)}, {"type", "bot_command"}}});
  }
  return message;
}

json FakeBotApi::make_photo_message(std::int64_t user_id, std::string_view file_id, int width,
                                    int height) {
  auto& impl = *impl_;
  std::lock_guard lock(impl.mutex_);
  json full = {{"file_id", file_id},
               {"file_unique_id", "AQADPhoto" + std::string(file_id)},
               {"width", width},
               {"height", height}};
  impl.add_file_size(full, file_id);
  double scale = 90.0 / std::max({width, height, 1});
  json small = {{"file_id", std::string(file_id) + "-thumb"},
                {"file_unique_id", "AQADThumb" + std::string(file_id)},
                {"width", static_cast<int>(width * scale)},
                {"height", static_cast<int>(height * scale)}};
  return impl.user_message(user_id, "photo", json::array({small, full}));
}

json FakeBotApi::make_document_message(std::int64_t user_id, std::string_view file_id,
                                       std::string_view file_name, std::string_view mime_type) {
  auto& impl = *impl_;
  std::lock_guard lock(impl.mutex_);
  json document = {{"file_id", file_id},
                   {"file_unique_id", "AQADDoc" + std::string(file_id)},
                   {"file_name", file_name},
                   {"mime_type", mime_type}};
  impl.add_file_size(document, file_id);
  return impl.user_message(user_id, "document", std::move(document));
}

json FakeBotApi::make_callback(std::int64_t user_id, std::string_view data,
                               std::int64_t message_id) {
  auto& impl = *impl_;
  std::lock_guard lock(impl.mutex_);
  auto id = std::to_string(impl.next_callback_id_++);
  impl.open_callbacks_.insert(id);
  json message;
  if (auto it = impl.messages_.find({user_id, message_id}); it != impl.messages_.end()) {
    message = it->second.message;
  } else {
    message = impl.base_message(user_id, message_id);
    message["text"] = "";
  }
  return {{"callback_query",
           {{"id", id},
            {"from", user_json(user_id)},
            {"message", std::move(message)},
            {"chat_instance", std::to_string(user_id * 7 + 3)},
            {"data", data}}}};
}

json FakeBotApi::stats() const {
  const auto& impl = *impl_;
  std::lock_guard lock(impl.mutex_);
  json per_chat = json::object();
  for (const auto& [chat, n] : impl.sends_per_chat_)
    per_chat[std::to_string(chat)] = n;
  return {{"calls", impl.calls_per_method_},
          {"send_per_chat", std::move(per_chat)},
          {"answered_callbacks", impl.answered_ids_.size()},
          {"answer_duplicates", impl.answer_duplicates_}};
}

void FakeBotApi::redeliver_next() {
  std::lock_guard lock(impl_->mutex_);
  impl_->redeliver_ = true;
}

std::size_t FakeBotApi::pending_update_count() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->updates_.size();
}

void FakeBotApi::add_file(std::string file_id, std::filesystem::path local_path) {
  auto& impl = *impl_;
  std::lock_guard lock(impl.mutex_);
  auto extension = local_path.extension().string();
  auto lower = to_lower(extension);
  auto folder = lower == ".jpg" || lower == ".jpeg" || lower == ".png" || lower == ".webp"
                    ? "photos"
                : lower == ".mp4" ? "videos"
                                  : "documents";
  auto file_path = fmt::format("{}/file_{}{}", folder, ++impl.file_counter_, extension);
  impl.files_by_path_[file_path] = local_path;
  impl.files_by_id_[std::move(file_id)] = Impl::RegisteredFile{std::move(local_path), file_path};
}

void FakeBotApi::rate_limit_next(std::string_view method, int count, int retry_after_seconds) {
  auto reply = error(429, fmt::format("Too Many Requests: retry after {}", retry_after_seconds),
                     {{"retry_after", retry_after_seconds}});
  reply.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  impl_->add_fault(method, {{}, Impl::FaultKind::kError, count, std::move(reply), {}});
}

void FakeBotApi::fail_next(std::string_view method, int count, int status,
                           std::string description) {
  impl_->add_fault(method, {{}, Impl::FaultKind::kError, count, error(status, description), {}});
}

void FakeBotApi::delay_next(std::string_view method, int count, std::chrono::milliseconds delay) {
  impl_->add_fault(method, {{}, Impl::FaultKind::kDelay, count, {}, delay});
}

void FakeBotApi::drop_next(std::string_view method, int count) {
  impl_->add_fault(method, {{}, Impl::FaultKind::kDrop, count, {}, {}});
}

void FakeBotApi::block_chat(std::int64_t chat_id, bool blocked) {
  std::lock_guard lock(impl_->mutex_);
  if (blocked) {
    impl_->blocked_chats_.insert(chat_id);
  } else {
    impl_->blocked_chats_.erase(chat_id);
  }
}

std::vector<RecordedCall> FakeBotApi::calls() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->recorded_;
}

std::vector<RecordedCall> FakeBotApi::calls(std::string_view method) const {
  auto lower = to_lower(method);
  std::lock_guard lock(impl_->mutex_);
  std::vector<RecordedCall> out;
  for (const auto& call : impl_->recorded_) {
    if (to_lower(call.method) == lower) out.push_back(call);
  }
  return out;
}

std::size_t FakeBotApi::call_count(std::string_view method) const {
  auto lower = to_lower(method);
  std::lock_guard lock(impl_->mutex_);
  return static_cast<std::size_t>(
      std::count_if(impl_->recorded_.begin(), impl_->recorded_.end(),
                    [&](const RecordedCall& call) { return to_lower(call.method) == lower; }));
}

bool FakeBotApi::wait_for_calls(std::string_view method, std::size_t count,
                                std::chrono::milliseconds timeout) const {
  auto lower = to_lower(method);
  std::unique_lock lock(impl_->mutex_);
  return impl_->changed_.wait_for(lock, timeout, [&] {
    return static_cast<std::size_t>(std::count_if(
               impl_->recorded_.begin(), impl_->recorded_.end(),
               [&](const RecordedCall& call) { return to_lower(call.method) == lower; })) >= count;
  });
}

void FakeBotApi::clear_calls() {
  std::lock_guard lock(impl_->mutex_);
  impl_->recorded_.clear();
}

std::vector<WebhookDelivery> FakeBotApi::deliveries() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->delivery_log_;
}

bool FakeBotApi::wait_for_deliveries(std::size_t accepted,
                                     std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex_);
  return impl_->changed_.wait_for(lock, timeout, [&] {
    return static_cast<std::size_t>(std::count_if(
               impl_->delivery_log_.begin(), impl_->delivery_log_.end(),
               [](const WebhookDelivery& d) { return d.status >= 200 && d.status < 300; })) >=
           accepted;
  });
}

FakeWebhook FakeBotApi::webhook() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->webhook_;
}

std::optional<json> FakeBotApi::message(std::int64_t chat_id, std::int64_t message_id) const {
  std::lock_guard lock(impl_->mutex_);
  auto it = impl_->messages_.find({chat_id, message_id});
  if (it == impl_->messages_.end()) return std::nullopt;
  return it->second.message;
}

}  // namespace nc::fakes
