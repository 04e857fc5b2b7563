#!/usr/bin/env bash
# The benchmarks of BENCHMARKS.md, in one run on this machine:
#  1. home timeline: stoa GET /api/v1/timelines/home for random users vs nginx serving a static
#     JSON file of the same size, same wrk settings; the ratio is the figure (budget >= 0.5);
#  2. status creation, durable, each author with ~100 followers (budget >= 10,000/s);
# plus p50/p99 latencies, peak RSS, database size and the machine.
# The home timeline is measured twice: as configured by default (first pages kept rendered per
# viewer, http/api/home_page_cache.h), and with that cache off, every page filtered and rendered
# (UNCACHED=0 skips the second measurement). Creation runs between the two, on the server as
# configured by default, every home feed loaded by the warm-up (so fan-out inserts into them).
# Environment: ACCOUNTS (10000) FOLLOWS (100) STATUSES (1000000) DURATION (20s) CONNS (64)
#              POST_CONNS ("64 256": status creation and its baseline at each concurrency)
#              WRK_THREADS (2) PORT (18080) BIN (build/stoa: the binary to measure)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/out
mkdir -p "$out"
ACCOUNTS=${ACCOUNTS:-10000}
FOLLOWS=${FOLLOWS:-100}
STATUSES=${STATUSES:-1000000}
DURATION=${DURATION:-20s}
CONNS=${CONNS:-64}
POST_CONNS=${POST_CONNS:-64 256}
WRK_THREADS=${WRK_THREADS:-2}
PORT=${PORT:-18080}
NGINX_PORT=$((PORT + 1))
BIN=${BIN:-$root/build/stoa}
SEED=$root/build/bench/stoa_bench_seed
for tool in wrk nginx; do
  command -v $tool >/dev/null || [ -x /usr/sbin/$tool ] || { echo "bench: $tool is missing (make bench installs it)"; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

pristine=$out/seed-$ACCOUNTS-$FOLLOWS-$STATUSES
if [ ! -f "$pristine/stoa.db" ]; then
  echo "== seeding $ACCOUNTS accounts x $FOLLOWS follows, $STATUSES statuses (cached in $pristine)"
  rm -rf "$pristine" && mkdir -p "$pristine"
  start=$(date +%s)
  "$SEED" --data "$pristine" --accounts "$ACCOUNTS" --follows "$FOLLOWS" --statuses "$STATUSES" \
    --tokens "$pristine/tokens.txt" --token-accounts "$ACCOUNTS"
  sqlite3 "$pristine/stoa.db" "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;" >/dev/null
  echo "   seeded in $(( $(date +%s) - start )) s"
fi
run=$out/run
rm -rf "$run" && cp -r "$pristine" "$run"
export TOKENS=$run/tokens.txt

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# start_stoa [ENV=VALUE...]: starts stoa on $run with extra environment; sets stoa_pid.
start_stoa() {
  env STOA_RATE_LIMITS=off STOA_SERVER_ACCESS_LOG=false STOA_LOG_LEVEL=warn \
    STOA_BASE_URL=http://127.0.0.1:$PORT "$@" "$BIN" serve --data "$run" --listen 127.0.0.1:$PORT &
  stoa_pid=$!
  pids+=($stoa_pid)
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
}
start_stoa

token=$(head -1 "$TOKENS")
mkdir -p "$out/static"
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/timelines/home?limit=20" \
  > "$out/static/home.json"
body_bytes=$(wc -c < "$out/static/home.json")
cat > "$out/nginx.conf" <<NGINX
worker_processes auto;
pid $out/nginx.pid;
error_log $out/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $out/static;
    location / { default_type application/json; }
  }
}
NGINX
"$NGINX" -c "$out/nginx.conf" -g "daemon off;" &
pids+=($!)
sleep 0.5

echo "== warming: every user's home timeline once (the first read of a feed rebuilds it)"
users=$(wc -l < "$TOKENS")
source "$root/bench/warm_lib.sh"
warm_feeds "$PORT"
echo "   $users feeds rebuilt from the database in $warm_seconds s (cold reads, one connection per wrk thread)"

echo "== nginx static $body_bytes-byte JSON"
nginx_out=$(WRK_PATH=/home.json wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --latency \
  -s "$root/bench/wrk/home.lua" "http://127.0.0.1:$NGINX_PORT/home.json")
echo "$nginx_out"
echo "== stoa GET /api/v1/timelines/home (random users)"
home_out=$(wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$root/bench/wrk/home.lua" \
  "http://127.0.0.1:$PORT/api/v1/timelines/home")
echo "$home_out"
page_hits=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk -F'[ }]' '/^stoa_home_page_cache_total\{result="hit"/ {print $NF}')
page_misses=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk -F'[ }]' '/^stoa_home_page_cache_total\{result="miss"/ {print $NF}')
rss_kb=$(awk '/VmHWM/ {print $2}' /proc/$stoa_pid/status)
# Creation on the server as configured by default, its feeds warm (as after the home run).
post_outs=()
for c in $POST_CONNS; do
  echo "== stoa POST /api/v1/statuses, $c connections (durable, fan-out to ~$FOLLOWS followers)"
  post_out=$(wrk -t"$WRK_THREADS" -c"$c" -d"$DURATION" --latency -s "$root/bench/wrk/post.lua" \
    "http://127.0.0.1:$PORT/api/v1/statuses")
  echo "$post_out"
  post_outs+=("$post_out")
