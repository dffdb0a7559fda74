// Checks and storage of product photos, against real libvips-made files.
#include "imaging/photo.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdint>
#include <fstream>
#include <random>

#include "imaging/imaging.hpp"
#include "unit/media_test_support.hpp"

namespace nc::media {
namespace {

using testing::gradient;
using testing::pixel;
using testing::read_bytes;
using testing::solid;
using testing::TempDir;
using testing::write_bytes;

void put16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>(v >> 8);
}
void put32(std::string& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v & 0xFFFF));
  put16(out, static_cast<std::uint16_t>(v >> 16));
}
void entry(std::string& out, std::uint16_t tag, std::uint16_t type, std::uint32_t count,
           std::uint32_t value) {
  put16(out, tag);
  put16(out, type);
  put32(out, count);
  put32(out, value);
}

// A little-endian EXIF block: Make "Canon", Orientation, and a GPS latitude of 55°45' N.
std::string exif_with_gps(std::uint16_t orientation) {
  std::string tiff = "II";
  put16(tiff, 42);
  put32(tiff, 8);
  // IFD0 at 8: 3 entries (42 bytes), then "Canon\0" at 50, the GPS IFD at 56 (30 bytes), and
  // three rationals at 86.
  put16(tiff, 3);
  entry(tiff, 0x010F, 2, 6, 50);
  entry(tiff, 0x0112, 3, 1, orientation);
  entry(tiff, 0x8825, 4, 1, 56);
  put32(tiff, 0);
  tiff.append("Canon\0", 6);
  put16(tiff, 2);
  entry(tiff, 0x0001, 2, 2, 'N');
  entry(tiff, 0x0002, 5, 3, 86);
  put32(tiff, 0);
  for (std::uint32_t v : {55u, 1u, 45u, 1u, 0u, 1u})
    put32(tiff, v);

  std::string app1 = "\xFF\xE1";
  std::size_t length = 2 + 6 + tiff.size();
  app1 += static_cast<char>(length >> 8);
  app1 += static_cast<char>(length & 0xFF);
  app1.append("Exif\0\0", 6);
  return app1 + tiff;
}

// Saves `image` as a JPEG and splices an EXIF segment in after the JFIF header.
std::string jpeg_with_exif(const vips::VImage& image, const std::string& path,
                           std::uint16_t orientation) {
  image.jpegsave(path.c_str(), vips::VImage::option()->set("strip", true));
  std::string bytes = read_bytes(path);
  std::size_t at = 2;
  if (bytes.compare(2, 2, "\xFF\xE0") == 0) {
    at = 4 + (static_cast<unsigned char>(bytes[4]) << 8 | static_cast<unsigned char>(bytes[5]));
  }
  bytes.insert(at, exif_with_gps(orientation));
  write_bytes(path, bytes);
  return path;
}

std::string sha256_of_file(const std::string& path) {
  std::string bytes = read_bytes(path);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i)
    hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

TEST(PhotoCheck, AcceptsJpegPngAndWebpWithTheirSizes) {
  TempDir dir;
  vips::VImage image = gradient(800, 600);
  image.jpegsave(dir.file("a.jpg").c_str());
  image.pngsave(dir.file("a.png").c_str());
  image.webpsave(dir.file("a.webp").c_str());
  // The extension does not matter, the bytes do.
  image.pngsave(dir.file("png-named.jpg").c_str());

  for (auto [name, format] : {std::pair{"a.jpg", "jpeg"}, std::pair{"a.png", "png"},
                              std::pair{"a.webp", "webp"}, std::pair{"png-named.jpg", "png"}}) {
    PhotoCheck check = check_photo(dir.file(name));
    ASSERT_TRUE(check.ok()) << name << ": " << check.detail;
    EXPECT_EQ(check.photo->width, 800) << name;
    EXPECT_EQ(check.photo->height, 600) << name;
    EXPECT_EQ(check.photo->format, format) << name;
  }
}

