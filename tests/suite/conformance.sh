#!/usr/bin/env bash
# CSV conformance suites from ../shared/realdata/csv-suite through -o json.
exec python3 "$(dirname "$0")/conformance.py" "$@"
