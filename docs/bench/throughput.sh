#!/usr/bin/env bash
# Throughput, side by side: wrk -t1 -c50 -d10s against `/` of a release `wirelab serve --quiet`,
# nginx (1 worker) and Node 20's http.createServer, one after another, same body. Each server gets a
# 2 s warm-up run first, which is not reported.
# Usage: docs/bench/throughput.sh            (DURATION=10s CONNECTIONS=50 to change)
source "$(dirname "$0")/lib.sh"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-50}"
port=18091
for name in wirelab nginx node; do
    "start_$name" "$port"
    wrk -t1 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$port/" >/dev/null
    echo "== $name: wrk -t1 -c$CONNECTIONS -d$DURATION http://127.0.0.1:$port/"
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port/" | tee "$WORK/wrk-$name.txt"
    stop_server
    port=$((port + 1))
done
echo "== summary (req/s)"
for name in wirelab nginx node; do
    printf '%-8s %s\n' "$name" "$(awk '/^Requests\/sec:/ { print $2 }' "$WORK/wrk-$name.txt")"
done
