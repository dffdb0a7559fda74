#!/usr/bin/env bash
# Installs the Debian packages NeuroCards needs to build, test, run and benchmark (wrk, curl).
# Idempotent: when every package is present it returns at once without touching apt.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config git ca-certificates
  libboost1.81-dev libcurl4-openssl-dev libpq-dev libsqlite3-dev libssl-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libvips-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  ffmpeg fonts-dejavu-core postgresql-15 postgresql-client-15 sqlite3
  wrk curl systemd clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing packages: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
