# Writes build_info.cpp with the version, the git commit (with -dirty for local changes) and
# the build time. The file is rewritten only when the commit changes.
execute_process(COMMAND git -C ${SRC} describe --always --dirty --abbrev=12
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT commit)
  set(commit "unknown")
endif()
string(TIMESTAMP built "%Y-%m-%dT%H:%M:%SZ" UTC)
set(content "// Generated at build time.\n#include \"app/build_info.hpp\"\nnamespace nc::app {\nconst char* const kVersion = \"${VERSION}\";\nconst char* const kBuildId = \"${commit}\";\nconst char* const kBuiltAt = \"${built}\";\n}  // namespace nc::app\n")
set(old "")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
string(REGEX REPLACE "kBuiltAt = \"[^\"]*\"" "" old_cmp "${old}")
string(REGEX REPLACE "kBuiltAt = \"[^\"]*\"" "" new_cmp "${content}")
if(NOT old_cmp STREQUAL new_cmp)
  file(WRITE ${OUT} "${content}")
endif()
