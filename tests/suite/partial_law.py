"""The law of --partial / --merge (issue 12) on the real data set: for any
cut of the input into pieces, merging the pieces' partials prints byte for
byte what one run over the whole input prints (stdout and exit status), for
every aggregate, key kind, filter and output format.

Randomized and seeded: a round with the fixed seed 12, then one with a
random seed, each printed; TALLY_LAW_SEED=S replays round S alone
(TALLY_LAW_KEEP=1 keeps the files, TALLY_LAW_QUERIES=N sets the queries per
data set). Per data set (CSVs with quoted newlines, BOMs, CRLF, CR-only and
no final newline; TSVs; access and syslog logs; big files cut to a prefix or
a window of a few thousand records) and per random query:
  - cuts at record boundaries (Python's csv module finds them for CSV, lines
    for TSV and logs) into K = 2..6 pieces, empty ones included, each CSV
    piece with the header line: `tally ARGS --partial piece` each, merged
    in input order as files, on stdin (`cat p* | tally --merge`), through a
    tree of `--merge --partial` of neighbours, with a piece gzipped;
  - the same pieces with the Hadoop Streaming origin
    (mapreduce_map_input_start = the piece's offset), merged shuffled and
    as the `LC_ALL=C sort` of their concatenation;
  - shards: `tally ARGS --shard k/N --partial whole` for k = 1..N (N random
    in 1..9, and once per data set N past the record count, most shards
    empty), merged in order, shuffled, sorted and as a shuffled tree; once
    per data set over two files read as one stream.
Output options are given at merge time, or recorded at partial time and
the merge is bare, or recorded and overridden at merge time."""
import csv
import gzip
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

from suitelib import Checks

TALLY = sys.argv[1]
REAL = os.environ["TALLY_REALDATA"]  # checked by partial_law.sh (needs_realdata.sh)
KEEP = os.environ.get("TALLY_LAW_KEEP") == "1"
QUERIES = os.environ.get("TALLY_LAW_QUERIES")  # default: 5 in the fixed round, 3 else
MAX_RECORDS = 2000  # records of a big file used (a prefix or a window)

checks = Checks()
check = checks.check

AGGS = ["count", "count:COL", "sum", "min", "max", "mean", "stddev", "var", "median", "p90",
        "p99.9", "distinct", "first", "last", "mode"]
NUMERIC = {"sum", "min", "max", "mean", "stddev", "var", "median", "p90", "p99.9"}
ORDERED = {"first", "last", "mode"}  # results that depend on the order of the input
FORMATS = ["table", "csv", "tsv", "json", "jsonl", "markdown", "chart"]
HEADER_OUT = {"table", "csv", "tsv"}  # the formats --no-header-out is for

