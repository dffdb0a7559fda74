#include "bot/replies.hpp"

namespace nc::bot {

void Replies::add(const char* method, nlohmann::json payload, int priority) {
  calls_.push_back(store::OutgoingCall{
      .chat_id = chat_id_, .method = method, .payload = payload.dump(), .priority = priority});
}

void Replies::send_text(const std::string& text, const Keyboard& keyboard) {
  nlohmann::json payload{{"chat_id", chat_id_}, {"text", text}};
  if (!keyboard.is_null()) payload["reply_markup"] = keyboard;
  add("sendMessage", std::move(payload));
}

void Replies::answer_callback(const std::string& callback_id, const std::string& toast) {
  nlohmann::json payload{{"callback_query_id", callback_id}};
  if (!toast.empty()) payload["text"] = toast;
  add("answerCallbackQuery", std::move(payload), 1);
}

void Replies::send_invoice(const std::string& title, const std::string& description,
                           const std::string& payload, const std::string& label,
                           std::int64_t stars) {
  add("sendInvoice", {{"chat_id", chat_id_},
                      {"title", title},
                      {"description", description},
                      {"payload", payload},
                      {"provider_token", ""},
                      {"currency", "XTR"},
                      {"prices", nlohmann::json::array({{{"label", label}, {"amount", stars}}})}});
}

void Replies::remove_keyboard(std::int64_t message_id) {
  if (message_id == 0) return;
  add("editMessageReplyMarkup",
      {{"chat_id", chat_id_},
       {"message_id", message_id},
       {"reply_markup", {{"inline_keyboard", nlohmann::json::array()}}}});
}

void Replies::copy_message(std::int64_t message_id, const Keyboard& keyboard) {
  add("copyMessage", {{"chat_id", chat_id_},
                      {"from_chat_id", chat_id_},
                      {"message_id", message_id},
                      {"reply_markup", keyboard}});
}

}  // namespace nc::bot
