"""--log on real logs: the presets run through the tally binary on the samples
in $TALLY_REALDATA/logs and are compared with an independent parse in
Python (plain regexes written here, not tally's definitions) and with the
fields filebeat expects for its nginx/apache test logs."""
import collections
import csv
import datetime
import io
import json
import os
import re
import subprocess
import sys

from suitelib import Checks

TALLY = sys.argv[1]
LOGS = os.path.join(os.environ["TALLY_REALDATA"], "logs")

checks = Checks(detail_max=2000)
check = checks.check



def run(args):
    p = subprocess.run([TALLY, *args], capture_output=True, env={**os.environ, "LC_ALL": "C"})
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def json_rows(name, args):
    """Rows of `tally -o json ARGS`, or None (and a failure) when it fails."""
    rc, out, err = run(["-o", "json", *args])
    if rc != 0:
        check(name + " runs", False, f"exit {rc}: {err.strip()}")
        return None, err
    try:
        return json.loads(out), err
    except ValueError as e:
        check(name + " prints JSON", False, str(e))
        return None, err


def csv_counts(name, args):
    """{key: count} from `tally -o csv ARGS` (one key column, then count)."""
    rc, out, err = run(["-o", "csv", *args])
    if rc != 0:
        check(name + " runs", False, f"exit {rc}: {err.strip()}")
        return None
    rows = list(csv.reader(io.StringIO(out)))
    return {r[0]: int(r[1]) for r in rows[1:]}


def lines_of(path):
    """Lines as tally sees them: split on LF, one CR stripped, blanks dropped;
    bytes decoded as latin-1 so nothing is lost; (line number, text)."""
    data = open(path, "rb").read().decode("latin-1")
    out = []
    for i, line in enumerate(data.split("\n"), 1):
        if line.endswith("\r"):
            line = line[:-1]
        if line:
            out.append((i, line))
    return out


def utf8(s):
    """A latin-1 decoded string as JSON output shows it (UTF-8, U+FFFD for bad bytes)."""
    return s.encode("latin-1").decode("utf-8", "replace")


# An independent reading of the combined format for well-formed lines.
CLF_HEAD = (r'^(?P<ip>.+?) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>[^\]]*)\] '
            r'"(?P<request>(?:[^"\\]|\\.)*)" (?P<status>\d{3}) (?P<bytes>\d+|-)')
CLF = re.compile(CLF_HEAD + r'(?: "(?P<referer>(?:[^"\\]|\\.)*)" '
                 r'"(?P<agent>(?:[^"\\]|\\.)*)"(?P<rest> .*)?)?$')
# A line the server cut inside the agent (or inside the referer, then no
# agent): GoAccess reads that field to the end of the line, and so must tally.
CLF_CUT = re.compile(CLF_HEAD + r' "(?P<referer>(?:[^"\\]|\\.)*)"'
                     r' "(?P<agent>(?:[^"\\]|\\.)*\\?)$')
CLF_CUT_REFERER = re.compile(CLF_HEAD + r' "(?P<referer>(?:[^"\\]|\\.)*\\?)$')


def clf_fields(line, cut=None):
    """Fields of a combined line, or None; a cut line appends to `cut`."""
    m = CLF.match(line)
    if not m and cut is not None:
        m = CLF_CUT.match(line) or CLF_CUT_REFERER.match(line)
        if m:
            cut.append(line)
    if not m:
        return None
    f = {k: (v or "") for k, v in m.groupdict().items() if k != "rest"}
    f.setdefault("agent", "")
    parts = f["request"].split(" ")
    ok = (len(parts) == 3 and re.fullmatch(r"[A-Za-z][A-Za-z_-]*", parts[0])
          and parts[1] and re.fullmatch(r"[A-Za-z]+/[0-9.]+", parts[2]))
    f["method"], f["path"], f["protocol"] = parts if ok else ("", "", "")
    return f


COMBINED_COLS = ["ip", "ident", "user", "time", "request", "method", "path", "protocol",
                 "status", "bytes", "referer", "agent"]


def compare_rows(name, got, want):
    check(f"{name}: row count", got is not None and len(got) == len(want),
          f"got {None if got is None else len(got)}, want {len(want)}")
    if got is None:
        return
    bad = [(i, g, w) for i, (g, w) in enumerate(zip(got, want)) if g != w]
    check(f"{name}: fields of every row", not bad,
          f"{len(bad)} rows differ; first: row {bad[0][0]}\n  got  {bad[0][1]}\n"
          f"  want {bad[0][2]}" if bad else "")


