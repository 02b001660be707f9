"""tally's group-by results on files of $TALLY_REALDATA/csv checked
against SQLite running the same GROUP BY on the imported file.

The file is imported with Python's csv module; a value column keeps only
values that read as numbers by the SPEC's rule (others become NULL, as
tally ignores them), integers as INTEGER and the rest as REAL. Counts,
integer sums, min and max must match exactly; real sums and means to a
relative 1e-9 (SQLite adds in row order, tally exactly)."""
import csv
import json
import math
import os
import re
import sqlite3
import subprocess
import sys

TALLY = sys.argv[1]
DATA = os.path.join(os.environ["TALLY_REALDATA"], "csv")
NUM = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
INT = re.compile(r"^[+-]?\d+$")

CASES = [
    ("plotly/tips.csv", ["day", "time"], ["total_bill", "tip"]),
    ("fivethirtyeight/births/US_births_2000-2014_SSA.csv", ["year"], ["births"]),
    ("vega-datasets/seattle-weather.csv", ["weather"], ["temp_max", "precipitation", "wind"]),
    ("datahub/gdp.csv", ["Country Code"], ["Value"]),
    ("fivethirtyeight/congress-age/congress-terms.csv", ["congress", "chamber"], ["age"]),
    ("fivethirtyeight/police-deaths/all_data.csv", ["cause", "dept"], []),
    ("vega-datasets/birdstrikes.csv", ["Origin State"], ["Cost Total $", "Speed IAS in knots"]),
    ("fivethirtyeight/college-majors/recent-grads.csv", ["Major_category"],
     ["Median", "Unemployment_rate", "Total"]),
    ("rust-csv-bench/worldcitiespop.csv", ["Country"], ["Population", "Latitude"]),
    ("fivethirtyeight/mayweather-mcgregor/tweets.csv", ["emojis"], ["retweeted"]),
    ("plotly/winequality-red.csv", ["quality"], ["alcohol", "pH"]),
]

passed = failed = 0


def quote(name):
    return "`" + name.replace("`", "``") + "`"


def sqlq(name):
    return '"' + name.replace('"', '""') + '"'


def load(path):
    with open(path, newline="", encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    if text.startswith("\ufeff"):
        text = text[1:]
    import io
    rows = list(csv.reader(io.StringIO(text, newline="")))
    hdr = rows[0]
    return hdr, [r for r in rows[1:] if len(r) == len(hdr)]


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


for rel, keys, vals in CASES:
    path = os.path.join(DATA, rel)
    hdr, rows = load(path)
    db = sqlite3.connect(":memory:")
    cols = [f"k{i} TEXT" for i in range(len(keys))] + [f"v{i}" for i in range(len(vals))]
    db.execute(f"CREATE TABLE t ({', '.join(cols)})")
    ki = [hdr.index(k) for k in keys]
    vi = [hdr.index(v) for v in vals]

    def conv(s):
        if not NUM.match(s):
            return None
        return int(s) if INT.match(s) and abs(int(s)) < 2**63 else float(s)

    db.executemany(
        f"INSERT INTO t VALUES ({', '.join('?' * (len(keys) + len(vals)))})",
        [[r[i] for i in ki] + [conv(r[i]) for i in vi] for r in rows])
    aggs = ["count(*)"]
    for i in range(len(vals)):
        aggs += [f"sum(v{i})", f"min(v{i})", f"max(v{i})", f"avg(v{i})", f"count(v{i})"]
    kcols = ", ".join(f"k{i}" for i in range(len(keys)))
    want = {tuple(r[:len(keys)]): r[len(keys):] for r in db.execute(
        f"SELECT {kcols}, {', '.join(aggs)} FROM t GROUP BY {kcols}")}

    spec = ["count"]
    for v in vals:
        q = quote(v)
        spec += [f"sum:{q}", f"min:{q}", f"max:{q}", f"mean:{q}"]
    p = subprocess.run([TALLY, "-o", "json", "-g", ",".join(quote(k) for k in keys),
                        "-a", ",".join(spec), path], capture_output=True)
    name = f"{rel} by {','.join(keys)}"
    if p.returncode != 0:
        failed += 1
        print(f"FAIL {name}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
        continue
    got = json.loads(p.stdout)
    ok = len(got) == len(want)
    detail = f"{len(got)} groups, want {len(want)}"
    for g in got:
        key = tuple(g[k] for k in keys)
        w = want.get(key)
        if w is None:
            ok, detail = False, f"unexpected group {key}"
            break
        outs = list(g.values())[len(keys):]
        if outs[0] != w[0]:
            ok, detail = False, f"{key}: count {outs[0]} != {w[0]}"
            break
        for i in range(len(vals)):
            s, mn, mx, mean = outs[1 + 4 * i:5 + 4 * i]
            ws, wmn, wmx, wmean, wn = w[1 + 5 * i:6 + 5 * i]
            exact_sum = isinstance(ws, int)
            if not ((s == ws) if exact_sum and wn else close(s, ws)) or mn != wmn or \
                    mx != wmx or not close(mean, wmean):
                ok = False
                detail = f"{key} {vals[i]}: got {s},{mn},{mx},{mean} want {ws},{wmn},{wmx},{wmean}"
                break
        if not ok:
            break
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
