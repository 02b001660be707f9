#!/usr/bin/env bash
# engine_parallel.sh TALLY: GNU parallel runs the shards, tally merges.
#   parallel tally --shard {}/8 --partial FILE ::: 1 2 3 4 5 6 7 8 | tally --merge
# prints byte-for-byte what `tally ... FILE` prints, with the partials in
# the order the jobs finish (no -k) or in shard order (-k), and through
# parallel's --sshlogin form (host ":" is this machine, without ssh).
set -u
tally=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v parallel >/dev/null || ! parallel --version 2>/dev/null | grep -q "GNU parallel"
then
    echo "skipped: needs GNU parallel (Debian package parallel)"
    exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/engine_parallel.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C
passed=0 failed=0

# same NAME PARALLEL_OPTIONS -- ARGS...: the shards of `tally ARGS` run by
# `parallel PARALLEL_OPTIONS` and merged print what one run prints.
same()
{
    local name=$1 popts=()
    shift
    while [ "$1" != -- ]; do
        popts+=("$1")
        shift
    done
    shift
    "$tally" "$@" >"$tmp/want" 2>"$tmp/want.err"
    local want_rc=$?
    parallel --will-cite -q "${popts[@]}" "$tally" --shard {}/8 --partial "$@" ::: $(seq 8) \
        2>"$tmp/map.err" | "$tally" --merge >"$tmp/got" 2>"$tmp/got.err"
    local rc=("${PIPESTATUS[@]}")
    if [ "$want_rc" = 0 ] && [ "${rc[0]}" = 0 ] && [ "${rc[1]}" = 0 ] &&
        cmp -s "$tmp/want" "$tmp/got"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $name: one run exit $want_rc, parallel ${rc[0]}, merge ${rc[1]}"
        cat "$tmp/want.err" "$tmp/map.err" "$tmp/got.err"
        diff "$tmp/want" "$tmp/got" | head -n 20
    fi
}

csv=$root/data/access.csv
log=$root/data/access.log
# A file big enough that all eight shards have work, and whose jobs finish
# in no fixed order: the bundled CSV five times over (one header).
{
    cat "$csv"
    for _ in 1 2 3 4; do tail -n +2 "$csv"; done
} >"$tmp/big.csv"

aggs=count,sum:bytes,mean:latency_ms,first:path,last:path,mode:host,median:latency_ms
aggs=$aggs,p95:latency_ms,distinct:path
same "completion order" -j 8 -- -g status -a "$aggs" "$tmp/big.csv"
same "-k, json" -k -j 4 -- -g method -a "$aggs" -o json "$tmp/big.csv"
same "log, sorted, limited" -j 3 -- --log=combined -g path -a n=count,last:time,mode:ip \
    --sort n:desc,path --limit 15 -o tsv "$log"
same "two files, table" -j 8 -- -g host -a count,first:time,last:time -o table "$csv" "$tmp/big.csv"
same "--sshlogin :" --sshlogin 4/: -- -w 'status >= 500' -g time/1h -a count,last:path \
    -o markdown "$tmp/big.csv"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
