"""Every output format tally can also read (csv, tsv) round-trips through
tally itself: values with quotes, commas, tabs, LF, CR, backslashes, \\N,
bytes that are not UTF-8 and empty values (one-column output too, where an
empty value is a record of one empty field) are printed with -o csv / -o tsv,
read back with tally, and must come out as the same values. The values are
made and checked here, in Python: the input is written with Python's csv
module, and tally's CSV output is read with it."""
import csv
import io
import os
import random
import subprocess
import sys
import tempfile

from suitelib import Checks

TALLY = sys.argv[1]
checks = Checks()
check = checks.check



def run(args, stdin=b""):
    p = subprocess.run([TALLY, *args], input=stdin, capture_output=True,
                       env={**os.environ, "LC_ALL": "C"})
    return p.returncode, p.stdout, p.stderr


def ok_run(name, args, stdin=b""):
    rc, out, err = run(args, stdin)
    if rc != 0 or err:
        check(name + " runs cleanly", False, f"exit {rc}: {err[:500]!r}")
        return None
    return out


def read_csv(data):
    """Rows of CSV bytes, read by Python's csv module (bytes kept as latin-1)."""
    return list(csv.reader(io.StringIO(data.decode("latin-1"), newline="")))


def write_csv(path, rows):
    # CRLF: Python quotes a field only for the bytes of its line terminator,
    # so with "\n" a bare CR would go out unquoted (a line end to readers).
    with open(path, "w", newline="", encoding="latin-1") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)


rng = random.Random(11)
PIECES = ['"', '""', ",", "\t", "\n", "\r", "\r\n", "\\", "\\t", "\\n", "\\N", "\\\\", " ",
          "x", "q", "caf\xe9", "\xff", "'"]


def value():
    if rng.random() < 0.25:
        return ""
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 4)))


tmp = tempfile.mkdtemp()
names = ["k", "v", "a \"b\"\tc", "back\\slash"]
rows = [[value(), str(rng.randint(-5, 5)), value(), value()] for _ in range(400)]
rows += [["", "0", "", ""], ["", "1", "", ""]]  # all-empty rows
src = os.path.join(tmp, "in.csv")
write_csv(src, [names] + rows)

READ = {"csv": [], "tsv": ["-F", "tsv"]}

# The whole table, one column, and two columns: out with -o FMT, back in with
# tally, out again as CSV for Python to compare with what was written.
selections = [("all", None), ("one column k", [0]), ("one column text", [2]), ("k,back", [0, 3])]
for fmt in ("csv", "tsv"):
    for label, cols in selections:
        name = f"{fmt} {label}"
        sel = [] if cols is None else ["-s", ",".join(str(c + 1) for c in cols)]
        want = [names] + rows if cols is None else [[r[c] for c in cols] for r in [names] + rows]
        first = ok_run(name, ["-o", fmt, *sel, src])
        if first is None:
            continue
        back = ok_run(name + " read back", [*READ[fmt], "-o", "csv"], first)
        if back is None:
            continue
        got = read_csv(back)
        bad = next((i for i, (w, g) in enumerate(zip(want, got)) if w != g), None)
        check(name + " values", got == want,
              f"{len(got)} rows for {len(want)}; first difference at row {bad}: "
              f"{want[bad] if bad is not None else ''!r} vs {got[bad] if bad is not None else ''!r}")
        again = ok_run(name + " twice", [*READ[fmt], "-o", fmt], first)
        check(name + " is a fixed point", again == first, "second pass printed other bytes")

# Group output read back: `tally -g k -o FMT | tally -F FMT -g k -a sum:count`
# gives the same groups and counts.
for fmt in ("csv", "tsv"):
    for key in ("k", "3"):
        name = f"{fmt} groups by {key}"
        grouped = ok_run(name, ["-g", key, "-o", fmt, src])
        direct = ok_run(name + " direct", ["-g", key, "-o", "csv", src])
        if grouped is None or direct is None:
            continue
        regroup = ok_run(name + " regrouped", [*READ[fmt], "-g", "1", "-a", "sum:count", "-o",
                                               "csv"], grouped)
        if regroup is None:
            continue
        want = [r for r in read_csv(direct)[1:]]
        got = [r for r in read_csv(regroup)[1:]]
        check(name, got == want, f"{got[:5]!r} vs {want[:5]!r}")

# The issue's own pipe: `tally -s chamber | tally -g chamber` keeps the rows
# whose chamber is empty, in both formats.
chambers = ["house", "", "senate", "", "", "house"]
cpath = os.path.join(tmp, "congress.csv")
write_csv(cpath, [["chamber", "age"]] + [[c, "50"] for c in chambers])
for fmt in ("csv", "tsv"):
    sel = ok_run("chamber " + fmt, ["-s", "chamber", "-o", fmt, cpath])
    if sel is None:
        continue
    out = ok_run("chamber " + fmt + " grouped", [*READ[fmt], "-g", "chamber", "-o", "csv"], sel)
    if out is not None:
        check("chamber " + fmt, read_csv(out) == [["chamber", "count"], ["", "3"], ["house", "2"],
                                                 ["senate", "1"]], repr(out))

# A header whose only name is empty: CSV writes "" for it, TSV an empty line.
for fmt in ("csv", "tsv"):
    rc, out, err = run(["-o", fmt, "-s", "1"], b',n\n,1\nx,2\n')
    back = ok_run("empty name " + fmt, [*READ[fmt], "-o", "csv"], out) if rc == 0 else None
    check("empty name " + fmt, back is not None and read_csv(back) == [[""], [""], ["x"]],
          f"{out!r} -> {back!r}")

checks.finish()
