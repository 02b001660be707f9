#!/usr/bin/env bash
# valgrind.sh TALLY: runs golden command-line cases with every tally
# process under valgrind memcheck; an error or a definite/indirect leak makes
# valgrind exit 1 with its report on stderr, so the case fails its diff.
# Registered by cmake/TallyFuzz.cmake (-DTALLY_VALGRIND=ON, label valgrind);
# the unit tests get their own valgrind tests there. Cases that cannot run
# under valgrind (ulimit -v, a 1 s SIGINT timer) or take minutes are left
# out; VALGRIND_CASES="a b" runs just those.
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tests=${TALLY_TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
command -v valgrind >/dev/null || { echo "valgrind not installed"; exit 1; }

skip=" fault_out_of_memory fault_sigint adv_field_64mib adv_100000_columns "
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/tally" <<WRAP
#!/bin/sh
exec valgrind --quiet --error-exitcode=1 --leak-check=full \\
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \\
    "$bin" "\$@"
WRAP
chmod +x "$work/tally"

cases=${VALGRIND_CASES:-$(cd "$tests/cli" && ls -d */ | tr -d /)}
fail=0 n=0 skipped=0
for c in $cases; do
    case "$skip" in *" $c "*) continue ;; esac
    [ -f "$tests/cli/$c/cmd" ] || continue
    n=$((n + 1))
    out=$(bash "$tests/cli/run_case.sh" "$work/tally" "$tests/cli/$c" 2>&1)
    rc=$?
    if [ $rc = 77 ]; then # needs the real data set, absent here
        echo "$c: $out"
        skipped=$((skipped + 1))
    elif [ $rc != 0 ]; then
        echo "FAIL $c under valgrind:"
        echo "$out"
        fail=1
    fi
done
echo "$((n - skipped)) cases run under valgrind, $skipped skipped"
exit $fail
