#!/bin/sh
# Produces the lines of a file to a pipeline's input topic, one record per line, "key:value"
# (docs/clients.md). Each value is a JSON input record (docs/record-format.md).
#   docs/examples/kcat/produce.sh localhost:9092 frames docs/examples/kcat/records.txt
set -eu
bootstrap=$1 topic=$2 file=$3
kcat -b "$bootstrap" -t "$topic" -P -K : \
     -H content-type=application/json -H ctta.schema=1 \
     -X enable.idempotence=true -l "$file"
