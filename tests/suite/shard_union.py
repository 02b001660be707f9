"""--shard=K/N reads every record once: for N in 1, 2, 3, 7 and 50 the
concatenated stdout of `tally --shard K/N -o csv --no-header-out ...` for
K = 1..N is byte for byte the stdout of one run over the same inputs (rows
mode: selected or all columns), the shards' counts (-a count) add up to one
run's count, and so do the malformed rows their stderr reports. Also with
threads inside each shard (-j 2, ranges forced small) for N = 3. Inputs:
the test data, CSV files made here with quoted line ends (LF, CRLF, CR)
placed where naive cuts would split them, several files with headers as one
input, TSV and logs; with --realdata, real CSV exports (quoted newlines
among them), TSV and logs from $TALLY_REALDATA."""
import os
import random
import re
import sys
import tempfile

from suitelib import Checks, run_tally

TALLY = sys.argv[1]
TESTS = os.environ.get("TALLY_TESTS_DIR") or os.path.join(os.path.dirname(__file__), "..")
NS = (1, 2, 3, 7, 50)

checks = Checks()
check = checks.check


def run(args, env=None):
    return run_tally(TALLY, args, env=env)


def skipped(err):
    m = re.search(rb"skipped (\d+) ", err)
    return int(m.group(1)) if m else 0


def count_of(out):
    lines = out.strip().splitlines()
    return int(lines[-1]) if lines else -1


def union(name, opts, files, sel=()):
    """Checks the law for one input (opts: input options; sel: -s COLS)."""
    rows = [*opts, *sel, "-o", "csv", "--no-header-out"]
    rc, base, base_err = run([*rows, *files])
    check(f"{name}: one run", rc == 0, base_err[:300])
    _, cnt, _ = run([*opts, "-a", "count", *files])
    total = count_of(cnt)
    for n in NS:
        outs, skips, counts, bad = [], 0, 0, []
        for k in range(1, n + 1):
            src, out, err = run(["--shard", f"{k}/{n}", *rows, *files])
            if src != 0:
                bad.append((k, src, err[:200]))
            outs.append(out)
            skips += skipped(err)
            _, c, _ = run(["--shard", f"{k}/{n}", *opts, "-a", "count", *files])
            counts += count_of(c)
        got = b"".join(outs)
        check(f"{name} N={n}: every shard succeeds", not bad, repr(bad))
        check(f"{name} N={n}: rows", got == base,
              f"{len(got)} bytes vs {len(base)}; first difference at "
              f"{next((i for i, (a, b) in enumerate(zip(got, base)) if a != b), min(len(got), len(base)))}")
        check(f"{name} N={n}: counts", counts == total, f"{counts} vs {total}")
        check(f"{name} N={n}: skipped rows", skips == skipped(base_err),
              f"{skips} vs {skipped(base_err)}")
    outs = [run(["-j", "2", "--shard", f"{k}/3", *rows, *files], {"TALLY_MIN_CHUNK": "1"})[1]
            for k in (1, 2, 3)]
    check(f"{name} N=3 -j 2: rows", b"".join(outs) == base, "threads inside a shard differ")


def made_files(tmp):
    """CSV files whose records hold quoted line ends of every kind."""
    rng = random.Random(12)
    paths = []
    for kind, eol in (("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")):
        lines = ["k,v,text"]
        for i in range(400):
            t = rng.choice(["plain", '"quoted, comma"', '"multi\nline\nfield"', '"with ""quotes"""',
                            '"cr\rinside"', "", '"crlf\r\nin"', '"a' + "\n" * rng.randint(1, 4) + 'b"'])
            if rng.random() < 0.03:
                t = rng.choice(['bro"ken', '"after"x'])
            lines.append(f"{rng.choice('abcde')},{rng.randint(-50, 50)},{t}")
        path = os.path.join(tmp, f"made_{kind}.csv")
        with open(path, "w", newline="") as f:
            f.write(eol.join(lines) + eol)
        paths.append(path)
    return paths


def bundled():
    data = os.path.join(TESTS, "data")
    d = lambda name: os.path.join(data, name)  # noqa: E731
    tmp = tempfile.mkdtemp()
    made = made_files(tmp)
    for path in made:
        union(os.path.basename(path), [], [path])
        union(os.path.basename(path) + " -s", [], [path], ["-s", "text,k"])
    union("made files as one input", [], made)
    for name in ("a.csv", "access.csv", "bom_crlf.csv", "cr_only.csv", "mixed_ends.csv",
                 "no_final_newline.csv", "ragged.csv", "unterminated.csv", "header_only.csv",
                 "floats.csv", "odd_names.csv"):
        union(name, [], [d(name)])
    union("a.csv b.csv empty.csv a.csv", [], [d("a.csv"), d("b.csv"), d("empty.csv"), d("a.csv")])
    union("semi.csv", ["-d", ";"], [d("semi.csv")])
    union("ragged.csv -n", ["-n"], [d("ragged.csv")])
    union("people.tsv", [], [d("people.tsv")])
    union("quoted_names.TAB", ["-F", "tsv"], [d("quoted_names.TAB")])
    union("cut_fields.log", ["--log=combined"], [d("cut_fields.log")])
    union("cut_fields.log twice", ["--log=combined"], [d("cut_fields.log"), d("cut_fields.log")],
          ["-s", "status,agent"])


def realdata(real):
    csvs = ["csv/fivethirtyeight/mayweather-mcgregor/tweets.csv",  # quoted newlines
            "csv/fivethirtyeight/police-deaths/all_data.csv",
            "csv/fivethirtyeight/twitter-ratio/BarackObama.csv",
            "csv/fivethirtyeight/bachelorette/bachelorette.csv",
            "csv/plotly/tips.csv",
            "csv/qsv/311011.csv",
            "csv/datahub/world-cities.csv",
            "csv-suite/csvw/manifest.csv",
            "csv-suite/csv-spectrum/csvs/newlines_crlf.csv"]
    tsvs = ["csv/vega-datasets/unemployment.tsv", "csv-suite/qsv/boston311-100.tab",
            "csv-suite/qsv/boston311-100-bad.tsv"]
    logs = [("logs/elastic-examples/apache_logs", "combined"),
            ("logs/lnav/logfile_syslog.0", "syslog"),
            ("logs/lnav/logfile_bad_access_log.0", "combined")]
    paths = lambda rels: [os.path.join(real, r) for r in rels]  # noqa: E731
    for rel in csvs + tsvs + [r for r, _ in logs]:
        check(f"{rel}: present", os.path.exists(os.path.join(real, rel)), "missing from the real data set")
    for rel in csvs:
        union(rel, [], paths([rel]))
    union("tweets.csv -s", [], paths([csvs[0]]), ["-s", "text,screen_name"])
    union("spectrum files as one input", [],
          paths([f"csv-suite/csv-spectrum/csvs/{n}.csv"
                 for n in ("newlines", "newlines_crlf", "simple", "empty_crlf", "newlines")]))
    for rel in tsvs:
        union(rel, ["-F", "tsv"], paths([rel]))
    for rel, preset in logs:
        union(rel, [f"--log={preset}"], paths([rel]))


if sys.argv[2:] == ["--realdata"]:
    realdata(os.environ["TALLY_REALDATA"])
else:
    bundled()
checks.finish()
