#!/usr/bin/env bash
# The comparison table of issue 10, measured in one run: interleaved rounds, medians, ratios, goals.
#
#   server, wrk -t1 -c50 (req/s)      wirelab serve --quiet  vs nginx (1 worker) and Node 20 http
#   server, default logging           wirelab serve (logs every request) to a terminal (a pty made by
#                                     `script`) and to a file, vs wirelab serve --quiet
#   agent, sequential keep-alive      wirelab bench --url NGINX --sequential N  vs Node http.Agent
#     to nginx (req/s)                (node-sequential.mjs) and wrk -t1 -c1; nginx pinned to one CPU,
#                                     every client to another
#   the syscall floor                 floor-client.c (built here with the C compiler): one write,
#     (reference, same placement)     one epoll_wait and one read per request and nothing else, the
#                                     least any sequential client can cost; skipped with no compiler
#   RSS per idle keep-alive           wirelab serve --keep-alive-timeout 0  vs the nginx worker,
#     connection (bytes)              N idle connections held by idle_clients.py in another process
#
# In every round each contestant takes its turn once (throughput: wirelab, [before], nginx, node,
# then the logging variants; then the agent rows; then RSS). Each throughput contestant gets an
# unreported warm-up first. Per-round values go to $WORK/table-raw.txt; the table shows medians.
#
# Build the binary first:  swift build -c release --scratch-path .build-rel --product wirelab
# Usage: docs/bench/table.sh
# Knobs (environment):
#   WIRELAB=path          the wirelab under test (default $ROOT/.build-rel/release/wirelab)
#   WIRELAB_BEFORE=path   optional second binary: every WireLab row is measured for it too, in the
#                         same rounds, and the table gets a "before" column
#   ROUNDS=3              interleaved rounds (medians over them)
#   DURATION=10s          wrk -t1 -c50 run per server (after a 2 s warm-up, WARMUP=2s)
#   SEQ_REQUESTS=100000   requests per sequential client run (4-7 s for the agent on two CPUs)
#   SEQ_DURATION=5s       wrk -t1 -c1 run
#   N=8000                idle keep-alive connections for the RSS row
#   LOG_ROWS=1            0 skips the two "default logging" rows
#   WORK=/tmp/wirelab-bench  scratch directory (nginx prefix, logs, table-raw.txt)
# Everything listens on 127.0.0.1 only; every step runs under `timeout`; servers stop on exit.
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
SEQ_REQUESTS="${SEQ_REQUESTS:-100000}"
SEQ_DURATION="${SEQ_DURATION:-5s}"
N="${N:-8000}"
LOG_ROWS="${LOG_ROWS:-1}"
WIRELAB_BEFORE="${WIRELAB_BEFORE:-}"
RAW="$WORK/table-raw.txt"

die() { echo "table.sh: $*" >&2; exit 1; }

# --- prerequisites, loudly ---------------------------------------------------------------------
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
[[ -x "$NGINX" ]] || die "nginx is missing at $NGINX (apt-get install nginx, or NGINX=/path/to/nginx)"
command -v "$NODE" >/dev/null || die "node is missing at $NODE (install Node 20, or NODE=/path/to/node)"
for tool in python3 timeout taskset script awk; do
    command -v "$tool" >/dev/null || die "$tool is missing (script and taskset are in util-linux)"
done
[[ -x "$WIRELAB" ]] || die "no wirelab binary at $WIRELAB: build it with
    swift build -c release --scratch-path .build-rel --product wirelab
or point WIRELAB=/path/to/wirelab at one"
if [[ -n "$WIRELAB_BEFORE" ]]; then
    [[ -x "$WIRELAB_BEFORE" ]] || die "WIRELAB_BEFORE=$WIRELAB_BEFORE is not an executable"
