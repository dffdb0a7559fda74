#include "bot/worker_messages.hpp"

#include <array>
#include <utility>

#include "bot/keyboards.hpp"
#include "bot/texts.hpp"

namespace nc::bot {
namespace {

// Reasons the worker gives (in English), in the seller's language.
constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kRussianReasons{{
    {"it took too long", "генерация заняла слишком много времени"},
    {"the provider's content filter rejected the photo or text",
     "сервис генерации отклонил фото или описание (фильтр контента)"},
    {"the product photo is no longer available", "фото товара больше недоступно"},
    {"the product photo could not be loaded", "не удалось загрузить фото товара"},
    {"the video service is not responding", "сервис генерации не отвечает"},
    {"the provider returned a broken video", "сервис генерации вернул повреждённое видео"},
    {"the finished video could not be fetched", "не удалось скачать готовое видео"},
    {"the video could not be rendered", "не удалось собрать видео"},
    {"the finished video could not be delivered", "не удалось отправить готовое видео в чат"},
    {"something went wrong on our side", "у нас что-то пошло не так"},
}};

std::string reason_in(Language language, const std::string& reason) {
  if (language == Language::kEn) return reason;
  for (const auto& [english, russian] : kRussianReasons) {
    if (english == reason) return std::string(russian);
  }
  return "сервис генерации не смог сделать видео";
}

}  // namespace

std::string WorkerMessages::ready_caption(const std::string& language, int index,
                                          int count) const {
  const auto& words = texts(language_of(language));
  if (count <= 1) return std::string(words.video_ready);
  return format(words.video_ready_of, fmt::arg("index", index), fmt::arg("count", count));
}

std::string WorkerMessages::failure(const std::string& language, const std::string& reason,
                                    bool refunded) const {
  const auto lang = language_of(language);
  const auto& words = texts(lang);
  auto text = format(words.failed, fmt::arg("reason", reason_in(lang, reason)));
  if (refunded) text += "\n" + std::string(words.refund_note);
  return text;
}

nlohmann::json WorkerMessages::result_keyboard(const std::string& language) const {
  return bot::result_keyboard(texts(language_of(language)));
}

}  // namespace nc::bot
