#!/usr/bin/env bash
# Builds and runs WireLab's libFuzzer targets. Not part of `swift build` or `swift test`.
#
#   Tests/Fuzz/run.sh <target|all> [seconds]     # default 60 s per target
#   Tests/Fuzz/run.sh build <target|all>         # build only
#   Tests/Fuzz/run.sh replay <target> <file>...  # run inputs once (a crash, a saved finding)
#
# Targets: request response chunked script lesson hpack h2frames (server and client roles). Each builds with `swiftc -sanitize=fuzzer,address`
# into .build/fuzz/, starts from Tests/Fuzz/seeds/<target>/ and keeps its growing corpus in
# .build/fuzz/corpus/<target>/. Runs are nice'd (the machine may be shared) and one at a time.
# A crash, a hang (-timeout) or an allocation over -malloc_limit_mb stops the run and leaves the input
# in .build/fuzz/findings/<target>/. See docs/fuzzing.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/Tests/Fuzz"
out="$root/.build/fuzz"
swiftc="${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}"
targets=(request response chunked script lesson hpack h2frames)
flags=(-sanitize=fuzzer,address -parse-as-library -O -assert-config Debug -g)

build() {
    local target="$1" dir="$out/build/$1"
    mkdir -p "$dir"
    case "$target" in
        request|response|chunked)
            local main
            case "$target" in
                request) main=RequestParserTarget.swift ;;
                response) main=ResponseParserTarget.swift ;;
                chunked) main=ChunkedDecoderTarget.swift ;;
            esac
            "$swiftc" "${flags[@]}" -module-name FuzzHTTP1 "$root"/Sources/HTTP1/*.swift \
                "$here/HTTPFuzzSupport.swift" "$here/$main" -o "$out/$target" ;;
        script)
            "$swiftc" "${flags[@]}" -module-name FuzzLabScript "$root"/Sources/LabScript/*.swift \
                "$here/ScriptParserTarget.swift" -o "$out/$target" ;;
        lesson)
            # LabScript as a module of its own (LabKit's lint closure parses the lab block with it).
            (cd "$dir" && "$swiftc" -sanitize=fuzzer,address \
                -parse-as-library -O -assert-config Debug -g -wmo -module-name LabScript -emit-module \
                -emit-module-path "$dir/LabScript.swiftmodule" -emit-object -o "$dir/LabScript.o" \
                "$root"/Sources/LabScript/*.swift)
            "$swiftc" "${flags[@]}" -I "$dir" -module-name LabKit "$root"/Sources/LabKit/*.swift \
                "$here/LessonLoaderTarget.swift" "$dir/LabScript.o" -o "$out/$target" ;;
        hpack)
            "$swiftc" "${flags[@]}" -module-name FuzzHPACK "$root"/Sources/HPACK/*.swift \
                "$here/HPACKDecoderTarget.swift" -o "$out/$target" ;;
        h2frames)
            # HPACK as a module of its own (HTTP2 imports it), then HTTP2 and the target as one.
            (cd "$dir" && "$swiftc" -sanitize=fuzzer,address \
                -parse-as-library -O -assert-config Debug -g -wmo -module-name HPACK -emit-module \
                -emit-module-path "$dir/HPACK.swiftmodule" -emit-object -o "$dir/HPACK.o" \
                "$root"/Sources/HPACK/*.swift)
            "$swiftc" "${flags[@]}" -I "$dir" -module-name FuzzHTTP2 "$root"/Sources/HTTP2/*.swift \
                "$here/FrameParserTarget.swift" "$dir/HPACK.o" -o "$out/$target" ;;
        *) echo "unknown target '$target' (targets: ${targets[*]})" >&2; exit 64 ;;
    esac 2> >(grep -v "Cannot export local symbol" >&2)
}

run() {
    local target="$1" seconds="$2" corpus="$out/corpus/$1" findings="$out/findings/$1"
    mkdir -p "$corpus" "$findings"
    echo "== $target: ${seconds}s"
    nice -n 19 "$out/$target" "$corpus" "$here/seeds/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=256 -max_len="$(case "$target" in lesson) echo 16384 ;; script) echo 2048 ;; *) echo 4096 ;; esac)" \
        -artifact_prefix="$findings/" -print_final_stats=1 2>&1 | tee "$out/$target.log" \
        | grep -E "^#[0-9]+ +(INITED|DONE)|^stat::|ERROR|SUMMARY|Test unit written" || true
}

case "${1:-}" in
    build) shift; for t in $([ "${1:-all}" = all ] && echo "${targets[@]}" || echo "$1"); do build "$t"; done ;;
    replay) shift; target="$1"; shift; build "$target"; "$out/$target" "$@" ;;
    all) seconds="${2:-60}"; for t in "${targets[@]}"; do build "$t"; run "$t" "$seconds"; done ;;
    request|response|chunked|script|lesson|hpack|h2frames) build "$1"; run "$1" "${2:-60}" ;;
    *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 64 ;;
esac
