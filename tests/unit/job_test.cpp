#include "core/job.hpp"

#include <gtest/gtest.h>

namespace nc::core {

TEST(JobStatus, RoundTripsEveryName) {
  for (auto name : {"queued", "submitting", "generating", "delivering", "done", "failed",
                    "cancelled"}) {
    auto status = parse_job_status(name);
    ASSERT_TRUE(status.has_value()) << name;
    EXPECT_EQ(to_string(*status), name);
  }
  EXPECT_FALSE(parse_job_status("Queued").has_value());
  EXPECT_FALSE(parse_job_status("").has_value());
}

TEST(JobStatus, TerminalStatesAreNotActive) {
  EXPECT_TRUE(is_active(JobStatus::kQueued));
  EXPECT_TRUE(is_active(JobStatus::kDelivering));
  EXPECT_TRUE(is_terminal(JobStatus::kDone));
  EXPECT_TRUE(is_terminal(JobStatus::kFailed));
  EXPECT_TRUE(is_terminal(JobStatus::kCancelled));
  EXPECT_FALSE(is_active(JobStatus::kCancelled));
}

}  // namespace nc::core
