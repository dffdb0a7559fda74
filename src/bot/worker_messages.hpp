// The worker's words to sellers, from the bot's texts: the video caption, the failure notice
// and the two buttons under both.
#pragma once

#include "worker/user_messages.hpp"

namespace nc::bot {

class WorkerMessages final : public worker::UserMessages {
 public:
  std::string ready_caption(const std::string& language, int index, int count) const override;
  std::string failure(const std::string& language, const std::string& reason,
                      bool refunded) const override;
  nlohmann::json result_keyboard(const std::string& language) const override;
};

}  // namespace nc::bot
