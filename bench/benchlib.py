"""benchlib.py - helpers for bench/run (standard library only).

    benchlib.py ref TASK FILE          reference answer (python csv module), CSV on stdout
    benchlib.py compare TASK REF OUT   prints "ok" or "WRONG: why"
    benchlib.py median HYPERFINE.json  median wall time in seconds
    benchlib.py rss TIME_V_OUTPUT      peak RSS in KiB from /usr/bin/time -v
    benchlib.py table SUMMARY.tsv      the Markdown results table
"""
import collections
import csv
import json
import math
import re
import sys

csv.field_size_limit(1 << 30)

# Columns of each task's answer: k = key (text), n = exact number, m = mean
# (equal to 1e-9 relative). T5 is compared in order, every other task as a
# set of rows keyed by its k columns.
TASK_COLS = {"T1": "n", "T2": "knnm", "T3": "kn", "T4": "kknn", "T5": "kk", "T6": "kn"}
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
INTEGER = re.compile(r"^[+-]?\d+$")
COMBINED = re.compile(
    r'^(\S+) (\S+) (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\S+)'
    r'(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?\r?$')


def num(s):
    """The value of a field that reads as a number (SPEC), else None."""
    if not NUMBER.match(s):
        return None
    return int(s) if INTEGER.match(s) else float(s)


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v)


def ref(task, path):
    out = csv.writer(sys.stdout, lineterminator="\n")
    if task == "T6":
        counts = collections.Counter()
        with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
            for line in f:
                m = COMBINED.match(line.rstrip("\n"))
                if m:
                    counts[m.group(6)] += 1
        out.writerow(["status", "count"])
        for k in sorted(counts):
            out.writerow([k, counts[k]])
        return
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
        rows = csv.reader(f)
        hdr = next(rows)
        col = {name: i for i, name in enumerate(hdr)}
        if task == "T1":
            out.writerow(["count"])
            out.writerow([sum(1 for _ in rows)])
        elif task == "T2":
            st, by, lat = col["status"], col["bytes"], col["latency_ms"]
            acc = {}
            for r in rows:
                a = acc.setdefault(r[st], [0, None, 0.0, 0])
                a[0] += 1
                b = num(r[by])
                if b is not None:
                    a[1] = b if a[1] is None else a[1] + b
                x = num(r[lat])
                if x is not None:
                    a[2] += x
                    a[3] += 1
            out.writerow(["status", "count", "sum_bytes", "mean_latency_ms"])
            for k, a in acc.items():
                out.writerow([k, a[0], fmt(a[1]), fmt(a[2] / a[3]) if a[3] else ""])
        elif task == "T3":
            h, p, st = col["host"], col["path"], col["status"]
            counts = collections.Counter()
            for r in rows:
                s = num(r[st])
                if r[p].startswith("/api/") and s is not None and s >= 500:
                    counts[r[h]] += 1
            out.writerow(["host", "count"])
            for k, n in counts.items():
                out.writerow([k, n])
        elif task == "T4":
            h, p, by = col["host"], col["path"], col["bytes"]
            acc = {}
            for r in rows:
                a = acc.setdefault((r[h], r[p]), [0, None])
                a[0] += 1
                b = num(r[by])
                if b is not None:
                    a[1] = b if a[1] is None else a[1] + b
            out.writerow(["host", "path", "count", "sum_bytes"])
            for k, a in acc.items():
                out.writerow([k[0], k[1], a[0], fmt(a[1])])
        elif task == "T5":
            p, st = col["path"], col["status"]
            out.writerow(["path", "status"])
            for r in rows:
                out.writerow([r[p], r[st]])
        else:
            sys.exit("benchlib.py: unknown task " + task)


def norm_key(s):
    """Keys compare as text, except that 200 and 200.0 are the same key."""
    v = num(s)
    if v is not None and float(v).is_integer() and abs(v) < 2 ** 53:
        return str(int(v))
    return s


def read_rows(path):
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
        rows = list(csv.reader(f))
    return rows[1:]  # every answer starts with a header line


def same_value(kind, a, b):
    if kind == "k":
        return norm_key(a) == norm_key(b)
    empty = ("", "nan", "NaN", "NA", "null", "None")
    if a in empty or b in empty:
        return (a in empty) == (b in empty)
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    if kind == "n":
        return x == y
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=0.0)


