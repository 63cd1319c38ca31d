"""Leaf gradient accumulation in a model-like step: 20 leaf parameters w_i, y = sum_i x @ w_i,
y.sum().backward(). Timed with .grad kept between steps (each backward adds into .grad in place)
and with .grad reset to None before each step (the first gradient becomes .grad), for (64, 64)
parameters and for (8, 8) ones (where per-leaf overhead dominates); the forward alone is timed
too, so backward = step - forward.

usage: python benchmarks/accumulate_grad.py [rstorch|torch]   (us per step, best of 7 runs)
"""
import importlib
import sys
import time

name = sys.argv[1] if len(sys.argv) > 1 else "rstorch"
torch = importlib.import_module(name)
torch.manual_seed(0)
if name == "torch":
    torch.set_num_threads(1)


def best(fn, n, runs=7):
    for _ in range(n // 10 + 5):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - t) / n)
    return min(times) * 1e6


for size, n in ((64, 200), (8, 1000)):
    ws = [torch.randn(size, size, requires_grad=True) for _ in range(20)]
    x = torch.randn(size, size)

    def forward():
        y = x @ ws[0]
        for w in ws[1:]:
            y = y + x @ w
        return y.sum()

    def step():
        forward().backward()

    def fresh_step():
        for w in ws:
            w.grad = None
        step()

    f, acc, fresh = best(forward, n), best(step, n), best(fresh_step, n)
    print(f"{name} ({size}x{size}): forward {f:.1f} us; step, .grad kept {acc:.1f} us (backward {acc - f:.1f}); "
          f"step, .grad reset {fresh:.1f} us (backward {fresh - f:.1f})")
