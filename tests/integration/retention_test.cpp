// Retention on both backends: old update ids and sent replies are deleted in batches, files
// under DATA_DIR go once nothing needs them, a seller's unused photos stay under the cap, and
// the janitor sweeps at start.
#include "store/retention.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <fstream>

#include "app/janitor.hpp"
#include "integration/test_database.hpp"
#include "store/job_queue.hpp"
#include "store/photos.hpp"
#include "store/settings.hpp"
#include "store/users.hpp"

namespace nc::store {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

class RetentionTest : public ::testing::TestWithParam<Backend> {
 protected:
  RetentionTest()
      : test_db_(GetParam()),
        data_dir_(fs::temp_directory_path() / ("nc-retention-" + std::to_string(::getpid()))) {
    fs::remove_all(data_dir_);
    for (const char* dir : {"photos", "inputs", "results", "local", "incoming"})
      fs::create_directories(data_dir_ / dir);
  }
  ~RetentionTest() override { fs::remove_all(data_dir_); }

  Database& db() { return test_db_.db(); }
  std::int64_t count(const std::string& sql) { return db().execute(sql).front().integer("n"); }

  // A file of `size` bytes last written `age` ago.
  std::string file(const std::string& relative, std::chrono::hours age, std::size_t size = 100) {
    const auto path = data_dir_ / relative;
    std::ofstream(path, std::ios::binary) << std::string(size, 'x');
    fs::last_write_time(path, fs::file_time_type::clock::now() - age);
    return path.string();
  }
  bool exists(const std::string& relative) { return fs::exists(data_dir_ / relative); }

  std::string job(const User& user, const std::string& key, const std::string& photo,
                  const std::string& status, std::int64_t finished_ms_ago = 0) {
    const auto id = JobQueue(db())
                        .enqueue(NewJob{.user_id = user.id,
                                        .tg_user_id = user.tg_user_id,
                                        .idempotency_key = key,
                                        .input_photo_path = photo})
                        .job_id;
    if (status == "done") {
      db().execute("UPDATE jobs SET status = 'done', finished_at = {now+ms $1} WHERE id = $2",
                   {-finished_ms_ago, id});
    } else {
      db().execute("UPDATE jobs SET status = $1 WHERE id = $2", {status, id});
    }
    return id;
  }

  void ordered_photo(const std::string& name, std::int64_t age_ms) {
    db().transaction([&](Connection& c) { Photos::put(c, name, "eHg="); });
    db().execute("UPDATE photos SET created_at = {now+ms $1} WHERE name = $2", {-age_ms, name});
  }

  void conversation_holds(std::int64_t tg_user_id, const std::string& photo_path) {
    db().execute("INSERT INTO conversations (tg_user_id, state, data) VALUES ($1, $2, $3)",
                 {tg_user_id, std::string("await_product"),
                  "{\"flow\": \"f1\", \"photo_path\": \"" + photo_path + "\"}"});
  }

