// Identifiers made by the application: random UUIDs for jobs and batches.
#pragma once

#include <string>
#include <string_view>

namespace nc::store {

std::string new_uuid();  // version 4, lower case
bool is_uuid(std::string_view text);

}  // namespace nc::store
