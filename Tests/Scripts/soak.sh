#!/usr/bin/env bash
# The soak (issue 9): mixed traffic through three agents and pipelining raw clients into the embedded
# server, then the books are checked (every request id answered exactly once, no POST twice, no fd or
# RSS growth). Not part of the normal `swift test`: the test is skipped unless WIRELAB_SOAK=1.
#
#   Tests/Scripts/soak.sh [seconds]      # default 60
set -euo pipefail
cd "$(dirname "$0")/../.."
WIRELAB_SOAK=1 WIRELAB_SOAK_SECONDS="${1:-60}" nice -n 10 swift test --filter 'SoakTests' 2>&1 \
    | grep -E '^soak:|Test run|✘|error:'
