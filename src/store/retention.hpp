// What is kept and for how long. Handled update ids and sent replies are deleted by age in small
// batches, each its own short transaction, so the bot front never waits long on a lock. Under
// DATA_DIR, photos that no order or conversation needs, provider inputs and the videos of
// finished jobs are removed after the file window (/history resends a video by its Telegram
// message, not from the file); and a seller keeps a bounded number of photos no order uses.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace nc::store {

struct RetentionPolicy {
  std::chrono::hours records{24 * 30};  // processed_updates, sent outbox rows
  std::chrono::hours files{24 * 7};     // photos, inputs, results, local renders
  int max_photos_per_user = 20;         // photos per seller that no order uses
  int batch = 1000;                     // rows per delete transaction
};

// Files removed from one folder.
struct Removed {
  std::int64_t files = 0;
  std::int64_t bytes = 0;
  Removed& operator+=(const Removed& other) {
    files += other.files;
    bytes += other.bytes;
    return *this;
  }
};

struct SweepReport {
  std::int64_t processed_updates = 0;  // rows deleted
  std::int64_t outbox_rows = 0;
  std::int64_t photo_rows = 0;  // copies of photos in the photos table
  Removed photos;               // DATA_DIR/photos
  Removed inputs;               // DATA_DIR/inputs
  Removed results;              // DATA_DIR/results
  Removed other;                // DATA_DIR/local (local renders), DATA_DIR/incoming (downloads)
  bool nothing() const;
};

// How much of the disk DATA_DIR takes, folder by folder, and what its filesystem has left.
struct FolderUsage {
  std::string name;
  std::int64_t files = 0;
  std::int64_t bytes = 0;
};
struct DiskUsage {
  std::vector<FolderUsage> folders;  // photos, inputs, results, local, incoming
  std::int64_t free_bytes = -1;      // -1: the filesystem could not be asked
  std::int64_t capacity_bytes = -1;
};
DiskUsage disk_usage(const std::string& data_dir);

class Retention {
 public:
  Retention(Database& database, std::string data_dir, RetentionPolicy policy)
      : database_(database), data_dir_(std::move(data_dir)), policy_(policy) {}

  const RetentionPolicy& policy() const { return policy_; }

  // Rows older than the records window, batch by batch; the number deleted.
  std::int64_t delete_processed_updates(std::stop_token stop = {});
  std::int64_t delete_sent_outbox(std::stop_token stop = {});

  // The seller just sent this stored photo: remembers it as theirs, then removes their older
  // photos beyond max_photos_per_user that no order uses and their conversation does not hold
  // (unless another seller sent the same photo). Called with the seller's updates serialised.
  Removed keep_latest_photos(std::int64_t tg_user_id, const std::string& photo_path);

  // Everything above the windows: rows, then files no unfinished job, recent job or
  // conversation needs. Safe to run from several processes at once (deletes are idempotent).
  // A stop request ends it between two batches or files.
  SweepReport sweep(std::stop_token stop = {});

 private:
  std::filesystem::file_time_type file_time_now() const;
  // What must stay: photos by file name, unfinished jobs by id and provider task id.
  struct InUse {
    std::set<std::string> photos;
    std::set<std::string> jobs;
    std::set<std::string> tasks;
  };
  InUse in_use();
  std::int64_t delete_photo_rows(const InUse& keep, const std::stop_token& stop);
  std::int64_t delete_in_batches(const char* sql, const std::stop_token& stop);
  std::int64_t window_ms(std::chrono::hours window) const;

  Database& database_;
  std::string data_dir_;
  RetentionPolicy policy_;
};

}  // namespace nc::store
