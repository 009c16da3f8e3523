#!/usr/bin/env python3
"""Sends Fashion-MNIST test images to a ctta pipeline's input topic (docs/clients.md).

    python3 produce.py --bootstrap localhost:9092 --topic frames --start 0 --count 100
    python3 produce.py ... --format binary      # the binary layout instead of JSON
    python3 produce.py ... --no-labels          # labels will come later, on <pipeline>.feedback

Record i is test image i with id "<id-prefix><i>", so feedback.py can send its label later.
Pixels are sent as they are in the dataset: integers 0..255, not scaled to 0..1 (the model
normalises them itself; see "The input contract" in docs/clients.md).
Needs confluent-kafka (Debian: apt-get install python3-confluent-kafka; or pip install
confluent-kafka) and the dataset (apt-get install dataset-fashion-mnist).
"""
import argparse
import gzip
import json
import struct
import sys
import time

from confluent_kafka import Producer

DATASET = "/usr/share/datasets/fashion-mnist"
SHAPE = [1, 28, 28]
PIXELS = 28 * 28


def read_idx(path, header_bytes):
    with gzip.open(path, "rb") as f:
        return f.read()[header_bytes:]


def json_value(record_id, key, event_time_ms, label, pixels):
    record = {"id": record_id, "key": key, "eventTime": event_time_ms,
              "dtype": "uint8", "shape": SHAPE, "features": list(pixels)}
    if label is not None:
        record["label"] = label
    return json.dumps(record, separators=(",", ":")).encode("utf-8")


def binary_value(record_id, key, event_time_ms, label, pixels):
    """Schema version 1, little-endian (docs/record-format.md, "Binary value layout")."""
    flags = 0b10 if label is not None else 0  # bit 1: a label follows the key
    uint8, rank = 2, len(SHAPE)
    out = struct.pack("<2sBBBBq", b"CT", 1, flags, uint8, rank, event_time_ms)
    for text in (record_id, key):
        raw = text.encode("utf-8")
        out += struct.pack("<H", len(raw)) + raw
    if label is not None:
        out += struct.pack("<i", label)
    out += struct.pack("<%di" % rank, *SHAPE)
    return out + bytes(pixels)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True, help="the pipeline's input-topic")
    p.add_argument("--start", type=int, default=0, help="first test image")
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--key", default="cam-1", help="Kafka key (records of one key keep their order)")
    p.add_argument("--id-prefix", default="img-")
    p.add_argument("--format", choices=["json", "binary"], default="json")
    p.add_argument("--no-labels", action="store_true", help="leave the label out of the record")
    p.add_argument("--dataset", default=DATASET)
    args = p.parse_args()

    images = read_idx(args.dataset + "/t10k-images-idx3-ubyte.gz", 16)
    labels = read_idx(args.dataset + "/t10k-labels-idx1-ubyte.gz", 8)
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True, "acks": "all"})
    failures = []

    def delivered(err, msg):
        if err is not None:
            failures.append(err)

    if args.format == "json":
        encode, headers = json_value, [("content-type", b"application/json"), ("ctta.schema", b"1")]
    else:
        encode, headers = binary_value, [("content-type", b"application/x-ctta-record"), ("ctta.schema", b"1")]
    for i in range(args.start, args.start + args.count):
        pixels = images[i * PIXELS:(i + 1) * PIXELS]
        label = None if args.no_labels else labels[i]
        value = encode(args.id_prefix + str(i), args.key, int(time.time() * 1000), label, pixels)
        producer.produce(args.topic, value=value, key=args.key.encode("utf-8"), headers=headers, on_delivery=delivered)
        producer.poll(0)
    producer.flush(30)
    if failures:
        sys.exit("not delivered: %s" % failures[0])
    print("sent %d %s records to %s" % (args.count, args.format, args.topic))


if __name__ == "__main__":
    main()
