#!/usr/bin/env bash
# What a long reader costs status creation: the creation load of bench/cpu_post.sh (wrk,
# POST /api/v1/statuses, durable commit and fan-out) first alone, then while another process
# scans the whole statuses table over and over (each scan holds its read snapshot for its whole
# duration, as an export or a report does). Such readers keep every PASSIVE checkpoint from
# catching up, so the WAL grows until the checkpointer forces a RESTART (database.h,
# kForceRestartFactor), which holds writes while the readers finish. Prints, per phase, wrk's
# rate and latency percentiles, the largest WAL seen (sampled every 0.1 s) and the checkpoints and
# restarts counted on /metrics.
# Usage: bench/wal_stall.sh [BIN] [SEED_DIR]   (defaults as bench/cpu_post.sh)
# Environment: DURATION (20s) CONNS (64) PORT (18482) SCAN (the reader's SQL; sqlite3 CLI input,
#   so ".shell sleep 0.15" inside BEGIN ... COMMIT holds a snapshot without using the CPU)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/stoa}
seed=${2:-$root/bench/out/seed-2000-100-100000}
port=${PORT:-18482}
name=wal_stall
scan=${SCAN:-"SELECT count(*), sum(length(text)) FROM statuses;"}
command -v sqlite3 >/dev/null || { echo "$name: needs the sqlite3 command (Debian sqlite3)"; exit 1; }
source "$root/bench/cpu_lib.sh"
db=$work/stoa.db

phase() {  # phase LABEL: one wrk run, the WAL watched meanwhile
  local label=$1 watch largest=0 last=0 before_c before_f before_r before_x
  before_c=$(metric stoa_sqlite_checkpoints_total)
  before_r=$(metric stoa_sqlite_wal_restarts_total '{reason="caught_up"}')
  before_f=$(metric stoa_sqlite_wal_restarts_total '{reason="forced"}')
  before_x=$(metric stoa_sqlite_wal_forced_restart_failures_total)
  ( while :; do stat -c %s "$db-wal" 2>/dev/null || echo 0; sleep 0.1; done ) > "$work/wal.$label" &
  watch=$!
  wrk -t2 -c"${CONNS:-64}" -d"${DURATION:-20s}" --latency -s "$root/bench/wrk/post.lua" \
    "http://127.0.0.1:$port/api/v1/statuses" > "$work/wrk.$label"
  kill $watch; wait $watch 2>/dev/null || true
  largest=$(sort -n "$work/wal.$label" | tail -1)
  last=$(tail -1 "$work/wal.$label")
  awk -v l="$label" -v w="$largest" -v e="$last" \
      -v c=$(( $(metric stoa_sqlite_checkpoints_total) - before_c )) \
      -v r=$(( $(metric stoa_sqlite_wal_restarts_total '{reason="caught_up"}') - before_r )) \
      -v f=$(( $(metric stoa_sqlite_wal_restarts_total '{reason="forced"}') - before_f )) \
      -v x=$(( $(metric stoa_sqlite_wal_forced_restart_failures_total) - before_x )) '
    /Requests\/sec/ {rps = $2}
    /Non-2xx/ {bad = $NF}
    $1 == "50%" {p50 = $2} $1 == "90%" {p90 = $2} $1 == "99%" {p99 = $2}
    /Latency/ && !max {max = $4}
    END {printf "%-12s %8s/s  p50 %7s  p90 %7s  p99 %7s  max %7s  non-2xx %s  WAL largest %.1f MB, last %.1f MB  checkpoints %d  restarts %d  forced %d (gave up %d)\n",
                l, rps, p50, p90, p99, max, bad + 0, w / 1e6, e / 1e6, c, r, f, x}' "$work/wrk.$label"
}

# Warm-up, as bench/cpu_post.sh does.
wrk -t2 -c"${CONNS:-64}" -d3s -s "$root/bench/wrk/post.lua" "http://127.0.0.1:$port/api/v1/statuses" > /dev/null
phase alone
# The reader: scans back to back in another process until stopped.
( while :; do echo "$scan" | sqlite3 -readonly "$db" > /dev/null; done ) &
reader=$!
sleep 1
phase "with reader"
kill $reader; wait $reader 2>/dev/null || true
one=$( { TIMEFORMAT=%R; time echo "$scan" | sqlite3 -readonly "$db" > /dev/null; } 2>&1 )
echo "one scan ($scan) now takes ${one} s"
phase "alone again"
