#!/usr/bin/env bash
# Installs the Debian packages stoa needs to build, test and benchmark. Idempotent and quiet when
# everything is present. Usage: scripts/install-deps.sh [build|test|bench]
set -euo pipefail
what=${1:-build}
pkgs=(build-essential cmake ninja-build ccache pkg-config
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
      libsqlite3-dev libpq-dev libsodium-dev libhyperscan-dev libfasttext-dev
      libtomlplusplus-dev libspdlog-dev libfmt-dev libcli11-dev libutf8proc-dev libicu-dev
      libgtest-dev libgmock-dev libbenchmark-dev libjemalloc-dev)
case "$what" in
  test)  pkgs+=(nodejs npm sqlite3) ;;
  bench) pkgs+=(nodejs npm nginx-light wrk sqlite3) ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A node found on PATH (for example from nvm) is as good as Debian's.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -qq "${missing[@]}" >/tmp/stoa-apt.log 2>&1; then
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq "${missing[@]}" >/tmp/stoa-apt.log 2>&1 || { cat /tmp/stoa-apt.log; exit 1; }
fi