// The service reaches this code through the module carried in the binary, loaded on first use.
TEST(PhotoCheck, TheEmbeddedImagingModuleLoadsAndAnswersTheSame) {
  TempDir dir;
  gradient(900, 1200).jpegsave(dir.file("upright.jpg").c_str());
  std::ofstream(dir.file("note.txt")) << "not a photo";
  const Imaging module;
  auto check = module.check_photo(dir.file("upright.jpg"));
  ASSERT_TRUE(check.ok()) << check.detail;
  EXPECT_EQ(check.photo->width, 900);
  EXPECT_EQ(check.photo->height, 1200);
  EXPECT_EQ(module.check_photo(dir.file("note.txt")).rejection, PhotoRejection::kNotAnImage);
  const auto stored = module.store_photo(dir.file("upright.jpg"), dir.path());
  EXPECT_EQ(stored, store_photo(dir.file("upright.jpg"), dir.path()));
  const auto vertical = module.reframe_vertical(stored, dir.file("vertical.jpg"), 108, 192);
  EXPECT_EQ(vips::VImage::new_from_file(vertical.c_str()).height(), 192);
}

TEST(PhotoCheck, ShortSideUnder512IsTooSmall) {
  TempDir dir;
  gradient(400, 300).pngsave(dir.file("400x300.png").c_str());
  gradient(2000, 511).pngsave(dir.file("2000x511.png").c_str());
  gradient(512, 700).pngsave(dir.file("512x700.png").c_str());

  EXPECT_EQ(check_photo(dir.file("400x300.png")).rejection, PhotoRejection::kTooSmall);
  EXPECT_FALSE(check_photo(dir.file("400x300.png")).ok());
  EXPECT_EQ(check_photo(dir.file("2000x511.png")).rejection, PhotoRejection::kTooSmall);
  EXPECT_TRUE(check_photo(dir.file("512x700.png")).ok());
}

TEST(PhotoCheck, OtherPictureFormatsAreUnsupported) {
  TempDir dir;
  // Rejected on their first bytes, whatever their size.
  vips::VImage image = gradient(64, 64);
  image.gifsave(dir.file("a.gif").c_str());
  image.tiffsave(dir.file("a.tif").c_str());
  write_bytes(dir.file("a.pdf"), "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");
  write_bytes(dir.file("a.heic"), std::string("\0\0\0\x18"
                                              "ftypheic\0\0\0\0mif1heic",
                                              24) +
                                      std::string(1000, '\0'));

  for (auto name : {"a.gif", "a.tif", "a.pdf", "a.heic"}) {
    PhotoCheck check = check_photo(dir.file(name));
    EXPECT_FALSE(check.ok()) << name;
    EXPECT_EQ(check.rejection, PhotoRejection::kUnsupportedFormat) << name;
  }
}

TEST(PhotoCheck, NonPicturesAreNotImages) {
  TempDir dir;
  std::mt19937 random(7);
  std::string noise;
  for (int i = 0; i < 8192; ++i)
    noise += static_cast<char>(random() & 0xFF);
  noise[0] = 'x';  // a seed that happened to start like a BMP would test the wrong thing
  write_bytes(dir.file("noise.jpg"), noise);
  write_bytes(dir.file("note.txt"), "Кружка, 350 мл\n");
  write_bytes(dir.file("empty.png"), "");
  write_bytes(dir.file("clip.mp4"), std::string("\0\0\0\x20"
                                                "ftypisom\0\0\x02\0",
                                                16));

  for (auto name : {"noise.jpg", "note.txt", "empty.png", "missing.png", "clip.mp4"}) {
    PhotoCheck check = check_photo(dir.file(name));
    EXPECT_FALSE(check.ok()) << name;
    EXPECT_EQ(check.rejection, PhotoRejection::kNotAnImage) << name;
    EXPECT_FALSE(check.detail.empty()) << name;
  }
}

