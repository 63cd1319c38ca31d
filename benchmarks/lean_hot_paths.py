"""The paths issue 19's lean import changed: creation from Python numbers, printing, list
indices, tolist(), ranges. One line per case: best per-call time of `timeit` (us).

    python benchmarks/lean_hot_paths.py [substring ...]      # only the cases whose name has one
    WITH_NUMPY=1 python benchmarks/lean_hot_paths.py          # with numpy imported first
"""
import sys, timeit, os
if os.environ.get("WITH_NUMPY"): import numpy
import rstorch as torch
x100 = torch.randn(100, 100)
x10 = torch.randn(10, 10)
x30 = torch.randn(30, 30)
xi = torch.arange(900).reshape(30, 30)
big = [float(i) for i in range(100000)]
nested = [[float(j) for j in range(100)] for i in range(1000)]
ints = list(range(100000))
idx_t = torch.tensor([0, 2, 5])
mask = x10 > 0
M = torch.randn(1000, 1000)
cases = {
    "tensor([[1.,2.],[3.,4.]])": lambda: torch.tensor([[1., 2.], [3., 4.]]),
    "tensor(3.5)": lambda: torch.tensor(3.5),
    "tensor([1,2,3], dtype=float32)": lambda: torch.tensor([1, 2, 3], dtype=torch.float32),
    "tensor([1,2,3], dtype=int32)": lambda: torch.tensor([1, 2, 3], dtype=torch.int32),
    "tensor(100k floats)": lambda: torch.tensor(big),
    "tensor(1000x100 nested)": lambda: torch.tensor(nested),
    "tensor(100k ints)": lambda: torch.tensor(ints),
    "repr(100x100)": lambda: repr(x100),
    "repr(10x10)": lambda: repr(x10),
    "repr(30x30)": lambda: repr(x30),
    "repr(int 30x30)": lambda: repr(xi),
    "x[[0,2,5]]": lambda: x10[[0, 2, 5]],
    "x[idx_t]": lambda: x10[idx_t],
    "x[0]": lambda: x10[0],
    "x[0, 1:]": lambda: x10[0, 1:],
    "x[mask]": lambda: x10[mask],
    "x[:, [1,3]]": lambda: x10[:, [1, 3]],
    "tolist(10x10)": lambda: x10.tolist(),
    "tolist(1000x1000)": lambda: M.tolist(),
    "arange(6.)": lambda: torch.arange(6.),
    "arange(1e6)": lambda: torch.arange(1000000),
    "linspace(0,1,100)": lambda: torch.linspace(0, 1, 100),
}
only = sys.argv[1:]
for name, f in cases.items():
    if only and not any(o in name for o in only):
        continue
    t = timeit.Timer(f)
    n, _ = t.autorange()
    best = min(t.repeat(7, n)) / n
    print(f"{name:34s} {best*1e6:10.2f} us")
