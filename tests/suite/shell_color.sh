#!/usr/bin/env bash
# Colour only on a terminal: under a pseudo-terminal (util-linux script) the
# table has ANSI sequences, NO_COLOR=1 and pipes have none; -o chart draws
# Unicode blocks in a UTF-8 locale and '#' with TERM=dumb or LC_ALL=C; the
# default output is a table on a terminal and CSV in a pipe.
set -u
tally=$(realpath "$1")
data=$(realpath "$(dirname "$0")/../../data/access.csv")
if ! command -v script >/dev/null || ! script -qec true /dev/null >/dev/null 2>&1; then
    echo "skipped: util-linux script not available"
    exit 77
fi
pass=0
fail=0
esc=$'\033['
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# Runs the command line in $1 under a pseudo-terminal, with the environment
# given before it (env VAR=... prefix), output with CRs removed.
tty_run() { script -qec "$1" /dev/null </dev/null | tr -d '\r'; }

out=$(tty_run "env -u NO_COLOR TERM=xterm '$tally' -o table -g status '$data'")
[[ $out == *"$esc"* ]] && ok || bad "table on a tty has no ESC[ sequences: $out"
[[ $out == *status*count* ]] && ok || bad "table on a tty lacks its header: $out"

out=$(tty_run "env NO_COLOR=1 TERM=xterm '$tally' -o table -g status '$data'")
[[ $out != *$'\033'* ]] && ok || bad "NO_COLOR=1 still colours"
[[ $out == *status*count* ]] && ok || bad "NO_COLOR table lacks its header: $out"

out=$(tty_run "env -u NO_COLOR TERM=dumb '$tally' -o table -g status '$data'")
[[ $out != *$'\033'* ]] && ok || bad "TERM=dumb still colours"

out=$(env -u NO_COLOR TERM=xterm "$tally" -o table -g status "$data" | cat)
[[ $out != *$'\033'* ]] && ok || bad "piped table has escape sequences"
[[ $out == *status*count* ]] && ok || bad "piped table lacks its header: $out"

out=$(tty_run "env -u LC_ALL LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm COLUMNS=60 '$tally' -o chart -g status '$data'")
[[ $out == *"█"* ]] && ok || bad "chart in C.UTF-8 has no Unicode blocks: $out"
[[ $out != *"#"* ]] && ok || bad "chart in C.UTF-8 uses '#': $out"

out=$(tty_run "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=dumb COLUMNS=60 '$tally' -o chart -g status '$data'")
[[ $out == *"#"* && $out != *"█"* ]] && ok || bad "chart with TERM=dumb is not ASCII: $out"

out=$(tty_run "env LANG=C.UTF-8 LC_ALL=C TERM=xterm COLUMNS=60 '$tally' -o chart -g status '$data'")
[[ $out == *"#"* && $out != *"█"* ]] && ok || bad "chart with LC_ALL=C is not ASCII: $out"

# Bars fit in COLUMNS (escape sequences take no room).
width=$(printf '%s\n' "$out" | sed 's/\x1b\[[0-9;]*m//g' | awk '{ n = length($0); if (n > m) m = n } END { print m + 0 }')
((width <= 60)) && ok || bad "chart line of $width columns with COLUMNS=60"

out=$(tty_run "env NO_COLOR=1 TERM=xterm '$tally' -g status '$data'")
first=$(printf '%s\n' "$out" | head -n 1)
[[ $first != status,count ]] && [[ $out == *status*count* ]] && ok ||
    bad "default output on a tty is not a table: $out"

out=$("$tally" -g status "$data" | head -n 1)
[[ $out == status,count ]] && ok || bad "default output in a pipe is not csv: $out"

echo "$pass passed, $fail failed"
((fail == 0))
