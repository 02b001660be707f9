#!/usr/bin/env bash
# engine_dask.sh TALLY: contrib/dask/tally_dask.py on a real Dask cluster.
# Starts a dask-scheduler and two dask-workers on 127.0.0.1 (free ports,
# no dashboards), with a `tally` first on the workers' PATH that runs the
# freshly built one; engine_dask.py then runs the driver on the bundled and
# the real data and compares it byte-for-byte with one tally run, checks
# its errors, and kills a worker in the middle of a task. Everything
# started here is stopped by pid on the way out, whatever happens.
. "$(dirname "$0")/../needs_realdata.sh"
set -u
tally=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)

# The interpreter that has Debian's python3-distributed (python3 may be
# another one, e.g. a pyenv shim).
py=
for c in python3 /usr/bin/python3; do
    if command -v "$c" >/dev/null && "$c" -c 'import distributed' 2>/dev/null; then
        py=$(command -v "$c")
        break
    fi
done
if [ -z "$py" ]; then
    echo "skipped: needs python3-distributed (no python3 here can import distributed)"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/engine_dask.XXXXXX")
pids=()
cleanup()
{
    # The cluster's processes, then any task the suite left waiting.
    local p alive
    for p in "${pids[@]}"; do
        kill -KILL "$p" 2>/dev/null
    done
    for p in "$tmp"/running/*; do
        [ -f "$p" ] && kill -KILL "$(basename "$p")" 2>/dev/null
    done
    for _ in $(seq 100); do
        alive=0
        for p in "${pids[@]}"; do
            kill -0 "$p" 2>/dev/null && alive=1
        done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# The workers' tally: while $tmp/hold exists, a task records the worker
# running it (its parent) under running/<pid> and waits (at most ~5
# minutes), so the suite can kill that worker mid-task. Every call is
# logged in $tmp/calls as "<worker pid> <arguments>".
mkdir -p "$tmp/bin" "$tmp/running"
cat >"$tmp/bin/tally" <<EOF
#!/bin/sh
echo "\$PPID \$*" >>'$tmp/calls'
if [ -e '$tmp/hold' ]; then
    echo "\$PPID" >'$tmp/running/'\$\$
    i=0
    while [ -e '$tmp/hold' ] && [ \$i -lt 3000 ]; do sleep 0.1; i=\$((i + 1)); done
fi
exec '$tally' "\$@"
EOF
chmod +x "$tmp/bin/tally"

# --port 0: the system picks a free port; the scheduler file says which.
# --idle-timeout and --death-timeout are a second net: a cluster left
# behind by a SIGKILLed suite stops itself.
"$py" -m distributed.cli.dask_scheduler --host 127.0.0.1 --port 0 --no-dashboard --no-show \
    --idle-timeout 900 --scheduler-file "$tmp/scheduler.json" >"$tmp/scheduler.log" 2>&1 &
pids+=($!)
disown $! # stopped by pid in cleanup: no "Killed" notice from bash
for _ in $(seq 600); do
    [ -s "$tmp/scheduler.json" ] && break
    kill -0 "${pids[0]}" 2>/dev/null || break
    sleep 0.2
done
addr=$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["address"])' \
    "$tmp/scheduler.json" 2>/dev/null)
if [ -z "$addr" ]; then
    echo "FAIL: the scheduler did not start; its log:"
    cat "$tmp/scheduler.log"
    exit 1
fi

# Two single-threaded workers without a nanny: a task runs in the worker
# process itself, so killing that pid kills the task's worker for good.
workers=()
for w in 1 2; do
    mkdir -p "$tmp/w$w"
    PATH="$tmp/bin:$PATH" "$py" -m distributed.cli.dask_worker "$addr" --host 127.0.0.1 \
        --nthreads 1 --no-nanny --no-dashboard --name "w$w" --memory-limit 0 \
        --death-timeout 120 --local-directory "$tmp/w$w" >"$tmp/w$w.log" 2>&1 &
    pids+=($!)
    workers+=($!)
    disown $!
done

# The driver merges with the real tally (first on its PATH).
PATH="$(dirname "$tally"):$PATH" "$py" "$here/engine_dask.py" "$tally" "$addr" "$tmp" \
    "${workers[@]}"
rc=$?
if [ $rc != 0 ]; then
    for log in "$tmp"/scheduler.log "$tmp"/w*.log; do
        echo "--- $(basename "$log") (last lines)"
        tail -n 15 "$log"
    done
fi
exit $rc
