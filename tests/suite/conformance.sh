#!/usr/bin/env bash
# CSV conformance suites from $TALLY_REALDATA/csv-suite through -o json.
. "$(dirname "$0")/../needs_realdata.sh"
exec python3 "$(dirname "$0")/conformance.py" "$@"
