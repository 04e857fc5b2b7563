#!/usr/bin/env bash
# What `stoa backup` takes and costs on a running server: the creation load of bench/cpu_post.sh
# (wrk, POST /api/v1/statuses, durable commit and fan-out) alone, then again while `stoa backup`
# copies the database (one read snapshot, then the integrity check of the copy), and the backup's
# own time with no load; the sqlite3 command's `.backup` of the same database as the baseline;
# then `stoa restore` of the copy into a new directory. Prints the times, wrk's rate and latency
# percentiles per phase, and checks that the copy holds every status acknowledged before it began.
# Usage: bench/backup.sh [BIN] [SEED_DIR]   (defaults as bench/cpu_post.sh)
# Environment: DURATION (20s) CONNS (64) PORT (18483)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/stoa}
seed=${2:-$root/bench/out/seed-2000-100-100000}
port=${PORT:-18483}
name=backup
command -v sqlite3 >/dev/null || { echo "$name: needs the sqlite3 command (Debian sqlite3)"; exit 1; }
source "$root/bench/cpu_lib.sh"

load() {  # load LABEL: one wrk run of creation
  wrk -t2 -c"${CONNS:-64}" -d"${DURATION:-20s}" --latency -s "$root/bench/wrk/post.lua" \
    "http://127.0.0.1:$port/api/v1/statuses" > "$work/wrk.$1"
  awk -v l="$1" '/Requests\/sec/ {rps = $2} /Non-2xx/ {bad = $NF}
    $1 == "50%" {p50 = $2} $1 == "99%" {p99 = $2}
    END {printf "%-14s %8s statuses/s  p50 %7s  p99 %7s  non-2xx %s\n", l, rps, p50, p99, bad + 0}' \
    "$work/wrk.$1"
}
seconds() { { TIMEFORMAT=%R; time "$@" > "$work/cmd.out" 2>&1; } 2>&1; }
count() { sqlite3 -readonly "$1" "SELECT count(*) FROM statuses"; }

echo "database: $(du -m "$work/stoa.db" | cut -f1) MB, $(count "$work/stoa.db") statuses"
wrk -t2 -c"${CONNS:-64}" -d3s -s "$root/bench/wrk/post.lua" "http://127.0.0.1:$port/api/v1/statuses" > /dev/null
echo "stoa backup, no load:        $(seconds "$bin" backup --data "$work" --out "$work/quiet.db") s"
sed 's/^/  /' "$work/cmd.out"
echo "sqlite3 .backup, no load:    $(seconds sqlite3 "$work/stoa.db" ".backup $work/sqlite3.db") s"
echo "stoa backup --no-verify:     $(seconds "$bin" backup --data "$work" --out "$work/quick.db" --no-verify) s"
rm -f "$work/quiet.db" "$work/sqlite3.db" "$work/quick.db"

under_load() {  # under_load LABEL [BACKUP OPTIONS]: a backup while creation runs
  local label=$1 out=$work/$1.db before acked took copied f0 x0
  shift
  before=$(count "$work/stoa.db")
  f0=$(metric stoa_sqlite_wal_restarts_total '{reason="forced"}')
  x0=$(metric stoa_sqlite_wal_forced_restart_failures_total)
  load "$label" &
  local loader=$!
  sleep 3
  acked=$(count "$work/stoa.db")  # every status committed by now must be in the copy
  took=$(seconds "$bin" backup --data "$work" --out "$out" "$@")
  wait $loader
  echo "  stoa backup $* under load: $took s; forced WAL restarts $(( $(metric stoa_sqlite_wal_restarts_total '{reason="forced"}') - f0 )), gave up $(( $(metric stoa_sqlite_wal_forced_restart_failures_total) - x0 ))"
  sed 's/^/    /' "$work/cmd.out"
  copied=$(count "$out")
  echo "  statuses: $before before the load, $acked committed before the backup began, $copied in the copy, $(count "$work/stoa.db") now"
  [ "$copied" -ge "$acked" ] || { echo "$name: the copy lacks statuses committed before it began"; exit 1; }
}

load alone
under_load "during-backup"
rm -f "$work/during-backup.db"
under_load "during-backup-no-verify" --no-verify
mv "$work/during-backup-no-verify.db" "$work/backup.db"
load "alone again"

echo "stoa restore into a new directory: $(seconds "$bin" restore --data "$work/restored" --from "$work/backup.db") s"
sed 's/^/  /' "$work/cmd.out"
