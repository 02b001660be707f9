#!/usr/bin/env bash
# Regenerate the small example inputs in data/ (used by the README quick start).
#     bench/make-data.sh
# The generator is deterministic: the same seed gives the same bytes anywhere.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
work="$here/.work"
mkdir -p "$work" "$root/data"
${CC:-cc} -std=c11 -O2 -o "$work/gen" "$here/gen.c" -lm
"$work/gen" csv 5000 42 >"$root/data/access.csv"
"$work/gen" log 2000 42 >"$root/data/access.log"
echo "wrote data/access.csv (5000 rows) and data/access.log (2000 lines)"
