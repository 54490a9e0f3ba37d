#!/usr/bin/env bash
# Sequential keep-alive requests against nginx (one request at a time on one connection):
# WireLab's agent (`wirelab bench --url`), Node 20's http.Agent({ keepAlive: true, maxSockets: 1 })
# and wrk -t1 -c1.
#
# A one-at-a-time round trip on loopback is dominated by how the scheduler places the two processes:
# on one CPU a request costs two context switches; on two CPUs it costs two cross-CPU wake-ups, which
# are slower. Unpinned, the placement drifts between runs (wrk -c1 alone varies 17k-31k req/s here).
# So nginx is pinned to CPU 0 and every client is run twice: on CPU 1 (cross-CPU) and on CPU 0 (same).
# Usage: docs/bench/sequential.sh            (REQUESTS=50000 DURATION=5s to change)
source "$(dirname "$0")/lib.sh"
REQUESTS="${REQUESTS:-50000}"
DURATION="${DURATION:-5s}"
start_nginx 18111
taskset -p -c 0 "$SERVER_PID" >/dev/null
taskset -p -c 0 "$(nginx_worker_pid)" >/dev/null
url="http://127.0.0.1:18111/"
for cpu in 1 0; do
    [[ $cpu == 1 ]] && where="cross-CPU: nginx on CPU 0, client on CPU 1" || where="same CPU: nginx and client on CPU 0"
    echo "######## $where"
    echo "== wirelab agent: wirelab bench --url $url --sequential $REQUESTS --new-connections 0 --connections 0"
    taskset -c "$cpu" "$WIRELAB" bench --url "$url" --sequential "$REQUESTS" --new-connections 0 --connections 0
    echo "== node agent: node node-sequential.mjs $url $REQUESTS"
    taskset -c "$cpu" "$NODE" "$HERE/node-sequential.mjs" "$url" "$REQUESTS"
    echo "== wrk -t1 -c1 -d$DURATION $url"
    taskset -c "$cpu" wrk -t1 -c1 -d"$DURATION" --latency "$url" | grep -E "Requests/sec|50%|99%"
done
