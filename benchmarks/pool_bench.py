"""max_pool2d (and avg/adaptive pooling) forward+backward, the same code on torch or rstorch.

    python benchmarks/pool_bench.py            # both, alternating pairs, ratio table
    python benchmarks/pool_bench.py torch      # one library (prints JSON of ms per step)
    python benchmarks/pool_bench.py rstorch

The pair mode starts one process per library per round and alternates them (ROUNDS rounds), so
both see the same machine load; each figure is the median over rounds of the per-round medians.
torch is the one of the torch venv (TORCH_PYTHON, default /root/.cache/rstorch-torch-venv)."""

import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TORCH_PYTHON = os.environ.get("TORCH_PYTHON", "/root/.cache/rstorch-torch-venv/bin/python")
ROUNDS = int(os.environ.get("ROUNDS", "5"))

CASES = [
    ("max_pool2d k2 (64,16,32,32)", "max", (64, 16, 32, 32), dict(kernel_size=2)),
    ("max_pool2d k2 (256,6,24,24)", "max", (256, 6, 24, 24), dict(kernel_size=2)),
    ("max_pool2d k3s2p1 (64,16,32,32)", "max", (64, 16, 32, 32), dict(kernel_size=3, stride=2, padding=1)),
    ("max_pool2d k2 (64,6,28,28) LeNet", "max", (64, 6, 28, 28), dict(kernel_size=2)),
    ("avg_pool2d k2 (64,16,32,32)", "avg", (64, 16, 32, 32), dict(kernel_size=2)),
    ("adaptive_avg_pool2d 7 (64,16,32,32)", "aavg", (64, 16, 32, 32), dict(output_size=7)),
]


def run(lib):
    if lib == "torch":
        import torch
    else:
        sys.path.insert(0, os.path.join(ROOT, "python"))
        import rstorch as torch
    F = torch.nn.functional
    fns = {"max": F.max_pool2d, "avg": F.avg_pool2d, "aavg": F.adaptive_avg_pool2d}
    out = {}
    for name, kind, shape, kw in CASES:
        g = torch.Generator().manual_seed(0)
        x = torch.randn(shape, generator=g).requires_grad_(True)
        fn = fns[kind]
        y = fn(x, **kw)
        w = torch.randn(tuple(y.shape), generator=g)

        def step():
            y = fn(x, **kw)
            y.backward(w)
            x.grad = None

        for _ in range(5):
            step()
        times = []
        for _ in range(7):
            n = 20
            t0 = time.perf_counter()
            for _ in range(n):
                step()
            times.append((time.perf_counter() - t0) / n * 1e3)
        fwd = []
        with torch.no_grad():
            for _ in range(7):
                n = 20
                t0 = time.perf_counter()
                for _ in range(n):
                    fn(x, **kw)
                fwd.append((time.perf_counter() - t0) / n * 1e3)
        out[name] = {"fwd_bwd": statistics.median(times), "fwd": statistics.median(fwd)}
    return out


def pairs():
    results = {"torch": [], "rstorch": []}
    for _ in range(ROUNDS):
        for lib, py in (("torch", TORCH_PYTHON), ("rstorch", sys.executable)):
            r = subprocess.run([py, __file__, lib], capture_output=True, text=True, check=True)
            results[lib].append(json.loads(r.stdout))
    print(f"rounds: {ROUNDS}; ms per step (median of per-round medians); ratio = torch / rstorch")
    print("| case | torch fwd+bwd | rstorch fwd+bwd | ratio | torch fwd | rstorch fwd | ratio |")
    print("|---|---|---|---|---|---|---|")
    for name, *_ in CASES:
        row = [name]
        for key in ("fwd_bwd", "fwd"):
            t = statistics.median(r[name][key] for r in results["torch"])
            s = statistics.median(r[name][key] for r in results["rstorch"])
            row += [f"{t:.3f}", f"{s:.3f}", f"{t / s:.2f}x"]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(run(sys.argv[1])))
    else:
        pairs()
