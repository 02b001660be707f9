#!/usr/bin/env bash
# TSV input on the real exports in $TALLY_SHARED/realdata, checked against
# an independent Python reading of the same TSV rules.
exec python3 "$(dirname "$0")/tsv_realdata.py" "$@"
