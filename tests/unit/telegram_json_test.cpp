// Tests for telegram/json.hpp and the helpers of telegram/types.hpp, on updates shaped like the
// ones Telegram sends.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "telegram/json.hpp"

namespace nc::telegram {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kMiB = 1 << 20;

constexpr std::string_view kStartCommand = R"({
  "update_id": 815243911,
  "message": {
    "message_id": 17,
    "from": {"id": 123456789, "is_bot": false, "first_name": "Анна", "last_name": "Смирнова",
             "username": "anna_sells", "language_code": "ru", "is_premium": true},
    "chat": {"id": 123456789, "first_name": "Анна", "last_name": "Смирнова",
             "username": "anna_sells", "type": "private"},
    "date": 1735689600,
    "text": "/start@NeuroCardsBot promo_42",
    "entities": [{"offset": 0, "length": 20, "type": "bot_command"}]
  }
})";

constexpr std::string_view kPhotoAlbumItem = R"({
  "update_id": 815243912,
  "message": {
    "message_id": 18,
    "from": {"id": 123456789, "is_bot": false, "first_name": "Анна"},
    "chat": {"id": 123456789, "first_name": "Анна", "type": "private"},
    "date": 1735689660,
    "media_group_id": "13857270394857623",
    "photo": [
      {"file_id": "AgACAgIAAxkBAAIBQ2small", "file_unique_id": "AQADsmall", "file_size": 1342,
       "width": 90, "height": 68},
      {"file_id": "AgACAgIAAxkBAAIBQ2medium", "file_unique_id": "AQADmedium", "file_size": 19874,
       "width": 320, "height": 240},
      {"file_id": "AgACAgIAAxkBAAIBQ2large", "file_unique_id": "AQADlarge", "file_size": 98213,
       "width": 1280, "height": 960}
    ],
    "caption": "Кружка 350 мл 😀",
    "caption_entities": [{"offset": 14, "length": 2, "type": "bold"}]
  }
})";

constexpr std::string_view kImageDocument = R"({
  "update_id": 815243913,
  "message": {
    "message_id": 19,
    "from": {"id": 123456789, "is_bot": false, "first_name": "Анна"},
    "chat": {"id": 123456789, "first_name": "Анна", "type": "private"},
    "date": 1735689670,
    "document": {
      "file_name": "IMG_2041.JPG", "mime_type": "image/jpeg",
      "thumbnail": {"file_id": "AAMCAgthumb", "file_unique_id": "AQADthumb", "file_size": 5120,
                    "width": 240, "height": 320},
      "thumb": {"file_id": "AAMCAgthumb", "file_unique_id": "AQADthumb", "file_size": 5120,
                "width": 240, "height": 320},
      "file_id": "BQACAgIAAxkBAAIBRGdoc", "file_unique_id": "AgADdoc", "file_size": 4829133
    }
  }
})";

constexpr std::string_view kSticker = R"({
  "update_id": 815243914,
  "message": {
    "message_id": 20,
    "from": {"id": 123456789, "is_bot": false, "first_name": "Анна"},
    "chat": {"id": 123456789, "first_name": "Анна", "type": "private"},
    "date": 1735689680,
    "sticker": {"width": 512, "height": 512, "emoji": "😀", "set_name": "HotCherry",
                "is_animated": true, "is_video": false, "type": "regular",
                "file_id": "CAACAgIAAxkBAAIBRWstk", "file_unique_id": "AgADstk",
                "file_size": 38214}
  }
})";

constexpr std::string_view kVoice = R"({
  "update_id": 815243915,
  "message": {
    "message_id": 21,
    "from": {"id": 123456789, "is_bot": false, "first_name": "Анна"},
    "chat": {"id": 123456789, "first_name": "Анна", "type": "private"},
    "date": 1735689690,
    "voice": {"duration": 3, "mime_type": "audio/ogg", "file_id": "AwACAgIAAxkBAAIBRvoice",
              "file_unique_id": "AgADvoice", "file_size": 9211}
  }
})";

constexpr std::string_view kCallbackWithMessage = R"({
  "update_id": 815243916,
  "callback_query": {
    "id": "4382191937204523465",
    "from": {"id": 123456789, "is_bot": false, "first_name": "Анна", "language_code": "ru"},
    "message": {
      "message_id": 22,
      "from": {"id": 7000000001, "is_bot": true, "first_name": "NeuroCards",
               "username": "NeuroCardsBot"},
      "chat": {"id": 123456789, "first_name": "Анна", "type": "private"},
      "date": 1735689700,
      "text": "Выберите шаблон",
      "reply_markup": {"inline_keyboard": [[{"text": "Reels", "callback_data": "tpl:reels"}]]}
    },
    "chat_instance": "-8457301958472034617",
    "data": "tpl:reels"
  }
})";

constexpr std::string_view kCallbackInaccessible = R"({
  "update_id": 815243917,
  "callback_query": {
    "id": "4382191937204523466",
    "from": {"id": 123456789, "is_bot": false, "first_name": "Анна"},
    "message": {"chat": {"id": 123456789, "first_name": "Анна", "type": "private"},
                "message_id": 5, "date": 0},
    "chat_instance": "-8457301958472034617",
    "data": "tpl:old"
  }
})";

