// Promo codes: credits granted once per seller (ledger "promo:<code>:<tg user id>"), within the
// code's uses and date. Codes are compared in upper case.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace nc::store {

struct PromoCode {
  std::string code;
  std::int64_t credits = 0;
  std::int64_t max_uses = 0;
  std::int64_t used = 0;
  std::string valid_until;  // empty: no end
  std::string created_at;
};

enum class PromoOutcome { kRedeemed, kUnknown, kUsedUp, kExpired, kAlreadyUsed, kAboveLimit };

struct Redeemed {
  PromoOutcome outcome = PromoOutcome::kUnknown;
  std::int64_t credits = 0;
  std::int64_t balance = 0;  // after redeeming
};

class PromoCodes {
 public:
  explicit PromoCodes(Database& database) : database_(database) {}

  // In the handling transaction.
  static Redeemed redeem(Connection& connection, std::int64_t user_id, std::int64_t tg_user_id,
                         const std::string& code);

  // `until`: the last day it works, "YYYY-MM-DD" (UTC, to the end of the day); empty: no end.
  // False when the code exists already.
  bool create(const std::string& code, std::int64_t credits, std::int64_t max_uses,
              const std::string& until);
  std::vector<PromoCode> list();

  static std::string normalized(const std::string& code);

 private:
  Database& database_;
};

}  // namespace nc::store
