#!/usr/bin/env bash
# make-corpus.sh OUTDIR: seed corpora for the libFuzzer harnesses, one
# folder per harness (OUTDIR/csvparse, tsvparse, expr, number, reader, logparse, opdecode, merge), collected from
# small files in tests/data and, when $TALLY_REALDATA names the real data
# set, its csv-suite and logs, and the --where expressions of tests/cli/*/cmd. Deterministic; needs python3, and
# gzip/zstd for compressed reader seeds (skipped when missing).
set -euo pipefail
out=${1:?usage: make-corpus.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
tests=$(cd "$here/.." && pwd)
realdata=${TALLY_REALDATA:-/nonexistent}
mkdir -p "$out"/{csvparse,tsvparse,expr,number,reader,logparse,opdecode,merge}

# Small CSV-like inputs: the test data and the CSV conformance suites.
inputs=$(mktemp)
trap 'rm -f "$inputs"' EXIT
find "$tests/data" -type f -size -32k >"$inputs"
logs=$(mktemp)
trap 'rm -f "$inputs" "$logs"' EXIT
if [ -d "$realdata/logs" ]; then
    find "$realdata/logs" -type f -size -64k ! -name 'LICENSE*' ! -name '*.json' | sort >"$logs"
fi
if [ -d "$realdata/csv-suite" ]; then
    find "$realdata/csv-suite" -type f -size -32k \
        \( -name '*.csv' -o -name '*.tsv' -o -name '*.txt' -o -name '*.psv' \) | sort >>"$inputs"
fi

OUT=$out INPUTS=$inputs LOGS=$logs TESTS=$tests python3 - <<'PY'
import hashlib, os, re, shlex, struct

out, tests = os.environ["OUT"], os.environ["TESTS"]
files = [l.strip() for l in open(os.environ["INPUTS"]) if l.strip()]

def put(kind, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(out, kind, name), "wb") as f:
        f.write(data)

# fuzz_csvparse, fuzz_tsvparse: 4 control bytes + 8 block sizes + the text
# (see the harnesses).
controls = [bytes([0, 0, 0, 0]), bytes([8, 0, 0, 0]), bytes([1, 0, 0, 0]),
            bytes([0x58, 3, 40, 2]), bytes([0x30 | 8, 2, 16, 0])]
sizes = [bytes([0] * 8), bytes([1, 2, 3, 5, 7, 11, 13, 255]), bytes([63] * 8)]
numbers = set()
for i, path in enumerate(files):
    data = open(path, "rb").read()
    put("reader", data)
    put("csvparse", controls[i % len(controls)] + sizes[i % len(sizes)] + data[:4096])
    put("tsvparse", controls[i % len(controls)] + sizes[i % len(sizes)] + data[:4096])
    for tok in re.findall(rb"[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?", data[:4096]):
        numbers.add(tok[:64])
for tok in sorted(numbers)[:300]:
    put("number", tok)
for s in [b"", b"-", b"+3", b".5", b"5.", b"1e-3", b"0x10", b"1,234", b" 7", b"inf", b"nan",
          b"9223372036854775807", b"9223372036854775808", b"-9223372036854775808",
          b"1e309", b"4.9e-324", b"00012", b"1.e5", b".e5"]:
    put("number", s)
for v in [0.1, -0.0, 5e-324, 1e300, 2.0 ** 63, float("inf"), float("nan"), 123.456]:
    put("number", struct.pack("<d", v))

# fuzz_expr: each --where of the golden cases, plus the SPEC's examples; a
# second line gives a row (fields separated by '|').
exprs = set()
for case in sorted(os.listdir(os.path.join(tests, "cli"))):
    cmd = os.path.join(tests, "cli", case, "cmd")
    if not os.path.isfile(cmd):
        continue
    try:
        words = shlex.split(open(cmd, encoding="utf-8", errors="replace").read(), comments=True)
    except ValueError:
        continue
    for j, w in enumerate(words):
        if w in ("-w", "--where") and j + 1 < len(words):
            exprs.add(words[j + 1])
        elif w.startswith("--where="):
            exprs.add(w[len("--where="):])
        elif w.startswith("-w") and len(w) > 2:
            exprs.add(w[2:])
exprs |= {
    'status >= 500 and path ~ "^/api/"',
    'not (method in ("GET", "HEAD")) or `user agent` ~ "(?i)bot"',
    '$3 != "" && bytes > 1e6',
    'path ~ "\\.png$"',
    "a == '' || b != \"x\"",
    'path ~ "(a+)+$"',
    'status in (200, 304) and not bytes < 10',
}
row = b"\n404|/api/v1|12e2|curl|2024-01-01T00:00:00Z|-|\n"
for e in sorted(exprs):
    put("expr", e.encode() + row)

# fuzz_logparse: a spec byte (0 combined, 1 common, 2 syslog, 3-4 custom),
# a flags byte (bit 0 strict, high nibble: how many block sizes follow),
# the block sizes, then the log text.
logs = [l.strip() for l in open(os.environ["LOGS"]) if l.strip()]
logs += sorted(f for f in files if f.endswith(".log"))  # tests/data: cut lines
for i, path in enumerate(logs):
    data = open(path, "rb").read()[:8192]
    for spec in range(5):
        flags = (i % 2) | (((i + spec) % 4) << 4)
        put("logparse", bytes([spec, flags]) + bytes([7, 1, 63, 20][:flags >> 4]) + data)

# fuzz_opdecode: an op byte (the harness's list: 0 count, 1 count:COL, 2 sum,
# 3 min, 4 max, 5 mean, 6 stddev, 7 var, 8 median, 9 p0, 10 p37.5, 11 p100,
# 12 distinct, 13 first, 14 last, 15 mode), then a state's text (codec.h).
one, neg0, inf = "3ff0000000000000", "8000000000000000", "7ff0000000000000"
states = [
    (0, "0;"), (1, "12345;"), (2, "0,0,1,0,0;"), (2, "3,2,0,-1250,0;"),
    (2, "2,0,2,0,5,31,0,0,0,0,1;"), (5, "1,0,4,0,0;"), (3, "1,-9223372036854775808,7;"),
    (4, "2," + inf + ",0;"), (3, "0;"), (6, "3,1,0,60,1400,0,0;"),
    (7, "2,0,0,0,0,5,31,0,0,0,0,1,7,64,0,0,0,0,0,0,1;"), (7, "2,0,1,5,25,0,0;"),
    (8, "3," + one + "," + neg0 + "," + inf + ";"), (9, "0;"), (11, "1," + neg0 + ";"),
    (12, "2,0,2,a,3,b%2C,1,40,1,%00%FF,2;"), (13, "1,0,x%25;"), (14, "1,99,%20;"),
    (15, "1,0,3,a,2,b,2,c,1;"), (15, "3,0,1,a,1,10,1,b,1,20,1,c,1;"),
]
for op, text in states:
    put("opdecode", bytes([op]) + text.encode())
PY

# fuzz_merge: the partials of tests/data/partial (written by tally --partial;
# see the README there), whole and cut short.
for f in "$tests/data/partial"/*.part; do
    [ -f "$f" ] || continue
    cp "$f" "$out/merge/$(basename "$f")"
    head -c 200 "$f" >"$out/merge/cut-$(basename "$f")"
    # With the 0x01 lead byte the harness recomputes the line checks: the
    # states' decoders are fuzzed behind them.
    { printf '\001'; cat "$f"; } >"$out/merge/fix-$(basename "$f")"
done

# Compressed reader seeds, so the fuzzer starts inside both decoders.
n=0
for f in "$tests/data"/*.csv; do
    n=$((n + 1))
    [ $n -le 6 ] || break
    if command -v gzip >/dev/null; then gzip -c -n "$f" >"$out/reader/gz-$(basename "$f")"; fi
    if command -v zstd >/dev/null; then zstd -q -c "$f" >"$out/reader/zst-$(basename "$f")"; fi
done
for d in csvparse tsvparse expr number reader logparse opdecode merge; do
    echo "$d: $(find "$out/$d" -type f | wc -l) seeds"
done
