#!/usr/bin/env bash
# realdata_skip.sh TALLY TEST_CSVPARSE: the skip of tests that need the real
# data set works. With $TALLY_REALDATA missing (or unset) a golden case that
# uses $REALDATA, a suite that sources needs_realdata.sh and a unit binary's
# --realdata group each exit 77 (ctest: Skipped) and say why, while a golden
# case without $REALDATA still runs and passes. Registered by
# tests/CMakeLists.txt as suite/realdata_skip; needs no data itself.
set -u
tally=$1
unit=$2
tests=$(cd "$(dirname "$0")" && pwd)
missing=/nonexistent/realdata-$$
fail=0

# expect WANT_STATUS WANT_TEXT ENV_SETTING COMMAND...: COMMAND, run under
# `env ENV_SETTING`, exits WANT_STATUS and prints WANT_TEXT.
expect()
{
    local want=$1 text=$2 setting=$3
    shift 3
    local out rc
    out=$(env "$setting" "$@" 2>&1)
    rc=$?
    if [ "$rc" != "$want" ] || [[ $out != *"$text"* ]]; then
        echo "FAIL: $setting $*: exit $rc (want $want), output:"
        echo "$out"
        echo "(want it to contain: $text)"
        fail=1
    fi
}

data_case= plain_case=
for d in "$tests"/cli/*/; do
    [ -f "$d/cmd" ] || continue
    if grep -q REALDATA "$d/cmd"; then
        [ -n "$data_case" ] || data_case=$d
    else
        [ -n "$plain_case" ] || plain_case=$d
    fi
done
[ -n "$data_case" ] && [ -n "$plain_case" ] || { echo "FAIL: no golden cases found"; exit 1; }

why="skipped: needs the real data set, not found at '$missing'"
expect 77 "$why" TALLY_REALDATA="$missing" bash "$tests/cli/run_case.sh" "$tally" "$data_case"
expect 77 "not found at ''" TALLY_REALDATA= bash "$tests/cli/run_case.sh" "$tally" "$data_case"
expect 0 "ok $(basename "$plain_case")" TALLY_REALDATA="$missing" \
    bash "$tests/cli/run_case.sh" "$tally" "$plain_case"
expect 77 "$why" TALLY_REALDATA="$missing" bash "$tests/suite/conformance.sh" "$tally"
expect 77 "$why" TALLY_REALDATA="$missing" "$unit" --realdata
expect 2 "usage:" TALLY_REALDATA="$missing" "$unit" --bogus

[ $fail = 0 ] && echo "ok: tests that need the real data skip visibly without it"
exit $fail
