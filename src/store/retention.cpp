#include "store/retention.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <functional>

namespace nc::store {
namespace {

namespace fs = std::filesystem;

// Each statement deletes at most $2 rows older than $1 ms (a negative offset from now): a short
// transaction; the caller repeats while whole batches come back.
constexpr const char* kDeleteProcessedUpdates =
    "DELETE FROM processed_updates WHERE update_id IN (SELECT update_id FROM processed_updates "
    "WHERE handled_at < {now+ms $1} ORDER BY handled_at LIMIT $2)";

// Only sent (or finally refused) rows: an unsent reply is still owed, however old.
constexpr const char* kDeleteSentOutbox =
    "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NOT NULL "
    "AND sent_at < {now+ms $1} ORDER BY sent_at LIMIT $2)";

constexpr const char* kUnfinishedJobs =
    "SELECT id, input_photo_path, provider_task_id FROM jobs "
    "WHERE status IN ('queued', 'submitting', 'generating', 'delivering')";

// "Сделать ещё с этим товаром" under a recent video orders the same photo again.
constexpr const char* kRecentJobPhotos =
    "SELECT DISTINCT input_photo_path FROM jobs WHERE finished_at >= {now+ms $1} "
    "AND input_photo_path IS NOT NULL";

// The photo a seller is in the middle of ordering (->> reads JSON on both backends).
constexpr const char* kConversationPhotos =
    "SELECT DISTINCT data ->> 'photo_path' AS path FROM conversations "
    "WHERE data ->> 'photo_path' <> ''";

constexpr const char* kConversationPhotoOf =
    "SELECT data ->> 'photo_path' AS path FROM conversations WHERE tg_user_id = $1";

constexpr const char* kOldPhotoRows =
    "SELECT name FROM photos WHERE created_at < {now+ms $1} AND name > $2 ORDER BY name LIMIT $3";

constexpr const char* kDeletePhotoRow = "DELETE FROM photos WHERE name = $1";

constexpr const char* kRecordUpload =
    "INSERT INTO photo_uploads (tg_user_id, name) VALUES ($1, $2) "
    "ON CONFLICT (tg_user_id, name) DO UPDATE SET created_at = {now}";

// A photo in the photos table belongs to an order; only the others count against the cap.
constexpr const char* kUnorderedBeyondCap =
    "SELECT name FROM photo_uploads u WHERE tg_user_id = $1 "
    "AND NOT EXISTS (SELECT 1 FROM photos p WHERE p.name = u.name) "
    "ORDER BY created_at DESC, name LIMIT 1000 OFFSET $2";

constexpr const char* kForgetUpload =
    "DELETE FROM photo_uploads WHERE tg_user_id = $1 AND name = $2";

constexpr const char* kUploadedByAnyone =
    "SELECT 1 AS x FROM photo_uploads WHERE name = $1 LIMIT 1";

std::string file_name(const std::string& path) {
  return fs::path(path).filename().string();
}

// The part of a file name before the first '.' or '-': a job id, a task id or a photo's hash.
std::string stem_of(const std::string& name, const char* separators) {
  return name.substr(0, name.find_first_of(separators));
}

// Removes the regular files of `dir` last written before `cutoff` that `keep` does not claim.
Removed sweep_folder(const fs::path& dir, fs::file_time_type cutoff,
                     const std::function<bool(const std::string&)>& keep,
                     const std::stop_token& stop) {
  Removed removed;
  std::error_code error;
  fs::directory_iterator it(dir, error);
  if (error) return removed;  // not there: nothing to remove
  for (const auto& entry : it) {
    if (stop.stop_requested()) break;
    std::error_code ignored;
    if (!entry.is_regular_file(ignored)) continue;
    const auto written = fs::last_write_time(entry.path(), ignored);
    if (ignored || written >= cutoff) continue;
    if (keep(entry.path().filename().string())) continue;
    const auto size = fs::file_size(entry.path(), ignored);
    if (fs::remove(entry.path(), ignored)) {
      ++removed.files;
      removed.bytes += ignored ? 0 : static_cast<std::int64_t>(size);
    }
  }
  return removed;
}

}  // namespace

bool SweepReport::nothing() const {
  return processed_updates == 0 && outbox_rows == 0 && photo_rows == 0 && photos.files == 0 &&
         inputs.files == 0 && results.files == 0 && other.files == 0;
}

DiskUsage disk_usage(const std::string& data_dir) {
  DiskUsage usage;
  for (const char* name : {"photos", "inputs", "results", "local", "incoming"}) {
    FolderUsage folder{.name = name};
    std::error_code error;
    fs::recursive_directory_iterator it(fs::path(data_dir) / name, error);
    for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      std::error_code ignored;
      if (!it->is_regular_file(ignored)) continue;
      const auto size = it->file_size(ignored);
      if (ignored) continue;
      ++folder.files;
      folder.bytes += static_cast<std::int64_t>(size);
    }
    usage.folders.push_back(folder);
  }
  std::error_code error;
  const auto space = fs::space(data_dir, error);
  if (!error) {
    usage.free_bytes = static_cast<std::int64_t>(space.available);
    usage.capacity_bytes = static_cast<std::int64_t>(space.capacity);
  }
  return usage;
}

std::int64_t Retention::window_ms(std::chrono::hours window) const {
  return -std::chrono::duration_cast<std::chrono::milliseconds>(window).count();
}

