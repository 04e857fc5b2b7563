#!/usr/bin/env bash
# CPU time per durable POST /api/v1/statuses: stoa's user+system CPU
# from /proc divided by the statuses wrk created. Less sensitive to a busy shared machine than
# statuses per second, so it compares two builds back to back; the budget figure itself comes from
# bench/run.sh.
# Usage: bench/cpu_post.sh [BIN] [SEED_DIR]
#   BIN       the stoa binary (default build/stoa)
#   SEED_DIR  a seeded data directory with tokens.txt (default: the 2,000-account seed of
#             `ACCOUNTS=2000 STATUSES=100000 bench/run.sh`)
# Environment: DURATION (10s) CONNS (64) PORT (18481) ROUNDS (3); POST_TEXT (bench/wrk/post.lua);
#   WARM_FEEDS=1 first reads every user's home timeline (bench/warm_lib.sh), as bench/run.sh does
#   before it measures creation: fan-out then inserts into loaded feeds.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/stoa}
seed=${2:-$root/bench/out/seed-2000-100-100000}
port=${PORT:-18481}
name=cpu_post
source "$root/bench/cpu_lib.sh"
if [ -n "${WARM_FEEDS:-}" ]; then
  source "$root/bench/warm_lib.sh"
  warm_feeds "$port"
  echo "warmed $(wc -l < "$TOKENS") home feeds in $warm_seconds s"
fi
# One short round first: the authors' follower lists and the writer's pages get loaded.
wrk -t2 -c"${CONNS:-64}" -d3s -s "$root/bench/wrk/post.lua" "http://127.0.0.1:$port/api/v1/statuses" > /dev/null
cpu_rounds post.lua /api/v1/statuses "${DURATION:-10s}" status statuses
