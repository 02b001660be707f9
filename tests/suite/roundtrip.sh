#!/usr/bin/env bash
# tally's csv and tsv output read back by tally gives the same values
# (quotes, tabs, newlines, CR, backslashes, empty one-column values).
exec python3 "$(dirname "$0")/roundtrip.py" "$@"
