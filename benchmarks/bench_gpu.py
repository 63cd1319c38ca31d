"""Issue 23's GPU figures, one library per process, on its GPU device: rstorch on `wgpu`, torch on
`cuda` (TF32 off). Run both on the same machine and compare (the `device` tool's H100 when one is
lent; lavapipe here with --small, which only checks that everything runs).

    python benchmarks/bench_gpu.py rstorch [--small] [--reps 10]
    python benchmarks/bench_gpu.py torch   [--small] [--reps 10]

Prints one line per figure: fp32 matmul N^3 (GFLOP/s; issue target >= 50% of torch's), add of
16M floats (GB/s moved; >= 70%), one small op from Python (us, queued ops timed until the
sync; <= torch's), and the LeNet (batch 256) and MLP (batch 512) training steps with SGD
(ms/step; <= 1.5x torch's). A figure whose ops have no kernel on the device prints the op.
"""

import argparse
import importlib
import os
import statistics
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("lib", choices=["torch", "rstorch"])
ap.add_argument("--small", action="store_true", help="small sizes (a software adapter)")
ap.add_argument("--reps", type=int, default=10)
args = ap.parse_args()

torch = importlib.import_module(args.lib)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _lenet import lenet  # noqa: E402

nn, F = torch.nn, torch.nn.functional
DEV = "cuda" if args.lib == "torch" else "wgpu"
if args.lib == "torch":
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


def sync():
    if args.lib == "torch":
        torch.cuda.synchronize()
    else:
        torch.wgpu.synchronize()


def timed(fn, reps=None, warm=2):
    """Median seconds of `fn()` to its last result on the device (synchronized)."""
    for _ in range(warm):
        fn()
    sync()
    times = []
    for _ in range(reps or args.reps):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def figure(name, unit, compute):
    try:
        value = compute()
    except NotImplementedError as e:
        print(f"{name}: n/a ({str(e).splitlines()[0][:100]})")
        return
    print(f"{name}: {value:.4g} {unit}")


def matmul():
    n = 256 if args.small else 4096
    a, b = torch.randn(n, n, device=DEV), torch.randn(n, n, device=DEV)
    return 2 * n ** 3 / timed(lambda: a @ b) / 1e9


def add():
    n = (1 << 16) if args.small else (1 << 24)
    a, b = torch.randn(n, device=DEV), torch.randn(n, device=DEV)
    return 3 * 4 * n / timed(lambda: a + b) / 1e9


def small_op(k=1000):
    a, b = torch.ones(64, device=DEV), torch.ones(64, device=DEV)

    def run():
        for _ in range(k):
            a + b
    return timed(run, reps=5) / k * 1e6


def train_step(model, x, y):
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return timed(step) * 1e3


def lenet_step():
    b = 32 if args.small else 256
    torch.manual_seed(0)
    return train_step(lenet(torch).to(DEV), torch.randn(b, 1, 28, 28, device=DEV),
                      torch.randint(0, 10, (b,), device=DEV))


def mlp_step():
    b = 64 if args.small else 512
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    return train_step(model.to(DEV), torch.randn(b, 784, device=DEV), torch.randint(0, 10, (b,), device=DEV))


def main():
    if args.lib == "torch":
        print("device:", torch.cuda.get_device_name(0), "| torch", torch.__version__)
    else:
        if not torch.wgpu.is_available():
            print("no wgpu adapter")
            return
        print("device:", torch.wgpu.get_device_name(0), "| rstorch wgpu")
    figure("matmul fp32 GFLOP/s", "GFLOP/s", matmul)
    figure("add 16M GB/s" if not args.small else "add 64K GB/s", "GB/s", add)
    figure("small op from Python", "us", small_op)
    figure("LeNet training step" + (" b32" if args.small else " b256"), "ms", lenet_step)
    figure("MLP training step" + (" b64" if args.small else " b512"), "ms", mlp_step)


if __name__ == "__main__":
    main()
