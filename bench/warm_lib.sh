# Sourced by bench/run.sh and bench/cpu_post.sh: warm_feeds PORT reads every user of $TOKENS's
# home timeline once (bench/wrk/warm.lua), so that every home feed is in memory as on a server
# that has run for a while: fan-out then inserts into ~100 loaded feeds per status, and the home
# timeline is measured warm. Stops once /metrics counts a feed per user; sets warm_seconds.
# Environment: WRK_THREADS (2), WARM (the longest it may take, 60s).
warm_feeds() {
  local port=$1 users warm_start warm_pid done_count
  users=$(wc -l < "$TOKENS")
  warm_start=$(date +%s.%N)
  WRK_THREADS=${WRK_THREADS:-2} wrk -t"${WRK_THREADS:-2}" -c"${WRK_THREADS:-2}" -d"${WARM:-60s}" \
    -s "$root/bench/wrk/warm.lua" "http://127.0.0.1:$port/api/v1/timelines/home" > /dev/null &
  warm_pid=$!
  # wrk counts requests, not users: poll the server's count of feeds in memory instead.
  while kill -0 $warm_pid 2>/dev/null; do
    done_count=$(curl -s "http://127.0.0.1:$port/metrics" |
      awk -F'[ }]' '/^stoa_home_feeds_in_memory/ {print $NF}')
    [ "${done_count%.*}" -ge "$users" ] 2>/dev/null && { kill $warm_pid 2>/dev/null; break; }
    sleep 1
  done
  wait $warm_pid 2>/dev/null || true
  warm_seconds=$(awk -v a="$warm_start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
}
