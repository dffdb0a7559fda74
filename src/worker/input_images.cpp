#include "worker/input_images.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include "net/hmac.hpp"
#include "net/signed_link.hpp"
#include "store/photos.hpp"

namespace nc::worker {

namespace fs = std::filesystem;
using providers::ErrorClass;

namespace {

// Our links to /files live a day; a provider reads the photo within minutes of the create.
constexpr std::int64_t kLinkLifetimeSeconds = 24 * 3600;
// A provider's upload is used again only while it has this long left to live.
constexpr std::int64_t kUploadMarginSeconds = 3600;

bool is_url(const std::string& text) {
  return text.starts_with("http://") || text.starts_with("https://");
}

}  // namespace

void InputImages::restore_photo(const std::string& path) {
  const auto name = fs::path(path).filename().string();
  const auto base64 = store::Photos(database_).get(name);
  if (!base64) return;
  const auto bytes = net::base64_decode(*base64);
  if (!bytes) return;
  std::error_code ignored;
  fs::create_directories(fs::path(path).parent_path(), ignored);
  const auto partial = path + ".part";
  std::ofstream(partial, std::ios::binary)
      .write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  fs::rename(partial, path, ignored);
  spdlog::info("photo {} restored from the store", name);
}

boost::asio::awaitable<std::string> InputImages::resolve(core::Job& job,
                                                         const core::ModelSpec& model,
                                                         providers::ProviderError& error) {
  // A ready-made public image is used as it is.
  if (is_url(job.input_photo_path)) co_return job.input_photo_path;
  if (!fs::exists(job.input_photo_path)) {
    co_await pool_.run([&] { restore_photo(job.input_photo_path); });
  }
  if (!fs::exists(job.input_photo_path)) {
    error.kind = ErrorClass::kPermanent;
    error.message = "input photo " + job.input_photo_path + " is missing";
    error.user_reason = "the product photo is no longer available";
    co_return "";
  }
  std::string file = job.input_photo_path;
  const auto inputs = fs::path(options_.data_dir) / "inputs";
  fs::create_directories(inputs);
  if (!model.takes_aspect_ratio() && model.family != core::ApiFamily::kLocal) {
    // The model follows the image's shape: give it a 9:16 frame with the product whole.
    const auto vertical = (inputs / (fs::path(file).stem().string() + "-9x16.jpg")).string();
    if (!fs::exists(vertical)) {
      co_await media_pool_.run([&] { imaging_.reframe_vertical(file, vertical); });
    }
    file = vertical;
  }
  if (provider_.capabilities().renders_locally) co_return file;
  if (!options_.public_base_url.empty()) {
    const auto name = fs::path(file).filename().string();
    if (!fs::exists(inputs / name)) fs::copy_file(file, inputs / name);
    const auto expires = database_.clock().unix_seconds() + kLinkLifetimeSeconds;
    co_return fmt::format("{}/files/{}?{}", options_.public_base_url, name,
                          net::sign_link(name, expires, options_.link_secret));
  }
  // No public address: the provider's own upload (a retry after it expired uploads again).
  if (!job.provider_input_url.empty() && job.provider_input_expires_at &&
      *job.provider_input_expires_at > database_.clock().unix_seconds() + kUploadMarginSeconds) {
    co_return job.provider_input_url;
  }
  const auto unique_name = fmt::format("{}-{}.jpg", job.id.substr(0, 8), net::random_token(4));
  auto uploaded = co_await provider_.upload_image(file, unique_name);
  if (!uploaded.error.ok()) {
    error = uploaded.error;
    co_return "";
  }
  job.provider_input_url = uploaded.url;
  job.provider_input_expires_at =
      std::chrono::duration_cast<std::chrono::seconds>(uploaded.expires_at.time_since_epoch())
          .count();
  co_return uploaded.url;
}

}  // namespace nc::worker
