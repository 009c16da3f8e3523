#!/usr/bin/env python3
"""Sends the labels of Fashion-MNIST test images to a pipeline's feedback topic, after their
predictions (docs/clients.md, "Feedback").

    python3 feedback.py --bootstrap localhost:9092 --pipeline cams --start 0 --count 100

The label of test image i goes out as {"id": "<id-prefix><i>", "label": ..., "eventTimeMs": ...}:
the id is the join key, the id of the input record produce.py sent. The Kafka key does not take
part in the join; the id is used as key so that labels spread over the topic's partitions.
The pipeline needs feedback.enabled = true.
"""
import argparse
import gzip
import json
import sys
import time

from confluent_kafka import Producer

DATASET = "/usr/share/datasets/fashion-mnist"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--pipeline", required=True)
    p.add_argument("--topic", default=None, help="default: <pipeline>.feedback (the pipeline's feedback.topic)")
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--id-prefix", default="img-")
    p.add_argument("--dataset", default=DATASET)
    args = p.parse_args()

    with gzip.open(args.dataset + "/t10k-labels-idx1-ubyte.gz", "rb") as f:
        labels = f.read()[8:]
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True, "acks": "all"})
    failures = []
    topic = args.topic or args.pipeline + ".feedback"
    for i in range(args.start, args.start + args.count):
        record_id = args.id_prefix + str(i)
        value = json.dumps({"id": record_id, "label": labels[i], "eventTimeMs": int(time.time() * 1000)})
        producer.produce(topic, value=value.encode("utf-8"), key=record_id.encode("utf-8"),
                         on_delivery=lambda err, msg: err and failures.append(err))
        producer.poll(0)
    producer.flush(30)
    if failures:
        sys.exit("not delivered: %s" % failures[0])
    print("sent %d labels to %s" % (args.count, topic))


if __name__ == "__main__":
    main()
