"""rstorch.distributed speed (issue 25). Run: mpiexec -n 2 python benchmarks/dist_bench.py [--only allreduce|ddp]

allreduce: all_reduce of 100 MB (float32) through rstorch.distributed vs mpi4py's own Allreduce on the
same buffer (best of 5).

ddp: one training step of the MLP 784-512-256-10 (batch 128 per rank, SGD) on every rank at once,
the ranks lined up by a barrier before each step; ms over --steps steps (median, or --stat min) of
  local        the plain model, no communication: forward, backward
  sequential   backward, then one all-reduce of all gradients after it (what DDP costs without overlap)
  ddp <cap>    DistributedDataParallel(bucket_cap_mb=cap): buckets all-reduced from the gradient hooks
               while backward goes on; the last hook waits for them
  allreduce    the all-reduce of the gradients alone (535,818 floats, 2.1 MB)
The DDP overhead is its backward minus the local backward; hidden = 1 - overhead / sequential's
overhead (how much of the communication the overlap hid)."""

import argparse
import statistics
import time

import numpy as np
from mpi4py import MPI

import rstorch as torch
import rstorch.distributed as dist
from rstorch import nn

ap = argparse.ArgumentParser()
ap.add_argument("--only", choices=["allreduce", "ddp"])
ap.add_argument("--steps", type=int, default=60)
ap.add_argument("--threads", type=int, default=1, help="rstorch threads per rank")
ap.add_argument("--stat", choices=["median", "min"], default="median",
                help="min: the undisturbed step (on a shared machine the median also has other jobs' time slices)")
ap.add_argument("--caps", default="25,1,0.25", help="DDP bucket_cap_mb values")
args = ap.parse_args()

dist.init_process_group("mpi")
comm = MPI.COMM_WORLD
rank = dist.get_rank()


def say(*a):
    if rank == 0:
        print(*a, flush=True)


def best(f, n=5):
    f()
    ts = []
    for _ in range(n):
        comm.Barrier()
        s = time.perf_counter()
        f()
        ts.append(time.perf_counter() - s)
    return min(ts)


def bench_allreduce():
    t = torch.ones(25 * 1024 * 1024)  # 100 MB
    a = t.numpy()
    r = best(lambda: dist.all_reduce(t))
    m = best(lambda: comm.Allreduce(MPI.IN_PLACE, a, op=MPI.SUM))
    say(f"all_reduce 100 MB, {dist.get_world_size()} ranks: rstorch {r * 1e3:.1f} ms, mpi4py Allreduce "
        f"{m * 1e3:.1f} ms, ratio {r / m:.2f}")


def mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))


def timed_steps(model, step_backward):
    """(forward ms, backward ms) over the steps (--stat: median or min); backward = step_backward(loss)."""
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    g = torch.Generator().manual_seed(rank)
    x = torch.randn(128, 784, generator=g)
    y = torch.randint(0, 10, (128,), generator=g)
    fw, bw = [], []
    for i in range(args.steps + 5):
        opt.zero_grad()
        comm.Barrier()
        t0 = time.perf_counter()
        loss = nn.functional.cross_entropy(model(x), y)
        t1 = time.perf_counter()
        step_backward(loss)
        t2 = time.perf_counter()
        opt.step()
        if i >= 5:  # warm-up
            fw.append(t1 - t0)
            bw.append(t2 - t1)
    stat = min if args.stat == "min" else statistics.median
    return stat(fw) * 1e3, stat(bw) * 1e3


