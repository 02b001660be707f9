#!/usr/bin/env bash
# shell_manpage.sh TALLY: doc/tally.1 renders with no groff/man warnings, and
# names every long option that `tally --help` lists. Needs man-db and
# groff-base (CI installs them); their absence is a failure, not a skip.
set -u
tally=$1
root=${TALLY_TESTS_DIR:-$(dirname "$0")/..}/..
page=$root/doc/tally.1
fail=0

command -v man >/dev/null || { echo "FAIL: man is not installed (apt-get install man-db groff-base)"; exit 1; }
[ -f "$page" ] || { echo "FAIL: $page is missing"; exit 1; }

# --warnings makes groff report every problem on stderr; the page is clean
# only when that stays empty.
warnings=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$page" 2>&1 >/dev/null)
if [ -n "$warnings" ]; then
    echo "FAIL: man --warnings reports:"
    echo "$warnings"
    fail=1
fi

# Overstrikes (and any SGR escapes) stripped with sed, so col(1) is not needed.
rendered=$(MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$page" 2>/dev/null | sed -E 's/.\x08//g; s/\x1b\[[0-9;]*m//g')
for section in NAME SYNOPSIS DESCRIPTION OPTIONS "FILTER EXPRESSIONS" AGGREGATES "LOG PRESETS" \
    BUCKETS "OUTPUT FORMATS" "EXIT STATUS" ENVIRONMENT EXAMPLES; do
    grep -qx "$section" <<<"$rendered" || { echo "FAIL: no section $section"; fail=1; }
done

help=$("$tally" --help) || { echo "FAIL: tally --help exited $?"; exit 1; }
longs=$(grep -o -- '--[a-z][a-z-]*' <<<"$help" | sort -u)
[ -n "$longs" ] || { echo "FAIL: no long options found in tally --help"; exit 1; }
n=0
for opt in $longs; do
    n=$((n + 1))
    # In the source, a hyphen in an option is written \- ; match either form
    # in the rendered page, as a whole option (not a prefix of a longer one).
    if ! grep -qE -- "(^|[^a-z-])${opt}([^a-z-]|$)" <<<"$rendered"; then
        echo "FAIL: $opt is in tally --help but not in the man page"
        fail=1
    fi
done
for short in $(grep -oE '^  -[A-Za-z],' <<<"$help" | tr -d ' ,'); do
    grep -qE -- "(^|[^a-zA-Z-])${short}([^a-zA-Z]|$)" <<<"$rendered" ||
        { echo "FAIL: $short is in tally --help but not in the man page"; fail=1; }
done
for word in count sum min max mean stddev var median distinct first last mode combined common \
    syslog table csv tsv json jsonl markdown chart NO_COLOR COLUMNS TERM; do
    grep -qw -- "$word" <<<"$rendered" || { echo "FAIL: the man page never names $word"; fail=1; }
done

[ $fail -eq 0 ] && echo "ok: man page clean, $n long options of --help documented"
exit $fail
