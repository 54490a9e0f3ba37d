#!/usr/bin/env bash
# Throughput, side by side: wrk -t1 -c50 -d10s against `/` of a release `wirelab serve --quiet`,
# nginx (1 worker) and Node 20's http.createServer, one after another, same body. Each server gets a
# 2 s warm-up run first, which is not reported.
# Usage: docs/bench/throughput.sh            (DURATION=10s CONNECTIONS=50 ROUNDS=1 to change)
# With ROUNDS=3 the three servers take turns three times and the summary shows every round and the
# median: on a shared machine one round can be 15% off.
source "$(dirname "$0")/lib.sh"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-50}"
ROUNDS="${ROUNDS:-1}"
port=18091
for round in $(seq 1 "$ROUNDS"); do
    for name in wirelab nginx node; do
        "start_$name" "$port"
        wrk -t1 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$port/" >/dev/null
        echo "== round $round, $name: wrk -t1 -c$CONNECTIONS -d$DURATION http://127.0.0.1:$port/"
        wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port/" | tee "$WORK/wrk-$name-$round.txt"
        stop_server
        port=$((port + 1))
    done
done
echo "== summary (req/s per round, then the median)"
for name in wirelab nginx node; do
    values=$(for round in $(seq 1 "$ROUNDS"); do awk '/^Requests\/sec:/ { print $2 }' "$WORK/wrk-$name-$round.txt"; done)
    median=$(printf '%s\n' $values | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    printf '%-8s %s  median %s\n' "$name" "$(echo $values)" "$median"
done
