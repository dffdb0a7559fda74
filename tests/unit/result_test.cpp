// Tests for core/result.hpp.
#include "core/result.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace nc::core {
namespace {

Result<int> half(int value) {
  if (value % 2 != 0) return Error{"odd", std::to_string(value) + " is odd"};
  return value / 2;
}

TEST(Result, HoldsAValueOrAnError) {
  const auto good = half(8);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.value(), 4);
  EXPECT_EQ(*good, 4);

  const auto bad = half(7);
  ASSERT_FALSE(bad.ok());
  EXPECT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(bad.error(), (Error{"odd", "7 is odd"}));
}

TEST(Result, MisuseIsABrokenInvariant) {
  EXPECT_THROW((void)half(7).value(), std::logic_error);
  EXPECT_THROW((void)half(8).error(), std::logic_error);
}

TEST(Result, MovesOutMoveOnlyValues) {
  Result<std::unique_ptr<int>> boxed(std::make_unique<int>(5));
  std::unique_ptr<int> taken = std::move(boxed).value();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, 5);
}

TEST(Result, VoidResult) {
  const Result<void> done;
  EXPECT_TRUE(done.ok());
  const Result<void> failed = Error{"nope", "it failed"};
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "nope");
  EXPECT_THROW((void)done.error(), std::logic_error);
}

}  // namespace
}  // namespace nc::core
