#include "fakes/scripted_seller.hpp"

#include <thread>

namespace nc::fakes {

using nlohmann::json;

namespace {

// The update with `from` merged into its sender.
json sent_by(json update, const json& from) {
  for (const char* kind : {"message", "callback_query"}) {
    if (update.contains(kind)) update[kind]["from"].update(from);
  }
  return update;
}

}  // namespace

json ScriptedSeller::russian(json update) {
  return sent_by(std::move(update), {{"language_code", "ru"}});
}

ScriptedSeller::ScriptedSeller(FakeBotApi& fake, std::int64_t user_id, json from)
    : fake_(fake), user_id_(user_id), from_(std::move(from)) {}

json ScriptedSeller::from_me(json update) const {
  return sent_by(std::move(update), from_);
}

void ScriptedSeller::say(const std::string& text) {
  fake_.push_update(from_me(fake_.make_text_message(user_id_, text)));
}

std::string ScriptedSeller::press(const std::string& data, std::int64_t message_id) {
  auto update = from_me(fake_.make_callback(user_id_, data, message_id));
  std::string query_id = update["callback_query"]["id"];
  fake_.push_update(std::move(update));
  return query_id;
}

void ScriptedSeller::send_photo(const std::string& file_id, int width, int height) {
  fake_.push_update(from_me(fake_.make_photo_message(user_id_, file_id, width, height)));
}

std::vector<RecordedCall> ScriptedSeller::calls() const {
  std::vector<RecordedCall> mine;
  for (auto& call : fake_.calls()) {
    if (call.chat_id == user_id_ || call.method == "answerCallbackQuery") {
      mine.push_back(std::move(call));
    }
  }
  return mine;
}

std::vector<RecordedCall> ScriptedSeller::messages() const {
  std::vector<RecordedCall> mine;
  for (auto& call : fake_.calls("sendMessage")) {
    if (call.chat_id == user_id_) mine.push_back(std::move(call));
  }
  return mine;
}

std::size_t ScriptedSeller::reply_count() const {
  return messages().size();
}

std::string ScriptedSeller::reply(std::size_t n, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (reply_count() < n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto mine = messages();
  return mine.size() >= n ? mine[n - 1].params.value("text", "") : "";
}

json ScriptedSeller::keyboard(std::size_t n) {
  auto markup = messages().at(n - 1).params["reply_markup"];
  return markup.is_string() ? json::parse(markup.get<std::string>()) : markup;
}

std::string ScriptedSeller::button(std::size_t n, int row, int column) {
  return keyboard(n)["inline_keyboard"][row][column]["callback_data"];
}

std::int64_t ScriptedSeller::message_id(std::size_t n) {
  return messages().at(n - 1).response["result"]["message_id"];
}

std::optional<FakePayment> ScriptedSeller::pay_latest_invoice() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  std::optional<std::int64_t> invoice;
  while (!invoice && std::chrono::steady_clock::now() < deadline) {
    for (const auto& call : fake_.calls("sendInvoice")) {
      if (call.chat_id == user_id_ && call.status == 200) {
        invoice = call.response["result"]["message_id"].get<std::int64_t>();
      }
    }
    if (!invoice)
      fake_.wait_for_calls("sendInvoice", fake_.call_count("sendInvoice") + 1,
                           std::chrono::milliseconds(200));
  }
  if (!invoice) return std::nullopt;
  const auto query = fake_.pay_invoice(user_id_, *invoice, from_);
  if (!query) return std::nullopt;
  return fake_.wait_for_payment(*query, std::chrono::seconds(15));
}

std::optional<FakePayment> ScriptedSeller::buy(std::int64_t credits) {
  const auto invoices_before = fake_.invoices(user_id_).size();
  const auto screen = reply_count() + 1;
  say("/topup");
  reply(screen);
  for (const auto& row : keyboard(screen)["inline_keyboard"]) {
    const std::string data = row[0]["callback_data"];
    if (data == "b:-:" + std::to_string(credits)) press(data, message_id(screen));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (fake_.invoices(user_id_).size() == invoices_before &&
         std::chrono::steady_clock::now() < deadline) {
    fake_.wait_for_calls("sendInvoice", fake_.call_count("sendInvoice") + 1,
                         std::chrono::milliseconds(200));
  }
  return pay_latest_invoice();
}

std::string ScriptedSeller::order(const std::string& photo_file_id, const std::string& product,
                                  int count) {
  const auto start = reply_count();
  say("/start");
  reply(start + 1);
  press(button(start + 1, 0), message_id(start + 1));  // «Создать Reels»
  reply(start + 2);
  send_photo(photo_file_id, 900, 1200);
  reply(start + 3);
  say(product);
  reply(start + 4);
  press(button(start + 4, 0), message_id(start + 4));  // the first format
  reply(start + 5);
  press(button(start + 5, 0), message_id(start + 5));  // no wishes
  reply(start + 6);
  const int column = count == 1 ? 0 : count == 3 ? 1 : 2;
  press(button(start + 6, 0, column), message_id(start + 6));
  reply(start + 7);
  press(button(start + 7, 0, 0), message_id(start + 7));  // launch
  return reply(start + 8);
}

}  // namespace nc::fakes
