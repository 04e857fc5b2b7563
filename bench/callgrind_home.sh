#!/usr/bin/env bash
# Instructions per warm GET /api/v1/timelines/home, counted by callgrind (user space only: stoa,
# libc, jemalloc, SQLite; not the kernel). Unlike requests per second this figure does not move
# with the load of a shared machine, so it compares two builds (or two commits) exactly.
# Usage: bench/callgrind_home.sh [BIN] [SEED_DIR]
#   BIN      the stoa binary (default build/stoa)
#   SEED_DIR a seeded data directory with tokens.txt (default bench/out/seed-2000-100-100000,
#            made by `ACCOUNTS=2000 STATUSES=100000 bench/run.sh` or build/bench/stoa_bench_seed)
# Prints requests measured and instructions per request. Needs valgrind and wrk.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/stoa}
seed=${2:-$root/bench/out/seed-2000-100-100000}
port=${PORT:-18290}
[ -f "$seed/stoa.db" ] || { echo "callgrind_home: no seeded database in $seed"; exit 1; }
work=$(mktemp -d)
trap 'kill $(pgrep -f "valgrind.*$work") 2>/dev/null || true; rm -rf "$work"' EXIT
cp "$seed/stoa.db" "$work/"
head -200 "$seed/tokens.txt" > "$work/tokens.txt"   # 200 users: warm in reasonable time
export TOKENS=$work/tokens.txt
STOA_RATE_LIMITS=off STOA_SERVER_ACCESS_LOG=false STOA_LOG_LEVEL=warn \
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/cg.out" \
  "$bin" serve --data "$work" --listen 127.0.0.1:$port > "$work/log" 2>&1 &
for _ in $(seq 300); do curl -sf "localhost:$port/health" >/dev/null && break; sleep 0.2; done
# Warm: every feed read a few times (the first read of a feed rebuilds it from the database).
WRK_THREADS=1 wrk -t1 -c1 -d60s -s "$root/bench/wrk/warm.lua" \
  "http://127.0.0.1:$port/api/v1/timelines/home" > /dev/null
vg=$(pgrep -f "valgrind.*$work" | head -1)
callgrind_control -i on "$vg" > /dev/null 2>&1
out=$(wrk -t1 -c4 -d20s -s "$root/bench/wrk/home.lua" "http://127.0.0.1:$port/api/v1/timelines/home")
callgrind_control -i off "$vg" > /dev/null 2>&1
callgrind_control -d "$vg" > /dev/null 2>&1
for _ in $(seq 300); do [ -s "$work/cg.out.1" ] && break; sleep 0.1; done
sleep 1
n=$(echo "$out" | awk '/requests in/ {print $1}')
# (awk stops reading early: the annotate's SIGPIPE must not end the script.)
ir=$(callgrind_annotate "$work"/cg.out.1 2>/dev/null |
  awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}' || true)
rebuilds=$(callgrind_annotate --inclusive=yes "$work"/cg.out.1 2>/dev/null |
  awk '/HomeFeeds::Ensure/ {gsub(",", "", $1); print $1; exit}' || true)
echo "requests: $n, instructions: $ir, of which feed rebuilds: ${rebuilds:-0}"
echo "instructions per warm home request: $(awk -v a="$ir" -v e="${rebuilds:-0}" -v n="$n" 'BEGIN {printf "%.0f", (a - e) / n}')"