  nc::testing::TestDatabase test_db_;
  fs::path data_dir_;
};

TEST_P(RetentionTest, OldUpdateIdsAndSentRepliesGoInSmallBatches) {
  db().transaction([](Connection& c) {
    for (std::int64_t id = 1; id <= 250; ++id) {
      c.execute("INSERT INTO processed_updates (update_id, handled_at) VALUES ($1, {now+ms $2})",
                {id, -31 * kDayMs});
    }
    for (std::int64_t id = 1001; id <= 1003; ++id)
      c.execute("INSERT INTO processed_updates (update_id) VALUES ($1)", {id});
    const char* reply =
        "INSERT INTO outbox (chat_id, method, payload, sent_at, created_at) "
        "VALUES (7, 'sendMessage', '{}', {now+ms $1}, {now+ms $2})";
    c.execute(reply, {-31 * kDayMs, -31 * kDayMs});  // sent long ago: goes
    c.execute(reply, {-29 * kDayMs, -29 * kDayMs});  // sent inside the window: stays
    // Never sent, however old: still owed to the user.
    c.execute(
        "INSERT INTO outbox (chat_id, method, payload, created_at) "
        "VALUES (7, 'sendMessage', '{}', {now+ms $1})",
        {-40 * kDayMs});
  });
  Settings(db()).put("polling.offset", "1004");

  Retention retention(db(), data_dir_.string(), RetentionPolicy{.records = 24h * 30, .batch = 100});
  EXPECT_EQ(retention.delete_processed_updates(), 250);
  EXPECT_EQ(retention.delete_sent_outbox(), 1);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM processed_updates"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM outbox"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL"), 1);
  EXPECT_EQ(Settings(db()).get("polling.offset").value_or(""), "1004");
  // Nothing more to do: a second run deletes nothing.
  EXPECT_EQ(retention.sweep().processed_updates, 0);
}

TEST_P(RetentionTest, FilesPastTheWindowGoUnlessAJobOrAConversationNeedsThem) {
  const auto user = Users(db()).upsert(4001, "", "ru", 0);
  const auto old = 24h * 8;
  const auto unused = file("photos/aaaa.jpg", old);
  const auto queued = file("photos/bbbb.jpg", old);
  const auto talking = file("photos/cccc.jpg", old);
  const auto recent_order = file("photos/dddd.jpg", old);
  file("photos/eeee.jpg", 1h);  // new: stays whatever it is
  const auto long_done = file("photos/ffff.jpg", old);
  ordered_photo("bbbb.jpg", 8 * kDayMs);
  ordered_photo("ffff.jpg", 8 * kDayMs);
  ordered_photo("dddd.jpg", 8 * kDayMs);
  job(user, "k1", queued, "generating");
  job(user, "k2", recent_order, "done", kDayMs);
  const auto done_long_ago = job(user, "k3", long_done, "done", 8 * kDayMs);
  const auto delivering = job(user, "k4", queued, "delivering");
  conversation_holds(4002, talking);

  file("inputs/aaaa-9x16.jpg", old);
  file("inputs/bbbb-9x16.jpg", old);
  file("inputs/bbbb.jpg", old);
  file("inputs/eeee.jpg", 1h);
  file("results/" + done_long_ago + ".mp4", old, 5000);
  file("results/" + done_long_ago + ".mp4.tg.mp4", old, 3000);
  file("results/" + delivering + ".mp4", old);
  file("local/local-" + done_long_ago + ".json", old);
  file("incoming/77.part", old);

  Retention retention(db(), data_dir_.string(), RetentionPolicy{.files = 24h * 7});
  const auto report = retention.sweep();

  EXPECT_FALSE(exists("photos/aaaa.jpg"));  // never ordered, nobody holds it
  EXPECT_TRUE(exists("photos/bbbb.jpg"));   // an unfinished job uses it
  EXPECT_TRUE(exists("photos/cccc.jpg"));   // a seller is ordering with it
  EXPECT_TRUE(exists("photos/dddd.jpg"));   // its video came a day ago: "make more" still works
  EXPECT_TRUE(exists("photos/eeee.jpg"));
  EXPECT_FALSE(exists("photos/ffff.jpg"));  // its job finished a week ago
  EXPECT_EQ(report.photos.files, 2);
  EXPECT_EQ(report.photos.bytes, 200);
  // The store's copy goes with the file; the others are still needed.
  EXPECT_EQ(report.photo_rows, 1);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM photos WHERE name = 'ffff.jpg'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM photos"), 2);

  EXPECT_FALSE(exists("inputs/aaaa-9x16.jpg"));
  EXPECT_TRUE(exists("inputs/bbbb-9x16.jpg"));
  EXPECT_TRUE(exists("inputs/bbbb.jpg"));
  EXPECT_TRUE(exists("inputs/eeee.jpg"));
  EXPECT_EQ(report.inputs.files, 1);

  EXPECT_FALSE(exists("results/" + done_long_ago + ".mp4"));
  EXPECT_FALSE(exists("results/" + done_long_ago + ".mp4.tg.mp4"));
  EXPECT_TRUE(exists("results/" + delivering + ".mp4"));  // not delivered yet
  EXPECT_EQ(report.results.files, 2);
  EXPECT_EQ(report.results.bytes, 8000);
  EXPECT_EQ(report.other.files, 2);
  EXPECT_FALSE(exists("incoming/77.part"));

  // Idempotent: another process sweeping the same store and folder finds nothing left.
  EXPECT_TRUE(retention.sweep().nothing());
}

TEST_P(RetentionTest, ASellerKeepsAtMostTheCapOfPhotosNoOrderUses) {
  Retention retention(db(), data_dir_.string(), RetentionPolicy{.max_photos_per_user = 2});
  constexpr std::int64_t kSeller = 4101;
  constexpr std::int64_t kOther = 4102;
  std::int64_t minutes_ago = 60;
  auto send = [&](std::int64_t seller, const std::string& name) {
    const auto path = file("photos/" + name, 0h);
    const auto removed = retention.keep_latest_photos(seller, path);
    // One upload a minute, so the order of uploads is certain on both backends.
    db().execute(
        "UPDATE photo_uploads SET created_at = {now+ms $1} WHERE name = $2 AND "
        "tg_user_id = $3",
        {-60'000 * minutes_ago--, name, seller});
    return removed;
  };
  send(kSeller, "p1.jpg");
  ordered_photo("p1.jpg", 0);  // p1 was ordered: it never counts against the cap
  send(kSeller, "p2.jpg");
  send(kOther, "p2.jpg");  // another seller sent the same photo
  send(kSeller, "p3.jpg");
  conversation_holds(kSeller, (data_dir_ / "photos/p3.jpg").string());  // ordering with p3
  EXPECT_EQ(send(kSeller, "p4.jpg").files, 0);   // p2 is past the cap, but kOther sent it too
  EXPECT_EQ(send(kSeller, "p5.jpg").files, 0);   // p3 is past the cap, but it is being ordered
  const auto removed = send(kSeller, "p6.jpg");  // p4 is past the cap and nobody needs it
  EXPECT_EQ(removed.files, 1);
  EXPECT_EQ(removed.bytes, 100);

  EXPECT_TRUE(exists("photos/p1.jpg"));
  EXPECT_TRUE(exists("photos/p2.jpg"));
  EXPECT_TRUE(exists("photos/p3.jpg"));
  EXPECT_FALSE(exists("photos/p4.jpg"));
  EXPECT_TRUE(exists("photos/p5.jpg"));
  EXPECT_TRUE(exists("photos/p6.jpg"));
  // The seller's records: p1 (ordered), p3 (held), and the two newest.
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM photo_uploads WHERE tg_user_id = 4101"), 4);
}

TEST_P(RetentionTest, ThePhotoSentAgainCountsAsNew) {
  Retention retention(db(), data_dir_.string(), RetentionPolicy{.files = 24h * 7});
  const auto path = file("photos/same.jpg", 24h * 30);
  retention.keep_latest_photos(4201, path);
  EXPECT_EQ(retention.sweep().photos.files, 0);
  EXPECT_TRUE(exists("photos/same.jpg"));
}

TEST_P(RetentionTest, DiskUsageCountsEachFolder) {
  file("photos/a.jpg", 0h, 100);
  file("photos/b.jpg", 0h, 50);
  file("results/j.mp4", 0h, 1000);
  const auto usage = disk_usage(data_dir_.string());
  ASSERT_EQ(usage.folders.size(), 5u);
  EXPECT_EQ(usage.folders[0].name, "photos");
  EXPECT_EQ(usage.folders[0].files, 2);
  EXPECT_EQ(usage.folders[0].bytes, 150);
  EXPECT_EQ(usage.folders[1].name, "inputs");
  EXPECT_EQ(usage.folders[1].bytes, 0);
  EXPECT_EQ(usage.folders[2].name, "results");
  EXPECT_EQ(usage.folders[2].bytes, 1000);
  EXPECT_GT(usage.free_bytes, 0);
  EXPECT_GE(usage.capacity_bytes, usage.free_bytes);
}

TEST_P(RetentionTest, TheJanitorSweepsAtStartAndKeepsGoingAfterAFailure) {
  db().execute("INSERT INTO processed_updates (update_id, handled_at) VALUES (1, {now+ms $1})",
               {-31 * kDayMs});
  file("incoming/1.part", 24h * 8);
  boost::asio::io_context io;
  boost::asio::steady_timer repair(io);
  app::Janitor janitor(db(), data_dir_.string(), RetentionPolicy{}, 10ms);
  std::vector<SweepReport> sweeps;
  janitor.on_sweep = [&](const SweepReport& report) {
    sweeps.push_back(report);
    if (sweeps.size() == 2) io.stop();
    if (sweeps.size() != 1) return;
    // The next sweeps fail (a table is gone) until it is back: the loop logs and carries on.
    db().execute("ALTER TABLE processed_updates RENAME TO processed_updates_away");
    repair.expires_after(200ms);
    repair.async_wait([&](boost::system::error_code) {
      db().execute("ALTER TABLE processed_updates_away RENAME TO processed_updates");
    });
  };
  bool ended_with_error = false;
  boost::asio::co_spawn(io, janitor.run(),
                        [&](std::exception_ptr error) { ended_with_error = error != nullptr; });
  io.run();
  EXPECT_FALSE(ended_with_error);
  ASSERT_EQ(sweeps.size(), 2u);
  EXPECT_EQ(sweeps[0].processed_updates, 1);  // at start, without waiting for the interval
  EXPECT_EQ(sweeps[0].other.files, 1);
  EXPECT_TRUE(sweeps[1].nothing());
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM processed_updates"), 0);
}

NC_BOTH_BACKENDS(RetentionTest);

TEST(Janitor, DescribesWhatWentInOneLine) {
  SweepReport report;
  report.processed_updates = 1200;
  report.outbox_rows = 40;
  report.photos = {.files = 3, .bytes = 3 * 1024 * 1024 + 512 * 1024};
  report.results = {.files = 2, .bytes = 2048};
  EXPECT_EQ(app::describe(report),
            "removed 1200 update ids, 40 sent replies, 0 stored photo copies, 3 photos (3.5 MB), "
            "0 inputs (0 B), 2 results (2.0 KB), 0 other files (0 B)");
  EXPECT_EQ(app::human_bytes(999), "999 B");
  EXPECT_EQ(app::human_bytes(5LL << 30), "5.0 GB");
}

}  // namespace
}  // namespace nc::store
