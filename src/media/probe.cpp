// Runs ffprobe and reads its JSON report.
#include "media/probe.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "media/process.hpp"

namespace nc::media {
namespace {

// ffprobe prints most numbers as strings ("7.000000"); accept either.
double number_field(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return 0;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    try {
      return std::stod(it->get<std::string>());
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

// Still images come through ffprobe as one-frame "videos" from image demuxers.
bool is_image_container(const std::string& format_name) {
  return format_name.find("_pipe") != std::string::npos ||
         format_name.find("image2") != std::string::npos;
}

std::optional<VideoInfo> read_report(const nlohmann::json& report) {
  if (!report.is_object()) return std::nullopt;
  auto format = report.find("format");
  auto streams = report.find("streams");
  if (format == report.end() || !format->is_object() || streams == report.end() ||
      !streams->is_array()) {
    return std::nullopt;
  }
  if (is_image_container(format->value("format_name", ""))) return std::nullopt;

  VideoInfo info;
  bool has_video = false;
  double stream_duration = 0;
  for (const auto& stream : *streams) {
    std::string type = stream.value("codec_type", "");
    bool cover_art =
        stream.contains("disposition") && stream.at("disposition").value("attached_pic", 0) == 1;
    if (type == "video" && !has_video && !cover_art) {
      has_video = true;
      info.width = stream.value("width", 0);
      info.height = stream.value("height", 0);
      info.video_codec = stream.value("codec_name", "");
      stream_duration = number_field(stream, "duration");
    } else if (type == "audio") {
      info.has_audio = true;
    }
  }
  if (!has_video || info.width <= 0 || info.height <= 0) return std::nullopt;

  info.duration_s = number_field(*format, "duration");
  if (info.duration_s <= 0) info.duration_s = stream_duration;
  if (info.duration_s <= 0) return std::nullopt;
  info.size_bytes = static_cast<std::int64_t>(number_field(*format, "size"));
  return info;
}

}  // namespace

std::optional<VideoInfo> probe_video(const std::string& path, std::chrono::milliseconds timeout) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;

  // "file:" keeps a name that starts with a protocol ("http:...") or a dash a plain file. The
  // file came from a provider: it is read as MP4/MOV only and may not point ffprobe at any
  // other file or protocol (an HLS playlist or a concat list would).
  ProcessResult run =
      run_process({"ffprobe", "-v", "error", "-protocol_whitelist", "file", "-f", "mov",
                   "-print_format", "json", "-show_format", "-show_streams", "file:" + path},
                  {.timeout = timeout});
  if (!run.ok()) return std::nullopt;

  std::optional<VideoInfo> info;
  try {
    info = read_report(nlohmann::json::parse(run.out));
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // not the report ffprobe promises; treat the file as unreadable
  }
  if (info && info->size_bytes <= 0) {
    info->size_bytes = static_cast<std::int64_t>(std::filesystem::file_size(path, ec));
  }
  return info;
}

}  // namespace nc::media
