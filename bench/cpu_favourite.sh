#!/usr/bin/env bash
# Favourites per second and CPU time per durable POST /api/v1/statuses/:id/favourite (random user,
# random public status of the seed; bench/wrk/favourite.lua): stoa's user+system CPU from /proc
# divided by the favourites wrk made, as bench/cpu_post.sh does for creation. Each favourite is a
# durable write of the favourite, the status's counter and the author's notification.
# Usage: bench/cpu_favourite.sh [BIN] [SEED_DIR]   (defaults as bench/cpu_post.sh)
# Environment: DURATION (10s) CONNS (64) PORT (18484) ROUNDS (3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/stoa}
seed=${2:-$root/bench/out/seed-2000-100-100000}
port=${PORT:-18484}
name=cpu_favourite
command -v sqlite3 >/dev/null || { echo "$name: needs the sqlite3 command (Debian sqlite3)"; exit 1; }
source "$root/bench/cpu_lib.sh"
export STATUS_IDS=$work/status_ids.txt
sqlite3 -readonly "$work/stoa.db" \
  "SELECT id FROM statuses WHERE visibility = 0 AND deleted_at IS NULL ORDER BY random() LIMIT 20000" \
  > "$STATUS_IDS"
# One short round first, as bench/cpu_post.sh does.
wrk -t2 -c"${CONNS:-64}" -d3s -s "$root/bench/wrk/favourite.lua" "http://127.0.0.1:$port/" > /dev/null
cpu_rounds favourite.lua / "${DURATION:-10s}" favourite favourites
