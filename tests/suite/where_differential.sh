#!/usr/bin/env bash
# Differential test of --where against an independent evaluator of the SPEC
# (where_differential.py): several hundred seeded random expressions over
# real CSV files. Usage: where_differential.sh PATH_TO_TALLY [--count N] [--seed S]
# Needs python3 and the real data set ($TALLY_REALDATA).
set -eu
. "$(dirname "$0")/../needs_realdata.sh"
if [ $# -lt 1 ]; then
    echo "usage: $0 PATH_TO_TALLY [--count N] [--seed S]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
export LC_ALL=C TZ=UTC
exec python3 "$here/where_differential.py" "$@"
