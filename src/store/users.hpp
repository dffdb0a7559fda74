// Users: created on first contact, looked up by Telegram id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/database.hpp"

namespace nc::store {

struct User {
  std::int64_t id = 0;
  std::int64_t tg_user_id = 0;
  std::string username;
  std::string language;
  std::int64_t credits = 0;
  bool blocked = false;
  std::string created_at;
};

class Users {
 public:
  explicit Users(Database& database) : database_(database) {}

  // Creates the user on first contact (granting `start_credits` once, through the ledger) or
  // refreshes the username and language; clears the "blocked the bot" mark.
  User upsert(std::int64_t tg_user_id, const std::string& username, const std::string& language,
              std::int64_t start_credits);
  static User upsert(Connection& connection, std::int64_t tg_user_id, const std::string& username,
                     const std::string& language, std::int64_t start_credits);

  std::optional<User> find(std::int64_t tg_user_id);
  static std::optional<User> find(Connection& connection, std::int64_t tg_user_id);

  // The bot was blocked by the user (Telegram 403): stop sending until they write again.
  void mark_blocked(std::int64_t tg_user_id);

 private:
  Database& database_;
};

}  // namespace nc::store
