"""The issue-11 ratio table: each peer_bench case run in alternating pairs (torch, rstorch,
torch, rstorch...), one fresh process per run, and the median of the per-pair ratios
torch time / rstorch time. Pairs are taken case by case, so a noisy minute spoils one case's
pair, not every case of a whole sweep.

    python benchmarks/ratio_table.py [--pairs 5] [--only a,b] [--torch PYTHON] [--markdown]

TORCH python defaults to ../shared/tools/torch-venv's interpreter; rstorch runs under this
interpreter with PYTHONPATH=python (so build first: release for figures worth quoting).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CASES = [
    ("small_op_overhead", 2.0), ("small_op_autograd_overhead", 1.5), ("matmul_1024", 1.15), ("exp_4M", 1.5),
    ("softmax_4096x1000", 1.2), ("add_4M", 1.0), ("sum_4M", 1.0), ("transpose_copy_2048", 1.0),
    ("add_64K", 1.0), ("mul_64K", 1.0), ("exp_64K", 1.0), ("sum_64K", 1.0),
    ("add_256K", 1.0), ("mul_256K", 1.0), ("exp_256K", 1.0), ("sum_256K", 1.0),
    ("matmul_256", 1.0), ("matmul_128x512x256", 1.0), ("transpose_copy_512", 1.0),
]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER = os.path.join(ROOT, "..", "shared", "tools", "peer_bench.py")


def run(cmd, case, env):
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        subprocess.run(cmd + ["--only", case, "--json", f.name], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return json.load(open(f.name))[case]["s"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--only", default="")
    ap.add_argument("--torch", default=os.environ.get("TORCH_PYTHON", "/root/.cache/rstorch-torch-venv/bin/python"))
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    only = [c for c in args.only.split(",") if c]
    env_t = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env_r = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    torch_cmd = [args.torch, PEER, "torch"]
    rs_cmd = [sys.executable, os.path.join(ROOT, "benchmarks", "peer_bench_rstorch.py")]
    rows = []
    for case, target in CASES:
        if only and case not in only:
            continue
        ts, rs = [], []
        for _ in range(args.pairs):
            ts.append(run(torch_cmd, case, env_t))
            rs.append(run(rs_cmd, case, env_r))
        ratios = [t / r for t, r in zip(ts, rs)]
        med = statistics.median(ratios)
        rows.append((case, statistics.median(ts), statistics.median(rs), ratios, med, target))
        if not args.markdown:
            print(f"{case:28s} torch {statistics.median(ts) * 1e6:9.1f} us  rstorch {statistics.median(rs) * 1e6:9.1f} us  "
                  f"ratios {' '.join(f'{x:.2f}' for x in ratios)}  median {med:.2f}  target {target}  "
                  f"{'met' if med >= target else 'MISSED'}", flush=True)
    if args.markdown:
        print("| case | torch (us) | rstorch (us) | ratios (pairs) | median | target | |")
        print("|---|---:|---:|---|---:|---:|---|")
        for case, t, r, ratios, med, target in rows:
            print(f"| {case} | {t * 1e6:.1f} | {r * 1e6:.1f} | {' '.join(f'{x:.2f}' for x in ratios)} | {med:.2f} | "
                  f">= {target} | {'met' if med >= target else '**missed**'} |")


if __name__ == "__main__":
    main()
