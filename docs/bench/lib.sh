# shellcheck shell=bash
# Shared helpers for the WireLab measurement scripts. Source it; do not run it.
# Everything listens on 127.0.0.1 only, and every server started here is stopped by `stop_server`.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# A release build of wirelab: swift build -c release --scratch-path .build-rel --product wirelab
WIRELAB="${WIRELAB:-$ROOT/.build-rel/release/wirelab}"
NGINX="${NGINX:-/usr/sbin/nginx}"
NODE="${NODE:-/usr/bin/node}"
WORK="${WORK:-/tmp/wirelab-bench}"
mkdir -p "$WORK"

SERVER_PID=""

# wait_port PORT: until something accepts on 127.0.0.1:PORT (at most 10 s).
wait_port() {
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "nothing came up on port $1" >&2
    return 1
}

# start_wirelab PORT [serve options...]: a release `wirelab serve --quiet`.
start_wirelab() {
    local port="$1"; shift
    "$WIRELAB" serve --quiet --port "$port" --for 10m "$@" >"$WORK/wirelab.log" 2>&1 &
    SERVER_PID=$!
    wait_port "$port"
}

# start_nginx PORT: nginx, one worker, `return 200 '{"hello":"wirelab"}'`, keep-alive settings left
# at their defaults (keepalive_timeout 75s, keepalive_requests 1000). Runs in the foreground
# (daemon off) in the background of this shell, with its own prefix under $WORK.
start_nginx() {
    local port="$1" prefix="$WORK/nginx"
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
    server {
        listen 127.0.0.1:$port;
        location / { return 200 '{"hello":"wirelab"}\n'; }
    }
}
CONF
    "$NGINX" -p "$prefix" -c "$prefix/nginx.conf" -g 'daemon off;' &
    SERVER_PID=$!
    wait_port "$port"
}

# nginx_worker_pid: the worker process (it holds the connections; the master does not).
nginx_worker_pid() { pgrep -P "$SERVER_PID" | head -1; }

# start_node PORT [keepAliveTimeoutMs]: Node's http.createServer answering the same body.
start_node() {
    "$NODE" "$HERE/node-server.mjs" "$1" "${2:-5000}" &
    SERVER_PID=$!
    wait_port "$1"
}

# start_python PORT: python3 -m http.server (HTTP/1.0, a directory listing).
start_python() {
    (cd "$WORK" && exec python3 -m http.server --bind 127.0.0.1 "$1" >/dev/null 2>&1) &
    SERVER_PID=$!
    wait_port "$1"
}

stop_server() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
trap stop_server EXIT

# rss_kib PID: the resident set size from /proc/PID/status (VmRSS), in KiB.
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# build_c OUT SOURCE [flags...]: compiles a C helper with the first compiler found ($CC, cc, clang,
# gcc; Swift's toolchain brings clang). Returns non-zero when none is found or the build fails; the
# compiler's messages are in OUT.build.txt.
build_c() {
    local out="$1" source="$2" cc
    shift 2
    for cc in "${CC:-}" cc clang gcc; do
        [[ -n "$cc" ]] && command -v "$cc" >/dev/null || continue
        "$cc" -O2 "$@" -o "$out" "$source" 2>"$out.build.txt"
        return
    done
    echo "no C compiler found (set CC)" >"$out.build.txt"
    return 1
}
