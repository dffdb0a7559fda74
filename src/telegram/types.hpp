// The Bot API objects this bot reads and writes, as plain structs (contract section 4). JSON
// mapping lives in telegram/json.hpp; absent optional strings are empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace nc::telegram {

struct User {
  std::int64_t id = 0;
  bool is_bot = false;
  std::string first_name;
  std::string last_name;
  std::string username;
  std::string language_code;
  bool is_premium = false;
};

struct Chat {
  std::int64_t id = 0;  // private chat: equals the user id; groups negative
  std::string type;     // "private", "group", "supergroup", "channel"
  std::string title;
  std::string username;
  std::string first_name;
  std::string last_name;

  bool is_private() const { return type == "private"; }
};

struct PhotoSize {
  std::string file_id;
  std::string file_unique_id;
  int width = 0;
  int height = 0;
  std::optional<std::int64_t> file_size;
};

struct Document {
  std::string file_id;
  std::string file_unique_id;
  std::string file_name;
  std::string mime_type;
  std::optional<std::int64_t> file_size;

  // A photo sent "as file" arrives as a document with an image/* type.
  bool is_image() const;
};

struct Video {
  std::string file_id;
  std::string file_unique_id;
  int width = 0;
  int height = 0;
  int duration = 0;  // seconds
  std::string file_name;
  std::string mime_type;
  std::optional<std::int64_t> file_size;
};

struct Sticker {
  std::string file_id;
  std::string file_unique_id;
  bool is_animated = false;
  bool is_video = false;
  std::string emoji;
};

struct MessageEntity {
  std::string type;         // "bot_command", "url", "bold", ...
  std::int64_t offset = 0;  // UTF-16 code units, see core/utf16.hpp
  std::int64_t length = 0;  // UTF-16 code units
  std::string url;          // "text_link" only
};

struct SuccessfulPayment {
  std::string currency;  // "XTR" for Stars
  std::int64_t total_amount = 0;
  std::string invoice_payload;
  std::string telegram_payment_charge_id;  // the idempotency key for crediting and refunds
  std::string provider_payment_charge_id;
  std::optional<std::int64_t> subscription_expiration_date;
  bool is_recurring = false;
  bool is_first_recurring = false;
};

struct RefundedPayment {
  std::string currency;
  std::int64_t total_amount = 0;
  std::string invoice_payload;
  std::string telegram_payment_charge_id;
  std::string provider_payment_charge_id;
};

// What a message carries, decided once at parse time; kOther covers everything the bot does not
// handle (locations, contacts, polls, service messages).
enum class MessageContent {
  kText,
  kPhoto,
  kDocument,
  kVideo,
  kAnimation,
  kSticker,
  kVoice,
  kAudio,
  kVideoNote,
  kSuccessfulPayment,
  kRefundedPayment,
  kOther,
};
std::string_view to_string(MessageContent content);

// "/start@NeuroCardsBot promo" -> {name "start", mention "NeuroCardsBot", args "promo"}.
struct ParsedCommand {
  std::string name;     // lower-cased
  std::string mention;  // the bot username after '@', empty when none; check it in groups
  std::string args;     // the rest of the text, trimmed
};

struct Message {
  std::int64_t message_id = 0;
  std::optional<User> from;  // absent in channels
  Chat chat;
  std::int64_t date = 0;  // Unix time; 0 for an inaccessible message (see accessible())
  std::optional<std::int64_t> edit_date;
  std::string text;
  std::vector<MessageEntity> entities;
  std::string caption;
  std::vector<MessageEntity> caption_entities;
  std::vector<PhotoSize> photo;  // every size of one photo, not an album
  std::optional<Document> document;
  std::optional<Video> video;
  std::optional<Sticker> sticker;
  std::string media_group_id;  // album items arrive as separate updates sharing this id
  std::optional<SuccessfulPayment> successful_payment;
  std::optional<RefundedPayment> refunded_payment;
  MessageContent content = MessageContent::kOther;

  // A callback's message can be an InaccessibleMessage (too old to read): then only chat and
  // message_id are set and date is 0.
  bool accessible() const { return date != 0; }

  // The bot command that starts the text, by its bot_command entity or, without entities, by a
  // leading '/'. Names are 1-32 of [A-Za-z0-9_], as Telegram recognises them.
  std::optional<ParsedCommand> command() const;

  // The largest size whose file_size fits max_bytes. A size without file_size counts as fitting,
  // since Telegram caps photos at 10 MB.
  std::optional<PhotoSize> largest_photo(std::int64_t max_bytes) const;
};

struct CallbackQuery {
  std::string id;
  User from;
  std::optional<Message> message;  // absent for inline-mode messages; may be inaccessible
  std::string inline_message_id;
  std::string chat_instance;
  std::optional<std::string> data;  // callback_data of the pressed button; may be stale
};

struct PreCheckoutQuery {
  std::string id;
  User from;
  std::string currency;
  std::int64_t total_amount = 0;
  std::string invoice_payload;
  std::string shipping_option_id;
};

// my_chat_member: in a private chat it reports the user blocking ("kicked") or unblocking
// ("member") the bot; only the statuses are kept.
struct ChatMemberUpdated {
  Chat chat;
  User from;
  std::int64_t date = 0;
  std::string old_status;
  std::string new_status;
};

enum class UpdateKind {
  kMessage,
  kEditedMessage,
  kCallbackQuery,
  kPreCheckoutQuery,
  kMyChatMember,
  kOther,  // a kind the bot does not handle (channel_post, inline_query, ...): acknowledge only
};
std::string_view to_string(UpdateKind kind);

// Exactly the member named by kind is set (none for kOther).
struct Update {
  std::int64_t update_id = 0;
  UpdateKind kind = UpdateKind::kOther;
  std::optional<Message> message;
  std::optional<Message> edited_message;
  std::optional<CallbackQuery> callback_query;
  std::optional<PreCheckoutQuery> pre_checkout_query;
  std::optional<ChatMemberUpdated> my_chat_member;

  // Who caused the update, whatever its kind; nullptr for kOther and channel posts.
  const User* user() const;
  // The chat to answer in; nullopt for pre-checkout queries, inline callbacks and kOther.
  std::optional<std::int64_t> chat_id() const;
};

struct File {
  std::string file_id;
  std::string file_unique_id;
  std::optional<std::int64_t> file_size;
  std::string file_path;  // empty when Telegram cannot serve the file; absolute with --local
};

// Exactly one action: callback_data (1-64 bytes), url, or pay (invoice messages, first button).
struct InlineKeyboardButton {
  std::string text;
  std::string callback_data;
  std::string url;
  bool pay = false;
};

struct InlineKeyboardMarkup {
  std::vector<std::vector<InlineKeyboardButton>> rows;
};

// Checks what Telegram would reject with BUTTON_DATA_INVALID and friends, naming the button.
core::Result<void> validate(const InlineKeyboardMarkup& keyboard);

struct WebhookInfo {
  std::string url;  // empty when polling
  bool has_custom_certificate = false;
  std::int64_t pending_update_count = 0;
  std::string ip_address;
  std::optional<std::int64_t> last_error_date;
  std::string last_error_message;
  std::optional<std::int64_t> last_synchronization_error_date;
  std::optional<int> max_connections;
  std::vector<std::string> allowed_updates;  // empty: the default set
};

}  // namespace nc::telegram
