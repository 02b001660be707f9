#!/usr/bin/env bash
# TSV input on the real exports in $TALLY_REALDATA, checked against an
# independent Python reading of the same TSV rules.
. "$(dirname "$0")/../needs_realdata.sh"
exec python3 "$(dirname "$0")/tsv_realdata.py" "$@"
