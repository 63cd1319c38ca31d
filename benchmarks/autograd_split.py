"""Per-op split of peer_bench small_op_autograd_overhead: no grad, forward, forward + backward.

usage: python benchmarks/autograd_split.py LIB   (LIB = rstorch or torch; us per op, best-of-runs)
"""
import sys, time, importlib
torch = importlib.import_module(sys.argv[1])
a = torch.randn(8, requires_grad=True); b = torch.randn(8)
def fwd():
    x = a
    for _ in range(200): x = x * b + a
    return x.sum()
def f():
    fwd().backward()
def nograd():
    with torch.no_grad():
        fwd()
def best(fn, n=30):
    for _ in range(3): fn()
    ts=[]
    for _ in range(n):
        t=time.perf_counter(); fn(); ts.append(time.perf_counter()-t)
    ts.sort(); return ts[len(ts)//5]*1e6
F=best(fwd); T=best(f); N=best(nograd)
print(f"{sys.argv[1]}: nograd {N/401:.2f} fwd {F/401:.2f} fwd+bwd {T/401:.2f} -> bwd {(T-F)/401:.2f} us/op")