TEST(PhotoCheck, TruncatedJpegAndPngAreBroken) {
  TempDir dir;
  vips::VImage image = gradient(1200, 900);
  image.jpegsave(dir.file("whole.jpg").c_str());
  image.pngsave(dir.file("whole.png").c_str());
  for (auto [whole, cut] : {std::pair{"whole.jpg", "cut.jpg"}, std::pair{"whole.png", "cut.png"}}) {
    std::string bytes = read_bytes(dir.file(whole));
    write_bytes(dir.file(cut), bytes.substr(0, bytes.size() * 6 / 10));
    ASSERT_TRUE(check_photo(dir.file(whole)).ok()) << whole;
    PhotoCheck check = check_photo(dir.file(cut));
    EXPECT_FALSE(check.ok()) << cut;
    EXPECT_EQ(check.rejection, PhotoRejection::kBroken) << cut;
  }
}

TEST(PhotoCheck, OverTwentyMegabytesIsTooLarge) {
  TempDir dir;
  gradient(600, 600).jpegsave(dir.file("big.jpg").c_str());
  std::string bytes = read_bytes(dir.file("big.jpg"));
  bytes.resize(kMaxPhotoBytes + 1, '\0');  // data after the JPEG's end marker is ignored
  write_bytes(dir.file("big.jpg"), bytes);

  PhotoCheck check = check_photo(dir.file("big.jpg"));
  EXPECT_EQ(check.rejection, PhotoRejection::kTooLarge);
  EXPECT_FALSE(check.ok());
  EXPECT_EQ(to_string(check.rejection), "too_large");
}

TEST(PhotoCheck, ReportsSidesAsShownAfterExifRotation) {
  TempDir dir;
  jpeg_with_exif(gradient(800, 600), dir.file("rotated.jpg"), 6);
  PhotoCheck check = check_photo(dir.file("rotated.jpg"));
  ASSERT_TRUE(check.ok()) << check.detail;
  EXPECT_EQ(check.photo->width, 600);
  EXPECT_EQ(check.photo->height, 800);
}

TEST(PhotoStore, StripsExifAndGpsAndTurnsThePhotoUpright) {
  TempDir dir;
  // Red in the stored top-left corner; orientation 6 shows it at the top right.
  vips::VImage image = gradient(800, 600).insert(solid(40, 40, {255, 0, 0}), 0, 0);
  std::string input = jpeg_with_exif(image, dir.file("gps.jpg"), 6);
  vips::VImage original = vips::VImage::new_from_file(input.c_str());
  ASSERT_TRUE(original.get_typeof("exif-ifd3-GPSLatitude")) << "the fixture must carry GPS";
  ASSERT_EQ(original.get_int(VIPS_META_ORIENTATION), 6);

  std::string stored = store_photo(input, dir.file("data"));

  vips::VImage out = vips::VImage::new_from_file(stored.c_str());
  EXPECT_EQ(out.width(), 600);
  EXPECT_EQ(out.height(), 800);
  EXPECT_EQ(out.get_typeof(VIPS_META_EXIF_NAME), 0u);
  EXPECT_EQ(out.get_typeof(VIPS_META_ICC_NAME), 0u);
  EXPECT_EQ(out.get_typeof("exif-ifd3-GPSLatitude"), 0u);
  std::string bytes = read_bytes(stored);
  EXPECT_EQ(bytes.find("Exif"), std::string::npos);
  EXPECT_EQ(bytes.find("Canon"), std::string::npos);
  auto corner = pixel(out, 580, 20);
  EXPECT_GT(corner[0], 200);
  EXPECT_LT(corner[1], 60);
}

TEST(PhotoStore, SamePhotoTwiceGivesTheSameContentAddressedPath) {
  TempDir dir;
  gradient(900, 700).jpegsave(dir.file("a.jpg").c_str());
  gradient(700, 900).jpegsave(dir.file("b.jpg").c_str());
  std::string data = dir.file("data");

  std::string first = store_photo(dir.file("a.jpg"), data);
  std::string again = store_photo(dir.file("a.jpg"), data);
  std::string other = store_photo(dir.file("b.jpg"), data);

  EXPECT_EQ(first, again);
  EXPECT_NE(first, other);
  EXPECT_EQ(std::filesystem::path(first).parent_path(), std::filesystem::path(data) / "photos");
  EXPECT_EQ(std::filesystem::path(first).filename().string(), sha256_of_file(first) + ".jpg");
  // Only the two photos: no temporary files left behind.
  auto entries = std::distance(std::filesystem::directory_iterator(dir.path() / "data/photos"),
                               std::filesystem::directory_iterator());
  EXPECT_EQ(entries, 2);
}

