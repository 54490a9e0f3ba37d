#!/usr/bin/env bash
# HTTP/2 (h2c, prior knowledge) side by side, in one run (issue 20's speed and memory goals):
#
#   server, h2load -c 10 -m 10      wirelab serve --quiet  vs nginx (1 worker, access_log off,
#   server, h2load -c 100 -m 10     listen ... http2), -n $REQUESTS each, req/s
#   agent over h2, -c 1 -m 10       wirelab bench --h2 (when this build has it) vs h2load -c1 -m10,
#                                   both against nginx h2c
#   RSS per idle h2 connection      wirelab serve --keep-alive-timeout 0  vs the nginx worker, N
#                                   connections held by idle_clients.py --h2 in another process
#
# Rounds are paired: in each round every contestant takes its turn once, ours first, and the ratio
# ours/peer is taken per round. The table shows the median of those ratios with their range, and
# how many rounds reached the goal (≥ 1.0x for req/s; for memory less is better, so the ratio is
# nginx/ours). Per-round values go to $WORK/h2-raw.txt.
#
# Build first:  swift build -c release --scratch-path .build-rel --product wirelab
# Usage: docs/bench/h2.sh
# Knobs: ROUNDS=5  REQUESTS=100000  N=2000  WIRELAB=...  NGINX=...  WORK=/tmp/wirelab-bench
# Everything listens on 127.0.0.1 only; every step runs under `timeout`; servers stop on exit.
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

ROUNDS="${ROUNDS:-5}"
REQUESTS="${REQUESTS:-100000}"
N="${N:-2000}"
RAW="$WORK/h2-raw.txt"
: >"$RAW"

die() { echo "h2.sh: $*" >&2; exit 1; }
command -v h2load >/dev/null || die "h2load is missing (apt-get install nghttp2-client)"
[[ -x "$NGINX" ]] || die "nginx is missing at $NGINX"
[[ -x "$WIRELAB" ]] || die "no wirelab binary at $WIRELAB: swift build -c release --scratch-path .build-rel --product wirelab"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer"
ulimit -n 20000 2>/dev/null || die "cannot raise the open-file limit to 20000"
AGENT_ROW=0
if "$WIRELAB" bench --help 2>&1 | grep -q -- '--h2'; then AGENT_ROW=1; fi

# start_nginx_h2 PORT: nginx with one worker serving the same 20-byte body over h2c, with no
# per-connection request limit (wirelab serve has none by default).
start_nginx_h2() {
    local port="$1" prefix="$WORK/nginx-h2"
    mkdir -p "$prefix/logs"
    cat >"$prefix/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile 20000;
error_log $prefix/logs/error.log;
pid $prefix/nginx.pid;
events { worker_connections 10000; }
http {
    access_log off;
    default_type application/json;
    keepalive_requests 10000000;    # 1.22's default (1000) ends each h2 connection with GOAWAY mid-run
    server {
        listen 127.0.0.1:$port http2;
        location / { return 200 '{"hello":"wirelab"}\n'; }
    }
}
CONF
    "$NGINX" -p "$prefix" -c "$prefix/nginx.conf" -g 'daemon off;' &
    SERVER_PID=$!
    wait_port "$port"
}

PORT=18300
next_port() { PORT=$((PORT + 1)); }

declare -A VALUES
# record KEY VALUE
record() { VALUES[$1]="${VALUES[$1]:-} $2"; printf '%s\t%s\n' "$1" "$2" >>"$RAW"; }

# h2load_rps ARGS...: req/s from an h2load run (fails when any request failed).
h2load_rps() {
    local out
    out=$(timeout 120 h2load "$@" 2>&1) || { echo "$out" >&2; die "h2load $* failed"; }
    if ! grep -q " 0 failed, 0 errored" <<<"$out"; then echo "$out" >&2; die "h2load $* had failures"; fi
    awk '/^finished in/ { gsub(",", "", $4); print $4 }' <<<"$out"
}

# idle_rss PID PORT: bytes per idle h2 connection (VmRSS difference over N).
idle_rss() {
    local pid="$1" port="$2" before after line
    python3 "$HERE/idle_clients.py" "$port" 10 --hold 0 --h2 >/dev/null
    sleep 1
    before=$(rss_kib "$pid")
    coproc CLIENTS { exec python3 "$HERE/idle_clients.py" "$port" "$N" --hold 120 --h2; }
    read -r -t 120 line <&"${CLIENTS[0]}" || die "idle clients did not get ready"
    sleep 1
    after=$(rss_kib "$pid")
    exec {CLIENTS[1]}>&-
    wait "$CLIENTS_PID" 2>/dev/null || true
    awk -v b="$before" -v a="$after" -v c="$N" 'BEGIN { printf "%d", (a - b) * 1024 / c }'
}