constexpr std::string_view kPreCheckout = R"({
  "update_id": 815243918,
  "pre_checkout_query": {
    "id": "1234567890123456789",
    "from": {"id": 123456789, "is_bot": false, "first_name": "Анна"},
    "currency": "XTR",
    "total_amount": 250,
    "invoice_payload": "order:7f3c2a"
  }
})";

constexpr std::string_view kSuccessfulPayment = R"({
  "update_id": 815243919,
  "message": {
    "message_id": 23,
    "from": {"id": 123456789, "is_bot": false, "first_name": "Анна"},
    "chat": {"id": 123456789, "first_name": "Анна", "type": "private"},
    "date": 1735689800,
    "successful_payment": {"currency": "XTR", "total_amount": 250,
                           "invoice_payload": "order:7f3c2a",
                           "telegram_payment_charge_id": "stxAbCdEfGh123456",
                           "provider_payment_charge_id": ""}
  }
})";

constexpr std::string_view kBlockedByUser = R"({
  "update_id": 815243920,
  "my_chat_member": {
    "chat": {"id": 123456789, "first_name": "Анна", "type": "private"},
    "from": {"id": 123456789, "is_bot": false, "first_name": "Анна"},
    "date": 1735689900,
    "old_chat_member": {"user": {"id": 7000000001, "is_bot": true, "first_name": "NeuroCards"},
                        "status": "member"},
    "new_chat_member": {"user": {"id": 7000000001, "is_bot": true, "first_name": "NeuroCards"},
                        "status": "kicked", "until_date": 0}
  }
})";

Update must_parse(std::string_view json) {
  auto parsed = parse_update(json);
  if (!parsed.ok()) throw std::runtime_error("parse failed: " + parsed.error().message);
  return std::move(parsed).value();
}

TEST(TelegramJson, StartCommandMessage) {
  const Update update = must_parse(kStartCommand);
  EXPECT_EQ(update.update_id, 815243911);
  ASSERT_EQ(update.kind, UpdateKind::kMessage);
  ASSERT_TRUE(update.message);
  const Message& message = *update.message;
  EXPECT_EQ(message.message_id, 17);
  ASSERT_TRUE(message.from);
  EXPECT_EQ(message.from->id, 123456789);
  EXPECT_FALSE(message.from->is_bot);
  EXPECT_EQ(message.from->first_name, "Анна");
  EXPECT_EQ(message.from->last_name, "Смирнова");
  EXPECT_EQ(message.from->username, "anna_sells");
  EXPECT_EQ(message.from->language_code, "ru");
  EXPECT_TRUE(message.from->is_premium);
  EXPECT_EQ(message.chat.id, 123456789);
  EXPECT_EQ(message.chat.type, "private");
  EXPECT_TRUE(message.chat.is_private());
  EXPECT_EQ(message.date, 1735689600);
  EXPECT_EQ(message.text, "/start@NeuroCardsBot promo_42");
  EXPECT_EQ(message.content, MessageContent::kText);
  ASSERT_EQ(message.entities.size(), 1u);
  EXPECT_EQ(message.entities[0].type, "bot_command");
  EXPECT_EQ(message.entities[0].length, 20);

  const auto command = message.command();
  ASSERT_TRUE(command);
  EXPECT_EQ(command->name, "start");
  EXPECT_EQ(command->mention, "NeuroCardsBot");
  EXPECT_EQ(command->args, "promo_42");

  ASSERT_NE(update.user(), nullptr);
  EXPECT_EQ(update.user()->id, 123456789);
  EXPECT_EQ(update.chat_id(), 123456789);
}

TEST(TelegramJson, PhotoWithThreeSizes) {
  const Update update = must_parse(kPhotoAlbumItem);
  ASSERT_TRUE(update.message);
  const Message& message = *update.message;
  EXPECT_EQ(message.content, MessageContent::kPhoto);
  EXPECT_EQ(message.media_group_id, "13857270394857623");
  EXPECT_EQ(message.caption, "Кружка 350 мл 😀");
  ASSERT_EQ(message.caption_entities.size(), 1u);
  EXPECT_EQ(message.caption_entities[0].offset, 14);
  ASSERT_EQ(message.photo.size(), 3u);
  EXPECT_EQ(message.photo[0].file_id, "AgACAgIAAxkBAAIBQ2small");
  EXPECT_EQ(message.photo[0].width, 90);
  EXPECT_EQ(message.photo[0].height, 68);
  EXPECT_EQ(message.photo[0].file_size, 1342);
  EXPECT_EQ(message.photo[2].file_unique_id, "AQADlarge");

  EXPECT_EQ(message.largest_photo(20 * kMiB)->file_id, "AgACAgIAAxkBAAIBQ2large");
  EXPECT_EQ(message.largest_photo(98213)->file_id, "AgACAgIAAxkBAAIBQ2large");
  EXPECT_EQ(message.largest_photo(98212)->file_id, "AgACAgIAAxkBAAIBQ2medium");
  EXPECT_EQ(message.largest_photo(1000), std::nullopt);
  EXPECT_FALSE(message.command());
}

