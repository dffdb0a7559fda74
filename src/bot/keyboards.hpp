// Inline keyboards and the short callback data behind their buttons (≤ 64 bytes each).
// Flow buttons carry the flow id, so a button from an earlier flow is recognised as stale.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bot/replies.hpp"
#include "bot/texts.hpp"
#include "core/credit_packs.hpp"
#include "core/templates.hpp"

namespace nc::bot {

namespace callback {
// Fixed names: the worker attaches these to delivered videos and failure messages.
inline constexpr std::string_view kRetrySameProduct = "retry_same_product";
inline constexpr std::string_view kBackToMenu = "back_to_menu";
inline constexpr std::string_view kMenuReels = "m:reels";
inline constexpr std::string_view kMenuBalance = "m:balance";
inline constexpr std::string_view kMenuHistory = "m:history";
inline constexpr std::string_view kMenuHelp = "m:help";
inline constexpr std::string_view kMenuTopUp = "m:topup";
// A pack bought from a screen that is not an order summary ("b:-:<credits>").
inline constexpr std::string_view kNoFlow = "-";
}  // namespace callback

// "t:<flow>:<template>", "w:<flow>:skip", "n:<flow>:<count>", "c:<flow>:go|no", "h:<job id>",
// "b:<flow or ->:<credits>" (buy a pack; the flow is the order summary to come back to)
struct CallbackData {
  char action = 0;  // t, w, n, c, h, b; 0 for the fixed names above
  std::string flow;
  std::string value;
};
CallbackData parse_callback(std::string_view data);

// `top_up`: the [💳 Пополнить] button, shown when packs are sold.
Keyboard main_menu_keyboard(const Texts& texts, bool top_up);
// One button per pack; `return_flow` is the order summary to show again after payment.
Keyboard packs_keyboard(const Texts& texts, const std::vector<core::CreditPack>& packs,
                        const std::string& return_flow);
// The packs above the main menu (the balance screen).
Keyboard packs_and_menu_keyboard(const Texts& texts, const std::vector<core::CreditPack>& packs);
Keyboard templates_keyboard(const core::TemplateCatalog& catalog, Language language,
                            const std::string& flow);
Keyboard skip_keyboard(const Texts& texts, const std::string& flow);
Keyboard count_keyboard(const std::string& flow);
Keyboard confirm_keyboard(const Texts& texts, const std::string& flow);
Keyboard result_keyboard(const Texts& texts);
// One button per delivered video: (its number in the /history list, job id).
Keyboard resend_keyboard(const Texts& texts,
                         const std::vector<std::pair<int, std::string>>& done_jobs);

}  // namespace nc::bot
