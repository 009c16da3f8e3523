#!/usr/bin/python3
"""Where the authors' batch-64 TTA steps (tent_reference.py: source, norm, tent) spend their time,
per operator, with PyTorch's profiler: the Python side of the per-operator comparison in
docs/benchmarks/python-side-by-side.md (ctta's side: TtaProfile's `profile` mode and
trace_ops.py). A measurement tool, never runtime.

Usage: OMP_NUM_THREADS=1 /usr/bin/python3 benchmarks/python/tent_profile.py [STRATEGY ...]
Seeded normal inputs (values do not change these operators' cost); 15 warm-up steps, 40 profiled.
Prints self CPU milliseconds per step and calls per step for the costliest operators."""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tent_reference  # noqa: E402

MODEL = "fixtures/torchscript/cnn-twin.pt"
WARMUP, STEPS, ROWS = 15, 40, 12


def main():
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    x = torch.randn(64, 1, 28, 28, generator=torch.Generator().manual_seed(7))
    for name in sys.argv[1:] or ["source", "norm", "tent"]:
        step = tent_reference.STRATEGIES[name](torch.jit.load(MODEL, map_location="cpu"))
        for _ in range(WARMUP):
            step(x).max(1)[1].tolist()
        with torch.autograd.profiler.profile() as prof:
            for _ in range(STEPS):
                step(x).max(1)[1].tolist()
        ops = prof.key_averages()
        print(f"== {name}: operator, self ms/step, calls/step")
        for e in sorted(ops, key=lambda e: -e.self_cpu_time_total)[:ROWS]:
            print(f"{e.key[:48]:48s} {e.self_cpu_time_total / 1e3 / STEPS:8.3f} {e.count / STEPS:6.1f}")
        print(f"{'all':48s} {sum(e.self_cpu_time_total for e in ops) / 1e3 / STEPS:8.3f}")


if __name__ == "__main__":
    main()
