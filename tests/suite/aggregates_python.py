"""Checks tally's statistical and text aggregates per group (-o json) on real
CSV files against an independent Python computation: stdev and variance
to the bit (statistics on Fractions, correctly rounded, see exact_value);
median and percentiles by linear interpolation at rank p/100*(n-1)
(numpy's default); first/last non-empty value in input order;
mode with ties to the first seen; distinct and count of non-empty values.
Numbers follow the SPEC's rule; rows whose field count differs from the
header's are dropped. Then var and stddev on generated values (many
decimals, huge and tiny magnitudes, both signs) with -j 1, 2 and 7 cut
into small parts: the output must be byte-identical, and each result the
exact answer correctly rounded (statistics on Fractions; a value counts as
written when it is a short decimal, else as its double, as the README
says). Usage: aggregates_python.py TALLY"""
import csv
import decimal
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
from fractions import Fraction

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
        g = groups.setdefault(row[ki], {"nums": [], "raw": [], "texts": []})
        if NUMBER.match(row[ni]):
            g["nums"].append(float(row[ni]))
            g["raw"].append(row[ni])
        if row[ti] != "":
            g["texts"].append(row[ti])
    out = {}
    for k, g in groups.items():
        nums, texts = g["nums"], g["texts"]
        s = sorted(nums)
        var, stddev = rounded_moments(g["raw"])
        e = {
            "stddev": stddev,
            "var": var,
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


def exact_value(text):
    """tally's var/stddev input: a decimal with an int64 mantissa (at most
    19 digits written) and at most 9 decimals exactly, anything else as the
    double it reads as."""
    d = decimal.Decimal(text)
    t = d.as_tuple()
    digits = int("".join(map(str, t.digits)))
    exp = t.exponent
    while digits and digits % 10 == 0:
        digits //= 10
        exp += 1
    if digits == 0:
        return Fraction(0)
    mant = digits * 10 ** max(0, exp)
    if len(t.digits) <= 19 and -exp <= 9 and mant <= 2**63 - (0 if t.sign else 1):
        return Fraction(d)
    return Fraction(float(text))


def rounded_moments(texts):
    """(var, stddev) correctly rounded, None for fewer than two values or an
    answer that overflows (tally prints null for both)."""
    if len(texts) < 2:
        return None, None
    var = statistics.variance([exact_value(t) for t in texts])
    out = []
    for f in (lambda: float(var),
              lambda: statistics._float_sqrt_of_frac(var.numerator, var.denominator)):
        try:
            out.append(f())
        except OverflowError:
            out.append(None)
    return tuple(out)


def wild_value(rnd):
    sign = rnd.choice(["", "-"])
    shape = rnd.randrange(7)
    if shape == 0:
        return sign + str(rnd.randrange(10**6))
    if shape == 1:
        return f"{sign}{rnd.randrange(10**4)}.{rnd.randrange(100):02d}"
    if shape == 2:
        return f"{sign}{rnd.randrange(1000)}.{rnd.randrange(10**16):016d}"
    if shape == 3:
        return f"{sign}{rnd.randrange(10)}.{rnd.randrange(10**16):016d}e{rnd.randrange(150)}"
    if shape == 4:
        return f"{sign}{rnd.randrange(10)}.{rnd.randrange(10**16):016d}e-{rnd.randrange(320)}"
    if shape == 5:
        return f"{sign}{1 + rnd.randrange(10**5)}e-330"
    return f"{sign}1000000.{rnd.randrange(10**12):012d}"


def check_generated(tally):
    """var and stddev on generated values: the same bytes for every -j, and
    the correctly rounded exact answer. Returns (passed, failed)."""
    import random

    rnd = random.Random(20261201)
    groups = {}
    lines = ["g,x"]
    for i in range(6000):
        g = f"g{rnd.randrange(12)}"
        # Some groups hold one shape only, so their sums cancel or stay tiny.
        v = wild_value(random.Random(g + str(i % 2))) if g in ("g0", "g1") else wild_value(rnd)
        groups.setdefault(g, []).append(v)
        lines.append(f"{g},{v}")
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    try:
        outs = []
        for j in ("1", "2", "7"):
            env = dict(os.environ, TALLY_MIN_CHUNK="1")
            cmd = [tally, "-j", j, "-o", "json", "-g", "g", "-a", "var:x,stddev:x", path]
            res = subprocess.run(cmd, capture_output=True, env=env)
            outs.append(res.stdout)
            if res.returncode != 0:
                print(f"FAIL generated -j {j}: exit {res.returncode}: {res.stderr!r}")
                return 0, 1
    finally:
        os.unlink(path)
    if len(set(outs)) != 1:
        print("FAIL generated: var/stddev differ between -j 1, 2 and 7")
        return 0, 1
    bad = []
    for row in json.loads(outs[0]):
        want = rounded_moments(groups[row["g"]])
        got = (row["var_x"], row["stddev_x"])
        if got != want:
            bad.append(f"g={row['g']}: tally {got!r} != exact {want!r}")
    if bad:
        print(f"FAIL generated var/stddev: {len(bad)} differences")
        for b in bad[:10]:
            print("  " + b)
        return 0, 1
    print(f"ok   generated var/stddev, -j 1/2/7 identical and correctly rounded ({len(groups)} groups)")
    return 1, 0


def main():
    tally = sys.argv[1]
    passed, failed = check_generated(tally)
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
            for func in ["stddev", "var"]:  # correctly rounded: the same double
                if g[f"{func}_{num}"] != w[func]:
                    bad.append(f"{key}={k} {func}_{num}: tally {g[f'{func}_{num}']} != {w[func]}")
            for func in [name for name, _ in PCTS]:
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
