"""Run under `mpiexec -n 2` by tests/test_distributed.py: every collective checked against numpy,
DDP against a single-process full-batch step, no_sync accumulation, error cases. Prints OK <mode>."""

import datetime
import sys

import numpy as np

import rstorch as torch
import rstorch.distributed as dist
from rstorch import nn

mode = sys.argv[1]
if mode == "die_remote":  # 3 ranks on two pretend hosts: ranks 0, 1 on "hostA", rank 2 on "hostB"
    import socket
    from mpi4py import MPI
    socket.gethostname = lambda: "hostA" if MPI.COMM_WORLD.Get_rank() < 2 else "hostB"
dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=5))
r, w = dist.get_rank(), dist.get_world_size()
rng = np.random.default_rng(0)
data = rng.standard_normal((w, 6))  # every rank knows every rank's input


def close(t, ref):
    np.testing.assert_allclose(t.numpy(), ref, rtol=1e-12, atol=1e-12)


if mode == "collectives":
    T = lambda a: torch.tensor(a, dtype=torch.float64)
    for op, f in [(dist.ReduceOp.SUM, np.sum), (dist.ReduceOp.AVG, np.mean), (dist.ReduceOp.MIN, np.min),
                  (dist.ReduceOp.MAX, np.max), (dist.ReduceOp.PRODUCT, np.prod)]:
        x = T(data[r]); dist.all_reduce(x, op=op); close(x, f(data, axis=0))
        x = T(data[r]); dist.reduce(x, dst=1, op=op)
        close(x, f(data, axis=0) if r == 1 else data[r])
    x = T(data[r]); work = dist.all_reduce(x, async_op=True); work.wait(); assert work.is_completed()
    close(x, data.sum(0))
    x = T(data[r]); dist.broadcast(x, src=1); close(x, data[1])
    out = [torch.zeros(6, dtype=torch.float64) for _ in range(w)]; dist.all_gather(out, T(data[r]))
    for k in range(w): close(out[k], data[k])
    o = torch.zeros(w, 6, dtype=torch.float64); dist.all_gather_into_tensor(o, T(data[r])); close(o, data)
    g = [torch.zeros(6, dtype=torch.float64) for _ in range(w)] if r == 0 else None
    dist.gather(T(data[r]), g, dst=0)
    if r == 0:
        for k in range(w): close(g[k], data[k])
    big = rng.standard_normal((w, w, 6))  # big[src][dst]
    x = torch.zeros(6, dtype=torch.float64)
    dist.scatter(x, [T(big[0][k]) for k in range(w)] if r == 0 else None, src=0); close(x, big[0][r])
    x = torch.zeros(6, dtype=torch.float64)
    dist.reduce_scatter(x, [T(big[r][k]) for k in range(w)]); close(x, big[:, r].sum(0))
    x = torch.zeros(6, dtype=torch.float64)
    dist.reduce_scatter_tensor(x, T(big[r].ravel())); close(x, big[:, r].sum(0))
    outs = [torch.zeros(6, dtype=torch.float64) for _ in range(w)]
    dist.all_to_all(outs, [T(big[r][k]) for k in range(w)])
    for k in range(w): close(outs[k], big[k][r])
    if r == 0:
        dist.send(T(data[0]), dst=1)
        dist.send(T(data[0] * 2), dst=1, tag=3)
    else:
        x = torch.zeros(6, dtype=torch.float64); assert dist.recv(x, src=0) == 0; close(x, data[0])
        x = torch.zeros(6, dtype=torch.float64); assert dist.recv(x, tag=3) == 0; close(x, data[0] * 2)  # any source
    if r == 1:
        dist.send(T(data[1]), dst=0)
    else:
        x = torch.zeros(6, dtype=torch.float64); assert dist.recv(x) == 1; close(x, data[1])
    x = torch.zeros(6, dtype=torch.float64)
    works = [dist.isend(T(data[r]), dst=1 - r), dist.irecv(x, src=1 - r)]
    for wk in works: wk.wait()
    close(x, data[1 - r])
    objs = [{"a": 1}, [2, 3]] if r == 0 else [None, None]
    dist.broadcast_object_list(objs, src=0); assert objs == [{"a": 1}, [2, 3]]
    o = [None] * w; dist.all_gather_object(o, ("rank", r)); assert o == [("rank", k) for k in range(w)]
    i = torch.tensor([r + 1, 10 * r], dtype=torch.int64); dist.all_reduce(i); assert i.tolist() == [3, 10]
    g1 = dist.new_group([1])
    if r == 1:
        assert dist.get_world_size(g1) == 1 and dist.get_rank(g1) == 0
        x = T(data[1]); dist.all_reduce(x, group=g1); close(x, data[1])
    dist.barrier()
    try:
        dist.all_reduce(T(data[r])[::2])
        raise AssertionError("non-contiguous accepted")
    except ValueError as e:
        assert "contiguous" in str(e)
    assert dist.get_backend() == "mpi"
    # DistributedSampler takes num_replicas and rank from the group: torch's recorded share for this rank
    import json, pathlib
    from rstorch.utils.data import DistributedSampler
    rec = json.loads((pathlib.Path(__file__).parent / "data" / "distributed_sampler.json").read_text())
    s = DistributedSampler(range(11), seed=42)
    s.set_epoch(3)
    assert (s.num_replicas, s.rank) == (w, r)
    assert {"len": len(s), "indices": list(s)} == rec["cases"]["11,2,True,False,42,3"][r]
