// Draws the product title with libvips (Pango underneath) so ffmpeg only has to overlay a
// picture: no text ever passes through an ffmpeg filter graph.
#include "imaging/vips/title_card.hpp"

#include <array>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "imaging/vips/vips_support.hpp"

namespace nc::media {
namespace fs = std::filesystem;
namespace {

constexpr int kSidePadding = 80;
constexpr int kShadowPadding = 24;
constexpr double kShadowSigma = 7.0;
constexpr int kMaxLines = 3;
// Font sizes in pixels, tried from the largest down until the title fits in kMaxLines.
constexpr std::array<int, 4> kFontSizes{64, 54, 46, 38};

// Decodes one UTF-8 sequence at text[i]; returns its length, or 0 if it is not valid.
std::size_t utf8_length(std::string_view text, std::size_t i, char32_t& code_point) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  std::size_t length = lead < 0x80           ? 1
                       : (lead >> 5) == 0x6  ? 2
                       : (lead >> 4) == 0xE  ? 3
                       : (lead >> 3) == 0x1E ? 4
                                             : 0;
  if (length == 0 || i + length > text.size()) return 0;
  code_point = length == 1 ? lead : lead & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr std::array<char32_t, 5> kMinForLength{0, 0, 0x80, 0x800, 0x10000};
  bool overlong = code_point < kMinForLength[length];
  bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  if (overlong || surrogate || code_point > 0x10FFFF) return 0;
  return length;
}

bool is_space_like(char32_t c) {
  return c < 0x20 || c == ' ' || (c >= 0x7F && c <= 0xA0) || c == 0x2028 || c == 0x2029;
}

// Pango reads vips' text as markup; these five are all it treats specially.
std::string escape_markup(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

vips::VImage draw_text(const std::string& markup, const std::string& font_file, int font_px,
                       int wrap_width) {
  std::string font =
      (font_file.empty() ? "Sans Bold " : "DejaVu Sans Bold ") + std::to_string(font_px);
  auto options = vips::VImage::option()
                     ->set("font", font.c_str())
                     ->set("width", wrap_width)
                     ->set("align", VIPS_ALIGN_CENTRE)
                     ->set("wrap", VIPS_TEXT_WRAP_WORD_CHAR)
                     ->set("dpi", 72);
  if (!font_file.empty()) options->set("fontfile", font_file.c_str());
  return vips::VImage::text(markup.c_str(), options);
}

}  // namespace

std::string clean_title(std::string_view title, std::size_t max_chars) {
  std::vector<std::string> chars;  // one UTF-8 character each
  bool pending_space = false;
  for (std::size_t i = 0; i < title.size();) {
    char32_t c = 0;
    std::size_t length = utf8_length(title, i, c);
    if (length == 0) {
      ++i;
      continue;
    }
    if (is_space_like(c)) {
      pending_space = !chars.empty();
    } else {
      if (pending_space) chars.emplace_back(" ");
      pending_space = false;
      chars.emplace_back(title.substr(i, length));
    }
    i += length;
  }
  if (chars.size() > max_chars && max_chars > 0) {
    std::size_t keep = max_chars - 1;
    // Cut at the last space if that keeps at least half; otherwise mid-word.
    for (std::size_t k = keep; k > keep / 2; --k) {
      if (chars[k] == " ") {
        keep = k;
        break;
      }
    }
    chars.resize(keep);
    while (!chars.empty() && chars.back() == " ")
      chars.pop_back();
    chars.emplace_back("…");
  }
  std::string out;
  for (const auto& c : chars)
    out += c;
  return out;
}

std::string find_title_font() {
  for (const char* name : {"DejaVuSans-Bold.ttf", "DejaVuSans.ttf"}) {
    fs::path usual = fs::path("/usr/share/fonts/truetype/dejavu") / name;
    std::error_code ec;
    if (fs::is_regular_file(usual, ec)) return usual.string();
    for (auto it = fs::recursive_directory_iterator("/usr/share/fonts", ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->path().filename() == name) return it->path().string();
    }
  }
  return "";
}

std::optional<TitleCard> render_title_card(std::string_view title, const std::string& png_path,
                                           int frame_width) {
  std::string text = clean_title(title);
  if (text.empty()) return std::nullopt;
  ensure_vips();
  std::string markup = escape_markup(text);
  std::string font_file = find_title_font();
  int wrap_width = frame_width - 2 * kSidePadding;
  try {
    vips::VImage mask;
    for (int font_px : kFontSizes) {
      mask = draw_text(markup, font_file, font_px, wrap_width);
      // Pango lines are about 1.2 em apart.
      if (mask.height() <= static_cast<int>(kMaxLines * font_px * 1.25)) break;
    }
    if (mask.width() > wrap_width) mask = mask.extract_area(0, 0, wrap_width, mask.height());
    int height = mask.height() + 2 * kShadowPadding;
    mask = mask.embed((frame_width - mask.width()) / 2, kShadowPadding, frame_width, height);

    vips::VImage shadow_alpha = (mask.gaussblur(kShadowSigma) * 1.5).cast(VIPS_FORMAT_UCHAR);
    auto layer = [](const vips::VImage& alpha, double level) {
      return alpha.new_from_image({level, level, level})
          .bandjoin(alpha)
          .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
    };
    vips::VImage card = layer(shadow_alpha, 0).composite2(layer(mask, 255), VIPS_BLEND_MODE_OVER);
    card.cast(VIPS_FORMAT_UCHAR)
        .pngsave(png_path.c_str(), vips::VImage::option()->set("compression", 1));
    return TitleCard{card.width(), card.height()};
  } catch (const vips::VError& e) {
    throw std::runtime_error("Could not draw the title into " + png_path + ": " + e.what());
  }
}

}  // namespace nc::media
