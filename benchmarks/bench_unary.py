"""Unary ops, rstorch vs PyTorch side by side (like ../shared/tools/peer_bench.py).

Run it with the interpreter of each library; it times whichever it can import:

    python benchmarks/bench_unary.py                                   # rstorch
    /root/.cache/rstorch-torch-venv/bin/python benchmarks/bench_unary.py   # torch
    python benchmarks/bench_unary.py --json r.json; ... --compare r.json   # ratios

Prints one line per case: name, median seconds, Gelem/s. `--compare FILE` (a --json output of
the other library) adds the ratio other_time / this_time.
"""
import argparse
import json
import statistics
import sys
import time

try:
    import torch as lib
except ImportError:
    import rstorch as lib

ap = argparse.ArgumentParser()
ap.add_argument("--only", default="")
ap.add_argument("--json", default="")
ap.add_argument("--compare", default="")
ap.add_argument("--reps", type=int, default=30)
args = ap.parse_args()


def bench(fn, reps):
    for _ in range(3):
        fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


SIZES = {"64K": 65_536, "256K": 262_144, "4M": 4_000_000}
CASES = {}
for op in ("exp", "log", "tanh", "sigmoid", "erf", "sin", "sqrt", "abs"):
    for tag, n in SIZES.items():
        CASES[f"{op}_{tag}"] = (op, n)
CASES["exp_inplace_4M"] = ("exp_", 4_000_000)

lib.manual_seed(0)
only = set(filter(None, args.only.split(",")))
results = {}
for name, (op, n) in CASES.items():
    if only and name not in only:
        continue
    a = lib.randn(n)
    if op in ("log", "sqrt"):
        a = a.abs() + 0.01
    if op.endswith("_"):
        # repeated exp_ drives the values to inf; the branch-free kernel costs the same there
        fn = lambda a=a, op=op: getattr(a, op)()
    else:
        f = getattr(lib, op)
        fn = lambda a=a, f=f: f(a)
    reps = args.reps if n < 1_000_000 else max(10, args.reps // 2)
    t = bench(fn, reps)
    results[name] = t
    print(f"{name:20s} {t:.6f} s  {n / t / 1e9:6.2f} Gelem/s", flush=True)

if args.json:
    with open(args.json, "w") as f:
        json.dump({"lib": lib.__name__, "results": results}, f)
if args.compare:
    with open(args.compare) as f:
        other = json.load(f)
    print(f"\nratio = {other['lib']} time / {lib.__name__} time")
    for name, t in results.items():
        if name in other["results"]:
            print(f"{name:20s} {other['results'][name] / t:5.2f}x")
