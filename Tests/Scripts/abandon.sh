#!/usr/bin/env bash
# Opens and abandons many connections against the embedded server (default 10,000, in batches of
# 1,000: a quarter closed with FIN, a quarter reset, a quarter sending half a head, a quarter silent),
# waits for the server to close every one, then checks that only its listening socket is left and that
# it still answers. The normal `swift test` runs the same test with 300.
#
#   Tests/Scripts/abandon.sh [count]
set -euo pipefail
cd "$(dirname "$0")/../.."
WIRELAB_ABANDON_COUNT="${1:-10000}" nice -n 10 swift test --filter 'HostileClientTests/abandoned' 2>&1 \
    | grep -E '^abandoned:|Test run|passed after|✘|error:'