fi
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, not '$ROUNDS'"
[[ "$SEQ_REQUESTS" =~ ^[1-9][0-9]*$ ]] || die "SEQ_REQUESTS must be a positive integer"
[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer"
# The floor client, from source, with whichever C compiler is here (Swift's toolchain brings clang).
FLOOR=""
if build_c "$WORK/floor-client" "$HERE/floor-client.c"; then
    FLOOR="$WORK/floor-client"
else
    echo "table.sh: floor-client.c was not built ($(cat "$WORK/floor-client.build.txt")); the floor row is skipped" >&2
fi
ulimit -n 20000 2>/dev/null || die "cannot raise the open-file limit to 20000 (ulimit -Hn is $(ulimit -Hn)); needed for N=$N idle connections"

# seconds DURATION: wrk-style durations (10, 10s, 2m, 1h) in whole seconds.
seconds() {
    case "$1" in
        *h) echo $(( ${1%h} * 3600 )) ;;
        *m) echo $(( ${1%m} * 60 )) ;;
        *s) echo "${1%s}" ;;
        *) echo "$1" ;;
    esac
}
for d in "$DURATION" "$WARMUP" "$SEQ_DURATION"; do
    [[ "$d" =~ ^[1-9][0-9]*[smh]?$ ]] || die "durations are like 10s, 2m: got '$d'"
done
DURATION_S=$(seconds "$DURATION")
WARMUP_S=$(seconds "$WARMUP")
SEQ_DURATION_S=$(seconds "$SEQ_DURATION")

# --- the WireLab contestants -------------------------------------------------------------------
WL_NAMES=(wirelab)
WL_BINS=("$WIRELAB")
if [[ -n "$WIRELAB_BEFORE" ]]; then
    WL_NAMES+=(before)
    WL_BINS+=("$WIRELAB_BEFORE")
fi

# --- CPU placement for the sequential rows -------------------------------------------------------
mapfile -t CPUS < <(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0)), sep="\n")')
if (( ${#CPUS[@]} >= 2 )); then
    SERVER_CPU="${CPUS[0]}"
    CLIENT_CPU="${CPUS[1]}"
    PIN_CLIENT=(taskset -c "$CLIENT_CPU")
    PLACEMENT="nginx (master and worker) pinned to CPU $SERVER_CPU, each client to CPU $CLIENT_CPU (the two-CPU case)"
else
    SERVER_CPU=""
    PIN_CLIENT=()
    PLACEMENT="unpinned: only ${#CPUS[@]} CPU available, server and client share it"
fi

# --- cleanup: every server and client this script started ----------------------------------------
TTY_CHILD=""
CLIENT_JOB=""
cleanup() {
    if [[ -n "$CLIENT_JOB" ]]; then kill "$CLIENT_JOB" 2>/dev/null || true; fi
    stop_server
    if [[ -n "$TTY_CHILD" ]]; then kill "$TTY_CHILD" 2>/dev/null || true; fi
    rm -f "$WORK/serve-file.log"
}
trap cleanup EXIT
trap 'echo "table.sh: interrupted" >&2; exit 130' INT TERM

# --- results -------------------------------------------------------------------------------------
declare -A VALUES
START=$SECONDS
progress() { printf '[%4ds] %s\n' $((SECONDS - START)) "$*"; }

# record KEY ROUND VALUE: keeps the value for the median and appends it to the raw file.
record() {
    local v
    v=$(awk -v x="$3" 'BEGIN { printf "%.1f", x }')
    VALUES[$1]="${VALUES[$1]:-} $v"
    printf '%s\tround %s\t%s\n' "$1" "$2" "$v" >>"$RAW"
}

# median KEY: the median of the recorded values (mean of the middle two for an even count).
median() {
    # shellcheck disable=SC2086
    printf '%s\n' ${VALUES[$1]:-} | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# group N: 125785.3 -> 125,785
group() { awk -v x="$1" 'BEGIN { s = sprintf("%.0f", x); o = ""
    while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
    print s o }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
at_least() { awk -v a="$1" -v b="$2" -v g="$3" 'BEGIN { print (b > 0 && a / b >= g) ? "yes" : "no" }'; }
at_most() { awk -v a="$1" -v g="$2" 'BEGIN { print (a <= g) ? "yes" : "no" }'; }

label() {
    case "$1" in
        wirelab) echo "wirelab" ;;
        before) echo "wirelab (before)" ;;
        nginx) echo "nginx, 1 worker" ;;
        node) echo "node http" ;;
        wrk) echo "wrk -t1 -c1" ;;
    esac
}

