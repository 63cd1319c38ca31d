"""all_reduce of 100 MB (float32) through rstorch.distributed vs mpi4py's own Allreduce on the same
buffer. Run: mpiexec -n 2 python benchmarks/dist_bench.py"""

import time

import numpy as np
from mpi4py import MPI

import rstorch as torch
import rstorch.distributed as dist

dist.init_process_group("mpi")
t = torch.ones(25 * 1024 * 1024)  # 100 MB
a = t.numpy()
comm = MPI.COMM_WORLD


def best(f, n=5):
    f()
    ts = []
    for _ in range(n):
        comm.Barrier()
        s = time.perf_counter()
        f()
        ts.append(time.perf_counter() - s)
    return min(ts)


r = best(lambda: dist.all_reduce(t))
m = best(lambda: comm.Allreduce(MPI.IN_PLACE, a, op=MPI.SUM))
if dist.get_rank() == 0:
    print(f"all_reduce 100 MB, 2 ranks: rstorch {r * 1e3:.1f} ms, mpi4py Allreduce {m * 1e3:.1f} ms, ratio {r / m:.2f}")
