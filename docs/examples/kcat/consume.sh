#!/bin/sh
# Prints the first COUNT predictions of a pipeline, one JSON object per line, and exits
# (docs/clients.md). read_committed: an exactly-once pipeline's aborted outputs stay hidden.
#   docs/examples/kcat/consume.sh localhost:9092 cams 3
set -eu
bootstrap=$1 pipeline=$2 count=$3
kcat -b "$bootstrap" -C -t "$pipeline.predictions" -o beginning -c "$count" \
     -X isolation.level=read_committed -f '%s\n'