def compare(task, ref_path, out_path):
    cols = TASK_COLS[task]
    if task == "T5":
        with open(ref_path, "rb") as a, open(out_path, "rb") as b:
            while True:
                x, y = a.read(1 << 20), b.read(1 << 20)
                if x != y:
                    break
                if not x:
                    return "ok"
        ref_rows, out_rows = read_rows(ref_path), read_rows(out_path)
        for i in range(max(len(ref_rows), len(out_rows))):
            r = ref_rows[i] if i < len(ref_rows) else None
            o = out_rows[i] if i < len(out_rows) else None
            if r is None or o is None or len(r) != len(o) or \
                    not all(same_value("k", x, y) for x, y in zip(r, o)):
                return "WRONG: %d rows, reference %d; first difference at row %d: %s, reference %s" % (
                    len(out_rows), len(ref_rows), i + 1, show(o or "none"), show(r or "none"))
        return "ok"
    keyi = [i for i, c in enumerate(cols) if c == "k"]

    def index(rows, what):
        d = {}
        for r in rows:
            if len(r) != len(cols):
                raise ValueError("%s row has %d fields, not %d: %s" % (what, len(r), len(cols), r))
            k = tuple(norm_key(r[i]) for i in keyi)
            if k in d:
                raise ValueError("%s has group %s twice" % (what, k))
            d[k] = r
        return d

    try:
        ref_d = index(read_rows(ref_path), "reference")
    except ValueError as e:
        return "reference unusable: %s" % e
    try:
        out_d = index(read_rows(out_path), "answer")
    except ValueError as e:
        return "WRONG: %s" % str(e)[:200]
    missing = [k for k in ref_d if k not in out_d]
    extra = [k for k in out_d if k not in ref_d]
    bad = [k for k in ref_d if k in out_d and not all(
        same_value(c, x, y) for c, x, y in zip(cols, ref_d[k], out_d[k]))]
    if not (missing or extra or bad):
        return "ok"
    parts = []
    if not ref_d:
        return "reference unusable: no rows"
    if not keyi:
        k = next(iter(ref_d))
        return "WRONG: %s, reference %s" % (show(out_d.get(k, "none")), show(ref_d[k]))
    if missing:
        parts.append("%d groups missing (e.g. %s)" % (len(missing), show(missing[0])))
    if extra:
        parts.append("%d extra groups (e.g. %s)" % (len(extra), show(extra[0])))
    if bad:
        k = bad[0]
        parts.append("%d groups differ (e.g. %s, reference %s)" % (
            len(bad), show(out_d[k]), show(ref_d[k])))
    return "WRONG: " + "; ".join(parts)


def show(row):
    """A row or key, short, on one line."""
    s = ",".join(row) if isinstance(row, (list, tuple)) else str(row)
    s = repr(s if len(s) <= 70 else s[:67] + "...")
    return s


def median(path):
    with open(path) as f:
        return json.load(f)["results"][0]["median"]


def rss(path):
    with open(path, errors="replace") as f:
        for line in f:
            if "Maximum resident set size" in line:
                return int(line.rsplit(":", 1)[1])
    return None


def table(path):
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            rows.append(r)
    base = {(r["rows"], r["task"]): float(r["seconds"]) for r in rows
            if r["tool"] == "tally" and r["seconds"] and r["answer"] == "reference"}
    print("| rows | task | tool | median | runs | MB/s | peak RSS | vs tally | answer |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        secs = float(r["seconds"]) if r["seconds"] else None
        t = "%.3f s" % secs if secs is not None else "—"
        mbps = "%.0f" % (float(r["mbytes"]) / secs) if secs else "—"
        mem = "%.1f MiB" % (int(r["rss_kib"]) / 1024) if r["rss_kib"] else "—"
        b = base.get((r["rows"], r["task"]))
        ratio = "%.2f×" % (secs / b) if secs is not None and b else "—"
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            "{:,}".format(int(r["rows"])), r["task"], r["tool"], t, r.get("runs") or "—", mbps,
            mem, ratio,
            r["answer"].replace("|", "\\|")))


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "ref" and len(sys.argv) == 4:
        ref(sys.argv[2], sys.argv[3])
    elif cmd == "compare" and len(sys.argv) == 5:
        print(compare(sys.argv[2], sys.argv[3], sys.argv[4]))
    elif cmd == "median" and len(sys.argv) == 3:
        print(median(sys.argv[2]))
    elif cmd == "rss" and len(sys.argv) == 3:
        v = rss(sys.argv[2])
        print("" if v is None else v)
    elif cmd == "table" and len(sys.argv) == 3:
        table(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
