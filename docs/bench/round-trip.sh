#!/usr/bin/env bash
# Where a sequential keep-alive request's time goes, client by client. The WireLab agent
# (`wirelab bench --sequential`), wrk -t1 -c1 and floor-client.c each send requests one at a time
# to nginx under round-trip-shim.so (LD_PRELOAD), which times every request's parts the same way
# for all three:
#
#   turn    a response read -> the next write starting (the client's own work in between)
#   write   the write system call
#   wait    the write starting -> the next response bytes read (server, wake-ups, epoll_wait, read)
#   after   the write returning -> the client's next epoll_wait (work overlapped with the server's)
#
# The round trip is turn + wait; req/s is what the client itself reports (the shim costs each
# client a few clock reads a request). nginx is pinned to CPU 0 and every client to CPU 1, as in
# table.sh. Each round runs the three clients once, in a rotating order; the table shows, per
# client, the median over rounds of each run's median (and of its req/s).
#
# Build the binary first:  swift build -c release --scratch-path .build-rel --product wirelab
# Usage: docs/bench/round-trip.sh
# Knobs: ROUNDS=3, SEQ_REQUESTS=60000 (agent and floor client), SEQ_DURATION=2s (wrk), CC, WIRELAB.
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

ROUNDS="${ROUNDS:-3}"
SEQ_REQUESTS="${SEQ_REQUESTS:-60000}"
SEQ_DURATION="${SEQ_DURATION:-2s}"
RAW="$WORK/round-trip-raw.txt"

die() { echo "round-trip.sh: $*" >&2; exit 1; }

command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
[[ -x "$NGINX" ]] || die "nginx is missing at $NGINX (apt-get install nginx, or NGINX=/path/to/nginx)"
for tool in python3 timeout taskset; do command -v "$tool" >/dev/null || die "$tool is missing"; done
[[ -x "$WIRELAB" ]] || die "no wirelab binary at $WIRELAB: build it with
    swift build -c release --scratch-path .build-rel --product wirelab"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, not '$ROUNDS'"
[[ "$(nproc)" -ge 2 ]] || die "needs two CPUs (nginx on one, the client on the other)"
build_c "$WORK/round-trip-shim.so" "$HERE/round-trip-shim.c" -shared -fPIC -ldl \
    || die "round-trip-shim.c did not build: $(cat "$WORK/round-trip-shim.so.build.txt")"
build_c "$WORK/floor-client" "$HERE/floor-client.c" \
    || die "floor-client.c did not build: $(cat "$WORK/floor-client.build.txt")"

port=18131
url="http://127.0.0.1:$port/"
start_nginx "$port"
taskset -p -c 0 "$SERVER_PID" >/dev/null
taskset -p -c 0 "$(nginx_worker_pid)" >/dev/null

# run CLIENT: one run under the shim; prints "rps=N" and the shim's lines.
run() {
    local shimmed=(env LD_PRELOAD="$WORK/round-trip-shim.so" taskset -c 1 timeout -k 5 120)
    case "$1" in
        agent)
            "${shimmed[@]}" "$WIRELAB" bench --url "$url" --sequential "$SEQ_REQUESTS" \
                --new-connections 0 --connections 0 --json 2>"$WORK/shim.txt" \
                | python3 -c 'import json,sys; print("rps=%d" % json.load(sys.stdin)["sequential"]["keep_alive"]["requests_per_second"])' ;;
        wrk)
            "${shimmed[@]}" wrk -t1 -c1 -d"$SEQ_DURATION" "$url" 2>"$WORK/shim.txt" \
                | awk '/Requests\/sec/ { printf "rps=%d\n", $2 }' ;;
        floor)
            echo "rps=$("${shimmed[@]}" "$WORK/floor-client" "$port" "$SEQ_REQUESTS" 2>"$WORK/shim.txt")" ;;
    esac
    cat "$WORK/shim.txt"
}

clients=(agent wrk floor)
: >"$RAW"
for round in $(seq "$ROUNDS"); do
    for i in 0 1 2; do
        client="${clients[$(( (i + round) % 3 ))]}"
        out=$(run "$client") || die "$client failed: $out"
        grep -q '^round-trip wait ' <<<"$out" || die "$client: no measurements from the shim: $out"
        sed "s/^/$round $client /" <<<"$out" >>"$RAW"
        echo "round $round/$ROUNDS  $client $(grep -o 'rps=[0-9]*' <<<"$out")" >&2
    done
done
stop_server

python3 - "$RAW" <<'PY'
import collections, re, statistics, sys
runs = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    parts = line.split()
    client = parts[1]
    if parts[2].startswith("rps="):
        runs[client]["rps"].append(float(parts[2][4:]))
    elif parts[2] == "round-trip" and "p50=" in line:
        runs[client][parts[3]].append(float(re.search(r"p50=([0-9.]+)", line).group(1)))
print("| client | req/s | turn | write | wait | after | turn + wait |")
print("|---|---:|---:|---:|---:|---:|---:|")
names = {"agent": "WireLab agent", "wrk": "wrk -t1 -c1", "floor": "floor-client.c"}
for client in ("agent", "wrk", "floor"):
    m = {key: statistics.median(values) for key, values in runs[client].items()}
    print(f"| {names[client]} | {m['rps']:,.0f} | {m['turn']:.2f} µs | {m['write']:.2f} µs | {m['wait']:.2f} µs "
          f"| {m['after']:.2f} µs | {m['turn'] + m['wait']:.2f} µs |")
PY