done

uncached_out=""
if [ "${UNCACHED:-1}" != 0 ]; then
  echo "== stoa GET /api/v1/timelines/home (random users), rendered page cache off"
  kill -TERM "$stoa_pid"; wait "$stoa_pid" 2>/dev/null || true
  start_stoa STOA_TIMELINES_HOME_PAGE_CACHE_ENTRIES=0
  warm_feeds "$PORT"
  uncached_out=$(wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$root/bench/wrk/home.lua" \
    "http://127.0.0.1:$PORT/api/v1/timelines/home")
  echo "$uncached_out"
fi

rps() { echo "$1" | awk '/Requests\/sec/ {print $2}'; }
pct() { echo "$1" | awk -v p="$2" '$1 == p {print $2}'; }
# wrk prints "Non-2xx or 3xx responses: N" only when there were any.
bad() { echo "$1" | awk '/Non-2xx or 3xx responses/ {n = $NF} END {print n + 0}'; }
nginx_rps=$(rps "$nginx_out"); home_rps=$(rps "$home_out")
ratio=$(awk -v a="$home_rps" -v b="$nginx_rps" 'BEGIN {printf "%.2f", a / b}')
db_bytes=$(du -cb "$run"/stoa.db* | tail -1 | cut -f1)
cpu=$(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}')
mem=$(free -g | awk '/Mem:/ {print $2 " GiB"}')

kill -TERM "$stoa_pid"; wait "$stoa_pid" 2>/dev/null || true

# Baseline for status creation: the same durable group-commit writer with no HTTP, no stoa logic,
# a status-sized transaction per write (bench/sqlite_write_bench.cc), as many writers as wrk has
# connections, on the same disk.
sqlite_rpss=()
for c in $POST_CONNS; do
  echo "== raw SQLite durable status-like writes, $c writer threads (baseline)"
  sqlite_out=$(cd "$run" && "$root/build/bench/stoa_sqlite_write_bench" \
    --benchmark_filter="BM_DurableStatusLikeWrite/.*threads:$c\$" 2>&1)
  echo "$sqlite_out" | grep BM_ || true
  v=$(echo "$sqlite_out" | grep -o 'items_per_second=[0-9.]*k*' | head -1 |
    awk -F= '{v=$2; if (v ~ /k$/) {sub(/k$/, "", v); v *= 1000}; printf "%.0f", v}')
  sqlite_rpss+=("${v:-0}")
done

report=$out/results.md
{
  echo "| figure | value |"
  echo "|---|---|"
  echo "| machine | $cpu, $(nproc) cores, $mem; wrk -t$WRK_THREADS -c$CONNS -d$DURATION on the same machine |"
  echo "| data | $ACCOUNTS accounts x $FOLLOWS follows, $STATUSES statuses |"
  echo "| nginx static ${body_bytes}-byte JSON | $nginx_rps req/s (p50 $(pct "$nginx_out" 50%), p99 $(pct "$nginx_out" 99%)) |"
  echo "| stoa home timeline (20 statuses) | $home_rps req/s (p50 $(pct "$home_out" 50%), p99 $(pct "$home_out" 99%)), non-2xx: $(bad "$home_out") |"
  echo "| ratio stoa / nginx | $ratio (budget >= 0.5) |"
  echo "| rendered page cache during the home run | ${page_hits:-0} hits, ${page_misses:-0} misses (misses include the warm-up's first reads) |"
  if [ -n "$uncached_out" ]; then
    u=$(rps "$uncached_out")
    echo "| stoa home timeline, page cache off (every page filtered and rendered) | $u req/s (p50 $(pct "$uncached_out" 50%), p99 $(pct "$uncached_out" 99%)), non-2xx: $(bad "$uncached_out"); ratio to nginx $(awk -v a="$u" -v b="$nginx_rps" 'BEGIN {printf "%.2f", a / b}') |"
  fi
  i=0
  for c in $POST_CONNS; do
    post_out=${post_outs[$i]}; base=${sqlite_rpss[$i]}; r=$(rps "$post_out")
    echo "| stoa status creation, durable, fan-out ~$FOLLOWS, $c connections | $r statuses/s (p50 $(pct "$post_out" 50%), p99 $(pct "$post_out" 99%)), non-2xx: $(bad "$post_out") |"
    echo "| baseline: raw SQLite durable status-like writes, $c writers | $base writes/s; stoa / baseline $(awk -v a="$r" -v b="$base" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}') |"
    i=$((i + 1))
  done
  echo "| cold home feeds: first read of every user's feed after a start | $users in $warm_seconds s |"
  echo "| peak RSS of stoa (default configuration, after the home run) | $((rss_kb / 1024)) MiB |"
  echo "| database size after the run | $((db_bytes / 1024 / 1024)) MiB |"
} > "$report"
echo
cat "$report"
