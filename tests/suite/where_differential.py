#!/usr/bin/env python3
"""Differential test of --where: random expressions over real CSV files,
run through `tally -o json --where EXPR FILE` and through an independent
evaluator of the SPEC's rules written here; any difference is a failure.

Usage: where_differential.py TALLY_BINARY [--count N] [--seed S]
Environment: TALLY_REALDATA names the real data set (realdata/).

The oracle follows the SPEC ("Values", "Filter expressions"):
- a value reads as a number when it matches NUM_RE; both sides numbers ->
  numeric comparison (two integers that fit int64 compare exactly, else as
  doubles); otherwise byte-wise comparison of the UTF-8 bytes;
- a comparison, match or `in` on an empty or missing value is false, except
  `== ""` (true on empty/missing) and `!= ""` (false on empty/missing);
- `x in (l1, l2)` is `x == l1 or x == l2`; `x not in (...)` is
  `x != l1 and x != l2` (so false on an empty value unless ... never true);
- `not` negates the whole result;
- rows whose field count differs from the header's are malformed and
  skipped (tally's lenient default).
Regexes are drawn from a small family on which Python's re (ASCII mode) and
PCRE2 (no UTF) agree.
"""
import argparse
import csv
import io
import json
import os
import random
import re
import subprocess
import sys

NUM_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
INT_RE = re.compile(r"^[+-]?\d+$")
IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
KEYWORDS = {"and", "or", "not", "in"}
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

FILES = [
    "plotly/tips.csv",
    "vega-datasets/seattle-weather.csv",
    "datahub/gdp.csv",
    "fivethirtyeight/college-majors/recent-grads.csv",
    "datahub/country-codes.csv",
]


# ---- the oracle -----------------------------------------------------------


def as_number(s):
    """(kind, value): kind 'int' (fits int64), 'real', or None."""
    if not NUM_RE.match(s):
        return None, None
    if INT_RE.match(s):
        v = int(s)
        if INT64_MIN <= v <= INT64_MAX:
            return "int", v
    return "real", float(s)


def three_way(a, b):
    ka, va = as_number(a)
    kb, vb = as_number(b)
    if ka and kb:
        if ka == "real" or kb == "real":
            va, vb = float(va), float(vb)
        return (va > vb) - (va < vb)
    ba, bb = a.encode("utf-8", "surrogateescape"), b.encode("utf-8", "surrogateescape")
    return (ba > bb) - (ba < bb)


def operand_value(opnd, row):
    kind, v = opnd
    if kind == "lit":
        return v
    return row[v] if v < len(row) else ""


def is_empty_lit(opnd):
    return opnd[0] == "lit" and opnd[1] == ""