# --- servers -------------------------------------------------------------------------------------
PORT=18200
next_port() { PORT=$((PORT + 1)); }

# start_wl BIN MODE PORT [serve options]: MODE quiet (--quiet), tty (default logging, under a
# pseudo-terminal made by `script`, whose output is discarded) or file (default logging > file).
start_wl() {
    local bin="$1" mode="$2" port="$3"
    shift 3
    case "$mode" in
        quiet) "$bin" serve --quiet --port "$port" --for 10m "$@" >"$WORK/wirelab.log" 2>&1 & ;;
        file) "$bin" serve --port "$port" --for 10m "$@" >"$WORK/serve-file.log" 2>&1 & ;;
        tty)
            script -qfec "$(printf '%q ' "$bin" serve --port "$port" --for 10m "$@")" /dev/null \
                </dev/null >/dev/null 2>&1 &
            ;;
    esac
    SERVER_PID=$!
    wait_port "$port"
    if [[ "$mode" == tty ]]; then TTY_CHILD=$(pgrep -P "$SERVER_PID" | head -1 || true); fi
}

stop_all() {
    stop_server
    if [[ -n "$TTY_CHILD" ]]; then
        kill "$TTY_CHILD" 2>/dev/null || true
        TTY_CHILD=""
    fi
    rm -f "$WORK/serve-file.log"
}

# --- measurements --------------------------------------------------------------------------------
# wrk_rps FILE: Requests/sec from wrk's output; warns about errors wrk reported.
wrk_rps() {
    if grep -qE 'Socket errors|Non-2xx' "$1"; then
        progress "  warning: wrk reported errors: $(grep -E 'Socket errors|Non-2xx' "$1" | tr -s ' ' | tr '\n' ' ')" >&2
    fi
    awk '/^Requests\/sec:/ { print $2 }' "$1" | grep . || die "no Requests/sec in $1: $(cat "$1")"
}

# throughput KEY ROUND PORT: warm-up, then wrk -t1 -c50 for DURATION.
throughput() {
    local key="$1" round="$2" port="$3" out="$WORK/wrk-$1-$2.txt" rps
    timeout -k 5 $((WARMUP_S + 30)) wrk -t1 -c50 -d"$WARMUP" "http://127.0.0.1:$port/" >/dev/null \
        || die "wrk warm-up against $key failed"
    timeout -k 5 $((DURATION_S + 30)) wrk -t1 -c50 -d"$DURATION" --latency "http://127.0.0.1:$port/" >"$out" \
        || die "wrk against $key failed"
    rps=$(wrk_rps "$out")
    record "$key" "$round" "$rps"
    progress "round $round/$ROUNDS  $(printf '%-28s' "$key") $(group "$rps") req/s"
}

# json_rps: requests_per_second from a JSON line on stdin (the first one: the keep-alive phase).
json_rps() { grep -o '"requests_per_second":[0-9.eE+-]*' | head -1 | cut -d: -f2; }

SEQ_TIMEOUT=$((SEQ_REQUESTS / 500 + 60))    # the slowest client at 500 req/s, plus start-up