# Data sets. kind csv: records found by Python's csv module (delim), with a
# header unless args has -n; kind lines: one record per line. keys: grouping
# columns, nums: numeric columns, texts: any columns, buckets/times: bucket
# keys, wheres: -w filters. window: (first, last) data records used.
DATA = [
    dict(path="csv-suite/univocity/correctness.csv", kind="csv",
         keys=["Make", "Year"], nums=["Price", "Year"], texts=["Model", "Description"],
         buckets=["Year/2"], wheres=["Price > 4000", "Description != \"\""]),
    dict(path="csv-suite/csv-spectrum/csvs/newlines_crlf.csv", kind="csv",
         keys=["a", "c"], nums=["b", "c"], texts=["a"], buckets=["b/2"], wheres=["c >= 3"]),
    dict(path="csv-suite/csvkit-examples/mac_newlines.csv", kind="csv",
         keys=["a"], nums=["b", "c"], texts=["a"], buckets=["c/2"], wheres=["b > 0"]),
    dict(path="csv-suite/commons-csv/CSVFileParser/bom.csv", kind="csv",
         keys=["`Date`"], nums=["` Open`", "` Close`", "` Volume`"], texts=["`Date`"],
         buckets=["` Volume`/10000000", "` Close`/10"], wheres=["` Close` > 200"]),
    dict(path="csv-suite/qsv/utf8-japanesedata.csv", kind="csv",
         keys=["1", "3"], nums=["1", "3"], texts=["2", "6"], buckets=["1/10"],
         wheres=["$3 != \"\""]),
    dict(path="csv-suite/qsv/spendover25kdownloadSep.csv", kind="csv",
         keys=["Entity", "`Expense Type`"], nums=["`Transaction No`"],
         texts=["Supplier", "8"], buckets=["`Transaction No`/1000000"],
         wheres=["Entity ~ \"PCT\""]),
    dict(path="csv/vega-datasets/birdstrikes.csv", kind="csv", window=(0, MAX_RECORDS),
         keys=["`Origin State`", "`Phase of flight`", "`Wildlife Size`"],
         nums=["`Cost Total $`", "`Speed IAS in knots`", "`Cost Repair`"],
         texts=["`Wildlife Species`", "`Airport Name`"], buckets=["`Speed IAS in knots`/50"],
         times=["`Flight Date`/30d"], wheres=["`Cost Total $` > 0", "`Time of day` == \"Day\""]),
    dict(path="csv/datahub/gdp.csv", kind="csv", window=(5000, 5000 + MAX_RECORDS),
         keys=["`Country Code`", "Year"], nums=["Value", "Year"], texts=["`Country Name`"],
         buckets=["Year/10", "Value/1e11"], wheres=["Year >= 1990", "`Country Name` ~ \",\""]),
    dict(path="csv/vega-datasets/seattle-weather.csv", kind="csv",
         keys=["weather"], nums=["precipitation", "temp_max", "temp_min", "wind"],
         texts=["weather", "date"], buckets=["temp_max/5"], times=["date/30d", "date/7d"],
         wheres=["precipitation > 0", "weather in (\"rain\", \"sun\")"]),
    dict(path="csv-suite/csvkit-examples/realdata/ks_1033_data.csv", kind="csv",
         keys=["county", "ui", "federal_supply_category_name"],
         nums=["acquisition_cost", "quantity", "total_cost"], texts=["item_name", "nsn"],
         buckets=["total_cost/1000"], wheres=["quantity > 1", "item_name ~ \"RIFLE\""]),
    dict(path="csv-suite/qsv/progetti_sample_10.csv", kind="csv", delim=";", args=["-d", ";"],
         keys=["2", "6"], nums=["1", "6"], texts=["3", "7"], buckets=["6/2"], wheres=[]),
    dict(path="csv-suite/rust-csv/smallpop-no-headers.csv", kind="csv", args=["-n"],
         keys=["2", "3"], nums=["4"], texts=["1"], buckets=["4/10000"], wheres=["$4 > 20000"]),
    dict(path="csv/vega-datasets/unemployment.tsv", kind="lines",
         keys=["`rate`"], nums=["rate", "id"], texts=["id"], buckets=["rate/0.05", "id/5000"],
         wheres=["rate > 0.1"], header=True),
    dict(path="csv-suite/qsv/NYC311-5.tsv", kind="lines", header=True,
         keys=["Agency", "Borough"], nums=["`Unique Key`", "`Incident Zip`"],
         texts=["`Complaint Type`", "Descriptor"], buckets=["`Incident Zip`/100"],
         wheres=["Status == \"Closed\""]),
    dict(path="csv-suite/commons-csv/misc/CSV-290/psql.tsv", kind="lines", args=["-n"],
         keys=["2"], nums=["1"], texts=["3", "4"], buckets=["1/2"], wheres=["$4 != \"\""]),
    dict(path="logs/elastic-examples/apache_logs", kind="lines", args=["--log=combined"],
         window=(0, MAX_RECORDS),
         keys=["status", "method", "protocol"], nums=["bytes", "status"],
         texts=["path", "ip", "agent", "referer"], buckets=["bytes/1000", "status/100"],
         times=["time/1h", "time/5m"], wheres=["status >= 300", "path ~ \"\\\\.png$\""]),
    # The window holds line 8899, whose agent quote never closes (a warning).
    dict(path="logs/elastic-examples/apache_logs", kind="lines", args=["--log=combined"],
         window=(8000, 10000), keys=["status", "method"], nums=["bytes"],
         texts=["path", "ip"], buckets=["bytes/1000"], times=["time/1h"],
         wheres=["method == \"GET\""]),
    dict(path="logs/lnav/logfile_shop_access_log.0", kind="lines", args=["--log=combined"],
         keys=["status", "method"], nums=["bytes"], texts=["path", "ip", "agent"],
         buckets=["bytes/1000"], times=["time/10m"], wheres=["agent ~ \"(?i)bot\""]),
    dict(path="logs/elastic-beats/nginx-access-test.log", kind="lines", args=["--log=combined"],
         keys=["status", "method"], nums=["bytes", "status"], texts=["ip", "agent"],
         buckets=["bytes/100"], times=["time/1d"], wheres=["status < 400"]),
    dict(path="logs/elastic-beats/apache-access-test.log", kind="lines", args=["--log=common"],
         keys=["status", "user"], nums=["bytes"], texts=["ip", "path"],
         buckets=["status/100"], times=["time/1h"], wheres=[]),
    dict(path="logs/elastic-beats/system-auth-test.log", kind="lines", args=["--log=syslog"],
         keys=["program", "host"], nums=["pid"], texts=["message", "program"],
         buckets=["pid/1000"], times=["time/1h", "time/1d"], wheres=["program == \"sshd\""]),
]


