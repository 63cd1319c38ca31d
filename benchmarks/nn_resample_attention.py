"""Composite resampling and attention against torch's native kernels, forward+backward, in
alternating pairs in one process (torch, rstorch, torch, rstorch...), one thread each:

    PYTHONPATH=python /root/.cache/rstorch-torch-venv/bin/python benchmarks/nn_resample_attention.py [--pairs 5]

Prints a markdown table: median seconds per call of each library and the median of the per-pair
ratios torch / rstorch (above 1: rstorch faster)."""

import argparse
import statistics
import time

import rstorch
import torch


def cases(lib):
    F = lib.nn.functional
    g = lib.Generator().manual_seed(0)

    def leaf(*shape):
        return lib.randn(*shape, generator=g).requires_grad_(True)

    x = leaf(8, 16, 64, 64)
    grid = (lib.rand(8, 64, 64, 2, generator=g) * 2 - 1).requires_grad_(True)
    q, k, v = leaf(8, 8, 128, 64), leaf(8, 8, 128, 64), leaf(8, 8, 128, 64)
    lib.manual_seed(0)
    mha = lib.nn.MultiheadAttention(256, 8)
    s = leaf(64, 16, 256)
    return {
        "interpolate_nearest_2x": lambda: F.interpolate(x, scale_factor=2).sum().backward(),
        "interpolate_bilinear_2x": lambda: F.interpolate(x, scale_factor=2, mode="bilinear").sum().backward(),
        "interpolate_bicubic_2x": lambda: F.interpolate(x, scale_factor=2, mode="bicubic").sum().backward(),
        "interpolate_area_half": lambda: F.interpolate(x, scale_factor=0.5, mode="area").sum().backward(),
        "grid_sample_bilinear": lambda: F.grid_sample(x, grid, align_corners=False).sum().backward(),
        "grid_sample_bicubic": lambda: F.grid_sample(x, grid, mode="bicubic", align_corners=False).sum().backward(),
        "sdpa_8x8x128x64": lambda: F.scaled_dot_product_attention(q, k, v).sum().backward(),
        "mha_256_8h_seq64_b16": lambda: mha(s, s, s)[0].sum().backward(),
    }


def timeit(fn, reps):
    fn()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t0) / reps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(1)
    rstorch.set_num_threads(1)
    tc, rc = cases(torch), cases(rstorch)
    print("| case | torch s | rstorch s | torch/rstorch |")
    print("|---|---|---|---|")
    for name in tc:
        ts, rs, ratios = [], [], []
        for _ in range(args.pairs):
            t = timeit(tc[name], args.reps)
            r = timeit(rc[name], args.reps)
            ts.append(t)
            rs.append(r)
            ratios.append(t / r)
        print(f"| {name} | {statistics.median(ts):.4f} | {statistics.median(rs):.4f} | "
              f"{statistics.median(ratios):.2f} |", flush=True)


if __name__ == "__main__":
    main()
