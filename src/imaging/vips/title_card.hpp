// The product title as a transparent picture, laid over the video by the local renderer.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nc::media {

struct TitleCard {
  int width = 0;
  int height = 0;
};

// The title as it will be drawn: valid UTF-8 (broken bytes dropped), control characters and
// runs of whitespace turned into single spaces, trimmed, and cut to at most max_chars
// characters, at a word boundary when that keeps at least half, ending in "…" when cut.
std::string clean_title(std::string_view title, std::size_t max_chars = 60);

// Writes an RGBA PNG frame_width wide: the cleaned title in white with a soft dark shadow,
// centred and wrapped to at most three lines, in DejaVu Sans Bold (any script DejaVu covers,
// Cyrillic included). The text is drawn as plain text, never as markup. Returns nullopt when
// the title is empty after cleaning. Throws std::runtime_error when drawing or writing fails.
std::optional<TitleCard> render_title_card(std::string_view title, const std::string& png_path,
                                           int frame_width = 1080);

// The DejaVu Sans Bold (or Regular) file under /usr/share/fonts, or "" when there is none.
std::string find_title_font();

}  // namespace nc::media
