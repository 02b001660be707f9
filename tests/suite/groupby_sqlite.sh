#!/usr/bin/env bash
# Group-by results on real CSV files checked against SQLite's GROUP BY.
. "$(dirname "$0")/../needs_realdata.sh"
exec python3 "$(dirname "$0")/groupby_sqlite.py" "$@"