elif mode in ("ddp", "nosync"):
    torch.manual_seed(1 + r)  # different init on each rank: DDP must broadcast rank 0's
    model = nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3)).double()
    torch.manual_seed(1)
    ref = nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3)).double()
    ddp = nn.parallel.DistributedDataParallel(model, bucket_cap_mb=0.0001)  # tiny cap: several buckets
    assert len(ddp._buckets) > 1
    for p, q in zip(model.parameters(), ref.parameters()):
        close(p.detach(), q.detach().numpy())
    X = torch.tensor(rng.standard_normal((3, 8, 5)))  # 3 micro-steps x (w=2 ranks x 4)
    Y = torch.tensor(rng.standard_normal((3, 8, 3)))
    if mode == "ddp":
        # 3 synced steps: the first with the construction buckets, then rebuilt in gradient-ready order
        first = [[id(p) for p in b] for b in ddp._buckets]
        for s in range(3):
            model.zero_grad()
            ref.zero_grad()
            xs, ys = X[s, 4 * r:4 * r + 4], Y[s, 4 * r:4 * r + 4]
            ((ddp(xs) - ys) ** 2).mean().backward()
            ((ref(X[s]) - Y[s]) ** 2).mean().backward()  # full batch: mean over 8 = average of the ranks' means
            for p, q in zip(model.parameters(), ref.parameters()):
                np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10, atol=1e-12)
            assert ddp._rebuilt and sorted(map(id, sum(ddp._buckets, []))) == sorted(map(id, model.parameters()))
        # the gradients became ready in reverse construction order (each layer's bias and weight
        # right after its backward, as torch's engine delivers them): the rebuild kept the buckets
        assert [[id(p) for p in b] for b in ddp._buckets] == first
    else:
        for s in range(3):
            xs, ys = X[s, 4 * r:4 * r + 4], Y[s, 4 * r:4 * r + 4]
            if s < 2:
                with ddp.no_sync():
                    ((ddp(xs) - ys) ** 2).mean().backward()
            else:
                ((ddp(xs) - ys) ** 2).mean().backward()
            ((ref(X[s]) - Y[s]) ** 2).mean().backward()
        for p, q in zip(model.parameters(), ref.parameters()):
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert list(ddp.state_dict())[0].startswith("module.")
elif mode == "mismatch":
    x = torch.ones(4)
    if r == 0:
        try:
            dist.all_reduce(x)
        except RuntimeError as e:
            print("CAUGHT", e, flush=True)
            assert "all_reduce" in str(e) and "Rank 0" in str(e)
    else:
        pass  # rank 1 skips the collective
    dist.destroy_process_group()
    sys.stdout.write(f"OK {mode} {r}\n"); sys.stdout.flush()
    sys.exit(0)
elif mode in ("die", "die_remote"):
    # the dying rank leaves without a word; the others' next collective must name it, well within the timeout
    import os
    import time
    x = torch.ones(4)
    dist.all_reduce(x)
    if r == 1:
        os._exit(3)
    t = time.monotonic()
    try:
        dist.all_reduce(x)
    except RuntimeError as e:
        print(f"CAUGHT rank {r} after {time.monotonic() - t:.2f} s: {e}", flush=True)
        raise  # uncaught: the process must still exit (no MPI_Finalize waiting for the dead rank)
    raise AssertionError("all_reduce with a dead rank returned")
elif mode == "raise":
    # rank 1 fails with a Python exception: it leaves at once, and rank 0's collective names it
    import time
    dist.all_reduce(torch.ones(4))
    if r == 1:
        raise ValueError("rank 1 fails on purpose")
    t = time.monotonic()
    try:
        dist.all_reduce(torch.ones(4))
    except RuntimeError as e:
        print(f"CAUGHT rank {r} after {time.monotonic() - t:.2f} s: {e}", flush=True)
        raise
elif mode == "die_late":
    # rank 1 dies after the last collective: rank 0 finishes its work, and its exit must not hang
    dist.all_reduce(torch.ones(4))
    if r == 1:
        import os
        os._exit(3)
sys.stdout.write(f"OK {mode} {r}\n"); sys.stdout.flush()
