#!/usr/bin/env bash
# CI: a short libFuzzer run of every harness in tests/fuzz on its seed
# corpus; any crash, leak, sanitizer report or timeout fails the job.
# Installs nothing: needs clang, libclang-rt-14-dev (the fuzzer runtime) and
# llvm (llvm-symbolizer), plus the usual build dependencies and python3.
# FUZZ_SECONDS (default 20) is the time per harness.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-20}
build=build-fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== fuzz smoke: clang, -fsanitize=fuzzer,address,undefined, ${secs}s per harness"
# No -Werror here: clang warns where gcc does not (-Wcast-align), and this job
# is about crashes; the gcc build holds the warnings line.
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTALLY_FUZZ=ON \
    -DTALLY_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target fuzz
tests/fuzz/make-corpus.sh "$work/seeds"

fail=0
for h in csvparse tsvparse expr number reader logparse opdecode merge; do
    mkdir -p "$work/$h/corpus" "$work/$h/art"
    echo "-- fuzz_$h"
    if ! (cd "$work/$h/art" && "$OLDPWD/$build/fuzz_$h" -max_total_time="$secs" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 "$work/$h/corpus" "$work/seeds/$h" \
        >"$work/$h/log" 2>&1); then
        echo "fuzz_$h FAILED:"
        tail -n 60 "$work/$h/log"
        for a in "$work/$h/art"/*; do
            [ -f "$a" ] && { echo "reproducer $(basename "$a") (base64):"; base64 -w0 "$a"; echo; }
        done
        fail=1
    else
        grep -E 'stat::number_of_executed_units|stat::new_units_added' "$work/$h/log" | tr '\n' ' '
        echo
    fi
done
exit $fail
