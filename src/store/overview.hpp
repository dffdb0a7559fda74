// The shop at a glance for the admin's /stats: sellers, credits held and jobs by stage.
#pragma once

#include <cstdint>

#include "store/database.hpp"

namespace nc::store {

struct Overview {
  std::int64_t users = 0;
  std::int64_t credits = 0;  // held on all balances
  std::int64_t queued = 0;
  std::int64_t active = 0;  // submitting, generating or delivering
  std::int64_t done = 0;
  std::int64_t failed = 0;
};

Overview read_overview(Connection& connection);

}  // namespace nc::store