for round in $(seq 1 "$ROUNDS"); do
    for shape in "10 10" "100 10"; do
        read -r c m <<<"$shape"
        next_port; start_wirelab "$PORT"
        h2load -n 2000 -c "$c" -m "$m" "http://127.0.0.1:$PORT/" >/dev/null 2>&1 || true   # warm-up
        ours=$(h2load_rps -n "$REQUESTS" -c "$c" -m "$m" "http://127.0.0.1:$PORT/"); stop_server
        next_port; start_nginx_h2 "$PORT"
        h2load -n 2000 -c "$c" -m "$m" "http://127.0.0.1:$PORT/" >/dev/null 2>&1 || true
        peer=$(h2load_rps -n "$REQUESTS" -c "$c" -m "$m" "http://127.0.0.1:$PORT/"); stop_server
        record "c$c.wirelab" "$ours"; record "c$c.nginx" "$peer"
        record "c$c.ratio" "$(awk -v a="$ours" -v b="$peer" 'BEGIN { printf "%.3f", a / b }')"
        echo "round $round/$ROUNDS  -c $c -m $m   wirelab $ours  nginx $peer req/s" >&2
    done
    if [[ "$AGENT_ROW" == 1 ]]; then
        next_port; start_nginx_h2 "$PORT"
        "$WIRELAB" bench --url "http://127.0.0.1:$PORT/" --h2 --streams 10 --sequential 0 --requests 2000 >/dev/null 2>&1 || true
        out=$(timeout 120 "$WIRELAB" bench --url "http://127.0.0.1:$PORT/" --h2 --streams 10 --sequential 0 \
            --requests "$REQUESTS" --json 2>&1) || { echo "$out" >&2; die "wirelab bench --h2 failed"; }
        ours=$(python3 -c 'import json, sys; r = json.loads(sys.stdin.read())["concurrent"]; print(r["requests_per_second"] if r["errors"] == 0 else "")' <<<"$out")
        [[ -n "$ours" ]] || { echo "$out" >&2; die "wirelab bench --h2 had errors"; }
        peer=$(h2load_rps -n "$REQUESTS" -c 1 -m 10 "http://127.0.0.1:$PORT/"); stop_server
        record "agent.wirelab" "$ours"; record "agent.h2load" "$peer"
        record "agent.ratio" "$(awk -v a="$ours" -v b="$peer" 'BEGIN { printf "%.3f", a / b }')"
        echo "round $round/$ROUNDS  agent -m 10   wirelab $ours  h2load $peer req/s" >&2
    fi
    next_port; start_wirelab "$PORT" --keep-alive-timeout 0
    ours=$(idle_rss "$SERVER_PID" "$PORT"); stop_server
    next_port; start_nginx_h2 "$PORT"
    peer=$(idle_rss "$(nginx_worker_pid)" "$PORT"); stop_server
    record "rss.wirelab" "$ours"; record "rss.nginx" "$peer"
    record "rss.ratio" "$(awk -v a="$peer" -v b="$ours" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "inf" }')"
    echo "round $round/$ROUNDS  idle h2 RSS  wirelab $ours  nginx $peer B/connection" >&2
done

# median WORDS...: the median (mean of the middle two for an even count).
median() { tr ' ' '\n' <<<"$*" | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { tr ' ' '\n' <<<"$*" | sed '/^$/d' | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s–%s", lo, hi }'; }
reached() { tr ' ' '\n' <<<"$*" | sed '/^$/d' | awk '$1 >= 1.0 { n++ } END { printf "%d of %d", n, NR }'; }

echo
echo "| row | wirelab (median) | peer (median) | ratio, median (range) | rounds ≥ 1.0x |"
echo "|---|---|---|---|---|"
row() {  # row LABEL KEY PEERKEY
    printf '| %s | %s | %s | %sx (%s) | %s |\n' "$1" "$(median ${VALUES[$2.wirelab]})" "$(median ${VALUES[$2.$3]})" \
        "$(median ${VALUES[$2.ratio]})" "$(range ${VALUES[$2.ratio]})" "$(reached ${VALUES[$2.ratio]})"
}
row "server h2c, h2load -c 10 -m 10, req/s (peer nginx)" c10 nginx
row "server h2c, h2load -c 100 -m 10, req/s (peer nginx)" c100 nginx
if [[ "$AGENT_ROW" == 1 ]]; then row "agent over h2, 10 streams, req/s (peer h2load -c1 -m10)" agent h2load; fi
row "bytes per idle h2 connection (peer nginx; ratio nginx/ours)" rss nginx
echo
echo "per-round values: $RAW"