TEST(TelegramJson, LargestPhotoTakesSizesWithoutFileSize) {
  Message message;
  message.photo = {{"a", "ua", 90, 90, 100},
                   {"b", "ub", 800, 800, std::nullopt},
                   {"c", "uc", 1280, 1280, 30 * kMiB}};
  EXPECT_EQ(message.largest_photo(20 * kMiB)->file_id, "b");
  EXPECT_EQ(Message{}.largest_photo(20 * kMiB), std::nullopt);
}

TEST(TelegramJson, ImageSentAsDocument) {
  const Update update = must_parse(kImageDocument);
  ASSERT_TRUE(update.message && update.message->document);
  const Document& document = *update.message->document;
  EXPECT_EQ(update.message->content, MessageContent::kDocument);
  EXPECT_EQ(document.file_id, "BQACAgIAAxkBAAIBRGdoc");
  EXPECT_EQ(document.file_unique_id, "AgADdoc");
  EXPECT_EQ(document.file_name, "IMG_2041.JPG");
  EXPECT_EQ(document.mime_type, "image/jpeg");
  EXPECT_EQ(document.file_size, 4829133);
  EXPECT_TRUE(document.is_image());
  EXPECT_FALSE((Document{.mime_type = "application/pdf"}.is_image()));
  EXPECT_TRUE((Document{.mime_type = "Image/PNG"}.is_image()));
}

TEST(TelegramJson, Sticker) {
  const Update update = must_parse(kSticker);
  ASSERT_TRUE(update.message && update.message->sticker);
  EXPECT_EQ(update.message->content, MessageContent::kSticker);
  EXPECT_EQ(update.message->sticker->file_id, "CAACAgIAAxkBAAIBRWstk");
  EXPECT_EQ(update.message->sticker->emoji, "😀");
  EXPECT_TRUE(update.message->sticker->is_animated);
  EXPECT_FALSE(update.message->sticker->is_video);
}

TEST(TelegramJson, VoiceIsRecognised) {
  const Update update = must_parse(kVoice);
  ASSERT_TRUE(update.message);
  EXPECT_EQ(update.message->content, MessageContent::kVoice);
  EXPECT_EQ(to_string(update.message->content), "voice");
  EXPECT_TRUE(update.message->text.empty());
  EXPECT_FALSE(update.message->command());
}

TEST(TelegramJson, OtherContentKinds) {
  const auto content_of = [](const std::string& fields) {
    return must_parse(R"({"update_id":1,"message":{"message_id":1,"date":1,)"
                      R"("chat":{"id":1,"type":"private"},)" +
                      fields + "}}")
        .message->content;
  };
  const std::string file = R"({"file_id":"f","file_unique_id":"u")";
  EXPECT_EQ(content_of(R"("audio":{"file_id":"f","file_unique_id":"u","duration":1})"),
            MessageContent::kAudio);
  EXPECT_EQ(content_of(R"("video":)" + file + R"(,"width":1,"height":1,"duration":2})"),
            MessageContent::kVideo);
  EXPECT_EQ(content_of(R"("animation":)" + file + R"(},"document":)" + file + "}"),
            MessageContent::kAnimation);
  EXPECT_EQ(content_of(R"("video_note":)" + file + "}"), MessageContent::kVideoNote);
  EXPECT_EQ(content_of(R"("location":{"latitude":55.75,"longitude":37.61})"),
            MessageContent::kOther);
}

TEST(TelegramJson, CallbackQueryWithMessage) {
  const Update update = must_parse(kCallbackWithMessage);
  ASSERT_EQ(update.kind, UpdateKind::kCallbackQuery);
  ASSERT_TRUE(update.callback_query);
  const CallbackQuery& query = *update.callback_query;
  EXPECT_EQ(query.id, "4382191937204523465");
  EXPECT_EQ(query.from.id, 123456789);
  EXPECT_EQ(query.chat_instance, "-8457301958472034617");
  EXPECT_EQ(query.data, "tpl:reels");
  ASSERT_TRUE(query.message);
  EXPECT_TRUE(query.message->accessible());
  EXPECT_EQ(query.message->message_id, 22);
  EXPECT_EQ(query.message->text, "Выберите шаблон");
  EXPECT_EQ(query.message->from->id, 7000000001);
  EXPECT_TRUE(query.message->from->is_bot);
  EXPECT_EQ(update.user()->id, 123456789);  // the presser, not the bot that wrote the message
  EXPECT_EQ(update.chat_id(), 123456789);
}

TEST(TelegramJson, CallbackQueryWithInaccessibleMessage) {
  const Update update = must_parse(kCallbackInaccessible);
  ASSERT_TRUE(update.callback_query && update.callback_query->message);
  const Message& message = *update.callback_query->message;
  EXPECT_FALSE(message.accessible());
  EXPECT_EQ(message.date, 0);
  EXPECT_EQ(message.message_id, 5);
  EXPECT_EQ(message.chat.id, 123456789);
  EXPECT_EQ(message.content, MessageContent::kOther);
  EXPECT_EQ(update.callback_query->data, "tpl:old");
  EXPECT_EQ(update.chat_id(), 123456789);
}

