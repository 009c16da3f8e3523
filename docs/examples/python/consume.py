#!/usr/bin/env python3
"""Reads a ctta pipeline's predictions, or its dead letters, and prints one line per record
(docs/clients.md).

    python3 consume.py --bootstrap localhost:9092 --pipeline cams --count 100
    python3 consume.py --bootstrap localhost:9092 --pipeline cams --dead-letters --count 1

A prediction prints as "id=img-3 class=1 label=1 model=0 partition=0 offset=3"
(model: the modelVersion of the weights that made it, the number of parameter updates applied so far). With
at-least-once output a prediction may arrive twice after a crash (identical both times): it is
dropped here by the input (partition, offset) it carries. read_committed hides what an
exactly-once pipeline aborted. Exits 0 after --count distinct records, 1 if --timeout passes first.
"""
import argparse
import json
import sys
import time
import uuid

from confluent_kafka import Consumer


def headers_of(msg):
    return {k: (v or b"").decode("utf-8") for k, v in (msg.headers() or [])}


def describe_prediction(msg):
    p = json.loads(msg.value())
    label = "-" if p["label"] is None else p["label"]
    line = "id=%s class=%d label=%s model=%s partition=%d offset=%d" % (
        p["id"], p["predictedClass"], label, p["modelVersion"], p["partition"], p["offset"])
    return (p["partition"], p["offset"]), line


def describe_dead_letter(msg):
    h = headers_of(msg)
    where = (int(h["ctta.dlq.source.partition"]), int(h["ctta.dlq.source.offset"]), h["ctta.dlq.source.topic"])
    line = "topic=%s partition=%d offset=%d reason=%s" % (where[2], where[0], where[1], h["ctta.dlq.reason"])
    return where, line


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--pipeline", required=True)
    p.add_argument("--dead-letters", action="store_true", help="read <pipeline>.dead-letters instead")
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--timeout", type=float, default=60.0, help="seconds")
    p.add_argument("--group", default=None, help="consumer group (default: a fresh one, reading from the start)")
    args = p.parse_args()

    topic = args.pipeline + (".dead-letters" if args.dead_letters else ".predictions")
    describe = describe_dead_letter if args.dead_letters else describe_prediction
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group or "reader-" + uuid.uuid4().hex,
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",
    })
    consumer.subscribe([topic])
    seen = set()
    deadline = time.monotonic() + args.timeout
    try:
        while len(seen) < args.count and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                sys.exit("consumer error: %s" % msg.error())
            where, line = describe(msg)
            if where not in seen:
                seen.add(where)
                print(line, flush=True)
    finally:
        consumer.close()
    if len(seen) < args.count:
        sys.exit("only %d of %d records on %s within %.0f s" % (len(seen), args.count, topic, args.timeout))


if __name__ == "__main__":
    main()
