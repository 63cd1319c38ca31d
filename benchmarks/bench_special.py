"""Special functions on 1M float32 elements, one thread: best of 5 calls, in ms.

    python benchmarks/bench_special.py rstorch      # from the repository root
    /path/to/torch/python benchmarks/bench_special.py torch
"""
import sys, time
lib = sys.argv[1]
if lib == "torch":
    import torch as t
else:
    sys.path.insert(0, "python"); import rstorch as t
t.set_num_threads(1)
x = t.linspace(0.1, 20, 1_000_000)
for name, f in [("lgamma", t.lgamma), ("digamma", t.digamma), ("i0", t.i0), ("special.i1e", t.special.i1e),
                ("special.erfcx", t.special.erfcx), ("special.bessel_j0", t.special.bessel_j0), ("polygamma(2)", lambda v: t.polygamma(2, v))]:
    f(x)
    best = 1e9
    for _ in range(5):
        s = time.perf_counter(); f(x); best = min(best, time.perf_counter() - s)
    print(f"{name} {best*1e3:.2f}")
