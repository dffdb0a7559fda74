#include "store/overview.hpp"

namespace nc::store {
namespace {

constexpr const char* kOverview =
    "SELECT (SELECT COUNT(*) FROM users) AS users, "
    "(SELECT COALESCE(SUM(credits), 0) FROM users) AS credits, "
    "(SELECT COUNT(*) FROM jobs WHERE status = 'queued') AS queued, "
    "(SELECT COUNT(*) FROM jobs WHERE status IN ('submitting', 'generating', 'delivering')) "
    "  AS active, "
    "(SELECT COUNT(*) FROM jobs WHERE status = 'done') AS done, "
    "(SELECT COUNT(*) FROM jobs WHERE status = 'failed') AS failed";

}  // namespace

Overview read_overview(Connection& connection) {
  const auto row = connection.execute(kOverview, {}).front();
  return Overview{.users = row.integer("users"),
                  .credits = row.integer("credits"),
                  .queued = row.integer("queued"),
                  .active = row.integer("active"),
                  .done = row.integer("done"),
                  .failed = row.integer("failed")};
}

}  // namespace nc::store