def tally_env(origin=None):
    env = {k: v for k, v in os.environ.items()
           if k not in ("TALLY_OPTIONS", "NO_COLOR", "mapreduce_map_input_start")}
    env.update(LC_ALL="C", COLUMNS="80", TZ="UTC")
    if origin is not None:
        env["mapreduce_map_input_start"] = str(origin)
    return env


RUNS = [0]


def run(args, stdin=b"", origin=None):
    RUNS[0] += 1
    env = tally_env(origin)
    if "-j" in args:
        env["TALLY_MIN_CHUNK"] = "64"  # threads on ranges cut small
    p = subprocess.run([TALLY, *args], input=stdin, capture_output=True, env=env)
    return p.returncode, p.stdout, p.stderr


def shell(args, origin=None):
    env = "" if origin is None else f"mapreduce_map_input_start={origin} "
    env += "TALLY_MIN_CHUNK=64 " if "-j" in args else ""
    return env + "tally " + " ".join(shlex.quote(a) for a in args)


# --- records -------------------------------------------------------------


def csv_spans(data, delim):
    """Byte offsets (start, end) of the CSV records of data, as Python's csv
    module reads them: each record spans the physical lines it consumed."""
    text = data.decode("latin-1")
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)
    assert sum(map(len, lines)) == len(text)
    taken = [0]

    def feed():
        for line in lines:
            taken[0] += 1
            yield line

    spans, pos, used = [], 0, 0
    for _ in csv.reader(feed(), delimiter=delim):
        end = pos + sum(len(x) for x in lines[used:taken[0]])
        spans.append((pos, end))
        pos, used = end, taken[0]
    return spans


def line_spans(data):
    spans, pos = [], 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end + 1
        spans.append((pos, end))
        pos = end
    return spans


class Data:
    """One data set, as used: header bytes (b"" without one), the data
    records' spans and the file written for it."""

    def __init__(self, spec, tmp, idx):
        self.spec = spec
        self.args = spec.get("args", [])
        raw = open(os.path.join(REAL, spec["path"]), "rb").read()
        has_header = "-n" not in self.args and (spec["kind"] == "csv" or spec.get("header"))
        spans = (csv_spans(raw, spec.get("delim", ",")) if spec["kind"] == "csv"
                 else line_spans(raw))
        hdr = spans.pop(0)[1] if has_header and spans else 0
        if "window" in spec:  # a few thousand records, cut at record boundaries
            a, b = spec["window"]
            part = spans[a:b]
            body = raw[part[0][0]:part[-1][1]]
            if not raw.endswith((b"\n", b"\r")):  # keep "no final newline"
                body = body.rstrip(b"\r\n")
            raw = raw[:hdr] + body
            spans = (csv_spans(raw, spec.get("delim", ",")) if spec["kind"] == "csv"
                     else line_spans(raw))
            if has_header:
                spans.pop(0)
        self.raw, self.header, self.spans = raw, raw[:hdr], spans
        ext = os.path.splitext(spec["path"])[1]
        self.dir = os.path.join(tmp, f"d{idx}")
        os.mkdir(self.dir)
        self.file = os.path.join(self.dir, "whole" + ext)
        self.ext = ext
        with open(self.file, "wb") as f:
            f.write(raw)
        self.name = spec["path"] + (f"[{spec['window'][0]}:{spec['window'][1]}]"
                                    if "window" in spec else "")

    def start(self, i):
        """Byte offset where data record i starts (the end for i == n)."""
        return self.spans[i][0] if i < len(self.spans) else len(self.raw)


