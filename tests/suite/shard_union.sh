#!/usr/bin/env bash
# --shard=K/N: the shards' rows, concatenated, are one run's rows (test data
# and files made here; shard_realdata.sh: the real data set).
exec python3 "$(dirname "$0")/shard_union.py" "$@"
