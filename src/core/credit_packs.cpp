#include "core/credit_packs.hpp"

#include <fmt/format.h>

#include <charconv>

namespace nc::core {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

std::optional<std::int64_t> whole_number(std::string_view text, std::int64_t max) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > max) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string CreditPack::name() const {
  return fmt::format("{}:{}", credits, stars);
}

Result<std::vector<CreditPack>> parse_credit_packs(std::string_view text) {
  std::vector<CreditPack> packs;
  text = trim(text);
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto piece = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const auto colon = piece.find(':');
    const auto credits = colon == std::string_view::npos
                             ? std::nullopt
                             : whole_number(trim(piece.substr(0, colon)), kMaxPackCredits);
    const auto stars = colon == std::string_view::npos
                           ? std::nullopt
                           : whole_number(trim(piece.substr(colon + 1)), kMaxPackStars);
    if (!credits || !stars) {
      return Error{"bad_pack",
                   fmt::format("'{}' is not a pack: expected credits:stars, whole numbers from 1 "
                               "(credits up to {}, Stars up to {})",
                               piece, kMaxPackCredits, kMaxPackStars)};
    }
    if (find_pack(packs, *credits)) {
      return Error{"duplicate_pack", fmt::format("two packs of {} credits", *credits)};
    }
    packs.push_back(CreditPack{.credits = *credits, .stars = *stars});
  }
  return packs;
}

std::optional<CreditPack> find_pack(const std::vector<CreditPack>& packs, std::int64_t credits) {
  for (const auto& pack : packs) {
    if (pack.credits == credits) return pack;
  }
  return std::nullopt;
}

}  // namespace nc::core
