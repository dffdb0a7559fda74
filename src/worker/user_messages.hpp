// What the worker says to sellers and admins. The words live with the conversation
// (bot/texts); the app hands the worker an implementation.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace nc::worker {

class UserMessages {
 public:
  virtual ~UserMessages() = default;
  // "✅ Видео готово!" or "✅ Видео готово! (2/3)".
  virtual std::string ready_caption(const std::string& language, int index, int count) const = 0;
  // The failure notice; `refunded` adds «Кредит возвращён на баланс.».
  virtual std::string failure(const std::string& language, const std::string& reason,
                              bool refunded) const = 0;
  // [🔄 Сделать ещё с этим товаром] [🏠 Вернуться в меню]
  virtual nlohmann::json result_keyboard(const std::string& language) const = 0;
};

}  // namespace nc::worker
