"""The checks of engine_dask.sh, which started the cluster:
    engine_dask.py TALLY SCHEDULER_ADDR TMPDIR WORKER_PID...
contrib/dask/tally_dask.py prints, byte for byte, what one tally run
prints (bundled and real data, several aggregates and output formats,
shard counts below and above the number of workers); its errors say what
went wrong; and a worker SIGKILLed while it runs a task costs nothing:
the scheduler runs that shard again on the other worker and the answer is
still exact."""
import os
import signal
import socket
import subprocess
import sys
import time

import distributed

from suitelib import Checks

TALLY, ADDR, TMP = sys.argv[1:4]
WORKER_PIDS = [int(p) for p in sys.argv[4:]]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DRIVER = os.path.join(ROOT, "contrib", "dask", "tally_dask.py")
REAL = os.environ["TALLY_REALDATA"]  # checked by engine_dask.sh (needs_realdata.sh)
LIMIT = 600  # seconds for one driver run: generous, the machine is slow and shared

checks = Checks()
check = checks.check


def run(cmd, cwd=ROOT):
    p = subprocess.run(cmd, capture_output=True, cwd=cwd, timeout=LIMIT,
                       env={**os.environ, "LC_ALL": "C"})
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def driver(*args, shards=4, cwd=ROOT):
    return run([sys.executable, DRIVER, "--scheduler", ADDR, "--shards", str(shards),
                *args], cwd=cwd)


def wait_until(what, cond, limit=300):
    """Polls cond() every 0.2 s until it is true; fails after `limit` s."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.2)
    check(what, False, f"not after {limit} s")
    return False


def same(name, args, shards=4, cwd=ROOT):
    """The driver with these tally arguments prints what one run prints."""
    want = run([TALLY, *args], cwd=cwd)
    got = driver("--", *args, shards=shards, cwd=cwd)
    check(f"{name}: one run succeeds", want[0] == 0 and want[1], f"exit {want[0]}: {want[2]}")
    check(f"{name}: {shards} shards on the cluster print what one run prints",
          got[:2] == want[:2], f"exit {got[0]} (want {want[0]}); stderr: {got[2]}\n"
          f"got:\n{got[1][:800]!r}\nwant:\n{want[1][:800]!r}")


def bundled(tmp):
    access = os.path.join(ROOT, "data", "access.csv")
    log = os.path.join(ROOT, "data", "access.log")
    # The same rows as two files: the shards cut the concatenation.
    with open(access, "rb") as f:
        lines = f.readlines()
    parts = [os.path.join(tmp, "part1.csv"), os.path.join(tmp, "part2.csv")]
    with open(parts[0], "wb") as f:
        f.writelines(lines[:1700])
    with open(parts[1], "wb") as f:
        f.writelines(lines[:1] + lines[1700:])
    same("access.csv sums", ["-g", "status", "-a",
         "count,sum:bytes,min:latency_ms,max:latency_ms,mean:latency_ms,stddev:latency_ms",
         "-o", "csv", access])
    same("access.csv order-sensitive", ["-g", "method", "-a",
         "first:path,last:path,mode:host,median:latency_ms,p99:latency_ms,distinct:path",
         "-o", "json", access], shards=3)
    same("access.csv two files, sorted table", ["-g", "host", "-a",
         "n=count,first:time,last:time,mode:status,var:bytes", "--sort", "n:desc,host",
         "--limit", "7", "-o", "table", "--precision", "4", *parts], shards=5)
    same("relative path, filter, tsv", ["-w", "status >= 400", "-g", "time/1h", "-a",
         "count,last:path,p90:bytes", "-o", "tsv", "--no-header-out", "data/access.csv"])
    same("access.log", ["--log=combined", "-g", "status", "-a",
         "count,sum:bytes,first:path,last:time,mode:method,distinct:ip", "-o", "jsonl", log],
         shards=6)


def realdata():
    same("police-deaths", ["-g", "cause", "-a",
         "count,first:person,last:person,mode:dept,distinct:dept",
         os.path.join(REAL, "csv/fivethirtyeight/police-deaths/all_data.csv")], shards=7)
    same("birdstrikes", ["-g", "Origin State", "-a",
         "count,sum:`Cost Total $`,median:`Speed IAS in knots`,first:`Flight Date`,"
         "last:`Flight Date`,mode:`Wildlife Species`", "-o", "jsonl",
         os.path.join(REAL, "csv/vega-datasets/birdstrikes.csv")], shards=4)
    same("nfl (quoted fields)", ["-g", "off", "-a", "count,median:togo,mode:def,last:description",
         "-o", "markdown", os.path.join(REAL, "csv/rust-csv-bench/nfl.csv")], shards=5)
    same("apache_logs", ["--log=combined", "-g", "status", "-a",
         "count,sum:bytes,p90:bytes,first:path,last:path,mode:path,distinct:ip", "-o", "csv",
         os.path.join(REAL, "logs/elastic-examples/apache_logs")], shards=8)


def free_port():
    """A port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def errors():
    rc, out, err = run([sys.executable, DRIVER, "--help"])
    check("--help", rc == 0 and b"--scheduler" in out and b"--shards" in out, f"exit {rc}")
    rc, _, err = run([sys.executable, DRIVER, "--scheduler", ADDR, "-g", "status"])
    check("no -- is a usage error", rc == 2 and "--" in err, f"exit {rc}: {err}")
    rc, _, err = driver("--", "--merge", "x", shards=2)
    check("--merge after -- is a usage error", rc == 2 and "--merge" in err, f"exit {rc}: {err}")
    rc, _, err = run([sys.executable, DRIVER, "--scheduler", f"tcp://127.0.0.1:{free_port()}",
                      "--timeout", "3", "--", "-g", "status", "data/access.csv"])
    check("no scheduler: exit 1, saying so", rc == 1 and "cannot connect" in err,
          f"exit {rc}: {err}")
    # The address from the scheduler file; as many shards as worker threads.
    args = ["-g", "method", "-a", "count,first:path,last:path", "data/access.csv"]
    want = run([TALLY, *args])
    got = run([sys.executable, DRIVER, "--scheduler-file", os.path.join(TMP, "scheduler.json"),
               "--", *args])
    shards = [a.split()[0] for _, a in calls()[-2:]]
    check("--scheduler-file, default --shards", got[:2] == want[:2] and want[1]
          and sorted(shards) == ["--shard=1/2", "--shard=2/2"],
          f"exit {got[0]}: {got[2]}; last calls {shards}")
    # A failing tally fails its task: its status and message come back.
    args = ["-g", "no_such_column", "data/access.csv"]
    want = run([TALLY, *args])
    rc, out, err = driver("--", *args, shards=2)
    check("tally's usage error comes back", want[0] == 2 and rc == 2 and out == b""
          and want[2].strip() in err and "tally exited with status 2" in err,
          f"exit {rc}: {err} (one run: exit {want[0]}: {want[2]})")
    # The workers' warnings reach the user.
    args = ["-g", "a", "-a", "count,sum:c", "tests/data/ragged.csv"]
    want = run([TALLY, *args])
    rc, out, err = driver("--", *args, shards=2)
    check("skipped rows: same result, the warning relayed",
          (rc, out) == want[:2] and "skipped" in want[2] and "skipped" in err,
          f"exit {rc}: {err}\ngot {out!r}\nwant {want[1]!r}")
    rc, out, err = driver("--", "-g", "status", "/nonexistent/access.csv", shards=2)
    check("a missing file fails the job", rc == 1 and out == b"" and "nonexistent" in err,
          f"exit {rc}: {err}")