TEST(TelegramJson, CallbackQueryWithoutMessageOrData) {
  const Update update = must_parse(R"({"update_id":5,"callback_query":{"id":"9",
      "from":{"id":1,"is_bot":false,"first_name":"A"},"inline_message_id":"AAAAAQ",
      "chat_instance":"-1","game_short_name":"g"}})");
  ASSERT_TRUE(update.callback_query);
  EXPECT_EQ(update.callback_query->data, std::nullopt);
  EXPECT_EQ(update.callback_query->inline_message_id, "AAAAAQ");
  EXPECT_EQ(update.chat_id(), std::nullopt);
  EXPECT_EQ(update.user()->id, 1);
}

TEST(TelegramJson, PreCheckoutQuery) {
  const Update update = must_parse(kPreCheckout);
  ASSERT_EQ(update.kind, UpdateKind::kPreCheckoutQuery);
  const PreCheckoutQuery& query = *update.pre_checkout_query;
  EXPECT_EQ(query.id, "1234567890123456789");
  EXPECT_EQ(query.from.id, 123456789);
  EXPECT_EQ(query.currency, "XTR");
  EXPECT_EQ(query.total_amount, 250);
  EXPECT_EQ(query.invoice_payload, "order:7f3c2a");
  EXPECT_EQ(update.user()->id, 123456789);
  EXPECT_EQ(update.chat_id(), std::nullopt);
}

TEST(TelegramJson, SuccessfulPayment) {
  const Update update = must_parse(kSuccessfulPayment);
  ASSERT_TRUE(update.message && update.message->successful_payment);
  const SuccessfulPayment& payment = *update.message->successful_payment;
  EXPECT_EQ(update.message->content, MessageContent::kSuccessfulPayment);
  EXPECT_EQ(payment.currency, "XTR");
  EXPECT_EQ(payment.total_amount, 250);
  EXPECT_EQ(payment.invoice_payload, "order:7f3c2a");
  EXPECT_EQ(payment.telegram_payment_charge_id, "stxAbCdEfGh123456");
  EXPECT_EQ(payment.provider_payment_charge_id, "");
  EXPECT_FALSE(payment.is_recurring);
}

TEST(TelegramJson, SuccessfulPaymentWithoutProviderChargeIdIsKept) {
  const auto parsed = parse_update(R"({"update_id":1,"message":{"message_id":1,"date":1,
      "chat":{"id":1,"type":"private"},"successful_payment":{"currency":"XTR",
      "total_amount":50,"invoice_payload":"p","telegram_payment_charge_id":"c"}}})");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->message->successful_payment->telegram_payment_charge_id, "c");
}

TEST(TelegramJson, MyChatMemberKeepsStatuses) {
  const Update update = must_parse(kBlockedByUser);
  ASSERT_EQ(update.kind, UpdateKind::kMyChatMember);
  EXPECT_EQ(update.my_chat_member->old_status, "member");
  EXPECT_EQ(update.my_chat_member->new_status, "kicked");
  EXPECT_EQ(update.my_chat_member->date, 1735689900);
  EXPECT_EQ(update.user()->id, 123456789);
  EXPECT_EQ(update.chat_id(), 123456789);
}

TEST(TelegramJson, EditedMessage) {
  const Update update = must_parse(R"({"update_id":7,"edited_message":{"message_id":3,
      "from":{"id":42,"is_bot":false,"first_name":"B"},"chat":{"id":42,"type":"private"},
      "date":100,"edit_date":160,"text":"fixed"}})");
  ASSERT_EQ(update.kind, UpdateKind::kEditedMessage);
  EXPECT_EQ(update.edited_message->edit_date, 160);
  EXPECT_EQ(update.edited_message->text, "fixed");
  EXPECT_FALSE(update.message);
  EXPECT_EQ(update.user()->id, 42);
  EXPECT_EQ(update.chat_id(), 42);
}

TEST(TelegramJson, BigIdsSurvive) {
  const Update update = must_parse(R"({"update_id":9007199254740991,"message":{
      "message_id":2147483647,"from":{"id":9007199254740991,"is_bot":false,"first_name":"Z"},
      "chat":{"id":-1009007199254740991,"type":"supergroup","title":"Sellers"},
      "date":4102444800,"document":{"file_id":"f","file_unique_id":"u","file_size":4294967296}}})");
  EXPECT_EQ(update.update_id, 9007199254740991);
  EXPECT_EQ(update.message->from->id, 9007199254740991);
  EXPECT_EQ(update.message->chat.id, -1009007199254740991);
  EXPECT_EQ(update.message->chat.title, "Sellers");
  EXPECT_EQ(update.message->message_id, 2147483647);
  EXPECT_EQ(update.message->date, 4102444800);
  EXPECT_EQ(update.message->document->file_size, 4294967296);

  const Update extremes = must_parse(R"({"update_id":9223372036854775807,"my_chat_member":{
      "chat":{"id":-9223372036854775808,"type":"group"},
      "from":{"id":9223372036854775807,"is_bot":false,"first_name":"Z"},"date":1,
      "old_chat_member":{"status":"left"},"new_chat_member":{"status":"member"}}})");
  EXPECT_EQ(extremes.update_id, INT64_MAX);
  EXPECT_EQ(extremes.my_chat_member->chat.id, INT64_MIN);
  EXPECT_EQ(extremes.my_chat_member->from.id, INT64_MAX);
}

