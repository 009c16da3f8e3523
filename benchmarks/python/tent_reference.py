#!/usr/bin/python3
"""Test-time adaptation at batch 64 as TENT's authors' PyTorch code runs it, on the TorchScript BN
CNN that ctta runs too: a measurement tool for the side-by-side comparison with ctta
(docs/benchmarks/python-side-by-side.md), never runtime.

Copied from github.com/DequanWang/tent (MIT licence, Copyright (c) 2021 Dequan Wang and Evan
Shelhamer), commit e9e926a668d85244c66a6d5c006efbd2b82e83e8:

  tent.py     softmax_entropy (scripted), forward_and_adapt (forward, entropy mean, backward,
              optimizer.step, optimizer.zero_grad), configure_model, collect_params
  norm.py     configure_model: BatchNorm in train mode (batch statistics, running statistics
              updated with momentum 0.1), no gradient
  cifar10c.py setup_source (model.eval()), setup_optimizer (torch.optim.Adam, lr 1e-3,
              betas (0.9, 0.999), the CIFAR-10-C configuration ctta's `tent` defaults to), and
              the evaluation: predictions read back (output.max(1)) for every batch

The network is fixtures/torchscript/cnn-twin.pt (the built-in CNN's architecture and weights,
written by tools/fixtures/make_torchscript_fixtures.py), loaded with torch.jit.load; ctta loads the
same file. Two adjustments a TorchScript model needs, both as ctta does them: BatchNorm modules are
found by their class name (a scripted module is not an nn.BatchNorm2d instance), BatchNorm1d
included, and only they run in train mode (the fixture's Dropout stays off; TENT's model.train()
would switch it on). TorchScript freezes BatchNorm's track_running_stats, so TENT's forward in train
mode also updates the running statistics (one fused kernel, negligible).

Stream: Fashion-MNIST's test set, normalised as the fixture's sidecar says, batches of 64 taken in
order (the corruption of each domain does not change the cost of a step).

Timing: CPU time of the whole process (time.process_time: the intra-op threads count) with
torch.set_num_threads(THREADS) and OPENBLAS_NUM_THREADS set by the caller. Prints one line per
strategy: `python <name> <samples per CPU-second> <samples/s wall>`.
"""
import argparse
import json
import os
import time

import numpy as np
import torch

from fmnist_idx import read_idx

FMNIST = "/usr/share/datasets/fashion-mnist"
BN_CLASSES = ("BatchNorm1d", "BatchNorm2d")


@torch.jit.script
def softmax_entropy(x: torch.Tensor) -> torch.Tensor:
    """Entropy of softmax distribution from logits."""
    return -(x.softmax(1) * x.log_softmax(1)).sum(1)


@torch.enable_grad()
def forward_and_adapt(x, model, optimizer):
    outputs = model(x)
    loss = softmax_entropy(outputs).mean(0)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return outputs


def freeze(model):
    # TENT's model.requires_grad_(False); ScriptModules do not offer requires_grad_
    for p in model.parameters():
        p.requires_grad_(False)


def batch_norms(model):
    return [m for m in model.modules() if getattr(m, "original_name", type(m).__name__) in BN_CLASSES]


def setup_source(model):
    model.eval()
    freeze(model)

    def step(x):
        with torch.no_grad():
            return model(x)
    return step


def setup_norm(model):
    model.eval()
    freeze(model)
    for m in batch_norms(model):
        m.train()

    def step(x):
        with torch.no_grad():
            return model(x)
    return step


def setup_tent(model):
    model.eval()
    freeze(model)
    params = []
    for m in batch_norms(model):
        m.train()
        m.weight.requires_grad_(True)
        m.bias.requires_grad_(True)
        params += [m.weight, m.bias]
    optimizer = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), weight_decay=0.0)
    return lambda x: forward_and_adapt(x, model, optimizer)


STRATEGIES = {"source": setup_source, "norm": setup_norm, "tent": setup_tent}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="fixtures/torchscript/cnn-twin.pt")
    p.add_argument("--batches", type=int, default=60)
    p.add_argument("--warmup", type=int, default=15)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--strategies", default="source,norm,tent")
    p.add_argument("--data", default=FMNIST)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    with open(a.model + ".json") as f:
        pre = json.load(f)["preprocessing"]
    images = read_idx(os.path.join(a.data, "t10k-images-idx3-ubyte.gz"))
    whole = len(images) // a.batch
    x = (torch.from_numpy(images[:whole * a.batch].astype(np.float32)) * pre["scale"] - pre["mean"]) / pre["std"]
    x = list(x.reshape(whole, a.batch, 1, 28, 28))
    # in order, from the start again after the last whole batch (as TtaCpuTime)
    batches = [x[i % whole] for i in range(a.warmup + a.batches)]
    for name in a.strategies.split(","):
        model = torch.jit.load(a.model, map_location="cpu")
        step = STRATEGIES[name](model)
        predictions = []
        for b in batches[:a.warmup]:
            predictions.append(step(b).max(1)[1].tolist())
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for b in batches[a.warmup:]:
            predictions.append(step(b).max(1)[1].tolist())
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        samples = a.batches * a.batch
        print(f"python {name} {samples / cpu:.1f} {samples / wall:.1f}", flush=True)


if __name__ == "__main__":
    main()