def evaluate(node, row):
    kind = node[0]
    if kind == "cmp":
        _, op, a, b = node
        l, r = operand_value(a, row), operand_value(b, row)
        if op in ("==", "!=") and (is_empty_lit(a) or is_empty_lit(b)):
            other = r if is_empty_lit(a) else l
            return (other == "") == (op == "==")
        if l == "" or r == "":
            return False
        c = three_way(l, r)
        return {"==": c == 0, "!=": c != 0, "<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[op]
    if kind == "match":
        _, neg, a, pattern = node
        v = operand_value(a, row)
        if v == "":
            return False
        found = re.search(pattern, v, re.ASCII) is not None
        return found != neg
    if kind == "in":
        _, neg, a, lits = node
        v = operand_value(a, row)
        if v == "":
            return (not neg) and "" in lits
        hit = any(lit != "" and three_way(v, lit) == 0 for lit in lits)
        return hit != neg
    if kind == "not":
        return not evaluate(node[1], row)
    if kind == "and":
        return all(evaluate(k, row) for k in node[1])
    if kind == "or":
        return any(evaluate(k, row) for k in node[1])
    raise ValueError(kind)


# ---- rendering expressions as text ---------------------------------------


def quote_string(s, rng):
    q = rng.choice(['"', "'"])
    body = s.replace("\\", "\\\\").replace(q, "\\" + q)
    return q + body + q


def render_column(idx, header, rng):
    name = header[idx]
    if rng.random() < 0.15:
        return "$%d" % (idx + 1)
    if IDENT_RE.match(name) and name.lower() not in KEYWORDS and rng.random() < 0.9:
        return name
    return "`" + name.replace("`", "``") + "`"


def render_literal(s, rng):
    if s != "" and NUM_RE.match(s) and rng.random() < 0.8:
        return s
    return quote_string(s, rng)


def render_operand(opnd, header, rng):
    kind, v = opnd
    return render_column(v, header, rng) if kind == "col" else render_literal(v, rng)


def render_pattern(p, rng):
    # Patterns never hold a quote; a backslash must be doubled only where it
    # would otherwise escape a quote or backslash, but doubling all is exact.
    if "\\" in p and rng.random() < 0.5 and not re.search(r"\\[\\\"']", p):
        return '"' + p + '"'  # the SPEC's "other backslashes are kept"
    return quote_string(p, rng)


def render(node, header, rng, top=True):
    kind = node[0]
    if kind == "cmp":
        _, op, a, b = node
        if op == "==" and rng.random() < 0.2:
            op = "="
        return "%s %s %s" % (render_operand(a, header, rng), op, render_operand(b, header, rng))
    if kind == "match":
        _, neg, a, pattern = node
        return "%s %s %s" % (render_operand(a, header, rng), "!~" if neg else "~",
                             render_pattern(pattern, rng))
    if kind == "in":
        _, neg, a, lits = node
        items = ", ".join(render_literal(x, rng) for x in lits)
        kw = rng.choice(["not in", "NOT IN"]) if neg else rng.choice(["in", "IN"])
        return "%s %s (%s)" % (render_operand(a, header, rng), kw, items)
    if kind == "not":
        inner = render(node[1], header, rng, top=False)
        if node[1][0] in ("and", "or") or rng.random() < 0.3:
            inner = "(" + inner + ")"
        return rng.choice(["not ", "! ", "NOT "]) + inner
    if kind in ("and", "or"):
        words = ["and", "&&", "AND"] if kind == "and" else ["or", "||", "Or"]
        parts = []
        for k in node[1]:
            t = render(k, header, rng, top=False)
            # Parenthesise any chain inside a chain (or/and precedence is
            # tested by the C unit tests; here the tree must be what we built).
            if k[0] in ("and", "or"):
                t = "(" + t + ")"
            parts.append(t)
        return (" %s " % rng.choice(words)).join(parts)
    raise ValueError(kind)


# ---- random expressions ---------------------------------------------------

EXTRA_NUMBERS = ["0", "-5", "1e6", ".5", "5.", "+3", "100", "2.5e-3", "007", "-0", "1E2",
                 "9223372036854775807", "12345678901234567890"]
EXTRA_STRINGS = ["zzz", "A", "a", "No", "abc def", "10x", " 7", "it's", 'say "hi"', "back\\slash",
                 "\u00e9t\u00e9", "-", "N/A"]
FIXED_PATTERNS = ["^A", "(?i)x$", "^[0-9]+$", "^-", "\\d{4}", "(?i)^s", "e", "^$", "an|on",
                  "[aeiou]{2}", "\\.", "^\\d+\\.\\d+$", "(?i)rain|SUN", "^[A-Z][a-z]+$", "\\s"]


class Gen:
    def __init__(self, rng, header, rows):
        self.rng = rng
        self.header = header
        self.rows = rows

    def column(self):
        return self.rng.randrange(len(self.header))

    def literal_for(self, col):
        r = self.rng.random()
        if r < 0.55 and self.rows:
            row = self.rng.choice(self.rows)
            return row[col]
        if r < 0.75:
            return self.rng.choice(EXTRA_NUMBERS)
        if r < 0.9:
            return self.rng.choice(EXTRA_STRINGS)
        return ""

    def pattern_for(self, col):
        rng = self.rng
        if rng.random() < 0.5 and self.rows:
            v = rng.choice(self.rows)[col]
            word = "".join(ch for ch in v if ch.isascii() and ch.isalnum())[: rng.randint(1, 3)]
            if word:
                return rng.choice(["^" + word, word + "$", "(?i)" + word.lower(), word])
        return rng.choice(FIXED_PATTERNS)

    def predicate(self):
        rng = self.rng
        col = self.column()
        r = rng.random()
        if r < 0.6:
            op = rng.choice(["==", "!=", "!=", "<", "<=", ">", ">="])
            lit = ("lit", self.literal_for(col))
            if rng.random() < 0.1:
                other = ("col", self.column())
            else:
                other = lit
            a, b = ("col", col), other
            if rng.random() < 0.2:
                a, b = b, a
            return ("cmp", op, a, b)
        if r < 0.82:
            return ("match", rng.random() < 0.3, ("col", col), self.pattern_for(col))
        lits = [self.literal_for(col) for _ in range(rng.randint(1, 4))]
        return ("in", rng.random() < 0.3, ("col", col), lits)

    def expr(self, depth):
        rng = self.rng
        if depth <= 0 or rng.random() < 0.35:
            return self.predicate()
        r = rng.random()
        if r < 0.2:
            return ("not", self.expr(depth - 1))
        kind = "and" if r < 0.6 else "or"
        return (kind, [self.expr(depth - 1) for _ in range(rng.randint(2, 3))])


# ---- running --------------------------------------------------------------


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8", "surrogateescape")
    records = list(csv.reader(io.StringIO(text, newline="")))
    header, body = records[0], records[1:]
    # Malformed (wrong field count) rows are skipped by tally; so here.
    rows = [r for r in body if len(r) == len(header)]
    return header, rows


def run_tally(binary, wheres, path):
    cmd = [binary, "-o", "json"]
    for w in wheres:
        cmd += ["--where", w]
    cmd.append(path)
    p = subprocess.run(cmd, capture_output=True, timeout=60)
    if p.returncode != 0:
        return None, "exit %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace").strip())
    out = p.stdout.decode("utf-8", "surrogateescape").strip()
    if out == "":
        return [], None
    try:
        objs = json.loads(out, object_pairs_hook=lambda pairs: [v for _, v in pairs])
    except ValueError as exc:
        return None, "bad JSON (%s): %s" % (exc, out[:200])
    return objs, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    base = os.path.join(os.environ["TALLY_REALDATA"], "csv")
    rng = random.Random(args.seed)
    datasets = []
    for rel in FILES:
        path = os.path.join(base, rel)
        if not os.path.exists(path):
            print("missing data file %s" % path, file=sys.stderr)
            return 2
        header, rows = load(path)
        datasets.append((path, header, rows))

    passed = failed = 0
    for i in range(args.count):
        path, header, rows = datasets[i % len(datasets)]
        gen = Gen(rng, header, rows)
        # Mostly shallow trees: deep random and/or chains keep all rows or none.
        trees = [gen.expr(rng.choice([0, 1, 1, 2, 2, 3]))]
        if rng.random() < 0.1:
            trees.append(gen.expr(1))  # several --where options are ANDed
        texts = [render(t, header, rng) for t in trees]
        want = [r for r in rows if all(evaluate(t, r) for t in trees)]
        got, err = run_tally(args.binary, texts, path)
        if err is None and got != want:
            err = "kept %d rows, expected %d" % (len(got), len(want))
            for g, w in zip(got + [None] * len(want), want + [None] * len(got)):
                if g != w:
                    err += "; first difference: got %r, expected %r" % (g, w)
                    break
        if err is None:
            passed += 1
            if args.verbose:
                print("ok   %s  %s  (%d rows)" % (os.path.basename(path), texts, len(want)))
        else:
            failed += 1
            print("FAIL %s --where %s\n     %s" % (os.path.relpath(path, base),
                                                 " --where ".join(repr(t) for t in texts), err))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
