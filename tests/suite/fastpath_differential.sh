#!/usr/bin/env bash
# Differential test of the CSV fast path at the command line: every file of
# realdata/csv and csv-suite, and a generated access log, queried through
# libcsv alone (TALLY_FASTPATH=0) and through the fast path with each
# scanning kernel (TALLY_SIMD=scalar|sse2|avx2|avx512); stdout, stderr and
# the exit status must be the same. Usage: fastpath_differential.sh TALLY
# Needs the real data set ($TALLY_REALDATA).
set -u
. "$(dirname "$0")/../needs_realdata.sh"
if [ $# -lt 1 ]; then
    echo "usage: $0 PATH_TO_TALLY" >&2
    exit 2
fi
tally=$1
export LC_ALL=C TZ=UTC
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A quoted, multi-line, CRLF sample beside the real files.
{
    printf 'id,name,note\r\n'
    for i in $(seq 1 400); do
        case $((i % 5)) in
        0) printf '%d,"n,%d","a ""q"" b"\r\n' "$i" "$i" ;;
        1) printf '%d,plain%d,"two\nlines"\r\n' "$i" "$i" ;;
        2) printf '%d,x%d,\n' "$i" "$i" ;;
        3) printf '%d,bad"q,z\r' "$i" ;;
        4) printf '%d,"y"z,w\n' "$i" ;;
        esac
    done
} >"$tmp/sample.csv"

run() { # mode file args...
    local mode=$1 file=$2
    shift 2
    case $mode in
    libcsv) TALLY_FASTPATH=0 "$tally" "$@" "$file" ;;
    *) TALLY_SIMD=$mode "$tally" "$@" "$file" ;;
    esac >"$tmp/out.$mode" 2>"$tmp/err.$mode"
    echo "exit $?" >>"$tmp/err.$mode"
}

fail=0 checked=0
while IFS= read -r -d '' f; do
    for q in "-n -o csv -s 1" "-n -o csv -s 2" "-a count" "--strict -a count" "-n -g 1 -o csv"; do
        # shellcheck disable=SC2086
        run libcsv "$f" $q
        for k in scalar sse2 avx2 avx512; do
            # shellcheck disable=SC2086
            run $k "$f" $q
            if ! cmp -s "$tmp/out.libcsv" "$tmp/out.$k" || ! cmp -s "$tmp/err.libcsv" "$tmp/err.$k"; then
                echo "DIFFER: $k: tally $q $f"
                diff "$tmp/err.libcsv" "$tmp/err.$k" | head -5
                fail=1
            fi
        done
        checked=$((checked + 1))
    done
done < <(find "$TALLY_REALDATA/csv" "$TALLY_REALDATA/csv-suite" "$tmp/sample.csv" \
    -type f \( -name '*.csv' -o -name '*.tsv' -o -name '*.tab' -o -name '*.txt' \) -print0)
echo "$checked queries compared in 5 modes"
[ "$checked" -gt 100 ] || { echo "too few inputs"; exit 1; }
exit $fail