# --- queries -------------------------------------------------------------


def make_query(rng, d, n):
    """(query args, output args, has order-sensitive results) of query n;
    the n-th query takes AGGS[n] and FORMATS[n] so that every one is used."""
    s = d.spec
    keys_kind = ["none", "one", "two", "bucket", "time", "key+bucket"][n % 6]
    if keys_kind == "time" and not s.get("times"):
        keys_kind = "bucket"
    keys = {"none": [], "one": rng.sample(s["keys"], 1),
            "two": rng.sample(s["keys"], min(2, len(s["keys"]))),
            "bucket": [rng.choice(s["buckets"])],
            "time": [rng.choice(s.get("times", [""]))],
            "key+bucket": [rng.choice(s["keys"]), rng.choice(s["buckets"])]}[keys_kind]
    funcs = [AGGS[n % len(AGGS)]] + rng.sample(AGGS, rng.randint(0, 3))
    aggs, names = [], []
    for i, f in enumerate(dict.fromkeys(funcs)):
        if f == "count":
            spec = "count"
        elif f == "count:COL":
            spec = "count:" + rng.choice(s["texts"] + s["nums"])
        elif f in NUMERIC:
            spec = f + ":" + rng.choice(s["nums"])
        else:
            spec = f + ":" + rng.choice(s["texts"] + s["nums"][:1])
        if rng.random() < 0.4:
            spec = f"r{i}={spec}"
            names.append(f"r{i}")
        elif spec == "count":
            names.append("count")
        aggs.append(spec)
    args = list(d.args)
    for w in rng.sample(s["wheres"], rng.randint(0, min(2, len(s["wheres"])))):
        args += ["-w", w]
    if keys:
        args += ["-g", ",".join(keys)]
    if aggs and (not keys or rng.random() < 0.85):
        args += ["-a", ",".join(aggs)]
    else:
        names = ["count"]  # -g alone counts rows
    names += [k for k in keys if re.fullmatch(r"[A-Za-z_][\w/.]*", k)]  # labels as written
    ordered = any(a.split("=")[-1].split(":")[0] in ORDERED for a in aggs) and "-a" in args
    return args, output_args(rng, FORMATS[n % len(FORMATS)], names), ordered


def output_args(rng, fmt, names):
    out = ["-o", fmt]
    if names and rng.random() < 0.5:
        out += ["--sort", ",".join(f"{x}:desc" if rng.random() < 0.5 else x
                                   for x in rng.sample(names, rng.randint(1, len(names))))]
    if rng.random() < 0.4:
        out += ["--limit", str(rng.randint(0, 8))]
    if fmt in HEADER_OUT and rng.random() < 0.4:
        out += ["--no-header-out"]
    if rng.random() < 0.25:
        out += ["--precision", str(rng.randint(1, 17))]
    return out


def output_plan(rng, out):
    """(output args for the partials, output args for the merge): given at
    merge time only, recorded only, or recorded and overridden (the merge's
    own then name every option the partials recorded)."""
    how = rng.choice(["merge", "recorded", "override"])
    if how == "merge":
        return [], out
    if how == "recorded":
        return out, []
    other = ["-o", rng.choice(FORMATS)]
    for opt, val in (("--limit", str(rng.randint(0, 5))), ("--precision", "3")):
        if opt in out and rng.random() < 0.7:
            other += [opt, val]
    # --sort and --no-header-out recorded would stay unless overridden;
    # --no-header-out cannot be switched off, so only record it when out has it.
    if "--no-header-out" in out and other[1] in HEADER_OUT:
        other += ["--no-header-out"]
    return other, out


# --- the law -------------------------------------------------------------

FAILS = {}  # failures per kind


