#!/usr/bin/env bash
# CPU time per durable POST /api/v1/statuses: stoa's user+system CPU
# from /proc divided by the statuses wrk created. Less sensitive to a busy shared machine than
# statuses per second, so it compares two builds back to back; the budget figure itself comes from
# bench/run.sh.
# Usage: bench/cpu_post.sh [BIN] [SEED_DIR]
#   BIN       the stoa binary (default build/stoa)
#   SEED_DIR  a seeded data directory with tokens.txt (default: the 2,000-account seed of
#             `ACCOUNTS=2000 STATUSES=100000 bench/run.sh`)
# Environment: DURATION (10s) CONNS (64) PORT (18481) ROUNDS (3); POST_TEXT (bench/wrk/post.lua)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/stoa}
seed=${2:-$root/bench/out/seed-2000-100-100000}
port=${PORT:-18481}
[ -f "$seed/stoa.db" ] || { echo "cpu_post: no seeded database in $seed (bench/run.sh makes it)"; exit 1; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
cp "$seed/stoa.db" "$seed/tokens.txt" "$work/"
export TOKENS=$work/tokens.txt
STOA_RATE_LIMITS=off STOA_SERVER_ACCESS_LOG=false STOA_LOG_LEVEL=warn \
  "$bin" serve --data "$work" --listen 127.0.0.1:$port > "$work/log" 2>&1 &
pid=$!
for _ in $(seq 300); do curl -sf "localhost:$port/health" >/dev/null && break; sleep 0.2; done
# One short round first: the authors' follower lists and the writer's pages get loaded.
wrk -t2 -c"${CONNS:-64}" -d3s -s "$root/bench/wrk/post.lua" "http://127.0.0.1:$port/api/v1/statuses" > /dev/null
ticks=$(getconf CLK_TCK)
for round in $(seq "${ROUNDS:-3}"); do
  before=$(awk '{print $14 + $15}' /proc/$pid/stat)
  out=$(wrk -t2 -c"${CONNS:-64}" -d"${DURATION:-10s}" -s "$root/bench/wrk/post.lua" \
    "http://127.0.0.1:$port/api/v1/statuses")
  after=$(awk '{print $14 + $15}' /proc/$pid/stat)
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  bad=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  awk -v n="$n" -v c=$((after - before)) -v t="$ticks" -v r="$rps" -v k="$round" -v b="${bad:-0}" \
    'BEGIN {printf "round %d: %d statuses (%d non-2xx), %s/s, %.1f us CPU per status\n", k, n, b, r, c / t * 1e6 / n}'
done