sequential_round() {
    local round="$1" port="$2" url i out rps errors
    url="http://127.0.0.1:$port/"
    start_nginx "$port"
    if [[ -n "$SERVER_CPU" ]]; then
        taskset -p -c "$SERVER_CPU" "$SERVER_PID" >/dev/null
        taskset -p -c "$SERVER_CPU" "$(nginx_worker_pid)" >/dev/null
    fi
    timeout -k 5 30 "${PIN_CLIENT[@]}" wrk -t1 -c1 -d1s "$url" >/dev/null || die "wrk warm-up against nginx failed"
    for i in "${!WL_NAMES[@]}"; do
        out=$(timeout -k 5 "$SEQ_TIMEOUT" "${PIN_CLIENT[@]}" "${WL_BINS[$i]}" bench --url "$url" \
            --sequential "$SEQ_REQUESTS" --new-connections 0 --connections 0 --json) \
            || die "wirelab bench (${WL_NAMES[$i]}) failed or timed out: $out"
        errors=$(grep -o '"errors":[0-9]*' <<<"$out" | head -1 | cut -d: -f2)
        [[ "$errors" == 0 ]] || progress "  warning: ${WL_NAMES[$i]} agent reported $errors errors"
        rps=$(json_rps <<<"$out")
        [[ -n "$rps" ]] || die "no requests_per_second in: $out"
        record "seq.${WL_NAMES[$i]}" "$round" "$rps"
        progress "round $round/$ROUNDS  $(printf '%-28s' "seq.${WL_NAMES[$i]}") $(group "$rps") req/s"
    done
    out=$(timeout -k 5 "$SEQ_TIMEOUT" "${PIN_CLIENT[@]}" "$NODE" "$HERE/node-sequential.mjs" "$url" "$SEQ_REQUESTS") \
        || die "node-sequential.mjs failed or timed out: $out"
    rps=$(json_rps <<<"$out")
    [[ -n "$rps" ]] || die "no requests_per_second in: $out"
    record seq.node "$round" "$rps"
    progress "round $round/$ROUNDS  $(printf '%-28s' seq.node) $(group "$rps") req/s"
    timeout -k 5 $((SEQ_DURATION_S + 30)) "${PIN_CLIENT[@]}" wrk -t1 -c1 -d"$SEQ_DURATION" --latency "$url" \
        >"$WORK/wrk-seq-$round.txt" || die "wrk -c1 against nginx failed"
    rps=$(wrk_rps "$WORK/wrk-seq-$round.txt")
    record seq.wrk "$round" "$rps"
    progress "round $round/$ROUNDS  $(printf '%-28s' seq.wrk) $(group "$rps") req/s"
    if [[ -n "$FLOOR" ]]; then
        rps=$(timeout -k 5 "$SEQ_TIMEOUT" "${PIN_CLIENT[@]}" "$FLOOR" "$port" "$SEQ_REQUESTS") \
            || die "floor-client failed or timed out: $rps"
        record seq.floor "$round" "$rps"
        progress "round $round/$ROUNDS  $(printf '%-28s' seq.floor) $(group "$rps") req/s"
    fi
    stop_all
}

# idle_rss KEY ROUND PID PORT: VmRSS of PID before and after N idle keep-alive connections;
# records bytes per connection, (after - before) * 1024 / N.
idle_rss() {
    local key="$1" round="$2" pid="$3" port="$4" before after line bytes
    timeout -k 5 60 python3 "$HERE/idle_clients.py" "$port" 10 --hold 0 >/dev/null \
        || die "warm-up connections to $key failed"
    sleep 1
    before=$(rss_kib "$pid")
    coproc CLIENTS { exec timeout -k 5 300 python3 "$HERE/idle_clients.py" "$port" "$N" --hold 240; }
    CLIENT_JOB=$CLIENTS_PID
    read -r -t 180 line <&"${CLIENTS[0]}" || die "$key: the idle clients did not report ready within 180 s"
    [[ "$line" == "ready $N" ]] || die "$key: idle clients said '$line', expected 'ready $N'"
    sleep 1
    after=$(rss_kib "$pid")
    local to_clients="${CLIENTS[1]}"
    exec {to_clients}>&-                                                 # the clients close their sockets
    wait "$CLIENT_JOB" 2>/dev/null || true
    CLIENT_JOB=""
    bytes=$(awk -v b="$before" -v a="$after" -v n="$N" 'BEGIN { printf "%.1f", (a - b) * 1024 / n }')
    record "$key" "$round" "$bytes"
    progress "round $round/$ROUNDS  $(printf '%-28s' "$key") $bytes B per connection  (VmRSS $before -> $after KiB)"
}