TEST(PhotoStore, CapsTheLongestSideAt2048AndAlwaysWritesJpeg) {
  TempDir dir;
  gradient(3000, 1000).pngsave(dir.file("wide.png").c_str());
  gradient(1000, 800).pngsave(dir.file("small.png").c_str());

  std::string wide_path = store_photo(dir.file("wide.png"), dir.file("d"));
  vips::VImage wide = vips::VImage::new_from_file(wide_path.c_str());
  vips::VImage small =
      vips::VImage::new_from_file(store_photo(dir.file("small.png"), dir.file("d")).c_str());

  EXPECT_EQ(wide.width(), 2048);
  EXPECT_EQ(wide.height(), 683);
  EXPECT_EQ(small.width(), 1000);  // never enlarged
  EXPECT_EQ(small.height(), 800);
  EXPECT_EQ(read_bytes(wide_path).substr(0, 3), "\xFF\xD8\xFF");
}

TEST(PhotoStore, ConvertsCmykWithProfileToSrgbAndDropsTheProfile) {
  TempDir dir;
  vips::VImage cmyk = solid(800, 600, {220, 30, 30}).icc_transform("cmyk");
  ASSERT_EQ(cmyk.bands(), 4);
  cmyk.jpegsave(dir.file("cmyk.jpg").c_str());
  ASSERT_TRUE(
      vips::VImage::new_from_file(dir.file("cmyk.jpg").c_str()).get_typeof(VIPS_META_ICC_NAME));

  vips::VImage out =
      vips::VImage::new_from_file(store_photo(dir.file("cmyk.jpg"), dir.file("d")).c_str());

  EXPECT_EQ(out.bands(), 3);
  EXPECT_EQ(out.get_typeof(VIPS_META_ICC_NAME), 0u);
  auto colour = pixel(out, 400, 300);
  EXPECT_GT(colour[0], 170);  // still red, not a CMYK mix-up
  EXPECT_LT(colour[1], 90);
  EXPECT_LT(colour[2], 90);
}

TEST(PhotoStore, ConvertsDisplayP3ToSrgbBeforeDroppingTheProfile) {
  TempDir dir;
  // sRGB (220, 30, 30) is stored as P3 (202, 54, 43) with a P3 profile, as iPhones do.
  vips::VImage p3 = solid(800, 600, {220, 30, 30}).icc_transform("p3");
  ASSERT_NEAR(pixel(p3, 5, 5)[1], 54, 3);
  p3.jpegsave(dir.file("p3.jpg").c_str());

  vips::VImage out =
      vips::VImage::new_from_file(store_photo(dir.file("p3.jpg"), dir.file("d")).c_str());

  EXPECT_EQ(out.get_typeof(VIPS_META_ICC_NAME), 0u);
  auto colour = pixel(out, 400, 300);
  EXPECT_NEAR(colour[0], 220, 6);
  EXPECT_NEAR(colour[1], 30, 6);
  EXPECT_NEAR(colour[2], 30, 6);
}

TEST(PhotoStore, FlattensTransparencyOnWhite) {
  TempDir dir;
  vips::VImage clear = solid(700, 700, {0, 0, 0}).bandjoin_const({0});
  clear.pngsave(dir.file("clear.png").c_str());

  vips::VImage out =
      vips::VImage::new_from_file(store_photo(dir.file("clear.png"), dir.file("d")).c_str());

  EXPECT_EQ(out.bands(), 3);
  for (double channel : pixel(out, 350, 350))
    EXPECT_GE(channel, 250);
}

TEST(PhotoStore, UnreadablePhotoThrowsWithThePath) {
  TempDir dir;
  try {
    store_photo(dir.file("missing.jpg"), dir.file("d"));
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.jpg"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nc::media
