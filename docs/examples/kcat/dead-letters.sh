#!/bin/sh
# Prints the first COUNT dead letters of a pipeline: where each came from and why it was refused
# (docs/clients.md, "Rejection reasons"); the value is the refused record, untouched.
#   docs/examples/kcat/dead-letters.sh localhost:9092 cams 1
set -eu
bootstrap=$1 pipeline=$2 count=$3
kcat -b "$bootstrap" -C -t "$pipeline.dead-letters" -o beginning -c "$count" \
     -X isolation.level=read_committed -f '%h\n'
