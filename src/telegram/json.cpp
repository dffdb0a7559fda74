// Field-by-field readers for Bot API objects; every reader stops at the first bad field and
// reports its full path.
#include "telegram/json.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "core/untrusted_json.hpp"

namespace nc::telegram {
namespace {

using core::Error;
using core::Result;
using nlohmann::json;

constexpr auto kInt64Min = std::numeric_limits<std::int64_t>::min();
constexpr auto kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt32Min = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t kInt32Max = std::numeric_limits<std::int32_t>::max();

template <typename T>
using Reader = Result<T> (*)(const json&, const std::string&);

std::string join(std::string_view path, std::string_view key) {
  std::string out;
  out.reserve(path.size() + 1 + key.size());
  if (!path.empty()) out.append(path).push_back('.');
  out.append(key);
  return out;
}

std::string kind_of(const json& value) {
  if (value.is_number_float()) return "float";
  return value.type_name();
}

// An integer JSON value as int64, or nullopt when it is not an integer or does not fit.
std::optional<std::int64_t> int64_of(const json& value) {
  if (value.is_number_unsigned()) {
    const auto unsigned_value = value.get<std::uint64_t>();
    if (unsigned_value > static_cast<std::uint64_t>(kInt64Max)) return std::nullopt;
    return static_cast<std::int64_t>(unsigned_value);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return std::nullopt;
}

// Reads fields of one JSON object. After the first error every read returns a default and
// finish() returns that error, so readers stay straight-line.
class Fields {
 public:
  Fields(const json& value, std::string path, std::string_view name = {})
      : value_(value), path_(std::move(path)) {
    if (!value_.is_object()) {
      const std::string shown = path_.empty() ? std::string(name) : path_;
      error_ =
          Error{std::string(kErrorBadField), shown + ": expected object, got " + kind_of(value_)};
    }
  }

  bool has(const char* key) const {
    if (error_) return false;
    const auto it = value_.find(key);
    return it != value_.end() && !it->is_null();
  }

  std::int64_t int64(const char* key, std::int64_t min = kInt64Min, std::int64_t max = kInt64Max) {
    return integer(key, true, min, max).value_or(0);
  }
  std::optional<std::int64_t> opt_int64(const char* key, std::int64_t min = kInt64Min,
                                        std::int64_t max = kInt64Max) {
    return integer(key, false, min, max);
  }
  int int32(const char* key) {
    return static_cast<int>(integer(key, true, kInt32Min, kInt32Max).value_or(0));
  }
  std::optional<int> opt_int32(const char* key) {
    const auto value = integer(key, false, kInt32Min, kInt32Max);
    if (!value) return std::nullopt;
    return static_cast<int>(*value);
  }

  std::string string(const char* key) { return text(key, true).value_or(std::string()); }
  std::string opt_string(const char* key) { return text(key, false).value_or(std::string()); }
  std::optional<std::string> maybe_string(const char* key) { return text(key, false); }

  bool boolean(const char* key) { return flag(key, true).value_or(false); }
  bool opt_boolean(const char* key) { return flag(key, false).value_or(false); }

  template <typename T>
  T object(const char* key, Reader<T> read) {
    if (!find(key, true)) return T{};
    auto value = opt_object(key, read);
    return value ? std::move(*value) : T{};
  }

  template <typename T>
  std::optional<T> opt_object(const char* key, Reader<T> read) {
    const json* value = find(key, false);
    if (!value) return std::nullopt;
    auto parsed = read(*value, join(path_, key));
    if (!parsed.ok()) {
      error_ = std::move(parsed).error();
      return std::nullopt;
    }
    return std::move(parsed).value();
  }

  // Content the bot only needs to recognise (a voice note): present and an object.
  bool opt_present(const char* key) {
    const json* value = find(key, false);
    if (!value) return false;
    if (!value->is_object()) {
      type_error(key, "object", *value);
      return false;
    }
    return true;
  }

  template <typename T>
  std::vector<T> opt_array(const char* key, Reader<T> read) {
    std::vector<T> out;
    const json* value = find(key, false);
    if (!value) return out;
    if (!value->is_array()) {
      type_error(key, "array", *value);
      return out;
    }
    const std::string path = join(path_, key);
    out.reserve(value->size());
    for (std::size_t i = 0; i < value->size(); ++i) {
      auto parsed = read((*value)[i], path + "[" + std::to_string(i) + "]");
      if (!parsed.ok()) {
        error_ = std::move(parsed).error();
        return {};
      }
      out.push_back(std::move(parsed).value());
    }
    return out;
  }

  std::vector<std::string> opt_string_array(const char* key) {
    std::vector<std::string> out;
    const json* value = find(key, false);
    if (!value) return out;
    if (!value->is_array()) {
      type_error(key, "array", *value);
      return out;
    }
    for (std::size_t i = 0; i < value->size(); ++i) {
      const json& item = (*value)[i];
      if (!item.is_string()) {
        const std::string item_key = std::string(key) + "[" + std::to_string(i) + "]";
        type_error(item_key.c_str(), "string", item);
        return {};
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  template <typename T>
  Result<T> finish(T value) {
    if (error_) return std::move(*error_);
    return value;
  }

 private:
  // nullptr when absent; a null value counts as absent for optional fields.
  const json* find(const char* key, bool required) {
    if (error_) return nullptr;
    const auto it = value_.find(key);
    if (it == value_.end()) {
      if (required) fail(key, "missing");
      return nullptr;
    }
    if (it->is_null() && !required) return nullptr;
    return &*it;
  }

  std::optional<std::int64_t> integer(const char* key, bool required, std::int64_t min,
                                      std::int64_t max) {
    const json* value = find(key, required);
    if (!value) return std::nullopt;
    if (!value->is_number_integer()) {
      type_error(key, "integer", *value);
      return std::nullopt;
    }
    const auto number = int64_of(*value);
    if (!number || *number < min || *number > max) {
      fail(key, "out of range");
      return std::nullopt;
    }
    return number;
  }

  std::optional<std::string> text(const char* key, bool required) {
    const json* value = find(key, required);
    if (!value) return std::nullopt;
    if (!value->is_string()) {
      type_error(key, "string", *value);
      return std::nullopt;
    }
    return value->get<std::string>();
  }

  std::optional<bool> flag(const char* key, bool required) {
    const json* value = find(key, required);
    if (!value) return std::nullopt;
    if (!value->is_boolean()) {
      type_error(key, "boolean", *value);
      return std::nullopt;
    }
    return value->get<bool>();
  }

  void type_error(const char* key, std::string_view expected, const json& got) {
    fail(key, "expected " + std::string(expected) + ", got " + kind_of(got));
  }

  void fail(const char* key, const std::string& problem) {
    error_ = Error{std::string(kErrorBadField), join(path_, key) + ": " + problem};
  }

  const json& value_;
  std::string path_;
  std::optional<Error> error_;
};

Result<User> read_user(const json& value, const std::string& path) {
  Fields f(value, path);
  User user;
  user.id = f.int64("id");
  user.is_bot = f.boolean("is_bot");
  user.first_name = f.string("first_name");
  user.last_name = f.opt_string("last_name");
  user.username = f.opt_string("username");
  user.language_code = f.opt_string("language_code");
  user.is_premium = f.opt_boolean("is_premium");
  return f.finish(std::move(user));
}

Result<Chat> read_chat(const json& value, const std::string& path) {
  Fields f(value, path);
  Chat chat;
  chat.id = f.int64("id");
  chat.type = f.string("type");
  chat.title = f.opt_string("title");
  chat.username = f.opt_string("username");
  chat.first_name = f.opt_string("first_name");
  chat.last_name = f.opt_string("last_name");
  return f.finish(std::move(chat));
}

Result<PhotoSize> read_photo_size(const json& value, const std::string& path) {
  Fields f(value, path);
  PhotoSize size;
  size.file_id = f.string("file_id");
  size.file_unique_id = f.string("file_unique_id");
  size.width = f.int32("width");
  size.height = f.int32("height");
  size.file_size = f.opt_int64("file_size", 0);
  return f.finish(std::move(size));
}

Result<Document> read_document(const json& value, const std::string& path) {
  Fields f(value, path);
  Document document;
  document.file_id = f.string("file_id");
  document.file_unique_id = f.string("file_unique_id");
  document.file_name = f.opt_string("file_name");
  document.mime_type = f.opt_string("mime_type");
  document.file_size = f.opt_int64("file_size", 0);
  return f.finish(std::move(document));
}

Result<Video> read_video(const json& value, const std::string& path) {
  Fields f(value, path);
  Video video;
  video.file_id = f.string("file_id");
  video.file_unique_id = f.string("file_unique_id");
  video.width = f.int32("width");
  video.height = f.int32("height");
  video.duration = f.int32("duration");
  video.file_name = f.opt_string("file_name");
  video.mime_type = f.opt_string("mime_type");
  video.file_size = f.opt_int64("file_size", 0);
  return f.finish(std::move(video));
}

Result<Sticker> read_sticker(const json& value, const std::string& path) {
  Fields f(value, path);
  Sticker sticker;
  sticker.file_id = f.string("file_id");
  sticker.file_unique_id = f.string("file_unique_id");
  sticker.is_animated = f.opt_boolean("is_animated");
  sticker.is_video = f.opt_boolean("is_video");
  sticker.emoji = f.opt_string("emoji");
  return f.finish(std::move(sticker));
}

Result<MessageEntity> read_entity(const json& value, const std::string& path) {
  Fields f(value, path);
  MessageEntity entity;
  entity.type = f.string("type");
  entity.offset = f.int64("offset", 0);
  entity.length = f.int64("length", 0);
  entity.url = f.opt_string("url");
  return f.finish(std::move(entity));
}

Result<SuccessfulPayment> read_successful_payment(const json& value, const std::string& path) {
  Fields f(value, path);
  SuccessfulPayment payment;
  payment.currency = f.string("currency");
  payment.total_amount = f.int64("total_amount");
  payment.invoice_payload = f.string("invoice_payload");
  payment.telegram_payment_charge_id = f.string("telegram_payment_charge_id");
  // Documented as required, but a Stars payment must never be lost over a field the bot does not
  // use, so it is read as optional.
  payment.provider_payment_charge_id = f.opt_string("provider_payment_charge_id");
  payment.subscription_expiration_date = f.opt_int64("subscription_expiration_date");
  payment.is_recurring = f.opt_boolean("is_recurring");
  payment.is_first_recurring = f.opt_boolean("is_first_recurring");
  return f.finish(std::move(payment));
}

Result<RefundedPayment> read_refunded_payment(const json& value, const std::string& path) {
  Fields f(value, path);
  RefundedPayment payment;
  payment.currency = f.string("currency");
  payment.total_amount = f.int64("total_amount");
  payment.invoice_payload = f.string("invoice_payload");
  payment.telegram_payment_charge_id = f.string("telegram_payment_charge_id");
  payment.provider_payment_charge_id = f.opt_string("provider_payment_charge_id");
  return f.finish(std::move(payment));
}

MessageContent classify(const Message& message, bool animation, bool voice, bool audio,
                        bool video_note) {
  if (message.successful_payment) return MessageContent::kSuccessfulPayment;
  if (message.refunded_payment) return MessageContent::kRefundedPayment;
  if (!message.photo.empty()) return MessageContent::kPhoto;
  if (message.video) return MessageContent::kVideo;
  // An animation also fills "document" for old clients, so it is checked first.
  if (animation) return MessageContent::kAnimation;
  if (message.document) return MessageContent::kDocument;
  if (message.sticker) return MessageContent::kSticker;
  if (voice) return MessageContent::kVoice;
  if (audio) return MessageContent::kAudio;
  if (video_note) return MessageContent::kVideoNote;
  if (!message.text.empty()) return MessageContent::kText;
  return MessageContent::kOther;
}

Result<Message> read_message(const json& value, const std::string& path) {
  Fields f(value, path);
  Message message;
  message.message_id = f.int64("message_id");
  message.from = f.opt_object("from", read_user);
  message.chat = f.object("chat", read_chat);
  message.date = f.int64("date");
  message.edit_date = f.opt_int64("edit_date");
  message.text = f.opt_string("text");
  message.entities = f.opt_array("entities", read_entity);
  message.caption = f.opt_string("caption");
  message.caption_entities = f.opt_array("caption_entities", read_entity);
  message.photo = f.opt_array("photo", read_photo_size);
  message.document = f.opt_object("document", read_document);
  message.video = f.opt_object("video", read_video);
  message.sticker = f.opt_object("sticker", read_sticker);
  message.media_group_id = f.opt_string("media_group_id");
  message.successful_payment = f.opt_object("successful_payment", read_successful_payment);
  message.refunded_payment = f.opt_object("refunded_payment", read_refunded_payment);
  const bool animation = f.opt_present("animation");
  const bool voice = f.opt_present("voice");
  const bool audio = f.opt_present("audio");
  const bool video_note = f.opt_present("video_note");
  message.content = classify(message, animation, voice, audio, video_note);
  return f.finish(std::move(message));
}

// MaybeInaccessibleMessage: an InaccessibleMessage is {chat, message_id, date: 0}.
Result<Message> read_maybe_inaccessible_message(const json& value, const std::string& path) {
  if (value.is_object()) {
    const auto date = value.find("date");
    if (date != value.end() && date->is_number_integer() && int64_of(*date) == 0) {
      Fields f(value, path);
      Message message;
      message.chat = f.object("chat", read_chat);
      message.message_id = f.int64("message_id");
      return f.finish(std::move(message));
    }
  }
  return read_message(value, path);
}

Result<CallbackQuery> read_callback_query(const json& value, const std::string& path) {
  Fields f(value, path);
  CallbackQuery query;
  query.id = f.string("id");
  query.from = f.object("from", read_user);
  query.message = f.opt_object("message", read_maybe_inaccessible_message);
  query.inline_message_id = f.opt_string("inline_message_id");
  query.chat_instance = f.string("chat_instance");
  query.data = f.maybe_string("data");
  return f.finish(std::move(query));
}

Result<PreCheckoutQuery> read_pre_checkout_query(const json& value, const std::string& path) {
  Fields f(value, path);
  PreCheckoutQuery query;
  query.id = f.string("id");
  query.from = f.object("from", read_user);
  query.currency = f.string("currency");
  query.total_amount = f.int64("total_amount");
  query.invoice_payload = f.string("invoice_payload");
  query.shipping_option_id = f.opt_string("shipping_option_id");
  return f.finish(std::move(query));
}

Result<std::string> read_member_status(const json& value, const std::string& path) {
  Fields f(value, path);
  std::string status = f.string("status");
  return f.finish(std::move(status));
}

Result<ChatMemberUpdated> read_chat_member_updated(const json& value, const std::string& path) {
  Fields f(value, path);
  ChatMemberUpdated update;
  update.chat = f.object("chat", read_chat);
  update.from = f.object("from", read_user);
  update.date = f.int64("date");
  update.old_status = f.object("old_chat_member", read_member_status);
  update.new_status = f.object("new_chat_member", read_member_status);
  return f.finish(std::move(update));
}

Result<Update> read_update(const json& value) {
  Fields f(value, "", "update");
  Update update;
  update.update_id = f.int64("update_id");
  // The API sends at most one payload; should more arrive, the first in this order wins.
  if (f.has("message")) {
    update.kind = UpdateKind::kMessage;
    update.message = f.object("message", read_message);
  } else if (f.has("edited_message")) {
    update.kind = UpdateKind::kEditedMessage;
    update.edited_message = f.object("edited_message", read_message);
  } else if (f.has("callback_query")) {
    update.kind = UpdateKind::kCallbackQuery;
    update.callback_query = f.object("callback_query", read_callback_query);
  } else if (f.has("pre_checkout_query")) {
    update.kind = UpdateKind::kPreCheckoutQuery;
    update.pre_checkout_query = f.object("pre_checkout_query", read_pre_checkout_query);
  } else if (f.has("my_chat_member")) {
    update.kind = UpdateKind::kMyChatMember;
    update.my_chat_member = f.object("my_chat_member", read_chat_member_updated);
  }
  return f.finish(std::move(update));
}

}  // namespace

Result<Update> parse_update(std::string_view json_text) {
  auto parsed = core::parse_untrusted_json(json_text, {.max_bytes = kMaxUpdateBytes});
  if (!parsed.ok()) return std::move(parsed).error();
  return read_update(parsed.value());
}

Result<UpdateBatch> parse_update_batch(const json& result) {
  if (!result.is_array()) {
    return Error{std::string(kErrorBadField), "result: expected array, got " + kind_of(result)};
  }
  UpdateBatch batch;
  for (const json& item : result) {
    std::optional<std::int64_t> id;
    if (item.is_object()) {
      const auto found = item.find("update_id");
      if (found != item.end()) id = int64_of(*found);
    }
    if (id) batch.last_update_id = std::max(batch.last_update_id.value_or(*id), *id);
    auto update = read_update(item);
    if (update.ok()) {
      batch.updates.push_back(std::move(update).value());
    } else {
      batch.rejected.push_back({id, std::move(update).error()});
    }
  }
  return batch;
}

Result<Message> parse_message(const json& value, std::string_view path) {
  return read_message(value, std::string(path));
}

Result<File> parse_file(const json& value) {
  Fields f(value, "file");
  File file;
  file.file_id = f.string("file_id");
  file.file_unique_id = f.string("file_unique_id");
  file.file_size = f.opt_int64("file_size", 0);
  file.file_path = f.opt_string("file_path");
  return f.finish(std::move(file));
}

Result<WebhookInfo> parse_webhook_info(const json& value) {
  Fields f(value, "webhook_info");
  WebhookInfo info;
  info.url = f.string("url");
  info.has_custom_certificate = f.boolean("has_custom_certificate");
  info.pending_update_count = f.int64("pending_update_count", 0);
  info.ip_address = f.opt_string("ip_address");
  info.last_error_date = f.opt_int64("last_error_date");
  info.last_error_message = f.opt_string("last_error_message");
  info.last_synchronization_error_date = f.opt_int64("last_synchronization_error_date");
  info.max_connections = f.opt_int32("max_connections");
  info.allowed_updates = f.opt_string_array("allowed_updates");
  return f.finish(std::move(info));
}

json to_json(const InlineKeyboardMarkup& keyboard) {
  json rows = json::array();
  for (const auto& row : keyboard.rows) {
    json buttons = json::array();
    for (const auto& button : row) {
      json item = json::object();
      item["text"] = button.text;
      if (!button.callback_data.empty()) item["callback_data"] = button.callback_data;
      if (!button.url.empty()) item["url"] = button.url;
      if (button.pay) item["pay"] = true;
      buttons.push_back(std::move(item));
    }
    rows.push_back(std::move(buttons));
  }
  json markup = json::object();
  markup["inline_keyboard"] = std::move(rows);
  return markup;
}

ApiReply parse_api_reply(int http_status, std::string_view body) {
  ApiReply reply;
  reply.error_code = http_status;
  const auto unreadable = [&](const std::string& why) {
    reply.description = "unreadable reply (HTTP " + std::to_string(http_status) + "): " + why;
    return reply;
  };

  auto parsed = core::parse_untrusted_json(body, {.max_bytes = kMaxReplyBytes});
  if (!parsed.ok()) return unreadable(parsed.error().message);
  json& envelope = parsed.value();
  if (!envelope.is_object()) return unreadable("expected a JSON object");
  const auto ok = envelope.find("ok");
  if (ok == envelope.end() || !ok->is_boolean()) return unreadable("no boolean \"ok\"");

  if (const auto description = envelope.find("description");
      description != envelope.end() && description->is_string()) {
    reply.description = description->get<std::string>();
  }
  if (ok->get<bool>()) {
    const auto result = envelope.find("result");
    if (result == envelope.end()) return unreadable("\"ok\" without \"result\"");
    reply.ok = true;
    reply.error_code = 0;
    reply.result = std::move(*result);
    return reply;
  }

  if (const auto code = envelope.find("error_code"); code != envelope.end()) {
    const auto value = int64_of(*code);
    if (value && *value >= kInt32Min && *value <= kInt32Max)
      reply.error_code = static_cast<int>(*value);
  }
  if (const auto parameters = envelope.find("parameters");
      parameters != envelope.end() && parameters->is_object()) {
    if (const auto retry = parameters->find("retry_after"); retry != parameters->end()) {
      const auto seconds = int64_of(*retry);
      if (seconds && *seconds >= 0) reply.retry_after = std::chrono::seconds(*seconds);
    }
    if (const auto migrate = parameters->find("migrate_to_chat_id"); migrate != parameters->end()) {
      reply.migrate_to_chat_id = int64_of(*migrate);
    }
  }
  return reply;
}

}  // namespace nc::telegram
