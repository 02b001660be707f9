#!/usr/bin/env bash
# --log presets on the real samples in $TALLY_REALDATA/logs, checked
# against an independent Python parse and filebeat's expected fields.
. "$(dirname "$0")/../needs_realdata.sh"
exec python3 "$(dirname "$0")/logs_realdata.py" "$@"