class Case:
    """One query on one data set over files: the whole run and the checks
    against it."""

    def __init__(self, d, files, qargs, out, ordered, work):
        self.d, self.files, self.q, self.out = d, files, qargs, out
        self.ordered, self.work = ordered, work
        self.want = run([*qargs, *out, *files])
        self.title = f"{d.name}: {shell([*qargs, *out, *files])}"
        self.nfile = 0

    def path(self, stem):
        self.nfile += 1
        return os.path.join(self.work, f"{stem}{self.nfile}")

    def partial(self, extra, files, rec_out, origin=None):
        """Runs tally --partial; the partial's file name, or None (a failure)."""
        full = [*self.q, *extra, *rec_out, "--partial", *files]
        rc, out, err = run(full, origin=origin)
        if rc != 0:
            self.fail("partial run", f"{shell(full, origin)}: exit {rc}: {err[:400]!r}")
            return None
        p = self.path("p")
        with open(p, "wb") as f:
            f.write(out)
        return p

    def fail(self, what, detail):
        """A failure; the detail for the first few of a kind (test and data
        set) only."""
        kind = (self.d.name, re.sub(r"\[[^]]*\]|\d+", "", what))
        FAILS[kind] = FAILS.get(kind, 0) + 1
        check(f"{self.title}: {what}", False, detail if FAILS[kind] <= 2 else "(detail left off)")

    def law(self, what, merge_args, stdin=b"", how=""):
        rc, out, err = run(["--merge", *merge_args], stdin)
        if rc == self.want[0] and out == self.want[1] and (rc != 0 or err == b""):
            check(f"{self.title}: {what}", True)
            return
        w = self.want[1].decode("utf-8", "replace").splitlines()
        g = out.decode("utf-8", "replace").splitlines()
        first = next((i for i in range(max(len(w), len(g)))
                      if i >= len(w) or i >= len(g) or w[i] != g[i]), None)
        self.fail(what, f"\n  merge: {how}{shell(['--merge', *merge_args])}\n"
                  f"  want exit {self.want[0]}, got {rc}; stderr {err[:300]!r}\n"
                  + (f"  line {first + 1}: want {w[first] if first < len(w) else '(none)'!r}\n"
                     f"           got  {g[first] if first < len(g) else '(none)'!r}"
                     if first is not None else ""))

    def merges(self, rng, parts, merge_out, in_order, tag):
        """The merges of parts (their files) that must print the whole run:
        as files, on stdin, as a tree, one gzipped; shuffled and sorted when
        the partials carry their origins (in_order False)."""
        order = list(parts)
        if not in_order:
            rng.shuffle(order)
        self.law(f"{tag} merge", [*merge_out, *order])
        cat = b"".join(open(p, "rb").read() for p in order)
        self.law(f"{tag} cat | merge", merge_out, cat, "cat partials | ")
        if len(order) > 1:
            self.law(f"{tag} tree", [*merge_out, *self.tree(rng, parts, in_order)])
            gz = self.path("g") + ".gz"
            victim = rng.randrange(len(order))
            with open(order[victim], "rb") as f, gzip.open(gz, "wb") as g:
                g.write(f.read())
            self.law(f"{tag} merge with a gzipped partial",
                     [*merge_out, *order[:victim], gz, *order[victim + 1:]])
        if not in_order or not self.ordered:
            lines = sorted(cat.splitlines(keepends=True))  # LC_ALL=C sort: bytes
            self.law(f"{tag} sort | merge", merge_out, b"".join(lines), "cat partials | sort | ")

    def tree(self, rng, parts, in_order):
        """A tree of `--merge --partial` of random neighbours in input
        order (each partial stays one stretch of the input), down to two or
        one partials; with origins, each pair and the rest given shuffled."""
        parts = list(parts)
        while len(parts) > 2 or (len(parts) == 2 and rng.random() < 0.5):
            i = rng.randrange(len(parts) - 1)
            pair = parts[i:i + 2]
            if not in_order:
                rng.shuffle(pair)
            rc, out, err = run(["--merge", "--partial", *pair])
            if rc != 0:
                self.fail("tree step", f"{shell(['--merge', '--partial', *pair])}: exit {rc}: "
                          f"{err[:300]!r}")
                return parts
            parts[i:i + 2] = [self.path("t")]
            with open(parts[i], "wb") as f:
                f.write(out)
        if not in_order:
            rng.shuffle(parts)
        return parts


