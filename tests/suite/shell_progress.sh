#!/usr/bin/env bash
# The progress bar, forced on into a file: it goes to stderr only, shows
# bytes of the total with a percentage (a spinner with rows for stdin), ends
# erased, and leaves stdout exactly as without it. Off by default when stderr
# is not a terminal.
set -u
tally=$1
data=${TALLY_TESTS_DIR:-$(dirname "$0")/..}/../data/access.csv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }

"$tally" -g status -a count,sum:bytes "$data" >"$work/plain.out" 2>"$work/plain.err"
"$tally" --progress -g status -a count,sum:bytes "$data" >"$work/bar.out" 2>"$work/bar.err"
check "stdout unchanged by --progress" 'cmp -s "$work/plain.out" "$work/bar.out"'
check "no bar by default when stderr is a file" '[ ! -s "$work/plain.err" ]'
check "bar drawn on stderr with a percentage" 'grep -q "%" "$work/bar.err"'
check "bar shows the total size" 'grep -q "kB" "$work/bar.err"'
check "bar ends erased with a carriage return" '[ "$(tail -c 1 "$work/bar.err" | od -An -c | tr -d " ")" = "\r" ]'
check "--no-progress wins over --progress" '"$tally" --progress --no-progress -g status "$data" 2>&1 >/dev/null | cmp -s - /dev/null'

cat "$data" | "$tally" --progress -g status >"$work/stdin.out" 2>"$work/stdin.err"
check "stdin: stdout unchanged" 'cmp -s "$work/plain.out" <("$tally" -g status -a count,sum:bytes "$data") && [ -s "$work/stdin.out" ]'
check "stdin: a spinner with rows" 'grep -q "rows" "$work/stdin.err"'

"$tally" --progress -j 2 -g status -a count,sum:bytes "$data" >"$work/j2.out" 2>"$work/j2.err"
check "-j 2: stdout unchanged" 'cmp -s "$work/plain.out" "$work/j2.out"'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
