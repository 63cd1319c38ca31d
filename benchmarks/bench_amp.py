"""Mixed precision on the CPU, `torch` or `rstorch` (the same script): issue 24's figures.

usage: python benchmarks/bench_amp.py LIB [--reps N] [--threads T]

- matmul 1024^3: float32, bfloat16 tensors, and float32 inputs under bfloat16 autocast (the casts
  included), GFLOP/s from the median;
- conv2d LeNet-sized (64x6x12x12 -> 16, 5x5) forward in float32 and bfloat16;
- a LeNet training step at batch 64 (forward + cross-entropy under autocast, backward, Adam step),
  float32 vs bfloat16 autocast;
- the per-op cost of autocast: an 8x8 mm outside any region and inside one.
Prints one `name value unit` line per figure."""
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
ap.add_argument("--reps", type=int, default=10)
ap.add_argument("--threads", type=int, default=0, help="set_num_threads (0: the library's default)")
args = ap.parse_args()
torch = importlib.import_module(args.lib)
if args.threads:
    torch.set_num_threads(args.threads)
nn, F = torch.nn, torch.nn.functional
torch.manual_seed(0)


def median_time(fn, reps, warm=2):
    for _ in range(warm):
        fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


n = 1024
a32, b32 = torch.randn(n, n), torch.randn(n, n)
a16, b16 = a32.bfloat16(), b32.bfloat16()
flops = 2 * n ** 3
print(f"matmul1024_f32 {flops / median_time(lambda: a32 @ b32, args.reps) / 1e9:.1f} GFLOP/s")
print(f"matmul1024_bf16 {flops / median_time(lambda: a16 @ b16, args.reps) / 1e9:.1f} GFLOP/s")


def autocast_mm():
    with torch.autocast("cpu"):
        return a32 @ b32


print(f"matmul1024_autocast_bf16 {flops / median_time(autocast_mm, args.reps) / 1e9:.1f} GFLOP/s")

x32, w32 = torch.randn(64, 6, 12, 12), torch.randn(16, 6, 5, 5)
x16, w16 = x32.bfloat16(), w32.bfloat16()
print(f"conv2d_lenet2_f32 {median_time(lambda: F.conv2d(x32, w32), 5 * args.reps) * 1e3:.3f} ms")
print(f"conv2d_lenet2_bf16 {median_time(lambda: F.conv2d(x16, w16), 5 * args.reps) * 1e3:.3f} ms")


model = lenet(torch)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
xb, yb = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))


def step(enabled):
    def run():
        opt.zero_grad()
        with torch.autocast("cpu", enabled=enabled):
            loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    return run


print(f"lenet_step_f32 {median_time(step(False), 5 * args.reps) * 1e3:.3f} ms")
print(f"lenet_step_autocast_bf16 {median_time(step(True), 5 * args.reps) * 1e3:.3f} ms")

s = torch.randn(8, 8)


def small(k=200):
    for _ in range(k):
        torch.mm(s, s)


print(f"mm8_outside {median_time(small, args.reps) / 200 * 1e6:.2f} us")
with torch.autocast("cpu"):
    print(f"mm8_inside_autocast {median_time(small, args.reps) / 200 * 1e6:.2f} us")
