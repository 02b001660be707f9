#!/usr/bin/env bash
# -j 1, -j 2 and -j 7 give byte-identical output on the real CSV exports and
# logs (threads_identical.sh covers the files made there and tests/data).
. "$(dirname "$0")/../needs_realdata.sh"
exec python3 "$(dirname "$0")/threads_identical.py" "$1" --realdata
