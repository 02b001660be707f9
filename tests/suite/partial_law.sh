#!/usr/bin/env bash
# The law of --partial / --merge (issue 12), randomized and seeded, on the
# real CSVs, TSVs and logs in $TALLY_REALDATA: merging the partials of any
# cut of the input (pieces at record boundaries, --shard k/N) prints byte for
# byte what one run prints. TALLY_LAW_SEED=S replays a round (partial_law.py).
. "$(dirname "$0")/../needs_realdata.sh"
exec python3 "$(dirname "$0")/partial_law.py" "$@"
