// Credit packs sold for Telegram Stars, from CREDIT_PACKS ("10:150,30:400" = credits:stars).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace nc::core {

struct CreditPack {
  std::int64_t credits = 0;
  std::int64_t stars = 0;

  // How a pack is named in the payments table and the metrics: "10:150".
  std::string name() const;
  friend bool operator==(const CreditPack&, const CreditPack&) = default;
};

// Telegram's per-invoice ceiling is not documented; subscriptions stop at 10 000 Stars.
inline constexpr std::int64_t kMaxPackStars = 10'000;
inline constexpr std::int64_t kMaxPackCredits = 1'000'000;

// Empty text: no packs (top-ups off). Errors name the piece that is wrong.
Result<std::vector<CreditPack>> parse_credit_packs(std::string_view text);

// The pack a seller may buy for `credits`, if it is still sold.
std::optional<CreditPack> find_pack(const std::vector<CreditPack>& packs, std::int64_t credits);

}  // namespace nc::core
