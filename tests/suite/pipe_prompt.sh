#!/usr/bin/env bash
# tally in a pipeline whose writer pauses (tail -f, a slow producer): row
# modes show each kept row once the input pauses, --limit N and errors exit
# as soon as they can, without waiting for the writer to finish. Every check
# waits generously (up to ~10 s) and asserts order, never tight timing: the
# writer sleeps 30 s, so "before the writer ends" is a wide margin.
set -u
tally=$(realpath "$1")
here=$(dirname "$0")
log=$(realpath "$here/../../data/access.log")
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# Starts a writer that prints the file $1 and then stays silent for 30 s on
# the fifo $2 (its pid in $writer).
start_writer() {
    rm -f "$2"
    mkfifo "$2"
    (cat "$1"; exec sleep 30) >"$2" &
    writer=$!
    pids+=("$writer")
}

# Polls up to ~10 s until file $1 has at least $2 lines.
wait_lines() {
    for _ in $(seq 100); do
        [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

# Polls up to ~10 s until process $1 has exited.
wait_exit() {
    for _ in $(seq 100); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}

alive() { kill -0 "$1" 2>/dev/null; }

# Row modes: kept rows reach the output while the writer is still there.
printf 'a,b\n1,x\n2,y\n3,z\n' >"$work/abc.csv"
printf '2\n3\n' >"$work/abc.want"
for j in 1 2; do
    start_writer "$work/abc.csv" "$work/fifo"
    "$tally" -j "$j" -o csv --no-header-out -w 'a >= 2' -s a <"$work/fifo" >"$work/rows.out" 2>&1 &
    t=$!
    pids+=("$t")
    if wait_lines "$work/rows.out" 2 && alive "$writer" && alive "$t"; then
        cmp -s "$work/rows.out" "$work/abc.want" && ok ||
            bad "-j $j: rows in order: $(cat "$work/rows.out")"
    else
        bad "-j $j: kept rows did not show while the writer paused"
    fi
    kill "$writer" 2>/dev/null
    wait_exit "$t" && ok || bad "-j $j: tally did not end with its input"
done

# The issue's command: tail -f access.log | tally --log=combined -w ... -s time,path.
head -200 "$log" >"$work/head.log"
"$tally" --log=combined -w 'status >= 500' -s time,path -o csv "$work/head.log" >"$work/log.want"
nwant=$(wc -l <"$work/log.want")
start_writer "$work/head.log" "$work/fifo"
"$tally" --log=combined -w 'status >= 500' -s time,path -o csv <"$work/fifo" >"$work/log.out" &
t=$!
pids+=("$t")
if [ "$nwant" -gt 2 ] && wait_lines "$work/log.out" "$nwant" && alive "$writer"; then
    cmp -s "$work/log.out" "$work/log.want" && ok || bad "log rows differ from a whole-file run"
else
    bad "log: rows did not show while tail -f paused ($(wc -l <"$work/log.out") of $nwant)"
fi
kill "$writer" "$t" 2>/dev/null

# --limit: exits once the rows are out, whatever -j is.
printf 'a\n1\n2\n' >"$work/a.csv"
for j in 1 2 4; do
    start_writer "$work/a.csv" "$work/fifo"
    "$tally" -j "$j" -s a --limit 1 -o csv <"$work/fifo" >"$work/limit.out" &
    t=$!
    pids+=("$t")
    if wait_exit "$t" && alive "$writer"; then
        [ "$(cat "$work/limit.out")" = "$(printf 'a\n1')" ] && ok ||
            bad "-j $j --limit 1 printed: $(cat "$work/limit.out")"
    else
        bad "-j $j: --limit 1 waited for the writer"
    fi
    kill "$writer" 2>/dev/null
done

# An error (strict mode) ends the run at once too, with its message and exit
# 1. Many good rows come first so that the reading thread is surely waiting
# for the writer when the parser meets the bad one.
{
    echo a,b
    seq 100000 | sed 's/$/,2/'
    echo 3
} >"$work/bad.csv"
for j in 1 2; do
    start_writer "$work/bad.csv" "$work/fifo"
    "$tally" -j "$j" --strict -g a <"$work/fifo" >/dev/null 2>"$work/err" &
    t=$!
    pids+=("$t")
    if wait_exit "$t" && alive "$writer"; then
        wait "$t"
        rc=$?
        [ "$rc" = 1 ] && grep -q 'expected 2 fields, got 1' "$work/err" && ok ||
            bad "-j $j: strict error exit $rc: $(cat "$work/err")"
    else
        bad "-j $j: an error waited for the writer"
    fi
    kill "$writer" 2>/dev/null
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
