#!/usr/bin/env python3
"""Run one tally query over a Dask distributed cluster.

    python3 tally_dask.py --scheduler ADDR --shards N -- TALLY_ARGS... FILE...

Each of N tasks runs `tally --shard=k/N --partial TALLY_ARGS...` on a worker
(the `tally` on the worker's PATH, in the driver's working directory: the
files must be on a filesystem every worker sees at the same path). The
partials come back as bytes, in shard order, and are piped into a local
`tally --merge`, whose output and exit status become the driver's. Output
options given in TALLY_ARGS (-o, --sort, --limit, ...) travel inside the
partials, so the merge applies them.

A task only reads files and returns bytes, so running it twice gives the
same answer: when a worker dies, the scheduler runs its tasks again
elsewhere (up to `distributed.scheduler.allowed-failures` times, default
3). A tally that exits non-zero (bad data, bad arguments) fails its task
at once; that is not retried unless --retries says so.

Exit status: tally's own (0, 1 data error, 2 usage error); 1 when the
cluster cannot be reached or a task is lost; 2 for a usage error here.
"""

import argparse
import os
import subprocess
import sys
import uuid

PROG = "tally_dask"


def run_shard(tally, k, n, args, workdir):
    """The task, run on a worker: one shard's partial, as (stdout, stderr).

    Defined at module level so Dask ships it to the workers by value; it
    must not touch anything but its arguments and the input files.
    """
    import socket

    where = f"shard {k}/{n} on {socket.gethostname()}"
    if not os.path.isdir(workdir):
        raise RuntimeError(f"{where}: no directory {workdir} (the files must be on a shared path)", 1)
    cmd = [tally, f"--shard={k}/{n}", "--partial", *args]
    try:
        proc = subprocess.run(cmd, cwd=workdir, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    except OSError as e:
        raise RuntimeError(f"{where}: cannot run {tally}: {e.strerror}", 1) from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").rstrip("\n")
        status = proc.returncode if proc.returncode in (1, 2) else 1
        raise RuntimeError(f"{where}: tally exited with status {proc.returncode}:\n{err}", status)
    return proc.stdout, proc.stderr


def parse_args(argv):
    """Our options before `--`, tally's arguments after it (verbatim)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        usage=f"{PROG} (--scheduler ADDR | --scheduler-file FILE) [--shards N] [OPTION]... "
              "-- TALLY_ARGS... FILE...",
        description="Run `tally --shard=k/N --partial TALLY_ARGS` as N tasks on a Dask "
                    "cluster and merge their partials locally with `tally --merge`.",
        epilog="Everything after -- goes to tally unchanged. The input files must be at the "
               "same path on every worker (a shared filesystem); relative paths are resolved "
               "in --workdir. Example: tally_dask.py --scheduler tcp://10.0.0.5:8786 --shards 64 "
               "-- -g status -a count,p99:latency_ms /shared/logs/access.csv")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", metavar="ADDR", help="scheduler address (tcp://host:8786)")
    where.add_argument("--scheduler-file", metavar="FILE",
                       help="JSON file written by dask-scheduler --scheduler-file")
    parser.add_argument("--shards", type=int, metavar="N",
                        help="number of tasks (default: the cluster's worker threads)")
    parser.add_argument("--retries", type=int, default=0, metavar="R",
                        help="re-run a task whose tally failed up to R times (default 0; a "
                             "task whose worker died is re-run by the scheduler anyway)")
    parser.add_argument("--timeout", type=float, default=30, metavar="SECS",
                        help="how long to try to reach the scheduler (default 30)")
    parser.add_argument("--workdir", default=os.getcwd(), metavar="DIR",
                        help="working directory of the tasks (default: this one)")
    parser.add_argument("--tally", default="tally", metavar="PROG",
                        help="the tally program, here and on the workers (default: tally)")
    cut = argv.index("--") if "--" in argv else len(argv)
    opts = parser.parse_args(argv[:cut])
    if cut == len(argv):
        parser.error("missing `--` before tally's arguments")
    opts.tally_args = argv[cut + 1:]
    if not opts.tally_args:
        parser.error("no tally arguments after `--`")
    if opts.shards is not None and opts.shards < 1:
        parser.error("--shards must be at least 1")
    if opts.retries < 0:
        parser.error("--retries must be at least 0")
    for a in opts.tally_args:
        if a == "--merge" or a.startswith("--shard"):
            parser.error(f"{a}: the driver sets --shard and --merge itself")
    return opts


def connect(opts):
    """A Client of the cluster, or exit 1 saying why not."""
    import distributed

    try:
        if opts.scheduler_file:
            return distributed.Client(scheduler_file=opts.scheduler_file, timeout=opts.timeout)
        return distributed.Client(opts.scheduler, timeout=opts.timeout)
    except (OSError, ValueError) as e:
        target = opts.scheduler_file or opts.scheduler
        sys.exit(f"{PROG}: cannot connect to the scheduler at {target}: {e}")


def gather_partials(client, opts, args):
    """Submit the N shard tasks; their (stdout, stderr) pairs in shard order."""
    import distributed

    n = opts.shards or sum(w["nthreads"] for w in client.scheduler_info()["workers"].values())
    n = max(n, 1)
    # A fresh key per run: files change between runs, so a result must
    # never be taken from an earlier one (pure=False would do the same).
    run = uuid.uuid4().hex[:12]
    futures = [client.submit(run_shard, opts.tally, k, n, args, opts.workdir,
                             key=f"tally-shard-{k}-of-{n}-{run}", pure=False,
                             retries=opts.retries)
               for k in range(1, n + 1)]
    try:
        return client.gather(futures)
    except distributed.KilledWorker as e:
        sys.exit(f"{PROG}: task {e.args[0]} was lost with its worker too many times "
                 f"(distributed.scheduler.allowed-failures); giving up")
    except RuntimeError as e:
        msg, status = (e.args + (1,))[:2] if e.args else (str(e), 1)
        print(f"{PROG}: {msg}", file=sys.stderr)
        sys.exit(status)


def main(argv):
    opts = parse_args(argv)
    args = list(opts.tally_args)
    # `-- ... --partial` asks for one combined partial instead of the result.
    combine = "--partial" in args
    args = [a for a in args if a != "--partial"]
    with connect(opts) as client:
        results = gather_partials(client, opts, args)
    # The workers' warnings (skipped rows...) belong to the user, in shard order.
    for _, err in results:
        sys.stderr.buffer.write(err)
    sys.stderr.flush()
    merge = [opts.tally, "--merge"] + (["--partial"] if combine else [])
    try:
        done = subprocess.run(merge, input=b"".join(out for out, _ in results), check=False)
    except OSError as e:
        sys.exit(f"{PROG}: cannot run {opts.tally}: {e.strerror}")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