std::int64_t Retention::delete_in_batches(const char* sql, const std::stop_token& stop) {
  std::int64_t total = 0;
  while (!stop.stop_requested()) {
    const auto deleted = database_.transaction([&](Connection& connection) {
      return connection.execute(sql, {window_ms(policy_.records), std::int64_t{policy_.batch}})
          .affected;
    });
    total += deleted;
    if (deleted < policy_.batch) break;
  }
  return total;
}

std::int64_t Retention::delete_processed_updates(std::stop_token stop) {
  return delete_in_batches(kDeleteProcessedUpdates, stop);
}

std::int64_t Retention::delete_sent_outbox(std::stop_token stop) {
  return delete_in_batches(kDeleteSentOutbox, stop);
}

Retention::InUse Retention::in_use() {
  InUse keep;
  auto connection = database_.acquire();
  for (const auto& row : connection->execute(kUnfinishedJobs, {})) {
    keep.jobs.insert(row.text("id"));
    if (!row.is_null("input_photo_path"))
      keep.photos.insert(file_name(row.text("input_photo_path")));
    if (!row.is_null("provider_task_id")) keep.tasks.insert(row.text("provider_task_id"));
  }
  for (const auto& row : connection->execute(kRecentJobPhotos, {window_ms(policy_.files)})) {
    keep.photos.insert(file_name(row.text("input_photo_path")));
  }
  for (const auto& row : connection->execute(kConversationPhotos, {})) {
    keep.photos.insert(file_name(row.text("path")));
  }
  return keep;
}

std::int64_t Retention::delete_photo_rows(const InUse& keep, const std::stop_token& stop) {
  std::int64_t deleted = 0;
  std::string after;
  while (!stop.stop_requested()) {
    std::vector<std::string> names;
    {
      auto connection = database_.acquire();
      for (const auto& row : connection->execute(
               kOldPhotoRows, {window_ms(policy_.files), after, std::int64_t{policy_.batch}})) {
        names.push_back(row.text("name"));
      }
    }
    if (names.empty()) break;
    after = names.back();
    deleted += database_.transaction([&](Connection& connection) {
      std::int64_t batch = 0;
      for (const auto& name : names) {
        if (!keep.photos.contains(name))
          batch += connection.execute(kDeletePhotoRow, {name}).affected;
      }
      return batch;
    });
    if (names.size() < static_cast<std::size_t>(policy_.batch)) break;
  }
  return deleted;
}

// Files age by the database's clock, as rows do.
fs::file_time_type Retention::file_time_now() const {
  return std::chrono::file_clock::from_sys(database_.clock().now());
}

Removed Retention::keep_latest_photos(std::int64_t tg_user_id, const std::string& photo_path) {
  const auto photos_dir = fs::path(data_dir_) / "photos";
  const auto name = file_name(photo_path);
  // Sent again: the file counts as new, so an age sweep running now leaves it alone.
  std::error_code ignored;
  fs::last_write_time(photos_dir / name, file_time_now(), ignored);
  const auto unused = database_.transaction([&](Connection& connection) {
    connection.execute(kRecordUpload, {tg_user_id, name});
    const auto held = connection.execute(kConversationPhotoOf, {tg_user_id});
    const auto current = held.empty() ? std::string() : file_name(held.front().text("path"));
    std::vector<std::string> names;
    for (const auto& row : connection.execute(
             kUnorderedBeyondCap, {tg_user_id, std::int64_t{policy_.max_photos_per_user}})) {
      const auto old = row.text("name");
      // The photo just sent (a tie in created_at), and the photo of the order in progress.
      if (old == name || old == current) continue;
      connection.execute(kForgetUpload, {tg_user_id, old});
      if (connection.execute(kUploadedByAnyone, {old}).empty()) names.push_back(old);
    }
    return names;
  });
  Removed removed;
  for (const auto& old : unused) {
    const auto size = fs::file_size(photos_dir / old, ignored);
    if (fs::remove(photos_dir / old, ignored)) {
      ++removed.files;
      removed.bytes += static_cast<std::int64_t>(size);
    }
  }
  return removed;
}

SweepReport Retention::sweep(std::stop_token stop) {
  SweepReport report;
  report.processed_updates = delete_processed_updates(stop);
  report.outbox_rows = delete_sent_outbox(stop);
  if (stop.stop_requested()) return report;

  const auto keep = in_use();
  report.photo_rows = delete_photo_rows(keep, stop);
  const auto cutoff = file_time_now() - policy_.files;
  const fs::path data(data_dir_);
  // A seller's upload records of removed photos stay until their next photos push them past
  // the cap: at most max_photos_per_user rows per seller.
  report.photos = sweep_folder(
      data / "photos", cutoff, [&](const std::string& name) { return keep.photos.contains(name); },
      stop);
  // <hash>-9x16.jpg (reframed) or <hash>.jpg (served to the provider): the photo's inputs.
  report.inputs = sweep_folder(
      data / "inputs", cutoff,
      [&](const std::string& name) { return keep.photos.contains(stem_of(name, "-.") + ".jpg"); },
      stop);
  // <job>.mp4 and <job>.mp4.tg.mp4: needed until the job is done or failed.
  report.results = sweep_folder(
      data / "results", cutoff,
      [&](const std::string& name) { return keep.jobs.contains(stem_of(name, ".")); }, stop);
  // The local renderer's <task>.mp4/.json/.input, and photo downloads a crash left behind.
  report.other = sweep_folder(
      data / "local", cutoff,
      [&](const std::string& name) { return keep.tasks.contains(stem_of(name, ".")); }, stop);
  report.other += sweep_folder(
      data / "incoming", cutoff, [](const std::string&) { return false; }, stop);
  return report;
}

}  // namespace nc::store
