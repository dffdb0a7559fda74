// The Reels flow: photo → product → format → wishes → count → confirmation → paid jobs.
#include <fmt/format.h>

#include "bot/keyboards.hpp"
#include "bot/order_service.hpp"
#include "bot/turn.hpp"
#include "core/utf16.hpp"

namespace nc::bot {
namespace {

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return {};
  const auto end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

std::string preview(const std::string& text, std::size_t max_characters) {
  if (core::utf8_characters(text) <= max_characters) return text;
  return core::utf8_prefix(text, max_characters) + "…";
}

std::string_view photo_hint(const Texts& texts, PhotoProblem problem) {
  switch (problem) {
    case PhotoProblem::kTooSmall: return texts.hint_photo_too_small;
    case PhotoProblem::kTooLarge: return texts.hint_photo_too_large;
    case PhotoProblem::kFormat: return texts.hint_photo_format;
    case PhotoProblem::kBroken: return texts.hint_photo_broken;
    case PhotoProblem::kDownload: return texts.hint_photo_download;
    case PhotoProblem::kNone: break;
  }
  return texts.hint_photo;
}

// Reads the text of a step, or tells the seller what is wrong with it.
std::optional<std::string> take_text(Turn& turn, std::size_t limit, std::string_view hint) {
  if (turn.in.kind != IncomingKind::kText) {
    turn.out.send_text(std::string(hint));
    return std::nullopt;
  }
  auto text = trim(turn.in.text);
  if (text.empty()) {
    turn.out.send_text(std::string(hint));
    return std::nullopt;
  }
  if (core::utf8_characters(text) > limit) {
    turn.out.send_text(format(turn.texts.hint_text_too_long, fmt::arg("limit", limit)));
    return std::nullopt;
  }
  return text;
}

const core::VideoTemplate* chosen_template(const Turn& turn) {
  return turn.deps.catalog.find(turn.state.template_id);
}

std::string model_of(const Turn& turn) {
  const auto* item = chosen_template(turn);
  return item && !item->model.empty() ? item->model : turn.deps.settings.default_model;
}

int price_per_video(const Turn& turn) {
  const auto* model = turn.deps.models.find(model_of(turn));
  return model ? model->credits : 1;
}

void ask_template(Turn& turn) {
  turn.state.step = Step::kAwaitTemplate;
  turn.out.send_text(std::string(turn.texts.choose_template),
                     templates_keyboard(turn.deps.catalog, turn.language, turn.state.flow));
}

void ask_wishes(Turn& turn) {
  turn.state.step = Step::kAwaitWishes;
  const auto* item = chosen_template(turn);
  const bool self = item && item->wishes_are_the_prompt;
  turn.out.send_text(std::string(self ? turn.texts.ask_wishes_self : turn.texts.ask_wishes),
                     skip_keyboard(turn.texts, turn.state.flow));
}

void ask_count(Turn& turn) {
  turn.state.step = Step::kAwaitCount;
  turn.out.send_text(std::string(turn.texts.ask_count), count_keyboard(turn.state.flow));
}

}  // namespace

void show_summary(Turn& turn) {
  turn.state.step = Step::kAwaitConfirm;
  const auto* item = chosen_template(turn);
  const std::string title =
      item ? item->title(language_code(turn.language)) : turn.state.template_id;
  const std::string text =
      format(turn.texts.summary, fmt::arg("product", preview(turn.state.product, 200)),
             fmt::arg("template", title),
             fmt::arg("wishes", turn.state.wishes.empty() ? std::string(turn.texts.no_wishes)
                                                          : preview(turn.state.wishes, 200)),
             fmt::arg("count", turn.state.count)) +
      "\n\n" +
      format(turn.texts.cost_line, fmt::arg("cost", turn.state.count * price_per_video(turn)),
             fmt::arg("balance", turn.user.credits));
  turn.out.send_text(text, confirm_keyboard(turn.texts, turn.state.flow));
}

namespace {

void confirm(Turn& turn) {
  const Order order{.flow = turn.state.flow,
                    .photo_path = turn.state.photo_path,
                    .product = turn.state.product,
                    .wishes = turn.state.wishes,
                    .template_id = turn.state.template_id,
                    .model = model_of(turn),
                    .count = turn.state.count,
                    .price_per_video = price_per_video(turn)};
  const auto outcome = place_order(turn.db, turn.user, order);
  switch (outcome.kind) {
    case OrderOutcome::Kind::kPlaced:
      turn.jobs_created = true;
      turn.credits_charged = std::int64_t{order.count} * order.price_per_video;
      turn.out.send_text(format(turn.texts.launched, fmt::arg("count", order.count)));
      turn.state = FlowState{};
      return;
    case OrderOutcome::Kind::kAlreadyPlaced:
      turn.toast = std::string(turn.texts.hint_stale_button);
      return;
    case OrderOutcome::Kind::kInsufficient:
      // The packs on sale come back to this summary once paid.
      turn.out.send_text(
          format(turn.texts.not_enough, fmt::arg("needed", outcome.needed),
                 fmt::arg("balance", outcome.balance)),
          turn.deps.settings.packs.empty()
              ? Keyboard(nullptr)
              : packs_keyboard(turn.texts, turn.deps.settings.packs, turn.state.flow));
      ask_count(turn);
      return;
  }
}

}  // namespace

void begin_reels(Turn& turn) {
  turn.state = FlowState::fresh(Step::kAwaitPhoto);
  turn.out.send_text(std::string(turn.texts.ask_photo));
}

void begin_reels_with(Turn& turn, const std::string& photo_path, const std::string& product) {
  turn.state = FlowState::fresh(Step::kAwaitTemplate);
  turn.state.photo_path = photo_path;
  turn.state.product = product;
  ask_template(turn);
}

void on_flow_message(Turn& turn) {
  switch (turn.state.step) {
    case Step::kMenu: return;
    case Step::kAwaitPhoto:
      if (turn.in.kind == IncomingKind::kPhoto && !turn.prepared.photo_path.empty()) {
        turn.state.photo_path = turn.prepared.photo_path;
        turn.state.step = Step::kAwaitProduct;
        turn.out.send_text(std::string(turn.texts.ask_product));
      } else {
        turn.out.send_text(std::string(photo_hint(turn.texts, turn.in.kind == IncomingKind::kPhoto
                                                                  ? turn.prepared.photo_problem
                                                                  : PhotoProblem::kNone)));
      }
      return;
    case Step::kAwaitProduct:
      if (auto text = take_text(turn, turn.deps.settings.max_product_chars,
                                turn.texts.hint_product)) {
        turn.state.product = *text;
        ask_template(turn);
      }
      return;
    case Step::kAwaitTemplate:
      turn.out.send_text(std::string(turn.texts.hint_template),
                         templates_keyboard(turn.deps.catalog, turn.language, turn.state.flow));
      return;
    case Step::kAwaitWishes:
      if (auto text =
              take_text(turn, turn.deps.settings.max_wishes_chars, turn.texts.hint_wishes)) {
        turn.state.wishes = *text;
        ask_count(turn);
      }
      return;
    case Step::kAwaitCount:
      turn.out.send_text(std::string(turn.texts.hint_count), count_keyboard(turn.state.flow));
      return;
    case Step::kAwaitConfirm:
      turn.out.send_text(std::string(turn.texts.hint_confirm),
                         confirm_keyboard(turn.texts, turn.state.flow));
      return;
  }
}

void on_flow_button(Turn& turn, char action, const std::string& value) {
  const auto stale = [&] { turn.toast = std::string(turn.texts.hint_stale_button); };
  switch (action) {
    case 't': {
      if (turn.state.step != Step::kAwaitTemplate || !turn.deps.catalog.find(value)) return stale();
      turn.state.template_id = value;
      turn.out.remove_keyboard(turn.in.callback_message_id);
      return ask_wishes(turn);
    }
    case 'w':
      if (turn.state.step != Step::kAwaitWishes || value != "skip") return stale();
      turn.state.wishes.clear();
      turn.out.remove_keyboard(turn.in.callback_message_id);
      return ask_count(turn);
    case 'n':
      if (turn.state.step != Step::kAwaitCount || (value != "1" && value != "3" && value != "5")) {
        return stale();
      }
      turn.state.count = std::stoi(value);
      turn.out.remove_keyboard(turn.in.callback_message_id);
      return show_summary(turn);
    case 'c':
      if (turn.state.step != Step::kAwaitConfirm) return stale();
      turn.out.remove_keyboard(turn.in.callback_message_id);
      if (value == "go") return confirm(turn);
      return handle_cancel(turn);
    default: return stale();
  }
}

}  // namespace nc::bot
