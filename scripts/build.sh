#!/usr/bin/env bash
# Configures and builds NeuroCards. Usage: scripts/build.sh [build-dir] [build-type]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
build_type=${2:-RelWithDebInfo}
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
launcher=()
# ccache, when installed, makes rebuilds in several checkouts cheap; it is optional.
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DNC_WERROR="$werror" \
    "${launcher[@]}" >/dev/null
fi
jobs=${NC_BUILD_JOBS:-$(nproc)}
cmake --build "$build_dir" -j "$jobs"
