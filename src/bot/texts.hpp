// Every word the bot says, in one place: Russian by default, English for users whose Telegram
// language starts with "en". Strings with {} are fmt format strings.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace nc::bot {

enum class Language { kRu, kEn };
Language language_of(std::string_view language_code);
std::string_view language_code(Language language);

struct Texts {
  // Main menu
  std::string_view welcome;
  std::string_view menu;
  std::string_view button_make_reels;
  std::string_view button_balance;
  std::string_view button_history;
  std::string_view button_help;
  std::string_view help;
  // The Reels flow
  std::string_view ask_photo;
  std::string_view ask_product;
  std::string_view choose_template;
  std::string_view ask_wishes;
  std::string_view ask_wishes_self;  // «Своя идея»: the wishes are the scene
  std::string_view button_skip;
  std::string_view ask_count;
  std::string_view summary;  // {photo} {product} {template} {wishes} {count}
  std::string_view no_wishes;
  std::string_view cost_line;  // {cost} {balance}
  std::string_view button_launch;
  std::string_view button_cancel;
  std::string_view launched;      // {count}
  std::string_view not_enough;    // {needed} {balance}
  std::string_view cancelled;
  // Hints for unexpected input
  std::string_view hint_photo;
  std::string_view hint_photo_too_small;
  std::string_view hint_photo_too_large;
  std::string_view hint_photo_format;
  std::string_view hint_photo_broken;
  std::string_view hint_photo_download;
  std::string_view hint_product;
  std::string_view hint_text_too_long;  // {limit}
  std::string_view hint_template;
  std::string_view hint_wishes;
  std::string_view hint_count;
  std::string_view hint_confirm;
  std::string_view hint_menu;
  std::string_view hint_stale_button;
  std::string_view hint_unknown_command;
  // Balance and history
  std::string_view balance;  // {balance}
  std::string_view history_empty;
  std::string_view history_title;
  std::string_view history_line;  // {index} {status} {template} {date}
  std::string_view button_resend;  // {index}
  std::string_view resend_missing;
  // Results
  std::string_view video_ready;
  std::string_view video_ready_of;  // {index} {count}
  std::string_view button_retry_same;
  std::string_view button_back_to_menu;
  std::string_view failed;  // {reason}
  std::string_view refund_note;
  // Admin
  std::string_view admin_stats;  // {users} {queued} {active} {done} {failed} {credits}
  std::string_view admin_grant_usage;
  std::string_view admin_granted;  // {amount} {user} {balance}
  std::string_view admin_grant_limit;   // {user} {balance} {limit}
  std::string_view admin_unknown_user;  // {user}
  // Job status names for /history
  std::string_view status_queued;
  std::string_view status_working;
  std::string_view status_done;
  std::string_view status_failed;
  std::string_view status_cancelled;
  // Top-ups with Telegram Stars
  std::string_view button_top_up;
  std::string_view button_pack;  // {credits} {stars}
  std::string_view top_up_choose;
  std::string_view top_ups_off;
  std::string_view pack_not_sold;
  std::string_view invoice_title;        // {credits}; at most 32 characters
  std::string_view invoice_description;  // {credits}; at most 255 characters
  std::string_view invoice_label;        // {credits}
  std::string_view pre_checkout_stale;
  std::string_view pre_checkout_not_sold;
  std::string_view pre_checkout_failed;
  std::string_view receipt;  // {credits} {stars} {balance}
  std::string_view payment_unmatched;
  std::string_view paysupport;
  std::string_view terms;
  // Promo codes
  std::string_view promo_usage;
  std::string_view promo_redeemed;  // {credits} {balance}
  std::string_view promo_unknown;
  std::string_view promo_used_up;
  std::string_view promo_expired;
  std::string_view promo_already_used;
};

const Texts& texts(Language language);

template <typename... Args>
std::string format(std::string_view pattern, Args&&... args) {
  return fmt::format(fmt::runtime(pattern), std::forward<Args>(args)...);
}

}  // namespace nc::bot
