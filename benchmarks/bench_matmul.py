"""Matrix products, rstorch against PyTorch side by side (same machine, same run).

    python benchmarks/bench_matmul.py [--torch-python PATH] [--threads N]

Runs each case in rstorch (this interpreter) and in torch (a child process of PATH, default
the torch venv) and prints the median times and rstorch's speed relative to torch (>1 is
faster). Also used to pick the sequential/parallel threshold in rust/core/src/ops/linalg/gemm.rs.
"""

import argparse
import json
import os
import subprocess
import sys
import time

CASES = [
    # name, shapes of a and b, op
    ("mm 64", (64, 64), (64, 64), "mm"),
    ("mm 96", (96, 96), (96, 96), "mm"),
    ("mm 128", (128, 128), (128, 128), "mm"),
    ("mm 128x512x256", (128, 512), (512, 256), "mm"),
    ("mm 256", (256, 256), (256, 256), "mm"),
    ("mm 512", (512, 512), (512, 512), "mm"),
    ("mm 1024", (1024, 1024), (1024, 1024), "mm"),
    ("mm 1024 a.T", (1024, 1024), (1024, 1024), "mm_t"),
    ("bmm 64x(32x32)", (64, 32, 32), (64, 32, 32), "mm"),
    ("linear 32x784x512", (32, 784), (512, 784), "linear"),
    ("mv 1024", (1024, 1024), (1024,), "mm"),
    ("mm f64 256", (256, 256), (256, 256), "mm64"),
]


def run(lib, threads):
    torch = __import__(lib)
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    out = {}
    for name, sa, sb, op in CASES:
        dt = torch.float64 if op == "mm64" else torch.float32
        a, b = torch.randn(*sa, dtype=dt), torch.randn(*sb, dtype=dt)
        f = {"mm": lambda: a @ b, "mm64": lambda: a @ b, "mm_t": lambda: a.t() @ b,
             "linear": lambda: a @ b.t()}[op]
        flops = 2 * a.numel() * (b.shape[-1] if b.dim() > 1 else 1)
        reps = max(3, min(2000, int(2e9 / max(flops, 1))))
        for _ in range(2):
            f()
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(reps):
                f()
            times.append((time.perf_counter() - t0) / reps)
        times.sort()
        out[name] = times[len(times) // 2]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--torch-python", default="/root/.cache/rstorch-torch-venv/bin/python")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--lib", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.lib:
        print(json.dumps(run(args.lib, args.threads)))
        return
    here = os.path.abspath(__file__)
    mine = run("rstorch", args.threads)
    theirs = None
    if os.path.exists(args.torch_python):
        res = subprocess.run([args.torch_python, here, "--lib", "torch", "--threads", str(args.threads)],
                             capture_output=True, text=True, check=True)
        theirs = json.loads(res.stdout.strip().splitlines()[-1])
    print(f"{'case':24s} {'rstorch':>10s} {'torch':>10s} {'speed vs torch':>15s}")
    for name, *_ in CASES:
        r = mine[name]
        t = theirs[name] if theirs else float("nan")
        print(f"{name:24s} {r * 1e6:8.1f}us {t * 1e6:8.1f}us {t / r:14.2f}x")


if __name__ == "__main__":
    sys.exit(main())
