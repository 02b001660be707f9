"""CSV conformance: csv-spectrum, W3C CSVW and Apache Commons CSV cases run
through `tally -o json` and compared with each suite's own expected results.
Where tally deliberately differs, the case says how and why (the README
lists the same cases); the comparison then checks that exact difference."""
import json
import os
import subprocess
import sys

from suitelib import Checks

TALLY = sys.argv[1]
SUITE = os.path.join(os.environ["TALLY_REALDATA"], "csv-suite")

checks = Checks(detail_max=None)
check = checks.check


def run(args):
    p = subprocess.run([TALLY, "-o", "json", *args], capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")



def rows_of(args):
    rc, out, err = run(args)
    if rc != 0:
        return None, err
    return json.loads(out.decode("utf-8")), err


# csv-spectrum: each csvs/X.csv against json/X.json (objects keyed by header).
spectrum = os.path.join(SUITE, "csv-spectrum")
for fn in sorted(os.listdir(os.path.join(spectrum, "csvs"))):
    name = fn[:-4]
    want = json.load(open(os.path.join(spectrum, "json", name + ".json"), encoding="utf-8"))
    got, err = rows_of([os.path.join(spectrum, "csvs", fn)])
    if name == "location_coordinates":
        # Upstream's expectation is known-bad (a lone object, a masked value),
        # and the row holds bare quotes inside unquoted fields (37"N): broken
        # quoting by RFC 4180, so tally skips and reports it.
        want = []
        check("csv-spectrum/location_coordinates report",
              "skipped 1 malformed row; first at" in err and
              "unexpected quote inside an unquoted field" in err, err)
    check(f"csv-spectrum/{name}", got == want, f"got {got!r}, want {want!r}; {err}")

# W3C CSVW: tests without metadata; expected rows in tables[0].row[i].describes[0].
csvw = os.path.join(SUITE, "csvw")
for t in ["test001", "test002", "test003", "test005", "test006", "test007", "test008",
          "test009", "test010", "test019"]:
    exp = json.load(open(os.path.join(csvw, t + ".json"), encoding="utf-8"))
    want = [r["describes"][0] for r in exp["tables"][0]["row"]]
    args = [os.path.join(csvw, t + ".csv")]
    if t == "test019":  # served with header=absent: columns _col.1 ...
        args = ["-n"] + args
    got, err = rows_of(args)
    if got is not None and t == "test019":
        got = [{"_col." + k: v for k, v in r.items()} for r in got]
    # CSVW values are typed only through metadata; without it every cell is a
    # string, but csv2json omits empty cells (null): compare with those dropped.
    if got is not None:
        got = [{k: v for k, v in r.items() if v != ""} for r in got]
        want = [{k: v for k, v in r.items() if v not in ("", None)} for r in want]
    check(f"csvw/{t}", got == want, f"got {str(got)[:300]}, want {str(want)[:300]}; {err}")

# CSVW manifest.csv: CR-only record ends and ragged rows; the ragged ones are
# malformed (skipped and reported), the rest parse like Python's csv module.
import csv as pycsv
with open(os.path.join(csvw, "manifest.csv"), newline="", encoding="utf-8") as f:
    recs = list(pycsv.reader(f))
hdr = recs[0]
want = [dict(zip(hdr, r)) for r in recs[1:] if len(r) == len(hdr)]
nbad = sum(1 for r in recs[1:] if len(r) != len(hdr))
got, err = rows_of([os.path.join(csvw, "manifest.csv")])
check("csvw/manifest.csv rows", got == want, f"{len(got or [])} rows vs {len(want)}; {err[:300]}")
check("csvw/manifest.csv report", (f"skipped {nbad} malformed row" in err) == (nbad > 0),
      f"stderr {err!r}, {nbad} ragged")


# Apache Commons CSV CSVFileParser control files: "N:[f1, f2]" per record,
# the first line included (so tally runs with -n). tally deliberately differs:
# - a record whose field count differs from the first one is malformed:
#   skipped and reported (Commons CSV keeps ragged records);
# - a quote after leading spaces (` " j " `) is broken quoting under RFC 4180:
#   the record is malformed (Commons CSV keeps the text raw);
# - blank lines give no record (Commons CSV with IgnoreEmpty=false does).
def commons_records(path):
    recs = []
    lines = open(path, encoding="utf-8").read().split("\n")
    for line in lines[2:]:
        if not line or line.startswith("#"):
            continue
        n, rest = line.split(":", 1)
        body = rest[1:rest.rindex("]")]
        fields = body.split(", ") if int(n) > 1 else [body]
        recs.append(fields)
    return recs


cc = os.path.join(SUITE, "commons-csv", "CSVFileParser")
for ctl in ["test_default.txt", "test_rfc4180.txt"]:
    recs = commons_records(os.path.join(cc, ctl))
    first = len(recs[0])
    want = [r for r in recs if len(r) == first and not any('"' in f for f in r)]
    got, err = rows_of(["-n", os.path.join(cc, "test.csv")])
    if got is not None:
        got = [[r[str(i + 1)] for i in range(first)] for r in got]
    check(f"commons-csv/{ctl}", got == want, f"got {got!r}, want {want!r}; {err}")
    nskip = sum(1 for r in recs if len(r) != first and r != [""]) + \
        sum(1 for r in recs if len(r) == first and any('"' in f for f in r))
    check(f"commons-csv/{ctl} report", f"skipped {nskip} malformed rows" in err, err)

# bom.csv: the byte-order mark is dropped, so the first column is "Date".
got, err = rows_of(["-s", "Date", os.path.join(cc, "bom.csv")])
check("commons-csv/bom.csv", got is not None and len(got) == 251 and
      list(got[0].keys()) == ["Date"], f"{str(got)[:200]} {err}")

checks.finish()