# --- the machine ---------------------------------------------------------------------------------
version_of() { "$1" --version 2>/dev/null | head -1 || true; }
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
RAM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
NGINX_V=$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')
NODE_V=$("$NODE" -v)
WRK_V=$({ wrk -v 2>&1 || true; } | awk 'NR == 1 { print $2 }')
WL_V=$(version_of "$WIRELAB")
MACHINE="$(nproc) CPUs ($CPU_MODEL), Linux $(uname -r), $RAM RAM; wirelab: ${WL_V:-no --version} ($WIRELAB)"
if [[ -n "$WIRELAB_BEFORE" ]]; then
    MACHINE+="; before: $(version_of "$WIRELAB_BEFORE") ($WIRELAB_BEFORE)"
fi
MACHINE+="; $NGINX_V, node $NODE_V, wrk $WRK_V"

# A rough estimate: the throughput runs are fixed; the sequential runs assume ~20k req/s (agent),
# ~5k req/s (node) and ~30k req/s (the floor client) on two CPUs; the RSS runs ~7 s per server at N=8000.
NWL=${#WL_NAMES[@]}
TP_RUNS=$((NWL + 2 + (LOG_ROWS == 1 ? 2 * NWL : 0)))
EST=$(( ROUNDS * (TP_RUNS * (DURATION_S + WARMUP_S + 1) + NWL * SEQ_REQUESTS / 20000 + SEQ_REQUESTS / 5000 \
    + (${#FLOOR} > 0 ? SEQ_REQUESTS / 30000 : 0) \
    + SEQ_DURATION_S + 3 + (NWL + 1) * (3 + N / 2000)) ))

: >"$RAW"
{
    echo "# table.sh $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "# machine: $MACHINE"
    echo "# ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP SEQ_REQUESTS=$SEQ_REQUESTS SEQ_DURATION=$SEQ_DURATION N=$N"
    echo "# sequential placement: $PLACEMENT"
    echo "# units: req/s, except rss.* (bytes per idle connection)"
} >>"$RAW"

echo "== WireLab comparison table (issue 10)"
echo "machine: $MACHINE"
echo "settings: ROUNDS=$ROUNDS DURATION=$DURATION (after a $WARMUP warm-up) SEQ_REQUESTS=$SEQ_REQUESTS SEQ_DURATION=$SEQ_DURATION N=$N"
echo "sequential rows: $PLACEMENT; throughput and RSS rows unpinned"
echo "roughly $((EST / 60)) min $((EST % 60)) s; raw values: $RAW"

# --- the rounds ----------------------------------------------------------------------------------
for round in $(seq 1 "$ROUNDS"); do
    for i in "${!WL_NAMES[@]}"; do
        next_port; start_wl "${WL_BINS[$i]}" quiet "$PORT"
        throughput "tp.${WL_NAMES[$i]}" "$round" "$PORT"; stop_all
    done
    next_port; start_nginx "$PORT"; throughput tp.nginx "$round" "$PORT"; stop_all
    next_port; start_node "$PORT"; throughput tp.node "$round" "$PORT"; stop_all
    if [[ "$LOG_ROWS" == 1 ]]; then
        for mode in tty file; do
            for i in "${!WL_NAMES[@]}"; do
                next_port; start_wl "${WL_BINS[$i]}" "$mode" "$PORT"
                throughput "$mode.${WL_NAMES[$i]}" "$round" "$PORT"; stop_all
            done
        done
    fi

    next_port; sequential_round "$round" "$PORT"

    for i in "${!WL_NAMES[@]}"; do
        next_port; start_wl "${WL_BINS[$i]}" quiet "$PORT" --keep-alive-timeout 0
        idle_rss "rss.${WL_NAMES[$i]}" "$round" "$SERVER_PID" "$PORT"; stop_all
    done
    next_port; start_nginx "$PORT"
    idle_rss rss.nginx "$round" "$(nginx_worker_pid)" "$PORT"; stop_all
done

# --- per round and medians -----------------------------------------------------------------------
declare -A MED
KEYS=()
for k in tp seq rss; do
    for name in "${WL_NAMES[@]}"; do KEYS+=("$k.$name"); done
    case $k in
        tp) KEYS+=(tp.nginx tp.node)
            if [[ "$LOG_ROWS" == 1 ]]; then
                for name in "${WL_NAMES[@]}"; do KEYS+=("tty.$name" "file.$name"); done
            fi ;;
        seq) KEYS+=(seq.node seq.wrk)
            if [[ -n "$FLOOR" ]]; then KEYS+=(seq.floor); fi ;;
        rss) KEYS+=(rss.nginx) ;;
    esac