TEST(TelegramJson, UnknownFieldsAndKindsAreIgnored) {
  const Update update = must_parse(R"({"update_id":10,"brand_new":{"deep":[1,{"x":null}]},
      "message":{"message_id":1,"future_field":[{"a":1}],"date":1,"text":"hi",
      "from":{"id":5,"is_bot":false,"first_name":"C","username":null,"added_in_v99":true},
      "chat":{"id":5,"type":"private","is_forum":false,"emoji_status":{"id":"x"}},
      "link_preview_options":{"is_disabled":true},"reply_to_message":{"message_id":0}}})");
  EXPECT_EQ(update.message->text, "hi");
  EXPECT_EQ(update.message->from->username, "");  // null counts as absent

  const Update other = must_parse(R"({"update_id":11,"inline_query":{"id":"1","query":"q"}})");
  EXPECT_EQ(other.kind, UpdateKind::kOther);
  EXPECT_EQ(other.update_id, 11);
  EXPECT_EQ(other.user(), nullptr);
  EXPECT_EQ(other.chat_id(), std::nullopt);
  EXPECT_EQ(to_string(other.kind), "other");
}

struct BadInput {
  std::string input;
  std::string code;
  std::string message;
};

TEST(TelegramJson, MalformedUpdatesNameTheProblem) {
  const std::string chat = R"("chat":{"id":1,"type":"private"})";
  const std::string user = R"({"id":1,"is_bot":false,"first_name":"A"})";
  const std::string head = R"({"update_id":1,"message":{"message_id":1,"date":1,)";
  const std::vector<BadInput> cases = {
      {"{}", "bad_field", "update_id: missing"},
      {R"({"update_id":"1"})", "bad_field", "update_id: expected integer, got string"},
      {R"({"update_id":null})", "bad_field", "update_id: expected integer, got null"},
      {R"({"update_id":1.5})", "bad_field", "update_id: expected integer, got float"},
      {R"({"update_id":1e3})", "bad_field", "update_id: expected integer, got float"},
      {R"({"update_id":9223372036854775808})", "bad_field", "update_id: out of range"},
      {R"({"update_id":-9223372036854775809})", "bad_field",
       "update_id: expected integer, got float"},
      {R"([{"update_id":1}])", "bad_field", "update: expected object, got array"},
      {R"({"update_id":1,"message":[]})", "bad_field", "message: expected object, got array"},
      {R"({"update_id":1,"message":{"message_id":1,"date":1,"chat":{"type":"private"}}})",
       "bad_field", "message.chat.id: missing"},
      {R"({"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":"1","type":"p"}}})",
       "bad_field", "message.chat.id: expected integer, got string"},
      {R"({"update_id":1,"message":{"message_id":1,"date":1}})", "bad_field",
       "message.chat: missing"},
      {R"({"update_id":1,"message":{"message_id":1,)" + chat + "}}", "bad_field",
       "message.date: missing"},
      {head + chat + R"(,"from":{"id":1,"is_bot":"no","first_name":"A"}}})", "bad_field",
       "message.from.is_bot: expected boolean, got string"},
      {head + chat + R"(,"text":42}})", "bad_field", "message.text: expected string, got number"},
      {head + chat +
           R"(,"photo":[{"file_id":"a","file_unique_id":"b","width":1,"height":1},)"
           R"({"file_unique_id":"c","width":1,"height":1}]}})",
       "bad_field", "message.photo[1].file_id: missing"},
      {head + chat +
           R"(,"photo":[{"file_id":"a","file_unique_id":"b","width":4294967296,)"
           R"("height":1}]}})",
       "bad_field", "message.photo[0].width: out of range"},
      {head + chat + R"(,"entities":{"type":"bold"}}})", "bad_field",
       "message.entities: expected array, got object"},
      {head + chat + R"(,"entities":[{"type":"bold","offset":-1,"length":2}]}})", "bad_field",
       "message.entities[0].offset: out of range"},
      {head + chat + R"(,"document":{"file_id":"f","file_unique_id":"u","file_size":-5}}})",
       "bad_field", "message.document.file_size: out of range"},
      {head + chat + R"(,"voice":"yes"}})", "bad_field",
       "message.voice: expected object, got string"},
      {R"({"update_id":1,"callback_query":{"id":"1","chat_instance":"1"}})", "bad_field",
       "callback_query.from: missing"},
      {R"({"update_id":1,"callback_query":{"id":1,"from":)" + user + R"(,"chat_instance":"1"}})",
       "bad_field", "callback_query.id: expected string, got number"},
      {R"({"update_id":1,"callback_query":{"id":"1","from":)" + user +
           R"(,"chat_instance":"1","message":{"message_id":5,"date":0}}})",
       "bad_field", "callback_query.message.chat: missing"},
      {R"({"update_id":1,"pre_checkout_query":{"id":"1","from":)" + user +
           R"(,"currency":"XTR","invoice_payload":"p"}})",
       "bad_field", "pre_checkout_query.total_amount: missing"},
      {head + chat +
           R"(,"successful_payment":{"currency":"XTR","total_amount":1,)"
           R"("invoice_payload":"p"}}})",
       "bad_field", "message.successful_payment.telegram_payment_charge_id: missing"},
      {R"({"update_id":1,"my_chat_member":{"chat":{"id":1,"type":"private"},"from":)" + user +
           R"(,"date":1,"old_chat_member":{"status":"member"},"new_chat_member":{}}})",
       "bad_field", "my_chat_member.new_chat_member.status: missing"},
      {"", "invalid_json", "invalid JSON at byte 1"},
      {"not json", "invalid_json", "invalid JSON at byte 2"},
      {R"({"update_id":1)", "invalid_json", "invalid JSON at byte 15"},
      {R"({"update_id":1,})", "invalid_json", "invalid JSON at byte 16"},
      {R"({"update_id":1} // trailing)", "invalid_json", "invalid JSON at byte 17"},
      {R"({"update_id":1,"x":"\ud800"})", "invalid_json", "invalid JSON at byte 27"},
      {R"({"update_id":1,"x":1e999})", "invalid_json", "invalid JSON: number out of range"},
      {"{\"update_id\":1,\"x\":\"\xff\"}", "invalid_utf8", "JSON is not valid UTF-8"},
      {"{\"update_id\":1,\"x\":\"\xc0\xaf\"}", "invalid_utf8", "JSON is not valid UTF-8"},
      {"{\"update_id\":1,\"x\":\"\xed\xa0\x80\"}", "invalid_utf8", "JSON is not valid UTF-8"},
  };
  for (const auto& bad : cases) {
    SCOPED_TRACE(bad.input);
    const auto parsed = parse_update(bad.input);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().code, bad.code);
    EXPECT_EQ(parsed.error().message, bad.message);
  }
}