def combined_file(name, path, skipped_lines, cut_lines=()):
    want, skips, cuts = [], [], []
    for no, line in lines_of(path):
        cut = []
        f = clf_fields(line, cut)
        if f is None:
            skips.append(no)
        else:
            want.append({c: utf8(f[c]) for c in COMBINED_COLS})
            cuts += [no] * len(cut)
    check(f"{name}: the independent parse skips the known bad lines", skips == skipped_lines,
          f"python skipped {skips[:10]}")
    check(f"{name}: the independent parse finds the known cut lines", cuts == list(cut_lines),
          f"python read cut lines {cuts[:10]}")
    got, err = json_rows(name, ["--log=combined", path])
    compare_rows(name, got, want)
    if got is not None and skipped_lines:
        first = f"{os.path.basename(path)}:{skipped_lines[0]}"
        check(f"{name}: skipped lines reported with the first", first in err and
              str(len(skipped_lines)) in err, f"stderr: {err.strip()}")
    elif got is not None:
        check(f"{name}: no line skipped", "skipped" not in err, f"stderr: {err.strip()}")
    if got is not None:
        said = [l for l in err.split("\n") if "unterminated last field" in l]
        first = f"{os.path.basename(path)}:{cut_lines[0]}:" if cut_lines else None
        n = len(cut_lines)
        check(f"{name}: lines with a cut last field reported once with the first",
              (not cut_lines and not said) or
              (len(said) == 1 and said[0].startswith(f"tally: {n} line{'s' if n > 1 else ''} ")
               and first in said[0]), f"stderr: {err.strip()}")
    return want


