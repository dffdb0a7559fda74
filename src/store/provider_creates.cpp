#include "store/provider_creates.hpp"

#include <algorithm>

namespace nc::store {

std::chrono::milliseconds ProviderCreates::book(const std::string& account, int max_creates,
                                                std::chrono::milliseconds window) {
  return database_.transaction([&](Connection& connection) {
    connection.execute(
        "INSERT INTO provider_accounts (account) VALUES ($1) ON CONFLICT (account) DO NOTHING",
        {account});
    // Taking the account's row lock first makes concurrent bookings wait for each other.
    const auto now_ms = connection
                            .execute(
                                "UPDATE provider_accounts SET booked_ms = {clock_ms} "
                                "WHERE account = $1 RETURNING booked_ms",
                                {account})
                            .front()
                            .integer("booked_ms");
    const std::int64_t window_ms = window.count();
    connection.execute("DELETE FROM provider_creates WHERE account = $1 AND at_ms < $2",
                       {account, now_ms - window_ms});
    const auto latest = connection.execute(
        "SELECT at_ms FROM provider_creates WHERE account = $1 ORDER BY at_ms DESC LIMIT $2",
        {account, std::int64_t{max_creates}});
    std::int64_t slot = now_ms;
    if (!latest.empty()) slot = std::max(slot, latest.front().integer("at_ms"));
    // The oldest of the last max_creates bookings frees its place one window after it.
    if (static_cast<int>(latest.size()) >= max_creates) {
      slot = std::max(slot, latest[latest.size() - 1].integer("at_ms") + window_ms);
    }
    connection.execute("INSERT INTO provider_creates (account, at_ms) VALUES ($1, $2)",
                       {account, slot});
    return std::chrono::milliseconds(slot - now_ms);
  });
}

}  // namespace nc::store
