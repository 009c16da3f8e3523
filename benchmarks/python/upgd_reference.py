#!/usr/bin/python3
"""The UPGD paper's online loop at batch 1, as the authors' PyTorch code runs it: a measurement tool
for the side-by-side comparison with ctta (docs/benchmarks/python-side-by-side.md), never runtime.

Copied from github.com/mohmdelsayed/upgd (MIT licence, Copyright (c) 2024 Mohamed Elsayed), commit
b75e90ad4b09c28971ac9dbb902a8fd86709b28c:

  core/run/run.py                     the learner loop: zero_grad, forward, loss, backward, step,
                                      loss.item(), accuracy .item(), one sample per step
  core/network/fcn_relu.py            FullyConnectedReLU: 784-300-150-10, ReLU, nn.Linear default init
  core/task/label_permuted_emnist.py  the stream: labels permuted every 2,500 steps, shuffled,
                                      pixels normalised to (x - 0.5) / 0.5 and flattened
  core/optim/sgd.py                   SGD
  core/optim/adam.py                  Adam
  core/optim/weight_upgd/first_order.py  FirstOrderGlobalUPGD (the paper's UPGD: first-order
                                      utility, global scaling, protecting; what ctta's `upgd` is)

The stream is Fashion-MNIST's training set (the dataset installed here; the paper uses EMNIST with
47 classes, ctta's benchmark MLP has 10 outputs), decoded once into tensors before timing so that
the DataLoader's per-sample cost is not counted (ctta's side is timed without record decoding too).
Hyperparameters are ctta's defaults (docs/strategies/), so both sides run the same arithmetic;
the values do not change the cost of a step.

Timing: CPU time of the calling thread (time.thread_time) with torch.set_num_threads(1) and
OPENBLAS_NUM_THREADS=1, so the neighbours on a shared machine do not count. Prints one line per
optimizer: `python <name> <steps per CPU-second> <steps/s wall>`.
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from fmnist_idx import read_idx

FMNIST = "/usr/share/datasets/fashion-mnist"


# --- core/network/fcn_relu.py ---------------------------------------------------------------
class FullyConnectedReLU(nn.Sequential):
    def __init__(self, n_obs=10, n_outputs=10, n_hidden_units=300):
        super(FullyConnectedReLU, self).__init__()
        self.name = "fully_connected_relu"
        self.add_module("linear_1", nn.Linear(in_features=n_obs, out_features=n_hidden_units))
        self.add_module("act_1", nn.ReLU())
        self.add_module("linear_2", nn.Linear(in_features=n_hidden_units, out_features=n_hidden_units // 2))
        self.add_module("act_2", nn.ReLU())
        self.add_module("linear_3", nn.Linear(in_features=n_hidden_units // 2, out_features=n_outputs))
        for m in self.modules():
            if isinstance(m, nn.Linear):
                m.reset_parameters()


# --- core/optim/sgd.py ----------------------------------------------------------------------
class SGD(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-5, weight_decay=0.0):
        names, params = zip(*params)
        defaults = dict(lr=lr, weight_decay=weight_decay, names=names)
        super(SGD, self).__init__(params, defaults)

    def step(self):
        for group in self.param_groups:
            for name, p in zip(group["names"], group["params"]):
                if 'gate' in name:
                    continue
                p.data.add_(p.grad + group['weight_decay'] * p.data, alpha=-group["lr"])


# --- core/optim/adam.py ---------------------------------------------------------------------
class Adam(torch.optim.Optimizer):
    def __init__(self, params, lr=0.15, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        names, params = zip(*params)
        defaults = dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay, names=names)
        super(Adam, self).__init__(params, defaults)

    def step(self):
        for group in self.param_groups:
            for name, p in zip(group["names"], group["params"]):
                if 'gate' in name:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p.data)
                    state["exp_avg_sq"] = torch.zeros_like(p.data)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                beta1, beta2 = group["beta1"], group["beta2"]
                state["step"] += 1
                p.data.add_(p.data, alpha=-group["weight_decay"] * group["lr"])
                exp_avg.mul_(beta1).add_(p.grad.data, alpha=1 - beta1)
                exp_avg_sq.mul_(beta2).add_(p.grad.data ** 2, alpha=1 - beta2)
                bias_correction1 = 1 - beta1 ** state["step"]
                bias_correction2 = 1 - beta2 ** state["step"]
                denom = ((exp_avg_sq.sqrt()) / (bias_correction2 ** 0.5)).add_(group["eps"])
                step_size = group["lr"] / bias_correction1
                p.data.addcdiv_(exp_avg, denom, value=-step_size)


# --- core/optim/weight_upgd/first_order.py: FirstOrderGlobalUPGD ----------------------------
class FirstOrderGlobalUPGD(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-5, weight_decay=0.0, beta_utility=0.0, sigma=1.0):
        names, params = zip(*params)
        defaults = dict(lr=lr, weight_decay=weight_decay, beta_utility=beta_utility, sigma=sigma, names=names)
        super(FirstOrderGlobalUPGD, self).__init__(params, defaults)

    def step(self):
        global_max_util = torch.tensor(-torch.inf)
        for group in self.param_groups:
            for name, p in zip(group["names"], group["params"]):
                if 'gate' in name:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = 0
                    state["avg_utility"] = torch.zeros_like(p.data)
                state["step"] += 1
                avg_utility = state["avg_utility"]
                avg_utility.mul_(group["beta_utility"]).add_(-p.grad.data * p.data, alpha=1 - group["beta_utility"])
                current_util_max = avg_utility.max()
                if current_util_max > global_max_util:
                    global_max_util = current_util_max
        for group in self.param_groups:
            for name, p in zip(group["names"], group["params"]):
                if 'gate' in name:
                    continue
                state = self.state[p]
                bias_correction = 1 - group["beta_utility"] ** state["step"]
                noise = torch.randn_like(p.grad) * group["sigma"]
                scaled_utility = torch.sigmoid_((state["avg_utility"] / bias_correction) / global_max_util)
                p.data.mul_(1 - group["lr"] * group["weight_decay"]).add_(
                    (p.grad.data + noise) * (1 - scaled_utility), alpha=-group["lr"])


# ctta's defaults (docs/strategies/): the same arithmetic on both sides.
OPTIMIZERS = {
    "sgd": lambda params: SGD(params, lr=0.01, weight_decay=1e-4),
    "adam": lambda params: Adam(params, lr=1e-4, beta1=0.0, beta2=0.9999, eps=1e-8, weight_decay=0.1),
    "upgd": lambda params: FirstOrderGlobalUPGD(params, lr=0.01, weight_decay=0.001, beta_utility=0.999, sigma=0.001),
}


class LabelPermutedStream:
    """core/task/label_permuted_emnist.py's stream over tensors decoded once: shuffled samples,
    labels permuted every change_freq steps."""

    def __init__(self, images, labels, n_outputs=10, change_freq=2500, seed=0):
        self.x = ((torch.from_numpy(images.astype(np.float32) / 255.0) - 0.5) / 0.5).reshape(len(images), 1, -1)
        self.y = torch.from_numpy(labels.astype(np.int64))
        self.targets = self.y
        self.n_outputs = n_outputs
        self.change_freq = change_freq
        self.step = 0
        self.gen = torch.Generator().manual_seed(seed)
        self.order = torch.randperm(len(self.x), generator=self.gen)
        self.pos = 0

    def __next__(self):
        if self.step % self.change_freq == 0:
            self.targets = torch.randperm(self.n_outputs, generator=self.gen)[self.y]
            self.order = torch.randperm(len(self.x), generator=self.gen)
            self.pos = 0
        self.step += 1
        if self.pos == len(self.order):
            self.order = torch.randperm(len(self.x), generator=self.gen)
            self.pos = 0
        i = self.order[self.pos]
        self.pos += 1
        return self.x[i], self.targets[i].reshape(1)


def run(name, stream, steps, warmup):
    torch.manual_seed(0)
    network = FullyConnectedReLU(n_obs=784, n_outputs=10)
    optimizer = OPTIMIZERS[name](network.named_parameters())
    criterion = nn.CrossEntropyLoss()
    samples = [next(stream) for _ in range(warmup + steps)]
    losses, accuracies = [], []

    def step(sample):
        # core/run/run.py, the body of its loop
        input, target = sample
        optimizer.zero_grad()
        output = network(input)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        accuracies.append((output.argmax(dim=1) == target).float().mean().item())

    for s in samples[:warmup]:
        step(s)
    cpu0, wall0 = time.thread_time(), time.perf_counter()
    for s in samples[warmup:]:
        step(s)
    cpu, wall = time.thread_time() - cpu0, time.perf_counter() - wall0
    print(f"python {name} {steps / cpu:.1f} {steps / wall:.1f}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--warmup", type=int, default=375)
    p.add_argument("--optimizers", default="sgd,adam,upgd")
    p.add_argument("--data", default=FMNIST)
    a = p.parse_args()
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        print("warning: OPENBLAS_NUM_THREADS is not 1", file=sys.stderr)
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    images = read_idx(os.path.join(a.data, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(a.data, "train-labels-idx1-ubyte.gz"))
    for name in a.optimizers.split(","):
        run(name, LabelPermutedStream(images, labels), a.steps, a.warmup)


if __name__ == "__main__":
    main()