def main():
    # elastic-examples apache_logs: 10,000 lines, one cut short inside its
    # agent (line 8899), which is read too, as GoAccess reads it.
    apache = os.path.join(LOGS, "elastic-examples", "apache_logs")
    want = combined_file("apache_logs", apache, [], [8899])
    counts = csv_counts("apache_logs -g status", ["--log=combined", "-g", "status", apache])
    check("apache_logs: 10,000 requests, 9,126 with status 200, as GoAccess counts",
          counts is not None and sum(counts.values()) == 10000 and counts.get("200") == 9126,
          f"got {counts}")
    rc, out, err = run(["--log=combined", "--strict", "-g", "status", apache])
    check("apache_logs --strict: the cut agent is an error at its quote, exit 1",
          rc == 1 and out == "" and err == "tally: " + apache + ":8899:111: the quote opening "
          "\"agent\" never closes\n", f"exit {rc}, stderr {err.strip()}")
    for key in ("status", "method", "protocol"):
        counts = csv_counts(f"apache_logs -g {key}", ["--log=combined", "-g", key, apache])
        expect = collections.Counter(r[key] for r in want)
        check(f"apache_logs: -g {key} counts", counts == dict(expect),
              f"got {counts}, want {dict(expect)}")
    rows, _ = json_rows("apache_logs sum:bytes",
                        ["--log=combined", "-g", "status", "-a", "sum:bytes", apache])
    if rows is not None:
        # A group whose bytes are all '-' has no numeric value: an empty
        # (null) sum, as the SPEC says.
        expect = {}
        for r in want:
            expect.setdefault(r["status"], None)
            if r["bytes"] != "-":
                expect[r["status"]] = (expect[r["status"]] or 0) + int(r["bytes"])
        got = {r["status"]: r["sum_bytes"] for r in rows}
        check("apache_logs: sum of bytes by status ignores '-'", got == dict(expect),
              f"got {got}, want {dict(expect)}")

    # Hour buckets of the CLF time, in its own offset (+0000 here).
    counts = csv_counts("apache_logs -g time/1h", ["--log=combined", "-g", "time/1h", apache])
    expect = collections.Counter()
    for r in want:
        t = datetime.datetime.strptime(r["time"], "%d/%b/%Y:%H:%M:%S %z")
        expect[t.replace(minute=0, second=0).isoformat()] += 1
    check("apache_logs: -g time/1h buckets", counts == dict(expect),
          f"got {counts and sorted(counts.items())[:3]}, want {sorted(expect.items())[:3]}")

    # A custom pattern: named groups are the columns, in order.
    pattern = r'^(?<client>\S+) \S+ \S+ \[[^\]]+\] "(?<verb>[A-Z]+) '
    rc, out, err = run(["--log=" + pattern, "-o", "csv", "-g", "verb", apache])
    expect = collections.Counter()
    for _, line in lines_of(apache):
        m = re.match(r'^\S+ \S+ \S+ \[[^\]]+\] "([A-Z]+) ', line)
        if m:
            expect[m.group(1)] += 1
    got = {r[0]: int(r[1]) for r in list(csv.reader(io.StringIO(out)))[1:]} if rc == 0 else None
    check("apache_logs: custom --log pattern grouped by a named group", got == dict(expect),
          f"exit {rc} {err.strip()}; got {got}, want {dict(expect)}")
    rows, _ = json_rows("custom pattern columns", ["--log=" + pattern, "--limit=1", apache])
    check("custom pattern: columns are the named groups in order",
          rows is not None and rows and list(rows[0].keys()) == ["client", "verb"], f"{rows}")

    # filebeat test logs with their expected documents.
    for log, module in (("nginx-access-test.log", "nginx"), ("apache-access-test.log", "apache")):
        path = os.path.join(LOGS, "elastic-beats", log)
        docs = json.load(open(path + "-expected.json", encoding="utf-8"))
        starts, off = [], 0
        for line in open(path, "rb").read().split(b"\n"):
            if line.strip():
                starts.append(off)
            off += len(line) + 1
        rows, err = json_rows(log, ["--log=combined", path])
        check(f"{log}: one row per line", rows is not None and len(rows) == len(starts),
              f"{None if rows is None else len(rows)} rows for {len(starts)} lines")
        if rows is None or len(rows) != len(starts):
            continue
        # Each document names its line by byte offset (filebeat has no document
        # for a line it could not read).
        for doc in docs:
            i = starts.index(doc["log.offset"]) + 1
            r = rows[i - 1]
            problems = []
            clients = [w.strip('"') for w in re.split(r"[ ,]+", r.get("ip", "")) if w.strip('"')]
            if doc.get("source.address") not in clients:
                problems.append(f"source.address {doc.get('source.address')} not in ip {r.get('ip')!r}")
            if r.get("method", "").lower() != doc.get("http.request.method", "").lower():
                problems.append(f"method {r.get('method')!r} vs {doc.get('http.request.method')!r}")
            if r.get("path", "") != doc.get("url.original", ""):
                problems.append(f"path {r.get('path')!r} vs {doc.get('url.original')!r}")
            if r.get("status", "") != str(doc["http.response.status_code"]):
                problems.append(f"status {r.get('status')!r}")
            if "http.response.body.bytes" in doc:
                if r.get("bytes", "") != str(doc["http.response.body.bytes"]):
                    problems.append(f"bytes {r.get('bytes')!r}")
            elif r.get("bytes", "") != "-":
                problems.append(f"bytes {r.get('bytes')!r} where filebeat has none")
            if "http.version" in doc and r.get("protocol", "") != "HTTP/" + doc["http.version"]:
                problems.append(f"protocol {r.get('protocol')!r}")
            if r.get("agent", "") != doc.get("user_agent.original", ""):
                problems.append(f"agent {r.get('agent')!r}")
            if r.get("referer", "") != doc.get("http.request.referrer", ""):
                problems.append(f"referer {r.get('referer')!r}")
            check(f"{log} line {i}: fields as filebeat reads them", not problems,
                  "; ".join(problems))

    # lnav fixtures.
    lnav = os.path.join(LOGS, "lnav")
    combined_file("lnav access_log", os.path.join(lnav, "logfile_access_log.0"), [])
    shop = combined_file("lnav shop_access_log (trailing field)",
                         os.path.join(lnav, "logfile_shop_access_log.0"), [])
    check("lnav shop_access_log: all 1000 lines read", len(shop) == 1000, f"{len(shop)}")
    bad = os.path.join(lnav, "logfile_bad_access_log.0")
    combined_file("lnav bad_access_log", bad, [2])
    rc, out, err = run(["--log=combined", "--strict", "-o", "json", bad])
    check("lnav bad_access_log --strict: exit 1 naming file:line",
          rc == 1 and "logfile_bad_access_log.0:2: " in err and "does not match" in err
          and err.startswith("tally: "), f"exit {rc}, stderr {err.strip()}")
    check("lnav bad_access_log --strict: no partial result on stdout",
          "vmkernel" not in out, out[:200])

    SYSLOG = re.compile(r"^(\w{3} [ \d]\d \d\d:\d\d:\d\d) (\S+) (?:([^ \[\]:]+)(?:\[(\d+)\])?: )?(.*)$")
    path = os.path.join(lnav, "logfile_syslog.0")
    want = []
    for _, line in lines_of(path):
        m = SYSLOG.match(line)
        want.append(dict(zip(["time", "host", "program", "pid", "message"],
                             [utf8(g or "") for g in m.groups()])))
    rows, _ = json_rows("lnav syslog", ["--log=syslog", path])
    compare_rows("lnav syslog", rows, want)
    counts = csv_counts("lnav syslog -g program", ["--log=syslog", "-g", "program", path])
    check("lnav syslog: -g program", counts == {"automount": 3, "sudo": 1}, f"{counts}")

    # Usage errors: a pattern PCRE2 rejects, a pattern without a named group.
    for spec, what in (("(?<ip>\\S+) (?<x", "missing terminator"), ("(\\d+)", "no named group")):
        rc, out, err = run(["--log=" + spec, apache])
        lines = err.rstrip("\n").split("\n")
        check(f"--log={spec}: usage error with a caret",
              rc == 2 and lines[0].startswith("tally: --log: ") and what in lines[0]
              and len(lines) == 3 and lines[1] == "  " + spec and lines[2].strip(" ^") == ""
              and out == "", f"exit {rc}, stderr {err!r}")


try:
    main()
except Exception:  # a crash is a failure, not a silent stop
    import traceback
    traceback.print_exc()
    checks.failed += 1
checks.finish()
