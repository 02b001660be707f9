#!/usr/bin/env bash
# Runs one golden command-line case: tests/cli/<case>/cmd is a shell script
# that calls `tally` (found first on PATH) from inside the case folder, with
# $REALDATA naming the real data set ($TALLY_REALDATA). A case whose cmd uses
# $REALDATA is skipped (exit 77, ctest: Skipped) where that folder is absent.
# Its stdout, stderr and exit status are compared whole with expected.out,
# expected.err and expected.exit (0 when absent). Standard input is the file
# `stdin` when present, else empty.
# TALLY_UPDATE_GOLDEN=1 rewrites the expectations instead of comparing.
set -u
bin=$1
dir=$(cd "$2" && pwd)
realdata=
if grep -q REALDATA "$dir/cmd"; then
    # shellcheck source=../needs_realdata.sh
    . "$(dirname "$0")/../needs_realdata.sh"
    realdata=$TALLY_REALDATA
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
ln -s "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" "$work/bin/tally"

stdin=/dev/null
[ -f "$dir/stdin" ] && stdin="$dir/stdin"
(
    cd "$dir" || exit 99
    export PATH="$work/bin:$PATH" REALDATA="$realdata" LC_ALL=C COLUMNS=80 TZ=UTC
    unset NO_COLOR TALLY_OPTIONS
    bash ./cmd <"$stdin" >"$work/out" 2>"$work/err"
    echo $? >"$work/exit"
)
# Paths into the real data print as $REALDATA so the expectations travel.
[ -n "$realdata" ] && sed -i "s#$realdata#\$REALDATA#g" "$work/out" "$work/err"

if [ "${TALLY_UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$work/out" "$dir/expected.out"
    cp "$work/err" "$dir/expected.err"
    if [ "$(cat "$work/exit")" = 0 ]; then rm -f "$dir/expected.exit"; else cp "$work/exit" "$dir/expected.exit"; fi
    echo "updated $dir"
    exit 0
fi

fail=0
want_exit=0
[ -f "$dir/expected.exit" ] && want_exit=$(cat "$dir/expected.exit")
got_exit=$(cat "$work/exit")
if [ "$got_exit" != "$want_exit" ]; then
    echo "exit status: want $want_exit, got $got_exit"
    fail=1
fi
for s in out err; do
    want="$dir/expected.$s"
    [ -f "$want" ] || want=/dev/null
    if ! diff -u --label "expected.$s" --label "actual.$s" "$want" "$work/$s"; then
        fail=1
    fi
done
[ $fail = 0 ] && echo "ok $(basename "$dir")"
exit $fail
