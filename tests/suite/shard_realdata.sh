#!/usr/bin/env bash
# --shard=K/N on the real CSV exports (quoted newlines among them), TSV and
# logs: the shards' rows, concatenated, are one run's rows.
. "$(dirname "$0")/../needs_realdata.sh"
exec python3 "$(dirname "$0")/shard_union.py" "$1" --realdata
