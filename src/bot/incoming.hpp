// What the conversation needs to know about one update, independent of the wire format.
#pragma once

#include <cstdint>
#include <string>

namespace nc::bot {

enum class IncomingKind {
  kCommand,   // "/start", "/grant 1 2"
  kText,
  kPhoto,     // a photo, or an image sent as a file
  kFile,      // a document that is not an image (PDF, archive, …)
  kSticker,
  kVoice,     // voice or audio
  kVideo,
  kCallback,  // a button press
  kPayment,   // successful_payment: Telegram took the Stars for an invoice
  kOther,     // anything else (location, contact, poll, …)
};

struct Incoming {
  std::int64_t update_id = 0;
  std::int64_t user_id = 0;
  std::int64_t chat_id = 0;
  std::string username;
  std::string language_code;
  IncomingKind kind = IncomingKind::kOther;
  std::string text;  // message text or caption
  std::string command;       // without the slash and @botname, lower case
  std::string command_args;  // the rest of the line
  std::string callback_id;
  std::string callback_data;
  std::int64_t callback_message_id = 0;  // the message the pressed button belongs to
  // Photo details (kind == kPhoto): the file to download and what Telegram says about it.
  std::string file_id;
  std::int64_t file_size = 0;
  int width = 0;
  int height = 0;
  std::string mime_type;
  // Payment details (kind == kPayment).
  std::string payment_currency;
  std::int64_t payment_amount = 0;
  std::string payment_payload;
  std::string payment_charge_id;  // telegram_payment_charge_id
};

// A pre_checkout_query: answered before the handling transaction, from a read of the store.
struct PreCheckout {
  std::int64_t user_id = 0;
  std::string language_code;
  std::string currency;
  std::int64_t total_amount = 0;
  std::string payload;
};

struct PreCheckoutAnswer {
  bool ok = false;
  std::string error_message;  // shown to the seller when !ok
};

// What was done before the handling transaction (network I/O): the downloaded photo.
enum class PhotoProblem { kNone, kTooSmall, kTooLarge, kFormat, kBroken, kDownload };

struct Prepared {
  std::string photo_path;  // stored photo, when one was downloaded and accepted
  PhotoProblem photo_problem = PhotoProblem::kNone;
};

}  // namespace nc::bot
