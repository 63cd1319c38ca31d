"""LeNet's layers forward + backward at batch 64, on `torch` or `rstorch` (the same script).

usage: python benchmarks/conv_lenet.py LIB [--reps N]

Times conv1 (1->6, 5x5) + relu + max_pool2d(2), conv2 (6->16, 5x5) + relu + max_pool2d(2), and
fc1/fc2/fc3 + cross-entropy, forward and backward (no optimizer step): issue 20's "LeNet forward
+ backward at batch 64". Prints the median seconds of one step and of the conv layers alone.
"""
import argparse
import importlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import statistics
import time

from _lenet import lenet  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("lib")
ap.add_argument("--reps", type=int, default=30)
args = ap.parse_args()
torch = importlib.import_module(args.lib)
nn, F = torch.nn, torch.nn.functional
torch.manual_seed(0)


model = lenet(torch)
x = torch.randn(64, 1, 28, 28)
y = torch.randint(0, 10, (64,))


def step():
    for p in model.parameters():
        p.grad = None
    loss = F.cross_entropy(model(x), y)
    loss.backward()


xc = torch.randn(64, 6, 12, 12)


def convs():
    for p in model.parameters():
        p.grad = None
    a = F.relu(model.conv1(x)).sum()
    b = F.relu(model.conv2(xc)).sum()
    (a + b).backward()


def bench(fn, reps):
    for _ in range(3):
        fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


print(f"{args.lib:8s} lenet_step {bench(step, args.reps) * 1e3:8.3f} ms   conv_layers {bench(convs, args.reps) * 1e3:8.3f} ms",
      flush=True)