def cut_test(rng, case):
    """Random cuts at record boundaries, plain and with Hadoop's origin."""
    d = case.d
    n = len(d.spans)
    k = rng.randint(2, 6)
    cuts = [0] + sorted(rng.randint(0, n) for _ in range(k - 1)) + [n]
    rec_out, merge_out = output_plan(rng, case.out)
    rec_out += threads(rng)
    plain, hadoop = [], []
    for a, b in zip(cuts, cuts[1:]):
        piece = case.path("piece") + d.ext
        with open(piece, "wb") as f:
            f.write(d.header + d.raw[d.start(a):d.start(b)])
        plain.append(case.partial([], [piece], rec_out))
        # With the origin, the piece's records sit where they do in the whole.
        hadoop.append(case.partial([], [piece], rec_out, d.start(a) - len(d.header)))
    tag = f"cut at records {cuts[1:-1]}"
    if None not in plain:
        case.merges(rng, plain, merge_out, True, tag)
    if None not in hadoop:
        case.merges(rng, hadoop, merge_out, False, tag + " with origins")


def threads(rng):
    """Sometimes the partials are made by two threads."""
    return ["-j", "2"] if rng.random() < 0.25 else []


def shard_test(rng, case, n_shards, tag="shards"):
    rec_out, merge_out = output_plan(rng, case.out)
    rec_out += threads(rng)
    parts = [case.partial(["--shard", f"{k}/{n_shards}"], case.files, rec_out)
             for k in range(1, n_shards + 1)]
    if None not in parts:
        case.merges(rng, parts, merge_out, False, f"{tag} N={n_shards}")


def extra_shards(rng, d, case, work, n):
    """Query 0: more shards than records, on the first few records (most
    shards empty). Query 1: shards over two files read as one stream (the
    origin counts through both)."""
    if n == 0:
        r = min(len(d.spans), rng.randint(2, 12))
        small = os.path.join(work, "small" + d.ext)
        with open(small, "wb") as f:
            f.write(d.header + d.raw[d.start(0):d.start(r)])
        few = Case(d, [small], case.q, case.out, case.ordered, work)
        if few.want[0] == 0:
            shard_test(rng, few, r + rng.randint(1, 5), f"{r} records, shards")
    elif n == 1:
        other = os.path.join(work, "again" + d.ext)
        shutil.copyfile(d.file, other)
        two = Case(d, [d.file, other], case.q, case.out, case.ordered, work)
        if two.want[0] == 0:
            shard_test(rng, two, rng.randint(2, 5), "two files, shards")


def round_(seed, tmp, queries):
    rng = random.Random(seed)
    print(f"seed {seed} (replay: TALLY_LAW_SEED={seed} bash tests/suite/partial_law.sh TALLY)",
          flush=True)
    for idx, spec in enumerate(DATA):
        d = Data(spec, tmp, idx)
        rc, out, err = run([*d.args, "-a", "count", "-o", "csv", d.file])
        check(f"{d.name}: the records Python finds are tally's",
              rc == 0 and out.split(b"\n")[1] == str(len(d.spans)).encode()
              or b"skipped" in err or b"unterminated" in err,
              f"exit {rc}, {out!r} for {len(d.spans)} records; {err[:200]!r}")
        for n in range(queries):
            work = os.path.join(d.dir, f"q{n}")
            os.mkdir(work)
            qargs, out, ordered = make_query(rng, d, n + idx)
            case = Case(d, [d.file], qargs, out, ordered, work)
            if case.want[0] != 0:
                check(case.title + ": the whole run works", False,
                      f"exit {case.want[0]}: {case.want[2][:300]!r}")
                continue
            cut_test(rng, case)
            shard_test(rng, case, rng.randint(1, 9))
            extra_shards(rng, d, case, work, n)
            if not KEEP:
                shutil.rmtree(work)


def main():
    replay = os.environ.get("TALLY_LAW_SEED")
    seeds = [int(replay)] if replay else [12, random.SystemRandom().randrange(1, 1 << 31)]
    tmp = tempfile.mkdtemp(prefix="tally-law-")
    try:
        for seed in seeds:
            here = os.path.join(tmp, str(seed))
            os.mkdir(here)
            round_(seed, here, int(QUERIES or (5 if seed == 12 else 3)))
    finally:
        if KEEP:
            print(f"files kept in {tmp}")
        else:
            shutil.rmtree(tmp)
    print(f"{RUNS[0]} runs of tally")
    checks.finish()


main()
