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
[ -f "$seed/stoa.db" ] || { echo "cpu_home: no seeded database in $seed (bench/run.sh makes it)"; exit 1; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
cp "$seed/stoa.db" "$seed/tokens.txt" "$work/"
export TOKENS=$work/tokens.txt
STOA_RATE_LIMITS=off STOA_SERVER_ACCESS_LOG=false STOA_LOG_LEVEL=warn \
  "$bin" serve --data "$work" --listen 127.0.0.1:$port > "$work/log" 2>&1 &
pid=$!
for _ in $(seq 300); do curl -sf "localhost:$port/health" >/dev/null && break; sleep 0.2; done
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
ticks=$(getconf CLK_TCK)
for round in $(seq "${ROUNDS:-3}"); do
  before=$(awk '{print $14 + $15}' /proc/$pid/stat)
  out=$(wrk -t2 -c"${CONNS:-64}" -d"${DURATION:-15s}" -s "$root/bench/wrk/home.lua" \
    "http://127.0.0.1:$port/api/v1/timelines/home")
  after=$(awk '{print $14 + $15}' /proc/$pid/stat)
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  awk -v n="$n" -v c=$((after - before)) -v t="$ticks" -v r="$rps" -v k="$round" \
    'BEGIN {printf "round %d: %d requests, %s req/s, %.1f us CPU per request\n", k, n, r, c / t * 1e6 / n}'
done
