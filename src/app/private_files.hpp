// The service's files are its own: sellers' photos, results, the SQLite database and the
// secrets kept in it are readable by no other user of the host.
#pragma once

#include <filesystem>

namespace nc::app {

// Every file and folder this process creates from now on is private to its user (umask 077).
void create_files_privately();

// Creates `directory` (mode 0700) or, when it exists readable by others, takes their access
// away and says so in the log.
void make_private_directory(const std::filesystem::path& directory);

}  // namespace nc::app