def calls():
    """The workers' tally calls so far: [worker pid, arguments]."""
    try:
        with open(os.path.join(TMP, "calls")) as f:
            return [line.split(" ", 1) for line in f.read().splitlines()]
    except FileNotFoundError:
        return []


def started_task():
    """(wrapper pid, worker pid) of a task waiting on the hold, or None."""
    running = os.path.join(TMP, "running")
    for marker in sorted(os.listdir(running)):
        with open(os.path.join(running, marker)) as f:
            worker = f.read().strip()
        if worker.isdigit():  # else not written yet
            return int(marker), int(worker)
    return None


def kill_mid_task():
    """SIGKILL the worker running a task; the job still gives the exact answer."""
    args = ["-g", "status", "-a", "count,sum:bytes,first:path,last:path,mode:host,"
            "median:latency_ms,distinct:path", os.path.join(ROOT, "data", "access.csv")]
    want = run([TALLY, *args])
    before = len(calls())
    hold = os.path.join(TMP, "hold")
    open(hold, "w").close()
    job = subprocess.Popen([sys.executable, DRIVER, "--scheduler", ADDR, "--shards", "4", "--",
                            *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        if not wait_until("a task starts", lambda: started_task() is not None):
            return
        marker, victim = started_task()
        check("the task runs in one of our workers", victim in WORKER_PIDS,
              f"parent {victim}, workers {WORKER_PIDS}")
        # The scheduler agrees: that worker (found by pid) is processing a task.
        with distributed.Client(ADDR, timeout=60) as client:
            by_pid = {pid: a for a, pid in client.run(os.getpid).items()}
            addr = by_pid.get(victim)
            busy = addr is not None and client.processing([addr]).get(addr)
            check("the scheduler sees the task on that worker", busy,
                  f"{addr}: {client.processing()}")
            if victim not in WORKER_PIDS or not busy:
                return
            os.kill(victim, signal.SIGKILL)
            try:
                os.kill(marker, signal.SIGKILL)  # its task, left waiting
            except ProcessLookupError:
                pass
            wait_until("the scheduler drops the killed worker",
                       lambda: addr not in client.scheduler_info()["workers"])
        os.remove(hold)
        out, err = job.communicate(timeout=LIMIT)
    finally:
        if os.path.exists(hold):
            os.remove(hold)
        if job.poll() is None:
            job.kill()
            job.wait()
    check("after the kill the job succeeds and prints what one run prints",
          job.returncode == 0 and out == want[1],
          f"exit {job.returncode}: {err.decode()}\ngot:\n{out!r}\nwant:\n{want[1]!r}")
    # The killed worker's shard ran again, on another worker.
    job_calls = [(int(pid), a.split()[0]) for pid, a in calls()[before:]]
    killed = [shard for pid, shard in job_calls if pid == victim]
    again = [pid for pid, shard in job_calls if killed and shard == killed[-1] and pid != victim]
    check("the killed worker's shard was run again elsewhere", bool(killed and again),
          f"worker {victim}: calls {job_calls}")


def main():
    with distributed.Client(ADDR, timeout=120) as client:
        wait_until("both workers register", lambda: len(client.scheduler_info()["workers"]) == 2)
    errors()
    bundled(TMP)
    realdata()
    kill_mid_task()  # last: it leaves one worker
    checks.finish()


main()