def bench_ddp():
    torch.set_num_threads(args.threads)
    rows = []
    fw, local_bw = timed_steps(mlp(), lambda loss: loss.backward())
    rows.append(("local (no DDP)", fw, local_bw, None))

    model = mlp()
    params = list(model.parameters())

    flat = np.empty(sum(p.numel() for p in params), np.float32)  # one buffer for every step

    def sequential(loss, native=False):
        loss.backward()
        np.concatenate([p.grad.numpy().ravel() for p in params], out=flat)
        if native:
            comm.Allreduce(MPI.IN_PLACE, flat, op=MPI.SUM)
        else:
            dist.all_reduce(torch.from_numpy(flat))
        np.divide(flat, dist.get_world_size(), out=flat)
        off = 0
        with torch.no_grad():
            for p in params:
                k = p.numel()
                p.grad.copy_(torch.from_numpy(flat[off:off + k]).view(p.grad.shape))
                off += k
    fw, bw = timed_steps(model, sequential)
    seq_over = bw - local_bw
    rows.append(("sequential (backward, then all_reduce)", fw, bw, None))
    fw, bw = timed_steps(model, lambda loss: sequential(loss, native=True))
    rows.append(("sequential, mpi4py's blocking Allreduce", fw, bw, bw - local_bw))

    for cap in [float(c) for c in args.caps.split(",")]:
        ddp = nn.parallel.DistributedDataParallel(mlp(), bucket_cap_mb=cap)
        fw, bw = timed_steps(ddp, lambda loss: loss.backward())
        # the buckets as rebuilt after the first backward (gradient-ready order), in launch order
        sizes = [sum(p.numel() * p.element_size() for p in b) / 2 ** 20 for b in ddp._buckets]
        rows.append((f"DDP bucket_cap_mb={cap:g}: {len(sizes)} bucket(s) "
                     f"[{', '.join(f'{s:.2f}' for s in sizes)}] MB", fw, bw, bw - local_bw))

    allg = torch.ones(sum(p.numel() for p in params))
    # timeline of one DDP backward (the default cap, buckets rebuilt after the warm-up): when each
    # bucket's all-reduce is launched from its gradient hook and when the last hook has waited for all
    # of them, from backward's start
    ddp = nn.parallel.DistributedDataParallel(mlp())
    events = []
    launch, finish = ddp._launch, ddp._finish

    def traced_launch(b):
        events.append((f"bucket {b} launched", time.perf_counter()))
        launch(b)

    def traced_finish():
        events.append(("last hook: waits", time.perf_counter()))
        finish()
        events.append(("all reduced", time.perf_counter()))
    ddp._launch, ddp._finish = traced_launch, traced_finish
    lines = []
    for i in range(args.steps + 5):
        del events[:]
        ddp.zero_grad()
        x = torch.randn(128, 784)
        loss = nn.functional.cross_entropy(ddp(x), torch.zeros(128, dtype=torch.int64))
        comm.Barrier()
        t0 = time.perf_counter()
        loss.backward()
        if i >= 5:  # warm-up (and the first backward, before the buckets are rebuilt)
            lines.append([(name, (t - t0) * 1e3) for name, t in events])
    lines.sort(key=lambda ev: ev[-1][1])
    timeline = lines[len(lines) // 2 if args.stat == "median" else 0]

    stat = min if args.stat == "min" else statistics.median
    ar = stat([best(lambda: dist.all_reduce(allg), 1) for _ in range(args.steps)]) * 1e3

    say(f"MLP 784-512-256-10, batch 128 per rank, {dist.get_world_size()} ranks, {args.threads} thread(s) per rank, "
        f"{args.stat} of {args.steps} steps (ms)")
    say(f"| variant | forward | backward | backward - local | hidden |")
    say(f"|---|---:|---:|---:|---:|")
    for name, fw, bw, over in rows:
        if name.startswith("local"):
            say(f"| {name} | {fw:.2f} | {bw:.2f} | | |")
        elif over is None or name.startswith("sequential"):
            say(f"| {name} | {fw:.2f} | {bw:.2f} | {bw - local_bw:.2f} | |")
        else:
            say(f"| {name} | {fw:.2f} | {bw:.2f} | {over:.2f} | {100 * (1 - over / seq_over):.0f}% |")
    say(f"all_reduce of the {allg.numel():,} gradient floats alone: {ar:.2f} ms")
    say("DDP backward timeline (ms from its start; the %s step): " % args.stat
        + ", ".join(f"{name} {t:.2f}" for name, t in timeline))


if args.only in (None, "allreduce"):
    bench_allreduce()
if args.only in (None, "ddp"):
    bench_ddp()
dist.destroy_process_group()
