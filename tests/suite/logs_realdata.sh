#!/usr/bin/env bash
# --log presets on the real samples in ../shared/realdata/logs, checked
# against an independent Python parse and filebeat's expected fields.
exec python3 "$(dirname "$0")/logs_realdata.py" "$@"
