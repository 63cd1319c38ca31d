"""rstorch's parallel ops with numpy's BLAS busy beside them (issue 19: numpy's OpenBLAS threads
must not spin against rstorch's pool).

After a multi-threaded BLAS call, OpenBLAS keeps its worker threads spinning for a while before
they sleep; on a machine whose cores rstorch's pool also uses, the next rstorch ops share those
cores with spinning threads. rstorch loads numpy lazily with single-threaded BLAS defaults
(python/rstorch/_numpy.py), so there are no such threads. Each mode runs the same loop: some
other work (a gap), then each rstorch op, timed alone (median of the reps, ms):

    python benchmarks/numpy_threads.py none     # numpy never imported; the gap: 1 ms of Python
    python benchmarks/numpy_threads.py loaded   # numpy loaded by rstorch (x.numpy()), the same gap
    python benchmarks/numpy_threads.py lazy     # numpy loaded by rstorch; the gap: a numpy matmul
                                                # (BLAS on 1 thread)
    python benchmarks/numpy_threads.py eager    # `import numpy` first (BLAS on every core, as when
                                                # rstorch imported numpy at import); the same gap

Run each mode in its own process; `none` vs `loaded` is the cost of numpy being loaded, `lazy`
vs `eager` the cost of numpy's BLAS threads.
"""
import statistics
import sys
import time

mode = sys.argv[1] if len(sys.argv) > 1 else "none"
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 40
if mode == "eager":
    import numpy  # noqa: F401  (before rstorch: numpy's BLAS starts with its own thread count)
import rstorch as torch  # noqa: E402

a = torch.randn(512, 512)
x = torch.randn(4 * 1024 * 1024)
ops = {"matmul_512": lambda: a @ a, "exp_4M": lambda: x.exp(), "add_4M": lambda: x + x, "sum_4M": lambda: x.sum()}


def busy(seconds=1e-3):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


gap = busy
if mode != "none":
    m = torch.randn(256, 256).numpy()  # loads numpy (modes loaded, lazy: with rstorch's defaults)
    if mode != "loaded":
        gap = lambda: m @ m  # noqa: E731

times = {name: [] for name in ops}
for _ in range(reps):
    for name, op in ops.items():
        gap()
        t = time.perf_counter()
        op()
        times[name].append(time.perf_counter() - t)
print(mode, " ".join(f"{name}={statistics.median(ts[3:]) * 1e3:.3f}ms" for name, ts in times.items()))
