"""Elementwise ops before/after outputs follow their inputs' memory order (issue 19): a + b on
4M and 64K contiguous float32, a tiny `s + 1`, and `x.t() + 1` / `x.t().exp()` on a transposed
2048x2048 float32 tensor. Run it alternately under two builds to compare, e.g.

    for i in 1 2 3; do PYTHONPATH=old python benchmarks/bench_layout.py; PYTHONPATH=python python benchmarks/bench_layout.py; done

Prints the median time of 7 repetitions of each case."""

import time

import rstorch as torch


def median(fn, reps):
    fn()
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        times.append((time.perf_counter() - t0) / reps)
    return sorted(times)[3]


a, b = torch.rand(4 * 1024 * 1024), torch.rand(4 * 1024 * 1024)
x, y = torch.rand(64 * 1024), torch.rand(64 * 1024)
s = torch.rand(10)
t = torch.rand(2048, 2048).t()
print(f"add_4M {median(lambda: a + b, 20) * 1e3:.3f} ms  add_64K {median(lambda: x + y, 2000) * 1e6:.2f} us  "
      f"tiny {median(lambda: s + 1, 20000) * 1e9:.0f} ns  t+1 {median(lambda: t + 1, 10) * 1e3:.2f} ms  "
      f"t.exp {median(lambda: t.exp(), 5) * 1e3:.2f} ms")
