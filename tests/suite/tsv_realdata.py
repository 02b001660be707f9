"""TSV on real exports: every *.tsv / *.tab file under $TALLY_REALDATA
is read by tally and compared with an independent reading in Python of the
same TSV rules (README, "TSV"): a record per LF, a CR before the LF
dropped, fields split at tabs, quotes literal, \\t \\n \\r \\\\ decoded and
any other backslash kept; a row with another field count than the header is
malformed, skipped and reported (an error with --strict). Also: -j 2 prints
what -j 1 prints, and the quoted, CR-only poll-of-pollsters.tsv reads as
-F csv -d '\\t' the way Python's csv module reads it."""
import collections
import csv
import glob
import io
import os
import re
import sys

from suitelib import Checks, run_tally

TALLY = sys.argv[1]
REAL = os.environ["TALLY_REALDATA"]  # checked by tsv_realdata.sh (needs_realdata.sh)

checks = Checks()
check = checks.check


def run(args, env=None):
    return run_tally(TALLY, args, env=env)


ESC = re.compile(rb"\\([tnr\\])")
UNESC = {b"t": b"\t", b"n": b"\n", b"r": b"\r", b"\\": b"\\"}


def read_tsv(data):
    """[(line number, [fields])] of TSV bytes, by the rules above."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()  # the final LF ends a line, it does not start one
    ended = data.count(b"\n")  # lines 1..ended end in LF
    out = []
    for no, line in enumerate(lines, 1):
        if line.endswith(b"\r") and no <= ended:
            line = line[:-1]
        out.append((no, [ESC.sub(lambda m: UNESC[m.group(1)], f) for f in line.split(b"\t")]))
    return out


def read_csv(data):
    return [[f.encode("latin-1") for f in r]
            for r in csv.reader(io.StringIO(data.decode("latin-1"), newline=""))]


def expected(records, header):
    """Header, kept rows and (count, first line, first field count) of the
    malformed ones, as tally should see them."""
    if not records:
        return None, [], (0, 0, 0)
    n = len(records[0][1])
    kept = [f for _, f in records[1:] if len(f) == n]
    bad = [(no, len(f)) for no, f in records[1:] if len(f) != n]
    names = records[0][1] if header else [str(i + 1).encode() for i in range(n)]
    if not header:
        kept = [records[0][1]] + kept
    return names, kept, (len(bad), bad[0][0] if bad else 0, bad[0][1] if bad else 0)


def check_file(path, header=True):
    rel = os.path.relpath(path, REAL) + ("" if header else " -n")
    with open(path, "rb") as f:
        records = read_tsv(f.read())
    names, kept, (nbad, first, got_n) = expected(records, header)
    hflag = [] if header else ["-n"]
    fmt = [] if re.search(r"\.(tsv|tab)$", path, re.I) else ["-F", "tsv"]
    rc, out, err = run([*fmt, *hflag, "-o", "csv", path])
    check(rel + " exits 0", rc == 0, f"exit {rc}: {err[:300]!r}")
    got = read_csv(out)
    check(rel + " header", names is None or (got and got[0] == names),
          f"{got[:1]!r} vs {names!r}")
    check(rel + " rows", got[1:] == kept,
          f"{len(got) - 1} rows for {len(kept)}; "
          + next((f"row {i}: {g!r} vs {w!r}" for i, (g, w) in enumerate(zip(got[1:], kept))
                  if g != w), ""))
    if nbad:
        s = "" if nbad == 1 else "s"
        want = (f"tally: skipped {nbad} malformed row{s}; first at {path}:{first}: "
                f"expected {len(names)} fields, got {got_n}\n").encode()
        check(rel + " reports the malformed rows", err == want, f"{err!r} vs {want!r}")
    else:
        check(rel + " reports nothing", err == b"", repr(err[:300]))
    rc, out, err = run([*fmt, *hflag, "--strict", "-a", "count", path])
    check(rel + " --strict", rc == (1 if nbad else 0) and
          (not nbad or err.startswith(f"tally: {path}:{first}: expected".encode())),
          f"exit {rc}: {err[:300]!r}")
    # Group by the first column: the counts Python finds, and the same with
    # threads on ranges cut small.
    if names:
        want = collections.Counter(r[0] for r in kept)
        args = [*fmt, *hflag, "-g", "1", "-a", "count", "-o", "csv", path]
        rc, out, err = run(["-j", "1", *args])
        got_counts = {r[0]: int(r[1]) for r in read_csv(out)[1:]}
        check(rel + " counts by first column", got_counts == dict(want),
              f"{sorted(got_counts.items())[:5]!r} vs {sorted(want.items())[:5]!r}")
        for j_args in (["-g", "1", "-a", "count"], ["-o", "tsv"]):
            one = run(["-j", "1", *fmt, *hflag, *j_args, path])
            two = run(["-j", "2", *fmt, *hflag, *j_args, path], {"TALLY_MIN_CHUNK": "64"})
            check(rel + f" -j 2 {' '.join(j_args)}", one == two, f"{one!r}\n vs {two!r}")
    return len(records)


files = sorted(p for p in glob.glob(os.path.join(REAL, "**", "*"), recursive=True)
               if re.search(r"\.(tsv|tab)(\.gz|\.zst)?$", p, re.I) and os.path.isfile(p))
check("found the TSV exports", len(files) >= 7, f"{files!r}")
for path in files:
    check_file(path)

# PostgreSQL COPY TEXT output has no header: \N stays \N, the escapes decode.
psql = os.path.join(REAL, "csv-suite", "commons-csv", "misc", "CSV-290", "psql.tsv")
if os.path.exists(psql):
    check_file(psql, header=False)
    rc, out, err = run(["-n", "-s", "3", "-o", "csv", psql])
    check("psql.tsv escapes", read_csv(out)[1:] == [[b"test line 1\ntest line 2"],
                                                    [b"\\b:\\b \\t:\t \\n:\n \\r:\r"],
                                                    [b"b,c,d"]], repr(out))

# Quotes are literal in TSV: the qsv export's CSV-style quoted title keeps
# its quotes, and its Windows-ish backslashes (\R, \Y, \B) stay.
boston = os.path.join(REAL, "csv-suite", "qsv", "boston311-100.tab")
if os.path.exists(boston):
    rc, out, err = run(["-w", 'case_title ~ "Other"', "-s", "case_title,queue", "-o", "csv",
                        boston])
    rows = read_csv(out)[1:]
    check("boston quoted title kept literally", rows and
          rows[0][0] == b'"Missed ""Other"" Trash: District 07"', repr(rows[:2]))
    rc, out, err = run(["-w", r'queue ~ "\\\\R"', "-a", "count", boston])
    check("boston backslashes kept", out == b"count\n3\n", repr(out))

# A quoted tab-separated file with CR-only line ends (an old Excel export)
# is CSV with tabs: -F csv -d '\t' reads it as Python's csv module does.
poll = os.path.join(REAL, "csv", "fivethirtyeight", "poll-of-pollsters", "poll-of-pollsters.tsv")
if os.path.exists(poll):
    with open(poll, "rb") as f:
        data = f.read()
    want = [[f.encode("latin-1") for f in r] for r in
            csv.reader(io.StringIO(data.decode("latin-1"), newline=""), delimiter="\t")]
    rc, out, err = run(["-F", "csv", "-d", "\\t", "-o", "csv", poll])
    check("poll-of-pollsters as -F csv -d tab", rc == 0 and read_csv(out) == want,
          f"exit {rc} {err[:200]!r}: {len(read_csv(out))} rows for {len(want)}")

checks.finish()
