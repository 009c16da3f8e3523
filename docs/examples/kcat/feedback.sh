#!/bin/sh
# Sends the label of one input record, by its id, to a pipeline's feedback topic
# (docs/clients.md, "Feedback"); the pipeline needs feedback.enabled = true.
#   docs/examples/kcat/feedback.sh localhost:9092 cams kcat-100 3
set -eu
bootstrap=$1 pipeline=$2 id=$3 label=$4
now=$(date +%s000)
printf '%s:{"id":"%s","label":%s,"eventTimeMs":%s}\n' "$id" "$id" "$label" "$now" |
  kcat -b "$bootstrap" -t "$pipeline.feedback" -P -K :
