"""Checks tally's statistical and text aggregates per group (-o json) on real
CSV files against an independent Python computation: statistics.stdev,
variance and median; percentiles by linear interpolation at rank
p/100*(n-1) (numpy's default); first/last non-empty value in input order;
mode with ties to the first seen; distinct and count of non-empty values.
Numbers follow the SPEC's rule; rows whose field count differs from the
header's are dropped. Usage: aggregates_python.py TALLY"""
import csv
import json
import math
import os
import re
import statistics
import subprocess
import sys

NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
REALDATA = os.path.join(os.environ["TALLY_REALDATA"], "csv")

# file, group key, numeric column, text column
CASES = [
    ("plotly/tips.csv", "day", "tip", "time"),
    ("plotly/tips.csv", "size", "total_bill", "sex"),
    ("vega-datasets/seattle-weather.csv", "weather", "precipitation", "date"),
    ("fivethirtyeight/births/US_births_2000-2014_SSA.csv", "day_of_week", "births", "year"),
    ("fivethirtyeight/congress-age/congress-terms.csv", "chamber", "age", "state"),
    ("fivethirtyeight/congress-age/congress-terms.csv", "party", "age", "middlename"),
    ("fivethirtyeight/college-majors/recent-grads.csv", "Major_category", "ShareWomen", "Major"),
    ("datahub/gdp.csv", "Country Code", "Value", "Year"),
    ("plotly/winequality-red.csv", "quality", "alcohol", "pH"),
    ("plotly/earthquakes-23k.csv", "Magnitude", "Latitude", "Date"),
]
PCTS = [("median", 50.0), ("p10", 10.0), ("p90", 90.0), ("p99.9", 99.9)]


def tick(name):
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        return name
    return "`" + name.replace("`", "``") + "`"


def percentile(sorted_vals, p):
    n = len(sorted_vals)
    if n == 0:
        return None
    rank = p / 100.0 * (n - 1)
    lo = math.floor(rank)
    hi = math.ceil(rank)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (rank - lo)


def expected(path, key, num, text):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    ki, ni, ti = header.index(key), header.index(num), header.index(text)
    groups = {}
    for row in rows[1:]:
        if len(row) != len(header):
            continue
        g = groups.setdefault(row[ki], {"nums": [], "texts": []})
        if NUMBER.match(row[ni]):
            g["nums"].append(float(row[ni]))
        if row[ti] != "":
            g["texts"].append(row[ti])
    out = {}
    for k, g in groups.items():
        nums, texts = g["nums"], g["texts"]
        s = sorted(nums)
        e = {
            "stddev": statistics.stdev(nums) if len(nums) >= 2 else None,
            "var": statistics.variance(nums) if len(nums) >= 2 else None,
            "distinct": len(set(texts)),
            "first": texts[0] if texts else None,
            "last": texts[-1] if texts else None,
            "count": len(texts),
        }
        for name, p in PCTS:
            e[name] = percentile(s, p)
        if texts:
            counts = {}
            for t in texts:
                counts[t] = counts.get(t, 0) + 1
            best = max(counts.values())
            e["mode"] = next(t for t in texts if counts[t] == best)
        else:
            e["mode"] = None
        out[k] = e
    return out


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def main():
    tally = sys.argv[1]
    passed = failed = 0
    for rel, key, num, text in CASES:
        path = os.path.join(REALDATA, rel)
        if not os.path.exists(path):
            print(f"missing {path}")
            failed += 1
            continue
        n, t = tick(num), tick(text)
        aggs = [f"stddev:{n}", f"var:{n}"] + [f"{name}:{n}" for name, _ in PCTS]
        aggs += [f"distinct:{t}", f"first:{t}", f"last:{t}", f"mode:{t}", f"count:{t}"]
        cmd = [tally, "-o", "json", "-g", tick(key), "-a", ",".join(aggs), path]
        res = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8")
        if res.returncode != 0:
            print(f"FAIL {rel}: exit {res.returncode}: {res.stderr.strip()}")
            failed += 1
            continue
        got = {r[key]: r for r in json.loads(res.stdout)}
        want = expected(path, key, num, text)
        bad = []
        if set(got) != set(want):
            bad.append(f"groups differ: {sorted(set(got) ^ set(want))[:5]}")
        for k in want.keys() & got.keys():
            g, w = got[k], want[k]
            for func in ["stddev", "var"] + [name for name, _ in PCTS]:
                if not close(g[f"{func}_{num}"], w[func]):
                    bad.append(f"{key}={k} {func}_{num}: tally {g[f'{func}_{num}']} != {w[func]}")
            for func in ["distinct", "count"]:
                if g[f"{func}_{text}"] != w[func]:
                    bad.append(f"{key}={k} {func}_{text}: tally {g[f'{func}_{text}']} != {w[func]}")
            for func in ["first", "last", "mode"]:
                gv = g[f"{func}_{text}"]
                if (gv or None) != w[func]:
                    bad.append(f"{key}={k} {func}_{text}: tally {gv!r} != {w[func]!r}")
        if bad:
            failed += 1
            print(f"FAIL {rel} -g {key}: {len(bad)} differences")
            for b in bad[:10]:
                print("  " + b)
        else:
            passed += 1
            print(f"ok   {rel} -g {key} ({len(want)} groups)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
