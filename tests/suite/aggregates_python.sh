#!/usr/bin/env bash
# stddev, var, median, percentiles, distinct, first, last, mode and count:COL
# per group on real CSV files, checked against Python's statistics module
# and hand-written numpy-default percentiles.
. "$(dirname "$0")/../needs_realdata.sh"
exec python3 "$(dirname "$0")/aggregates_python.py" "$@"
