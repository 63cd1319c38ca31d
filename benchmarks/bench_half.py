"""16-bit float kernels, rstorch against torch (issue 24): casts and GEMM.

usage: python benchmarks/bench_half.py [--threads T] [--reps N] [--rounds R] [--lib LIB]

Without --lib: runs itself once per library per round, alternating (one library per process:
two thread pools spinning in one process on 2 cores ruin both), and prints each figure's
median for both and rstorch's speed ratio (> 1: rstorch faster). Needs torch importable (the
torch venv's python, PYTHONPATH=python). Figures: casts in ms per million elements
(4M-element tensors), matmuls in GFLOP/s (square sizes, and the LeNet/MLP linear shapes as
x @ w.t())."""
import argparse
import importlib
import statistics
import subprocess
import sys
import time

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=0)
ap.add_argument("--reps", type=int, default=10)
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--lib")
args = ap.parse_args()

if args.lib is None:
    got = {}
    order = []
    for _ in range(args.rounds):
        for lib in ("rstorch", "torch"):
            cmd = [sys.executable, __file__, "--lib", lib, "--threads", str(args.threads), "--reps", str(args.reps)]
            for line in subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines():
                name, value, unit = line.rsplit(" ", 2)
                if name not in got:
                    order.append(name)
                got.setdefault(name, {}).setdefault(lib, []).append(float(value))
                got[name]["unit"] = unit
    print(f"threads {args.threads or 'default'}, {args.rounds} rounds, medians")
    for name in order:
        r, t, unit = statistics.median(got[name]["rstorch"]), statistics.median(got[name]["torch"]), got[name]["unit"]
        ratio = r / t if unit.startswith("GFLOP") else t / r
        print(f"{name:32s} rstorch {r:8.3f}  torch {t:8.3f} {unit:8s} ratio {ratio:5.2f}")
    sys.exit()

lib = importlib.import_module(args.lib)
if args.threads:
    lib.set_num_threads(args.threads)


def median_of(fn, reps):
    fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def pair(name, make, unit, scale, reps=args.reps):
    """make(lib) -> a no-argument function to time; scale(t) -> the figure."""
    print(f"{name} {scale(median_of(make(lib), reps)):.4f} {unit}", flush=True)


x = np.random.default_rng(0).standard_normal(4 << 20).astype(np.float32)
M = len(x) / 1e6
for src, dst in [("float32", "bfloat16"), ("bfloat16", "float32"), ("float32", "float16"), ("float16", "float32")]:
    def make(lib, src=src, dst=dst):
        t = lib.from_numpy(x).to(getattr(lib, src))
        d = getattr(lib, dst)
        return lambda: t.to(d)
    pair(f"cast {src}->{dst} 4M", make, "ms/M", lambda s: s * 1e3 / M)


def mm_case(m, k, n, dtype, wt=False):
    def make(lib):
        g = np.random.default_rng(1)
        a = lib.from_numpy(g.standard_normal((m, k)).astype(np.float32)).to(getattr(lib, dtype))
        b = lib.from_numpy(g.standard_normal((n, k) if wt else (k, n)).astype(np.float32)).to(getattr(lib, dtype))
        if wt:
            return lambda: lib.nn.functional.linear(a, b)
        return lambda: a @ b
    return make


for n in (256, 512, 1024):
    pair(f"matmul {n}^3 bfloat16", mm_case(n, n, n, "bfloat16"), "GFLOP/s", lambda s, n=n: 2 * n**3 / s / 1e9)
pair("matmul 1024^3 float16", mm_case(1024, 1024, 1024, "float16"), "GFLOP/s", lambda s: 2 * 1024**3 / s / 1e9, reps=3)
pair("matmul 1024^3 float32", mm_case(1024, 1024, 1024, "float32"), "GFLOP/s", lambda s: 2 * 1024**3 / s / 1e9)
for m, k, n in [(64, 400, 120), (64, 120, 84), (128, 784, 512), (128, 512, 256)]:
    pair(f"linear {m}x{k} -> {n} bfloat16", mm_case(m, k, n, "bfloat16", wt=True), "GFLOP/s",
         lambda s, m=m, k=k, n=n: 2 * m * k * n / s / 1e9, reps=5 * args.reps)
