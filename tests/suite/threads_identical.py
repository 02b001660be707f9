"""Threads never change the answer: every query below runs with -j 1, -j 2
and -j 7, with ranges forced small (TALLY_MIN_CHUNK) so even small files are
cut into many parts, and stdout, stderr and the exit status must be
byte-identical. Inputs: the test data and files made here with quoted
newlines, CR-only and CRLF ends, broken quoting and ragged rows placed where
a naive cut would split a record, and TSV files whose quotes a CSV-minded
cut would follow; with --realdata, real CSV exports and logs from
$TALLY_REALDATA instead."""
import glob
import os
import random
import subprocess
import sys
import tempfile

TALLY = sys.argv[1]
TESTS = os.environ.get("TALLY_TESTS_DIR") or os.path.join(os.path.dirname(__file__), "..")
passed = failed = 0


def run(args, env_extra):
    env = dict(os.environ, **env_extra)
    p = subprocess.run([TALLY, *args], capture_output=True, env=env)
    return p.returncode, p.stdout, p.stderr


def same(name, args, chunk="1"):
    global passed, failed
    base = run(["-j", "1", *args], {})
    for j in ("2", "7"):
        got = run(["-j", j, *args], {"TALLY_MIN_CHUNK": chunk})
        if got != base:
            failed += 1
            print(f"FAIL {name} -j {j}: {args}\n  -j1: {base[0]} {base[1][:300]!r} {base[2][:300]!r}"
                  f"\n  -j{j}: {got[0]} {got[1][:300]!r} {got[2][:300]!r}")
            return
    passed += 1


def header(path):
    with open(path, "rb") as f:
        line = f.readline().lstrip(b"\xef\xbb\xbf").rstrip(b"\r\n").split(b"\r")[0]
    return line.decode("utf-8", "replace").split(",")


def q(name):
    return "`" + name.replace("`", "``") + "`"


def real_files(real_dir):
    """The real CSV exports and logs: threads_identical_realdata.sh."""
    global failed
    real = [
        ("csv/plotly/tips.csv", "day", "tip"),
        ("csv/fivethirtyeight/police-deaths/all_data.csv", "cause", "eow"),
        ("csv/fivethirtyeight/mayweather-mcgregor/tweets.csv", "screen_name", "id"),
        ("csv/fivethirtyeight/riddler-castles/castle-solutions.csv", "Castle 1", "Castle 10"),
        ("csv/fivethirtyeight/twitter-ratio/BarackObama.csv", "created_at", "replies"),
        ("csv/fivethirtyeight/bachelorette/bachelorette.csv", "SEASON", "ELIMINATION-1"),
        ("csv/qsv/311011.csv", "Referrer", "Referrals"),
        ("csv/vega-datasets/birdstrikes.csv", "Origin State", "Cost Total $"),
        ("csv/datahub/world-cities.csv", "country", "geonameid"),
        ("csv-suite/csvw/manifest.csv", "type", "test"),
    ]
    for rel, key, val in real:
        path = os.path.join(real_dir, rel)
        if not os.path.exists(path):
            failed += 1
            print(f"FAIL {rel}: missing from the real data set")
            continue
        args = ["-g", q(key), "-a", f"count,sum:{q(val)},mean:{q(val)},first:{q(val)},last:{q(val)}", path]
        same(rel, args, chunk="4096")
        same(rel + " j-small", args, chunk="1")
        same(rel + " rows", ["-s", f"{q(val)},{q(key)}", path], chunk="20000")
        same(rel + " all rows", ["-o", "jsonl", path], chunk="50000")

    logs = os.path.join(real_dir, "logs")
    for rel, preset, key in [("elastic-examples/apache_logs", "combined", "status"),
                             ("lnav/logfile_shop_access_log.0", "combined", "method"),
                             ("lnav/logfile_bad_access_log.0", "combined", "status"),
                             ("lnav/logfile_syslog.0", "syslog", "program")]:
        path = os.path.join(logs, rel)
        if not os.path.exists(path):
            failed += 1
            print(f"FAIL {rel}: missing from the real data set")
            continue
        same(rel, [f"--log={preset}", "-g", key, "-a", "count,first:time,last:time", path], chunk="2048")
        same(rel + " time", [f"--log={preset}", "-g", "time/1h", path], chunk="1")
        same(rel + " rows", [f"--log={preset}", "-o", "tsv", path], chunk="3000")


