#include "imaging/product_photo.hpp"

#include <array>
#include <stdexcept>

#include "imaging/vips/vips_support.hpp"

namespace nc::media {
namespace {

using vips::VImage;
using Rgb = std::array<double, 3>;

// The scene, in pixels of the photo; the lower third stays clear for the video's title.
constexpr double kTableTop = 0.5 * kPhotoHeight;
constexpr double kMugX = 500;
constexpr double kMugRadius = 230;   // half the body's width
constexpr double kMugTop = 640;      // the rim's centre line
constexpr double kMugBottom = 1150;  // the base's centre line
constexpr double kPerspective = 58;  // half the height of the rim and base ellipses
constexpr double kGlazeEdge = 1060;  // the glaze ends above a band of bare clay

VImage coloured(const VImage& light, const Rgb& rgb) {
  return light.linear({rgb[0], rgb[1], rgb[2]}, {0, 0, 0});
}

// From `top` at t = 0 to `bottom` at t = 1.
VImage ramp(const VImage& t, const Rgb& top, const Rgb& bottom) {
  return t.linear({bottom[0] - top[0], bottom[1] - top[1], bottom[2] - top[2]},
                  {top[0], top[1], top[2]});
}

// A 0..1 mask with edges softened by a pixel or so, like a lens would.
VImage soft(const VImage& hard) {
  return (hard.cast(VIPS_FORMAT_FLOAT) / 255.0).gaussblur(0.8);
}

VImage inside_ellipse(const VImage& x, const VImage& y, double cx, double cy, double rx,
                      double ry) {
  return ((x - cx) / rx).pow(2) + ((y - cy) / ry).pow(2) < 1.0;
}

VImage paint(const VImage& base, const VImage& mask, const VImage& colour) {
  return base + (colour - base) * mask;
}

}  // namespace

void draw_product_photo(const std::string& path) {
  media::ensure_vips();
  try {
    const VImage xy = VImage::xyz(kPhotoWidth, kPhotoHeight).cast(VIPS_FORMAT_FLOAT);
    const VImage x = xy[0];
    const VImage y = xy[1];

    // A warm wall and a lighter linen table, both darkening away from the window on the left.
    const VImage falloff = x.linear(-0.12 / kPhotoWidth, 1.04);
    const VImage wall = ramp(y / kTableTop, {238, 226, 210}, {214, 198, 178});
    const VImage table =
        ramp((y - kTableTop) / (kPhotoHeight - kTableTop), {226, 212, 192}, {196, 178, 156});
    VImage image = (y < kTableTop).ifthenelse(wall, table) * falloff;

    // The mug's soft shadow falls to the right, away from the light.
    const VImage shadow =
        soft(inside_ellipse(x, y, kMugX + 90, kMugBottom + 12, kMugRadius + 120, 70)).gaussblur(22);
    image = image * shadow.linear(-0.38, 1.0);

    // The body is a cylinder: light wraps around it from the left, with a glossy streak.
    const VImage u = (x - kMugX) / kMugRadius;
    const VImage across = (1.0 - u.pow(2));
    const VImage roundness = (across < 0.0).ifthenelse(0.0, across).pow(0.5);
    const VImage streak = ((u + 0.52) / 0.07).pow(2).linear(-1.0, 0.0).exp();
    const VImage light = roundness.linear(0.62, 0.3) - u * 0.12;
    // The glaze runs down unevenly over the bare clay at the foot (vips' sin takes degrees).
    const VImage glaze_edge =
        (x * (360.0 / 70)).sin() * 10.0 + (x * (360.0 / 170)).sin() * 7.0 + kGlazeEdge;
    const VImage glazed = y < glaze_edge;
    const VImage body_colour =
        glazed.ifthenelse(coloured(light, {46, 112, 128}), coloured(light, {206, 170, 134})) +
        streak * glazed.linear(0.85 / 255.0, 0.15) * 150.0;

    // The handle: a ring on the right, shaded darker towards its outer edge.
    const double handle_x = kMugX + kMugRadius - 4;
    const double handle_y = (kMugTop + kMugBottom) / 2 - 20;
    const VImage handle = inside_ellipse(x, y, handle_x, handle_y, 120, 165) &
                          (inside_ellipse(x, y, handle_x, handle_y, 68, 112) == 0.0) &
                          (x > kMugX + kMugRadius * 0.8);
    const VImage handle_light = ((x - handle_x) / 120.0).linear(-0.35, 0.78);
    image = paint(image, soft(handle), coloured(handle_light, {42, 104, 120}));

    const VImage body = ((x - kMugX).abs() < kMugRadius) & (y > kMugTop) & (y < kMugBottom);
    const VImage base = inside_ellipse(x, y, kMugX, kMugBottom, kMugRadius, kPerspective);
    image = paint(image, soft(body | base), body_colour);

    // The rim: a lighter glazed lip around a dark inside.
    const VImage rim = inside_ellipse(x, y, kMugX, kMugTop, kMugRadius, kPerspective);
    image = paint(image, soft(rim), coloured(light.linear(1.0, 0.12), {58, 130, 146}));
    const VImage inner =
        inside_ellipse(x, y, kMugX, kMugTop + 2, kMugRadius - 18, kPerspective - 8);
    const VImage inner_light = ((y - kMugTop) / kPerspective).linear(0.25, 0.45);
    image = paint(image, soft(inner), coloured(inner_light, {40, 84, 96}));

    // A phone camera's faint grain.
    image = image + VImage::gaussnoise(kPhotoWidth, kPhotoHeight,
                                       VImage::option()->set("mean", 0.0)->set("sigma", 2.5));
    image = image.cast(VIPS_FORMAT_UCHAR)
                .copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
    image.jpegsave(path.c_str(), VImage::option()->set("Q", 90)->set("strip", true));
  } catch (const vips::VError& error) {
    throw std::runtime_error("Could not draw the demo's product photo: " +
                             std::string(error.what()));
  }
}

}  // namespace nc::media
