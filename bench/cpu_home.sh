#!/usr/bin/env bash
# CPU time per warm GET /api/v1/timelines/home: stoa's user+system CPU (from /proc) divided by the
# requests wrk completed. Less sensitive to a busy shared machine than requests per second, so it
# compares two builds back to back; the budget figure itself comes from bench/run.sh.
# Usage: bench/cpu_home.sh [BIN] [SEED_DIR]
#   BIN       the stoa binary (default build/stoa)
#   SEED_DIR  a seeded data directory with tokens.txt (default: the 10,000-account seed of run.sh)
# Environment: DURATION (15s) CONNS (64) PORT (18480) ROUNDS (3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/stoa}
seed=${2:-$root/bench/out/seed-10000-100-1000000}
port=${PORT:-18480}
name=cpu_home
source "$root/bench/cpu_lib.sh"
users=$(wc -l < "$TOKENS")
WRK_THREADS=2 wrk -t2 -c2 -d600s -s "$root/bench/wrk/warm.lua" \
  "http://127.0.0.1:$port/api/v1/timelines/home" > /dev/null &
warm=$!
while kill -0 $warm 2>/dev/null; do
  n=$(curl -s "localhost:$port/metrics" | awk -F'[ }]' '/^stoa_home_feeds_in_memory/ {print $NF}')
  [ "${n%.*}" -ge "$users" ] 2>/dev/null && { kill $warm; break; }
  sleep 1
done
wait $warm 2>/dev/null || true
cpu_rounds home.lua /api/v1/timelines/home "${DURATION:-15s}" request requests
