#include "bot/from_update.hpp"

namespace nc::bot {
namespace {

using telegram::MessageContent;

void fill_user(Incoming& in, const telegram::User& user) {
  in.user_id = user.id;
  in.username = user.username;
  in.language_code = user.language_code;
}

void fill_message(Incoming& in, const telegram::Message& message) {
  in.chat_id = message.chat.id;
  in.text = message.text.empty() ? message.caption : message.text;
  if (auto command = message.command()) {
    in.kind = IncomingKind::kCommand;
    in.command = command->name;
    in.command_args = command->args;
    return;
  }
  switch (message.content) {
    case MessageContent::kText: in.kind = IncomingKind::kText; return;
    case MessageContent::kPhoto: {
      in.kind = IncomingKind::kPhoto;
      // The largest size Telegram lets us download; sizes are listed smallest first.
      auto photo = message.largest_photo(kMaxDownloadBytes);
      if (!photo) photo = message.photo.back();
      in.file_id = photo->file_id;
      in.file_size = photo->file_size.value_or(0);
      in.width = photo->width;
      in.height = photo->height;
      in.mime_type = "image/jpeg";
      return;
    }
    case MessageContent::kDocument:
      if (message.document->is_image()) {
        in.kind = IncomingKind::kPhoto;
        in.file_id = message.document->file_id;
        in.file_size = message.document->file_size.value_or(0);
        in.mime_type = message.document->mime_type;
      } else {
        in.kind = IncomingKind::kFile;
      }
      return;
    case MessageContent::kSuccessfulPayment: {
      const auto& payment = *message.successful_payment;
      in.kind = IncomingKind::kPayment;
      in.payment_currency = payment.currency;
      in.payment_amount = payment.total_amount;
      in.payment_payload = payment.invoice_payload;
      in.payment_charge_id = payment.telegram_payment_charge_id;
      return;
    }
    case MessageContent::kSticker: in.kind = IncomingKind::kSticker; return;
    case MessageContent::kVoice:
    case MessageContent::kAudio: in.kind = IncomingKind::kVoice; return;
    case MessageContent::kVideo:
    case MessageContent::kAnimation:
    case MessageContent::kVideoNote: in.kind = IncomingKind::kVideo; return;
    default: in.kind = IncomingKind::kOther; return;
  }
}

}  // namespace

PreCheckout from_query(const telegram::PreCheckoutQuery& query) {
  return PreCheckout{.user_id = query.from.id,
                     .language_code = query.from.language_code,
                     .currency = query.currency,
                     .total_amount = query.total_amount,
                     .payload = query.invoice_payload};
}

std::optional<Incoming> from_update(const telegram::Update& update) {
  Incoming in;
  in.update_id = update.update_id;
  if (update.message && update.message->from) {
    if (!update.message->chat.is_private()) return std::nullopt;  // the bot works in private chats
    fill_user(in, *update.message->from);
    fill_message(in, *update.message);
    return in;
  }
  if (update.callback_query) {
    const auto& query = *update.callback_query;
    fill_user(in, query.from);
    in.kind = IncomingKind::kCallback;
    in.callback_id = query.id;
    in.callback_data = query.data.value_or("");
    in.chat_id = query.message ? query.message->chat.id : query.from.id;
    in.callback_message_id = query.message ? query.message->message_id : 0;
    return in;
  }
  return std::nullopt;
}

}  // namespace nc::bot
