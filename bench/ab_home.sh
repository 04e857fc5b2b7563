#!/usr/bin/env bash
# A/B comparison of two stoa builds on the warm home timeline, made for a shared machine whose
# speed moves from minute to minute: both servers run side by side on copies of one seed, both
# are warmed, then short wrk rounds alternate between them (A, B, B, A, A, B, ...) so that each
# pair of rounds sees the same machine. Prints each round's requests/s and stoa CPU per request,
# then the medians and the median of the per-pair ratios B/A.
# Usage: bench/ab_home.sh BIN_A BIN_B [SEED_DIR]
#   SEED_DIR  a seeded data directory with tokens.txt (default: the 10,000-account seed of run.sh)
# Environment: PAIRS (6), DURATION (5s), CONNS (64)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin_a=${1:?usage: bench/ab_home.sh BIN_A BIN_B [SEED_DIR]}
bin_b=${2:?usage: bench/ab_home.sh BIN_A BIN_B [SEED_DIR]}
seed=${3:-$root/bench/out/seed-10000-100-1000000}
[ -f "$seed/stoa.db" ] || { echo "ab_home: no seeded database in $seed (bench/run.sh makes it)"; exit 1; }
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
export TOKENS=$work/tokens.txt
cp "$seed/tokens.txt" "$TOKENS"
users=$(wc -l < "$TOKENS")
ports=(18471 18472)
bins=("$bin_a" "$bin_b")
for i in 0 1; do
  mkdir "$work/$i"
  cp "$seed/stoa.db" "$work/$i/"
  STOA_RATE_LIMITS=off STOA_SERVER_ACCESS_LOG=false STOA_LOG_LEVEL=warn \
    "${bins[$i]}" serve --data "$work/$i" --listen "127.0.0.1:${ports[$i]}" > "$work/$i/log" 2>&1 &
  pids+=($!)
done
for i in 0 1; do
  for _ in $(seq 300); do curl -sf "localhost:${ports[$i]}/health" >/dev/null && break; sleep 0.2; done
  WRK_THREADS=2 wrk -t2 -c2 -d600s -s "$root/bench/wrk/warm.lua" \
    "http://127.0.0.1:${ports[$i]}/api/v1/timelines/home" > /dev/null &
  warm=$!
  while kill -0 $warm 2>/dev/null; do
    n=$(curl -s "localhost:${ports[$i]}/metrics" | awk -F'[ }]' '/^stoa_home_feeds_in_memory/ {print $NF}')
    [ "${n%.*}" -ge "$users" ] 2>/dev/null && { kill $warm; break; }
    sleep 1
  done
  wait $warm 2>/dev/null || true
done
ticks=$(getconf CLK_TCK)
# round I: prints "rps us_per_request" for server I.
round() {
  local i=$1 before after out n rps
  before=$(awk '{print $14 + $15}' /proc/${pids[$i]}/stat)
  out=$(wrk -t2 -c"${CONNS:-64}" -d"${DURATION:-5s}" -s "$root/bench/wrk/home.lua" \
    "http://127.0.0.1:${ports[$i]}/api/v1/timelines/home")
  after=$(awk '{print $14 + $15}' /proc/${pids[$i]}/stat)
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  awk -v n="$n" -v c=$((after - before)) -v t="$ticks" -v r="$rps" \
    'BEGIN {printf "%s %.1f\n", r, c / t * 1e6 / n}'
}
: > "$work/rounds"
for p in $(seq "${PAIRS:-6}"); do
  if [ $((p % 2)) -eq 1 ]; then order="0 1"; else order="1 0"; fi
  for i in $order; do
    r=$(round "$i")
    names=(A B)
    echo "$r" | awk -v p="$p" -v n="${names[$i]}" '{printf "pair %d %s: %s req/s, %s us CPU/request\n", p, n, $1, $2}'
    echo "$p $i $r" >> "$work/rounds"
  done
done
awk '
  { rps[$1, $2] = $3; cpu[$1, $2] = $4; if ($1 > pairs) pairs = $1 }
  function median(a, n,   i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    for (p = 1; p <= pairs; p++) {
      ra[p] = rps[p, 0]; rb[p] = rps[p, 1]; ca[p] = cpu[p, 0]; cb[p] = cpu[p, 1]
      q[p] = rps[p, 1] / rps[p, 0]; qc[p] = cpu[p, 1] / cpu[p, 0]
    }
    printf "A: median %.0f req/s, %.1f us CPU/request\n", median(ra, pairs), median(ca, pairs)
    printf "B: median %.0f req/s, %.1f us CPU/request\n", median(rb, pairs), median(cb, pairs)
    printf "B/A: median ratio of req/s %.3f, of CPU/request %.3f (%d pairs)\n", median(q, pairs), median(qc, pairs), pairs
  }' "$work/rounds"
