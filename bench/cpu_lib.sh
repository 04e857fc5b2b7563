# Shared by bench/cpu_*.sh, wal_stall.sh and backup.sh (sourced, not run): start stoa on a copy of
# a seeded database, read its /metrics, and measure its CPU per request over rounds of wrk.
#
# Before sourcing, set: root (the checkout), bin (the stoa binary), seed (a seeded directory with
# stoa.db and tokens.txt), port, and name (the calling script's, for messages).

[ -f "$seed/stoa.db" ] || { echo "$name: no seeded database in $seed (bench/run.sh makes it)"; exit 1; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
cp "$seed/stoa.db" "$seed/tokens.txt" "$work/"
export TOKENS=$work/tokens.txt
STOA_RATE_LIMITS=off STOA_SERVER_ACCESS_LOG=false STOA_LOG_LEVEL=warn \
  "$bin" serve --data "$work" --listen 127.0.0.1:$port > "$work/log" 2>&1 &
pid=$!
for _ in $(seq 300); do curl -sf "localhost:$port/health" >/dev/null && break; sleep 0.2; done

# metric NAME [LABELS]: the value of one line of stoa's /metrics (0 when absent).
metric() {
  curl -sf "localhost:$port/metrics" | awk -v n="$1${2:-}" '$1 == n {v = $2} END {print v + 0}'
}

# cpu_rounds SCRIPT PATH DURATION UNIT UNITS: ROUNDS (default 3) rounds of wrk with
# bench/wrk/SCRIPT on PATH, each printing the requests (called UNITS, one UNIT), their rate, the
# non-2xx answers, stoa's user+system CPU (from /proc) per request, and wrk's own.
cpu_rounds() {
  local script=$1 path=$2 duration=$3 unit=$4 units=$5
  local ticks round before after out n bad rps wrk_cpu
  ticks=$(getconf CLK_TCK)
  for round in $(seq "${ROUNDS:-3}"); do
    before=$(awk '{print $14 + $15}' /proc/$pid/stat)
    wrk_cpu=$( { TIMEFORMAT='%U %S'; time wrk -t2 -c"${CONNS:-64}" -d"$duration" \
      -s "$root/bench/wrk/$script" "http://127.0.0.1:$port$path" > "$work/wrk.out"; } 2>&1 )
    out=$(cat "$work/wrk.out")
    after=$(awk '{print $14 + $15}' /proc/$pid/stat)
    n=$(echo "$out" | awk '/requests in/ {print $1}')
    bad=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    awk -v n="$n" -v c=$((after - before)) -v t="$ticks" -v r="$rps" -v k="$round" \
      -v b="${bad:-0}" -v u="$unit" -v us="$units" -v w="$wrk_cpu" \
      'BEGIN {split(w, x, " ");
              printf "round %d: %d %s (%d non-2xx), %s/s, %.1f us CPU per %s (wrk: %.1f us)\n",
                     k, n, us, b, r, c / t * 1e6 / n, u, (x[1] + x[2]) * 1e6 / n}'
  done
}
