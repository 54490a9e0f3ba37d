#!/usr/bin/env bash
# `wirelab probe` against nginx (defaults), Node 20's http.createServer (defaults) and
# python3 -m http.server. Takes about a minute: nginx keeps idle connections 75 s, so the idle
# wait runs to the 30 s bound.
# Usage: docs/bench/probe.sh
source "$(dirname "$0")/lib.sh"
start_nginx 18121
echo "== nginx $("$NGINX" -v 2>&1 | sed 's/.*\///')"
"$WIRELAB" probe http://127.0.0.1:18121/
stop_server
start_node 18122
echo "== node $("$NODE" --version)"
"$WIRELAB" probe http://127.0.0.1:18122/
stop_server
start_python 18123
echo "== python3 -m http.server ($(python3 --version))"
"$WIRELAB" probe http://127.0.0.1:18123/
