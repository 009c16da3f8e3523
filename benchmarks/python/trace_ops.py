#!/usr/bin/python3
"""Sums a libtorch profiler Chrome trace (what TtaProfile's `profile` mode writes through DJL's
JniUtils.stopProfile) per operator: self time, total time and calls, like PyTorch's
`key_averages().table(sort_by="self_cpu_time_total")`. A measurement tool for
docs/benchmarks/python-side-by-side.md, never runtime.

Usage: trace_ops.py TRACE.json [STEPS] [ROWS]  (STEPS: the number of profiled steps, to print
milliseconds per step)."""
import json
import sys
from collections import defaultdict


def main():
    path = sys.argv[1]
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    with open(path) as f:
        events = [e for e in json.load(f) if e.get("ph") == "X"]
    by_thread = defaultdict(list)
    for e in events:
        by_thread[e.get("tid")].append(e)
    self_us, total_us, calls = defaultdict(float), defaultdict(float), defaultdict(int)
    for evs in by_thread.values():
        evs.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []  # [end, name, children_us]
        def pop():
            end, name, children, dur = stack.pop()
            self_us[name] += dur - children
        for e in evs:
            while stack and stack[-1][0] <= e["ts"]:
                pop()
            if stack:
                stack[-1][2] += e["dur"]
            stack.append([e["ts"] + e["dur"], e["name"], 0.0, e["dur"]])
            total_us[e["name"]] += e["dur"]
            calls[e["name"]] += 1
        while stack:
            pop()
    whole = sum(self_us.values())
    print(f"{'operator':48s} {'self ms/step':>12s} {'self %':>7s} {'total ms/step':>13s} {'calls/step':>10s}")
    for name in sorted(self_us, key=self_us.get, reverse=True)[:rows]:
        print(f"{name[:48]:48s} {self_us[name] / 1e3 / steps:12.3f} {100 * self_us[name] / whole:6.1f}% "
              f"{total_us[name] / 1e3 / steps:13.3f} {calls[name] / steps:10.1f}")
    print(f"{'all':48s} {whole / 1e3 / steps:12.3f}")


if __name__ == "__main__":
    main()