std::string nested_arrays(int depth) {
  return R"({"update_id":1,"x":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
}

TEST(TelegramJson, NestingIsCapped) {
  // The update object is one level, so 63 arrays inside reach the limit of 64 exactly.
  EXPECT_TRUE(parse_update(nested_arrays(63)).ok());
  const auto too_deep = parse_update(nested_arrays(64));
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(too_deep.error().code, "too_deep");
  EXPECT_EQ(too_deep.error().message, "JSON nests deeper than 64 levels");

  // Half a megabyte of '[' must end quickly, not exhaust the stack or memory.
  const auto hostile = parse_update(std::string(500000, '['));
  ASSERT_FALSE(hostile.ok());
  EXPECT_EQ(hostile.error().code, "too_deep");
  const auto objects = parse_update("[" + std::string(200000, '{'));
  ASSERT_FALSE(objects.ok());
  EXPECT_EQ(objects.error().code, "invalid_json");  // '{' needs a key before any nesting
}

TEST(TelegramJson, SizeIsCapped) {
  const std::string prefix = R"({"update_id":1,"pad":")";
  const auto padded = [&](std::size_t total) {
    return prefix + std::string(total - prefix.size() - 2, 'a') + "\"}";
  };
  const auto at_limit = parse_update(padded(kMaxUpdateBytes));
  EXPECT_TRUE(at_limit.ok());
  const auto over = parse_update(padded(kMaxUpdateBytes + 1));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, "too_large");
  EXPECT_EQ(over.error().message, "JSON is 1048577 bytes; the limit is 1048576");
}

TEST(TelegramJson, UpdateBatchSkipsPoisonedUpdates) {
  const auto body = nlohmann::json::parse(R"([
    {"update_id":10,"message":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"}}},
    {"update_id":11,"message":{"message_id":2,"date":1,"chat":{"type":"private"}}},
    {"update_id":12,"callback_query":{"id":"1","from":{"id":1,"is_bot":false,"first_name":"A"},
                                      "chat_instance":"1","data":"x"}},
    {"no_update_id":true}
  ])");
  const auto batch = parse_update_batch(body);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->updates.size(), 2u);
  EXPECT_EQ(batch->updates[0].update_id, 10);
  EXPECT_EQ(batch->updates[1].update_id, 12);
  ASSERT_EQ(batch->rejected.size(), 2u);
  EXPECT_EQ(batch->rejected[0].update_id, 11);
  EXPECT_EQ(batch->rejected[0].error.message, "message.chat.id: missing");
  EXPECT_EQ(batch->rejected[1].update_id, std::nullopt);
  EXPECT_EQ(batch->last_update_id, 12);

  const auto empty = parse_update_batch(nlohmann::json::array());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->last_update_id, std::nullopt);
  const auto wrong = parse_update_batch(nlohmann::json::object());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message, "result: expected array, got object");
}

TEST(TelegramJson, MessageFromMethodResult) {
  const auto result = nlohmann::json::parse(R"({"message_id":77,"date":1735690000,
      "chat":{"id":123456789,"type":"private"},"video":{"file_id":"BAACAgvid",
      "file_unique_id":"AgADvid","width":720,"height":1280,"duration":8,
      "mime_type":"video/mp4","file_size":5242880}})");
  const auto message = parse_message(result, "result");
  ASSERT_TRUE(message.ok()) << message.error().message;
  EXPECT_EQ(message->content, MessageContent::kVideo);
  EXPECT_EQ(message->video->file_id, "BAACAgvid");
  EXPECT_EQ(message->video->duration, 8);
  EXPECT_EQ(message->video->file_size, 5242880);

  const auto bad = parse_message(nlohmann::json::parse(R"({"message_id":1})"), "result");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "result.chat: missing");
}

