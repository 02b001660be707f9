#!/usr/bin/env bash
# stddev, var, median, percentiles, distinct, first, last, mode and count:COL
# per group on real CSV files, checked against Python's statistics module
# (var and stddev to the bit, on Fractions) and hand-written numpy-default
# percentiles; var and stddev on generated wild values, the same for -j 1/2/7.
. "$(dirname "$0")/../needs_realdata.sh"
exec python3 "$(dirname "$0")/aggregates_python.py" "$@"
