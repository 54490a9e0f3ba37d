#!/usr/bin/env bash
# Memory per idle keep-alive connection, measured from outside: a server in one process, N clients
# in another (docs/bench/idle_clients.py: one request on each connection, then idle). The server's
# VmRSS (/proc/PID/status) is read before the clients connect and after all N got their response;
# the difference over N is the figure. For nginx the worker process is measured (it holds the
# connections). Idle timeouts are off (wirelab --keep-alive-timeout 0, Node keepAliveTimeout 0) or
# long (nginx's default 75 s) so nothing closes while it is measured.
# Also runs `wirelab bench --idle-connections N` (both ends in one process) for comparison.
# Usage: docs/bench/idle-rss.sh              (N=8000 to change)
source "$(dirname "$0")/lib.sh"
N="${N:-8000}"
ulimit -n 20000

measure() {   # measure NAME PID PORT
    local name="$1" pid="$2" port="$3" before after line
    python3 "$HERE/idle_clients.py" "$port" 10 --hold 0 >/dev/null      # warm up: first connections
    sleep 1
    before=$(rss_kib "$pid")
    coproc CLIENTS { exec python3 "$HERE/idle_clients.py" "$port" "$N" --hold 120; }
    read -r -t 120 line <&"${CLIENTS[0]}"
    sleep 1
    after=$(rss_kib "$pid")
    exec {CLIENTS[1]}>&-                                                  # clients close their sockets
    wait "$CLIENTS_PID" 2>/dev/null || true
    awk -v n="$name" -v b="$before" -v a="$after" -v c="$N" -v l="$line" \
        'BEGIN { printf "%-8s %s  VmRSS before %6d KiB, after %6d KiB: %.3f KiB per idle connection\n", n, l, b, a, (a - b) / c }'
}

start_wirelab 18101 --keep-alive-timeout 0
measure "wirelab" "$SERVER_PID" 18101
stop_server

start_nginx 18102
measure "nginx" "$(nginx_worker_pid)" 18102
stop_server

start_node 18103 0
measure "node" "$SERVER_PID" 18103
stop_server

echo "== in one process: $WIRELAB bench --idle-connections $N"
"$WIRELAB" bench --idle-connections "$N"
