// Helpers on the Bot API structs: command parsing, photo choice, update routing.
#include "telegram/types.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "core/utf16.hpp"

namespace nc::telegram {
namespace {

constexpr std::size_t kMaxCommandLength = 32;
constexpr std::size_t kMaxCallbackDataBytes = 64;
constexpr std::string_view kSpaces = " \t\r\n";

bool is_command_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

bool all_command_chars(std::string_view text) {
  return std::all_of(text.begin(), text.end(), is_command_char);
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(kSpaces);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kSpaces);
  return text.substr(first, last - first + 1);
}

std::string button_place(std::size_t row, std::size_t column) {
  return "row " + std::to_string(row + 1) + ", button " + std::to_string(column + 1);
}

}  // namespace

std::string_view to_string(MessageContent content) {
  switch (content) {
    case MessageContent::kText:
      return "text";
    case MessageContent::kPhoto:
      return "photo";
    case MessageContent::kDocument:
      return "document";
    case MessageContent::kVideo:
      return "video";
    case MessageContent::kAnimation:
      return "animation";
    case MessageContent::kSticker:
      return "sticker";
    case MessageContent::kVoice:
      return "voice";
    case MessageContent::kAudio:
      return "audio";
    case MessageContent::kVideoNote:
      return "video_note";
    case MessageContent::kSuccessfulPayment:
      return "successful_payment";
    case MessageContent::kRefundedPayment:
      return "refunded_payment";
    case MessageContent::kOther:
      return "other";
  }
  return "other";
}

std::string_view to_string(UpdateKind kind) {
  switch (kind) {
    case UpdateKind::kMessage:
      return "message";
    case UpdateKind::kEditedMessage:
      return "edited_message";
    case UpdateKind::kCallbackQuery:
      return "callback_query";
    case UpdateKind::kPreCheckoutQuery:
      return "pre_checkout_query";
    case UpdateKind::kMyChatMember:
      return "my_chat_member";
    case UpdateKind::kOther:
      return "other";
  }
  return "other";
}

bool Document::is_image() const {
  constexpr std::string_view kPrefix = "image/";
  if (mime_type.size() <= kPrefix.size()) return false;
  return std::equal(kPrefix.begin(), kPrefix.end(), mime_type.begin(), [](char a, char b) {
    return a == std::tolower(static_cast<unsigned char>(b));
  });
}

std::optional<ParsedCommand> Message::command() const {
  if (text.empty() || text.front() != '/') return std::nullopt;

  std::string_view token;
  if (entities.empty()) {
    token = std::string_view(text).substr(0, text.find_first_of(kSpaces));
  } else {
    // With entities present, trust Telegram's verdict on where (and whether) a command is.
    const auto entity = std::find_if(entities.begin(), entities.end(), [](const MessageEntity& e) {
      return e.type == "bot_command" && e.offset == 0;
    });
    if (entity == entities.end() || entity->length < 0) return std::nullopt;
    const auto slice = core::utf16_slice(text, 0, static_cast<std::size_t>(entity->length));
    if (!slice) return std::nullopt;
    token = *slice;
  }
  if (token.empty()) return std::nullopt;  // an entity of length 0 (the fuzzer found it)
  const std::string_view rest = std::string_view(text).substr(token.size());

  token.remove_prefix(1);  // the '/'
  const auto at = token.find('@');
  const std::string_view name = token.substr(0, at);
  const std::string_view mention = at == std::string_view::npos ? "" : token.substr(at + 1);
  if (name.empty() || name.size() > kMaxCommandLength || !all_command_chars(name) ||
      !all_command_chars(mention) || (at != std::string_view::npos && mention.empty())) {
    return std::nullopt;
  }

  ParsedCommand command;
  command.name.reserve(name.size());
  for (char c : name) {
    command.name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  command.mention = std::string(mention);
  command.args = std::string(trim(rest));
  return command;
}

std::optional<PhotoSize> Message::largest_photo(std::int64_t max_bytes) const {
  const PhotoSize* best = nullptr;
  for (const auto& size : photo) {
    if (size.file_size && *size.file_size > max_bytes) continue;
    const auto area = static_cast<std::int64_t>(size.width) * size.height;
    // ">=": on equal areas the later entry wins, as Telegram lists sizes smallest first.
    if (!best || area >= static_cast<std::int64_t>(best->width) * best->height) best = &size;
  }
  if (!best) return std::nullopt;
  return *best;
}

// By presence rather than by kind, so a hand-built Update cannot make these read an empty member.
const User* Update::user() const {
  if (message) return message->from ? &*message->from : nullptr;
  if (edited_message) return edited_message->from ? &*edited_message->from : nullptr;
  if (callback_query) return &callback_query->from;
  if (pre_checkout_query) return &pre_checkout_query->from;
  if (my_chat_member) return &my_chat_member->from;
  return nullptr;
}

std::optional<std::int64_t> Update::chat_id() const {
  if (message) return message->chat.id;
  if (edited_message) return edited_message->chat.id;
  if (callback_query && callback_query->message) return callback_query->message->chat.id;
  if (my_chat_member) return my_chat_member->chat.id;
  return std::nullopt;
}

core::Result<void> validate(const InlineKeyboardMarkup& keyboard) {
  auto fail = [](std::size_t row, std::size_t column, const std::string& problem) {
    return core::Error{"invalid_keyboard", button_place(row, column) + ": " + problem};
  };
  for (std::size_t row = 0; row < keyboard.rows.size(); ++row) {
    for (std::size_t column = 0; column < keyboard.rows[row].size(); ++column) {
      const InlineKeyboardButton& button = keyboard.rows[row][column];
      if (button.text.empty()) return fail(row, column, "text is empty");
      const int actions = !button.callback_data.empty() + !button.url.empty() + button.pay;
      if (actions != 1) return fail(row, column, "needs exactly one of callback_data, url, pay");
      if (button.callback_data.size() > kMaxCallbackDataBytes) {
        return fail(row, column,
                    "callback_data is " + std::to_string(button.callback_data.size()) +
                        " bytes; the limit is " + std::to_string(kMaxCallbackDataBytes));
      }
      if (button.pay && (row != 0 || column != 0)) {
        return fail(row, column, "a pay button must be the first button of the first row");
      }
    }
  }
  return {};
}

}  // namespace nc::telegram
