#include "store/provider_creates.hpp"

#include <algorithm>

namespace nc::store {
namespace {

constexpr const char* kEnsureAccount =
    "INSERT INTO provider_accounts (account) VALUES ($1) ON CONFLICT (account) DO NOTHING";

// Taking the account's row lock first makes concurrent takers wait for each other; the clock
// is read after the lock, so every taker sees the creates before it.
constexpr const char* kLockAccount =
    "UPDATE provider_accounts SET booked_ms = {clock_ms} WHERE account = $1 RETURNING booked_ms";

// Creates are kept a minute past their window, for the operator to see the recent pace.
constexpr std::int64_t kKeepMs = 60'000;
constexpr const char* kForgetOld = "DELETE FROM provider_creates WHERE account = $1 AND at_ms < $2";

constexpr const char* kInWindow =
    "SELECT at_ms FROM provider_creates WHERE account = $1 ORDER BY at_ms DESC LIMIT $2";

constexpr const char* kRecordCreate =
    "INSERT INTO provider_creates (account, at_ms) VALUES ($1, $2)";

}  // namespace

std::chrono::milliseconds ProviderCreates::take(const std::string& account, int max_creates,
                                                std::chrono::milliseconds window) {
  return database_.transaction([&](Connection& connection) {
    connection.execute(kEnsureAccount, {account});
    const auto now_ms = connection.execute(kLockAccount, {account}).front().integer("booked_ms");
    const std::int64_t window_ms = window.count();
    connection.execute(kForgetOld, {account, now_ms - window_ms - kKeepMs});
    const auto latest = connection.execute(kInWindow, {account, std::int64_t{max_creates}});
    // The oldest of the last max_creates leaves the window one window after it was taken.
    const bool full = static_cast<int>(latest.size()) >= max_creates;
    const auto frees_at = full ? latest[latest.size() - 1].integer("at_ms") + window_ms : now_ms;
    if (frees_at <= now_ms) {
      connection.execute(kRecordCreate, {account, now_ms});
      return std::chrono::milliseconds(0);
    }
    return std::chrono::milliseconds(frees_at - now_ms);
  });
}

}  // namespace nc::store