TEST(TelegramJson, File) {
  const auto file = parse_file(nlohmann::json::parse(
      R"({"file_id":"AgACAgIAAxkBAAIBQ2large","file_unique_id":"AQADlarge","file_size":98213,
          "file_path":"photos/file_12.jpg"})"));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->file_id, "AgACAgIAAxkBAAIBQ2large");
  EXPECT_EQ(file->file_unique_id, "AQADlarge");
  EXPECT_EQ(file->file_size, 98213);
  EXPECT_EQ(file->file_path, "photos/file_12.jpg");

  const auto unknown_path =
      parse_file(nlohmann::json::parse(R"({"file_id":"a","file_unique_id":"b"})"));
  ASSERT_TRUE(unknown_path.ok());
  EXPECT_EQ(unknown_path->file_path, "");
  EXPECT_EQ(unknown_path->file_size, std::nullopt);

  const auto bad = parse_file(nlohmann::json::parse(R"({"file_unique_id":"b"})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "file.file_id: missing");
}

TEST(TelegramJson, WebhookInfo) {
  const auto info = parse_webhook_info(nlohmann::json::parse(R"({
      "url":"https://bot.example.com/telegram/webhook","has_custom_certificate":false,
      "pending_update_count":3,"ip_address":"203.0.113.7","last_error_date":1735689000,
      "last_error_message":"Wrong response from the webhook: 500 Internal Server Error",
      "max_connections":40,"allowed_updates":["message","callback_query"]})"));
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->url, "https://bot.example.com/telegram/webhook");
  EXPECT_FALSE(info->has_custom_certificate);
  EXPECT_EQ(info->pending_update_count, 3);
  EXPECT_EQ(info->ip_address, "203.0.113.7");
  EXPECT_EQ(info->last_error_date, 1735689000);
  EXPECT_EQ(info->last_error_message, "Wrong response from the webhook: 500 Internal Server Error");
  EXPECT_EQ(info->max_connections, 40);
  EXPECT_EQ(info->allowed_updates, (std::vector<std::string>{"message", "callback_query"}));

  const auto polling = parse_webhook_info(nlohmann::json::parse(
      R"({"url":"","has_custom_certificate":false,"pending_update_count":0})"));
  ASSERT_TRUE(polling.ok());
  EXPECT_EQ(polling->url, "");
  EXPECT_TRUE(polling->allowed_updates.empty());

  const auto bad = parse_webhook_info(nlohmann::json::parse(
      R"({"url":"","has_custom_certificate":false,"pending_update_count":0,"allowed_updates":["a",1]})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "webhook_info.allowed_updates[1]: expected string, got number");
}

TEST(TelegramJson, KeyboardSerialisesExactly) {
  const InlineKeyboardMarkup keyboard{{
      {{.text = "Reels", .callback_data = "tpl:reels"},
       {.text = "Фото", .callback_data = "tpl:photo"}},
      {{.text = "Help", .url = "https://t.me/neurocards_help"}},
  }};
  EXPECT_EQ(to_json(keyboard).dump(),
            R"({"inline_keyboard":[[{"callback_data":"tpl:reels","text":"Reels"},)"
            R"({"callback_data":"tpl:photo","text":"Фото"}],)"
            R"([{"text":"Help","url":"https://t.me/neurocards_help"}]]})");

  const InlineKeyboardMarkup invoice{{{{.text = "Pay ⭐ 250", .pay = true}}}};
  EXPECT_EQ(to_json(invoice).dump(), R"({"inline_keyboard":[[{"pay":true,"text":"Pay ⭐ 250"}]]})");
  EXPECT_EQ(to_json(InlineKeyboardMarkup{}).dump(), R"({"inline_keyboard":[]})");
}

TEST(TelegramJson, KeyboardValidation) {
  EXPECT_TRUE(
      validate(InlineKeyboardMarkup{{{{.text = "A", .callback_data = std::string(64, 'x')}}}})
          .ok());

  const auto long_data = validate(InlineKeyboardMarkup{{
      {{.text = "A", .callback_data = "a"}},
      {{.text = "B", .callback_data = "b"}, {.text = "C", .callback_data = std::string(65, 'x')}},
  }});
  ASSERT_FALSE(long_data.ok());
  EXPECT_EQ(long_data.error().code, "invalid_keyboard");
  EXPECT_EQ(long_data.error().message,
            "row 2, button 2: callback_data is 65 bytes; the limit is 64");

  const auto two_actions =
      validate(InlineKeyboardMarkup{{{{.text = "A", .callback_data = "a", .url = "https://x"}}}});
  ASSERT_FALSE(two_actions.ok());
  EXPECT_EQ(two_actions.error().message,
            "row 1, button 1: needs exactly one of callback_data, url, pay");

  const auto no_text = validate(InlineKeyboardMarkup{{{{.callback_data = "a"}}}});
  ASSERT_FALSE(no_text.ok());
  EXPECT_EQ(no_text.error().message, "row 1, button 1: text is empty");

  const auto late_pay = validate(
      InlineKeyboardMarkup{{{{.text = "A", .callback_data = "a"}, {.text = "Pay", .pay = true}}}});
  ASSERT_FALSE(late_pay.ok());
  EXPECT_EQ(late_pay.error().message,
            "row 1, button 2: a pay button must be the first button of the first row");
}

TEST(TelegramApiReply, Success) {
  const ApiReply reply = parse_api_reply(
      200, R"({"ok":true,"result":{"message_id":5,"date":1,"chat":{"id":1,"type":"private"}}})");
  EXPECT_TRUE(reply.ok);
  EXPECT_EQ(reply.error_code, 0);
  EXPECT_EQ(reply.result["message_id"], 5);
  EXPECT_EQ(reply.retry_after, std::nullopt);

  const ApiReply webhook =
      parse_api_reply(200, R"({"ok":true,"result":true,"description":"Webhook was set"})");
  EXPECT_TRUE(webhook.ok);
  EXPECT_EQ(webhook.result, true);
  EXPECT_EQ(webhook.description, "Webhook was set");
}

TEST(TelegramApiReply, Errors) {
  const ApiReply flood = parse_api_reply(
      429, R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7",)"
           R"("parameters":{"retry_after":7}})");
  EXPECT_FALSE(flood.ok);
  EXPECT_EQ(flood.error_code, 429);
  EXPECT_EQ(flood.description, "Too Many Requests: retry after 7");
  EXPECT_EQ(flood.retry_after, 7s);
  EXPECT_TRUE(flood.result.is_null());

  const ApiReply migrated = parse_api_reply(
      400, R"({"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded )"
           R"(to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234567890}})");
  EXPECT_EQ(migrated.error_code, 400);
  EXPECT_EQ(migrated.migrate_to_chat_id, -1001234567890);
  EXPECT_EQ(migrated.retry_after, std::nullopt);

  const ApiReply blocked = parse_api_reply(
      403,
      R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})");
  EXPECT_EQ(blocked.error_code, 403);
  EXPECT_EQ(blocked.description, "Forbidden: bot was blocked by the user");

  // No error_code in the body: the HTTP status stands in.
  const ApiReply bare =
      parse_api_reply(500, R"({"ok":false,"description":"Internal Server Error: restart"})");
  EXPECT_EQ(bare.error_code, 500);
}

TEST(TelegramApiReply, UnreadableBodies) {
  const ApiReply html = parse_api_reply(502, "<html><body>502 Bad Gateway</body></html>");
  EXPECT_FALSE(html.ok);
  EXPECT_EQ(html.error_code, 502);
  EXPECT_EQ(html.description, "unreadable reply (HTTP 502): invalid JSON at byte 1");

  const ApiReply no_ok = parse_api_reply(200, R"({"result":true})");
  EXPECT_FALSE(no_ok.ok);
  EXPECT_EQ(no_ok.error_code, 200);
  EXPECT_EQ(no_ok.description, "unreadable reply (HTTP 200): no boolean \"ok\"");

  const ApiReply no_result = parse_api_reply(200, R"({"ok":true})");
  EXPECT_FALSE(no_result.ok);
  EXPECT_EQ(no_result.description, "unreadable reply (HTTP 200): \"ok\" without \"result\"");

  const ApiReply array = parse_api_reply(200, "[]");
  EXPECT_EQ(array.description, "unreadable reply (HTTP 200): expected a JSON object");

  const ApiReply cut = parse_api_reply(200, R"({"ok":true,"result":[{"update_id":1)");
  EXPECT_FALSE(cut.ok);
  EXPECT_EQ(cut.description.rfind("unreadable reply (HTTP 200): invalid JSON at byte ", 0), 0u);
}

TEST(TelegramCommand, ParsesWithAndWithoutEntities) {
  const auto command_of = [](std::string text, std::vector<MessageEntity> entities = {}) {
    Message message;
    message.text = std::move(text);
    message.entities = std::move(entities);
    return message.command();
  };
  const auto plain = command_of("/help");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->name, "help");
  EXPECT_EQ(plain->mention, "");
  EXPECT_EQ(plain->args, "");

  const auto spaced = command_of("/Start   deep link  \n");
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->name, "start");
  EXPECT_EQ(spaced->args, "deep link");

  const auto emoji_args = command_of("/start 😀 go", {{"bot_command", 0, 6}});
  ASSERT_TRUE(emoji_args);
  EXPECT_EQ(emoji_args->args, "😀 go");

  // Entities are Telegram's verdict: a bot_command elsewhere is not a command to us.
  EXPECT_FALSE(command_of("see /start", {{"bot_command", 4, 6}}));
  EXPECT_FALSE(command_of("/start", {{"bold", 0, 6}}));
  EXPECT_FALSE(command_of("hello"));
  EXPECT_FALSE(command_of("/"));
  EXPECT_FALSE(command_of("/ start"));
  EXPECT_FALSE(command_of("/привет"));
  EXPECT_FALSE(command_of("/start@"));
  EXPECT_FALSE(command_of("/" + std::string(33, 'a')));
  EXPECT_TRUE(command_of("/" + std::string(32, 'a')));
  EXPECT_FALSE(command_of("/start", {{"bot_command", 0, 7}}));  // entity past the end
  EXPECT_FALSE(command_of("/start", {{"bot_command", 0, 0}}));  // an empty entity
}

}  // namespace
}  // namespace nc::telegram