done
echo
echo "== per round, then the median"
echo "# medians" >>"$RAW"
for key in "${KEYS[@]}"; do
    MED[$key]=$(median "$key")
    printf '%-16s %s   median %s\n' "$key" "${VALUES[$key]# }" "${MED[$key]}"
    printf '%s\tmedian\t%s\n' "$key" "${MED[$key]}" >>"$RAW"
done

# --- the table -----------------------------------------------------------------------------------
B=""; [[ -n "$WIRELAB_BEFORE" ]] && B=1
row() {   # row MEASUREMENT WIRELAB BEFORE NOW/BEFORE PEERS RATIO GOAL MET
    if [[ -n "$B" ]]; then
        printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$@"
    else
        printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$5" "$6" "$7" "$8"
    fi
}
beforev() { if [[ -n "$B" ]]; then group "${MED[$1.before]}"; fi; }
nowbefore() { if [[ -n "$B" ]]; then printf '%sx' "$(ratio "${MED[$1.wirelab]}" "${MED[$1.before]}")"; fi; }

TABLE="$WORK/table.md"
print_table() {
    echo
    echo "== table (medians of $ROUNDS round(s))"
    echo "machine: $MACHINE"
    echo "sequential row: $PLACEMENT"
    echo
    row "measurement" "WireLab" "before" "now/before" "peers" "ratio" "goal" "met"
    row "---" "---:" "---:" "---:" "---" "---" "---" "---"
    row "server, wrk -t1 -c50, req/s (wirelab serve --quiet)" \
        "$(group "${MED[tp.wirelab]}")" "$(beforev tp)" "$(nowbefore tp)" \
        "nginx (1 worker) $(group "${MED[tp.nginx]}"); Node 20 http $(group "${MED[tp.node]}")" \
        "$(ratio "${MED[tp.wirelab]}" "${MED[tp.nginx]}")x nginx, $(ratio "${MED[tp.wirelab]}" "${MED[tp.node]}")x Node" \
        "≥1.0x nginx, ≥2.2x Node" \
        "$(at_least "${MED[tp.wirelab]}" "${MED[tp.nginx]}" 1.0) / $(at_least "${MED[tp.wirelab]}" "${MED[tp.node]}" 2.2)"
    if [[ "$LOG_ROWS" == 1 ]]; then
        for mode in tty file; do
            [[ $mode == tty ]] && what="server, default logging to a terminal (pty), req/s" \
                || what="server, default logging to a file, req/s"
            row "$what" "$(group "${MED[$mode.wirelab]}")" "$(beforev "$mode")" "$(nowbefore "$mode")" \
                "wirelab serve --quiet $(group "${MED[tp.wirelab]}")" \
                "$(ratio "${MED[$mode.wirelab]}" "${MED[tp.wirelab]}")x --quiet" "(the cost of logging)" "—"
        done
    fi
    row "agent, sequential keep-alive to nginx, req/s (wirelab bench --sequential $SEQ_REQUESTS)" \
        "$(group "${MED[seq.wirelab]}")" "$(beforev seq)" "$(nowbefore seq)" \
        "Node http.Agent $(group "${MED[seq.node]}"); wrk -t1 -c1 $(group "${MED[seq.wrk]}")" \
        "$(ratio "${MED[seq.wirelab]}" "${MED[seq.node]}")x Node, $(ratio "${MED[seq.wirelab]}" "${MED[seq.wrk]}")x wrk" \
        "≥2.5x Node, ≥1.0x wrk -c1" \
        "$(at_least "${MED[seq.wirelab]}" "${MED[seq.node]}" 2.5) / $(at_least "${MED[seq.wirelab]}" "${MED[seq.wrk]}" 1.0)"
    if [[ -n "$FLOOR" ]]; then
        row "the syscall floor: write, epoll_wait, read and nothing else (floor-client.c), req/s" \
            "$(group "${MED[seq.wirelab]}")" "$(beforev seq)" "$(nowbefore seq)" \
            "floor $(group "${MED[seq.floor]}"); wrk -t1 -c1 $(ratio "${MED[seq.wrk]}" "${MED[seq.floor]}")x floor" \
            "$(ratio "${MED[seq.wirelab]}" "${MED[seq.floor]}")x floor" "(reference: what the system calls allow)" "—"
    fi
    row "RSS per idle keep-alive connection ($(group "$N")), bytes (wirelab serve)" \
        "$(group "${MED[rss.wirelab]}")" "$(beforev rss)" "$(nowbefore rss)" \
        "nginx worker $(group "${MED[rss.nginx]}")" \
        "$(ratio "${MED[rss.wirelab]}" "${MED[rss.nginx]}")x nginx" \
        "≤ 550 B" "$(at_most "${MED[rss.wirelab]}" 550)"
}
# paired A B GOAL: A/B round by round (both were measured in the same round, minutes apart), then
# their median and range and in how many rounds the goal held. A ratio of medians hides how far
# apart two rounds land; on a noisy machine this says whether a goal holds or only sometimes does.
paired() {
    # shellcheck disable=SC2086
    paste <(printf '%s\n' ${VALUES[$1]}) <(printf '%s\n' ${VALUES[$2]}) | awk -v g="$3" '
        { r[NR] = $1 / $2; list = list (NR > 1 ? " " : "") sprintf("%.2f", r[NR]); if (r[NR] >= g) met++ }
        END {
            n = NR
            for (i = 1; i <= n; i++) s[i] = r[i]
            for (i = 2; i <= n; i++) for (j = i; j > 1 && s[j - 1] > s[j]; j--) { t = s[j]; s[j] = s[j - 1]; s[j - 1] = t }
            m = n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
            printf "%s | %.2f | %.2f-%.2f | %d of %d\n", list, m, s[1], s[n], met, n }'
}
print_paired() {
    echo
    echo "== the goals round by round (paired ratios)"
    echo
    echo "| ratio | goal | per round | median | range | rounds at goal |"
    echo "|---|---|---|---:|---|---|"
    echo "| server / nginx | ≥1.0x | $(paired tp.wirelab tp.nginx 1.0) |"
    echo "| server / Node | ≥2.2x | $(paired tp.wirelab tp.node 2.2) |"
    echo "| agent / Node | ≥2.5x | $(paired seq.wirelab seq.node 2.5) |"
    echo "| agent / wrk -c1 | ≥1.0x | $(paired seq.wirelab seq.wrk 1.0) |"
    if [[ -n "$FLOOR" ]]; then echo "| wrk -c1 / floor | (reference) | $(paired seq.wrk seq.floor 1.0) |"; fi
}
{ print_table; print_paired; } | tee "$TABLE"
echo
echo "took $((SECONDS - START)) s; per-round values in $RAW, this table in $TABLE"