def finish():
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


# threads_identical.sh checks the files made here and tests/data, and
# threads_identical_realdata.sh (this script with --realdata) the real ones.
if sys.argv[2:] == ["--realdata"]:
    real_files(os.environ["TALLY_REALDATA"])
    finish()

rng = random.Random(7)
tmp = tempfile.mkdtemp()

# Made here: records that straddle every kind of cut.
made = []
for kind in ("lf", "crlf", "cr"):
    eol = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}[kind]
    lines = ["k,v,text"]
    for i in range(3000):
        t = rng.choice(["plain", '"quoted, comma"', '"multi\nline\nfield"', '"with ""quotes"""',
                        '"cr\rinside"', "", '"a' + "\n" * rng.randint(1, 5) + 'b"'])
        if rng.random() < 0.02:
            t = rng.choice(['bro"ken', '"after"x', "ragged,extra"])
        lines.append(f"{rng.choice('abcde')},{rng.randint(-50, 50)},{t}")
    path = os.path.join(tmp, f"made_{kind}.csv")
    with open(path, "w", newline="") as f:
        f.write(eol.join(lines) + eol)
    made.append(path)

queries = [["-g", "k", "-a", "count,sum:v,mean:v,first:text,last:text,mode:text,distinct:text"],
           ["-a", "count,min:v,max:v,median:v,p90:v,var:v,stddev:v"],
           ["-g", "v/10", "-a", "count"],
           ["-w", 'text ~ "line"', "-g", "k"]]
row_queries = [["-s", "text,k"], ["-o", "tsv"], ["-o", "jsonl", "-w", "v > 0"],
               ["-s", "k", "-w", 'text ~ "\\n"']]
for path in made:
    for qs in row_queries:
        same(os.path.basename(path) + " rows", qs + [path], chunk="100")
    for qs in queries:
        same(os.path.basename(path), qs + [path], chunk="1")
    same(os.path.basename(path) + " strict", ["--strict", "-g", "k", path])

# TSV: records are lines, whatever quotes they hold (a naive CSV-quote cut
# would join the lines after "x); escapes, CRLF, empty lines and ragged rows.
for kind in ("lf", "crlf"):
    eol = {"lf": "\n", "crlf": "\r\n"}[kind]
    lines = ["k\tv\ttext"]
    for i in range(3000):
        t = rng.choice(['"x', '"q"', '"open\\nstill', "a\\tb", "\\N", "", "back\\\\",
                        'end"', "cr\rin"])
        line = f"{rng.choice('abcde')}\t{rng.randint(-50, 50)}\t{t}"
        if rng.random() < 0.02:
            line = rng.choice(["", "ragged", "x\t1\t2\t3"])
        lines.append(line)
    path = os.path.join(tmp, f"made_{kind}.tsv")
    with open(path, "w", newline="") as f:
        f.write(eol.join(lines) + eol)
    for qs in row_queries[:3]:
        same(os.path.basename(path) + " rows", qs + [path], chunk="100")
    for qs in queries:
        same(os.path.basename(path), qs + [path], chunk="1")
    same(os.path.basename(path) + " strict", ["--strict", "-g", "k", path])

for path in sorted(glob.glob(os.path.join(TESTS, "data", "*.csv"))):
    cols = header(path)
    same(os.path.basename(path), ["-g", q(cols[0]), "-a", "count", path])
    same(os.path.basename(path), ["-a", f"count,first:{q(cols[-1])},last:{q(cols[-1])}", path])

finish()
