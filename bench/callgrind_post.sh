#!/usr/bin/env bash
# Instructions per durable POST /api/v1/statuses, counted by callgrind (user space only: stoa,
# libc, jemalloc, SQLite; not the kernel), for the whole process and for the SQLite writer thread
# alone (the thread that runs Database::RunBatch: the statuses' jobs, the search indexer's jobs,
# the commits). Unlike statuses per second these figures do not move with the load of a shared
# machine, so they compare two builds exactly. Batch sizes under valgrind differ from a native
# run (every thread runs slower), so compare builds with the same settings only.
# Usage: bench/callgrind_post.sh [BIN] [SEED_DIR]
#   BIN      the stoa binary (default build/stoa)
#   SEED_DIR a seeded data directory with tokens.txt (default bench/out/seed-2000-100-100000)
# Environment: DURATION (60s) CONNS (16) PORT (18291); KEEP=1 keeps the callgrind files (the
# work directory is printed).
# Prints statuses created, instructions per status (process, writer thread). Needs valgrind, wrk.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/stoa}
seed=${2:-$root/bench/out/seed-2000-100-100000}
port=${PORT:-18291}
[ -f "$seed/stoa.db" ] || { echo "callgrind_post: no seeded database in $seed"; exit 1; }
work=$(mktemp -d)
vg=
trap '[ -n "$vg" ] && kill $vg 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
cp "$seed/stoa.db" "$seed/tokens.txt" "$work/"
export TOKENS=$work/tokens.txt
# Migrations (and the ANALYZE after them) natively: under valgrind they take minutes.
STOA_LOG_LEVEL=warn "$bin" migrate --data "$work" > "$work/migrate.log" 2>&1
STOA_RATE_LIMITS=off STOA_SERVER_ACCESS_LOG=false STOA_LOG_LEVEL=warn \
  valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes \
  --callgrind-out-file="$work/cg.out" \
  "$bin" serve --data "$work" --listen 127.0.0.1:$port > "$work/log" 2>&1 &
vg=$!
for _ in $(seq 600); do curl -sf "localhost:$port/health" >/dev/null && break; sleep 0.2; done
# Warm: the authors' follower lists and the writer's pages get loaded.
wrk -t1 -c"${CONNS:-16}" -d20s -s "$root/bench/wrk/post.lua" \
  "http://127.0.0.1:$port/api/v1/statuses" > /dev/null
callgrind_control -i on "$vg" > /dev/null 2>&1
out=$(wrk -t1 -c"${CONNS:-16}" -d"${DURATION:-60s}" -s "$root/bench/wrk/post.lua" \
  "http://127.0.0.1:$port/api/v1/statuses")
# The search indexer catches up before the count stops: its work belongs to the statuses.
sleep 10
callgrind_control -i off "$vg" > /dev/null 2>&1
callgrind_control -d "$vg" > /dev/null 2>&1
sleep 2
for _ in $(seq 300); do ls "$work"/cg.out.1-* > /dev/null 2>&1 && break; sleep 0.1; done
sleep 2
n=$(echo "$out" | awk '/requests in/ {print $1}')
bad=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
total=0
writer=0
for f in "$work"/cg.out.1-*; do
  # (awk stops reading early: the annotate's SIGPIPE must not end the script.)
  ir=$(callgrind_annotate "$f" 2>/dev/null |
    awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}' || true)
  [[ "$ir" =~ ^[0-9]+$ ]] || ir=0  # a thread that ran nothing while counting prints "."
  total=$((total + ir))
  if grep -q 'Database::RunBatch' "$f"; then writer=$((writer + ir)); fi
done
[ -n "${KEEP:-}" ] && echo "callgrind files: $work/cg.out.1-*"
echo "statuses: $n (${bad:-0} non-2xx), instructions: $total, writer thread: $writer"
awk -v a="$total" -v w="$writer" -v n="$n" \
  'BEGIN {printf "instructions per status: %.0f, on the writer thread: %.0f\n", a / n, w / n}'
