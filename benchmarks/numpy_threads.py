"""rstorch's parallel ops with numpy's BLAS busy beside them (issue 19: numpy's OpenBLAS threads
must not spin against rstorch's pool).

After a multi-threaded BLAS call, OpenBLAS keeps its worker threads spinning for a while before
they sleep; on a machine whose cores rstorch's pool also uses, the next rstorch ops share those
cores with spinning threads. rstorch loads numpy lazily with single-threaded BLAS defaults
(python/rstorch/_numpy.py), so there are no such threads. Each mode runs the same loop: a small
numpy matmul, then the rstorch ops, timed alone (median of the reps, ms):

    python benchmarks/numpy_threads.py none     # numpy never imported
    python benchmarks/numpy_threads.py lazy     # numpy loaded by rstorch (x.numpy()): BLAS on 1 thread
    python benchmarks/numpy_threads.py eager    # `import numpy` first: BLAS on every core (as before)

Run each mode in its own process.
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
blas = None
if mode != "none":
    m = torch.randn(256, 256).numpy()  # loads numpy (mode lazy: with rstorch's defaults)
    blas = lambda: m @ m  # noqa: E731

times = {name: [] for name in ops}
for _ in range(reps):
    for name, op in ops.items():
        if blas is not None:
            blas()
        t = time.perf_counter()
        op()
        times[name].append(time.perf_counter() - t)
print(mode, " ".join(f"{name}={statistics.median(ts[3:]) * 1e3:.3f}ms" for name, ts in times.items()))
