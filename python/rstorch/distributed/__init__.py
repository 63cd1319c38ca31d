"""`rstorch.distributed`: collectives over MPI (mpi4py), the torch.distributed API (docs/DISTRIBUTED.md).

Imported lazily (`rstorch.distributed` on first use). Contiguous CPU tensors go to MPI as their own
memory (`Tensor.numpy()` shares it); other tensors are staged through a host copy. Every blocking
collective is a nonblocking MPI call polled against the group's timeout, so a rank that never joins
is reported (rank, op) instead of hanging; a rank whose process is gone is reported at once (_Health)."""

import atexit
import datetime
import os
import pickle
import socket
import sys
import time

import numpy as np

try:
    from mpi4py import MPI as _MPI
except ImportError:  # pragma: no cover - exercised where mpi4py is missing
    _MPI = None

__all__ = ["is_available", "is_mpi_available", "init_process_group", "is_initialized", "get_rank", "get_world_size",
           "get_backend", "destroy_process_group", "new_group", "barrier", "broadcast", "all_reduce", "reduce",
           "all_gather", "all_gather_into_tensor", "gather", "scatter", "reduce_scatter", "reduce_scatter_tensor",
           "all_to_all", "send", "recv", "isend", "irecv", "broadcast_object_list", "all_gather_object", "ReduceOp",
           "Work", "ProcessGroup", "GroupMember", "Backend"]

_NOT_INIT = "Default process group has not been initialized, please make sure to call init_process_group."
default_pg_timeout = datetime.timedelta(minutes=30)


def is_available():
    return _MPI is not None


def is_mpi_available():
    return _MPI is not None


class Backend(str):
    MPI = "mpi"

    def __new__(cls, name):
        name = str(name).lower()
        if name != "mpi":
            raise ValueError(f"Invalid backend: '{name}' (this build supports only 'mpi')")
        return super().__new__(cls, name)


class ReduceOp:
    class RedOpType(str):
        pass

    SUM = RedOpType("SUM")
    AVG = RedOpType("AVG")
    PRODUCT = RedOpType("PRODUCT")
    MIN = RedOpType("MIN")
    MAX = RedOpType("MAX")


def _mpi_op(op):
    ops = {"SUM": _MPI.SUM, "AVG": _MPI.SUM, "PRODUCT": _MPI.PROD, "MIN": _MPI.MIN, "MAX": _MPI.MAX}
    if op not in ops:
        raise ValueError(f"Unsupported ReduceOp: {op}")
    return ops[op]


class ProcessGroup:
    def __init__(self, comm, ranks, timeout):
        self.comm = comm
        self.ranks = list(ranks)
        self.timeout = timeout

    def rank(self):
        return self.comm.Get_rank()

    def size(self):
        return self.comm.Get_size()


class GroupMember:
    WORLD = None
    NON_GROUP_MEMBER = object()


_default = None


def _pg(group):
    if _default is None:
        raise ValueError(_NOT_INIT)
    if group is None or group is GroupMember.WORLD:
        return _default
    if group is GroupMember.NON_GROUP_MEMBER:
        return None
    return group


def _pid_alive(pid):
    """Whether process `pid` (on this host) still runs: not gone, not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
    except OSError:  # no /proc (macOS): ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return True


_DEAD_TAG = 7
_SPIN_S = 0.05  # how long Work.wait polls without sleeping


class _Health:
    """Which ranks are alive. MPI itself does not tell (a collective with a dead rank just never
    completes), so each rank knows every rank's host and pid (gathered at init), checks the ranks on
    its own host while it waits, and tells all the others when one is gone (a message on a private
    communicator, which every rank also watches while it waits): a dead rank is reported within
    `PERIOD` seconds on its host and one message later elsewhere. A lost host is caught by the
    timeout only."""

    PERIOD = 0.05

    def __init__(self, comm):
        self.comm = comm.Dup()
        self.me = self.comm.Get_rank()
        host = socket.gethostname()
        self.peers = self.comm.allgather((host, os.getpid()))
        # the ranks on this host whose process this one can see (all of them just took part in the
        # allgather; one in another pid namespace, a container, is not visible: treated as remote)
        self.local = [k for k, (h, pid) in enumerate(self.peers) if h == host and k != self.me and _pid_alive(pid)]
        self.dead = None
        self._note = np.full(1, -1, np.int64)
        self._req = self.comm.Irecv(self._note, source=_MPI.ANY_SOURCE, tag=_DEAD_TAG)
        self._sends = []
        self._next = 0.0

    def check(self, now=False):
        """The global rank found dead, or None (looks again at most every PERIOD s unless `now`)."""
        if self.dead is not None:
            return self.dead
        t = time.monotonic()
        if not now and t < self._next:
            return None
        self._next = t + self.PERIOD
        gone = [k for k in self.local if not _pid_alive(self.peers[k][1])]
        if gone:
            self.dead = gone[0]
            note = np.array([self.dead], np.int64)
            for j in range(len(self.peers)):  # tell every other live rank (fire and forget)
                if j != self.me and j not in gone:
                    self._sends.append(self.comm.Isend(note, dest=j, tag=_DEAD_TAG))
        elif self._req.Test():
            self.dead = int(self._note[0])
        return self.dead

    def describe(self, k):
        host, pid = self.peers[k]
        return f"rank {k} (pid {pid} on {host}) exited"


_health = None


def _leave_at_exit():
    """Before MPI_Finalize (which waits for every rank). After an uncaught exception, leave at once
    (status 1, without Finalize). Else meet the other ranks, watching for dead ones: if one is gone
    (or they do not all come within the timeout), Finalize would wait forever: say so and leave
    without it (status 0)."""
    h = _health
    if h is None:
        return
    if getattr(sys, "last_value", None) is not None or getattr(sys, "last_exc", None) is not None:
        # an uncaught exception (printed above): leave now, so that the ranks waiting for this one in a
        # collective see its process gone and report it, instead of all waiting out the timeout
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)
    why = None
    if h.check(now=True) is None:
        req = h.comm.Ibarrier()
        timeout = (_default.timeout if _default is not None else default_pg_timeout).total_seconds()
        deadline = time.monotonic() + timeout
        while not req.Test():
            if h.check() is not None:
                break
            if time.monotonic() > deadline:
                why = f"the other ranks did not reach the end within {timeout:.0f} s"
                break
            time.sleep(1e-3)
        else:
            return  # everyone is here: MPI_Finalize is safe
    if why is None:
        why = h.describe(h.dead)
    sys.stdout.flush()
    print(f"[Rank {h.me}] rstorch.distributed: {why}; exiting without MPI_Finalize (it would wait for it "
          f"forever)", file=sys.stderr, flush=True)
    os._exit(0)


class Work:
    """The handle of an async collective: `wait()`, `is_completed()`."""

    def __init__(self, reqs, pg, op, after=None, peers=None, statuses=None):
        self._reqs = list(reqs)
        self._pg = pg
        self._op = op
        self._after = after
        self._done = False
        self._peers = peers  # global ranks it waits for (None: the whole group)
        self._statuses = statuses

    def _test(self):
        return _MPI.Request.Testall(self._reqs, self._statuses)

    def is_completed(self):
        if not self._done and self._test():
            self._finish()
        return self._done

    def _dead_peer(self):
        if _health is None:
            return None
        k = _health.check()
        if k is None or k not in (self._pg.ranks if self._peers is None else self._peers):
            return None
        return k

    def _finish(self):
        self._done = True
        if self._after is not None:
            self._after()
            self._after = None

    def wait(self, timeout=None):
        if self._done:
            return True
        timeout = self._pg.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout.total_seconds()
        # poll as MPI's own blocking calls do (each test also drives MPI's progress, which the peers may be
        # waiting on), yielding the core to the other ranks; only after SPIN_S back off with sleeps (a
        # sleep costs a scheduler time slice on a busy machine: sleeping from the start made a DDP step's
        # 1.5 ms all-reduce take 25 ms)
        spin_until = time.monotonic() + _SPIN_S
        sleep = 0.0
        while not self._test():
            now = time.monotonic()
            if now < spin_until:
                os.sched_yield()
                continue
            dead = self._dead_peer()
            if dead is not None:
                raise RuntimeError(f"[Rank {_health.me}] {self._op} failed: {_health.describe(dead)} (killed or "
                                   f"crashed) while this rank waited for it; the process group cannot be used any "
                                   f"more")
            if now > deadline:
                raise RuntimeError(f"[Rank {_default_rank()}] Watchdog caught collective operation timeout: "
                                   f"{self._op} ran for longer than {timeout.total_seconds():.0f} s (some rank did "
                                   f"not join it: it died, or ran a different collective)")
            time.sleep(sleep)
            sleep = min(1e-3, sleep + 1e-5)
        self._finish()
        return True

    def result(self):
        return []


def _default_rank():
    return _default.rank() if _default is not None else -1


def _run(reqs, pg, op, async_op, after=None):
    work = Work(reqs, pg, op, after)
    if async_op:
        return work
    work.wait()
    return None


def _arr(t):
    """(numpy view of t's memory, write-back or None). Contiguous CPU tensors are shared, no copy."""
    from .. import Tensor
    if not isinstance(t, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `tensor` of type torch.Tensor, "
                        f"but got {type(t)} instead.")
    if not t.is_contiguous():
        raise ValueError("Tensors must be contiguous")
    if t.device.type == "cpu":
        return t.detach().numpy(), None
    host = t.detach().cpu().numpy().copy()

    def back():
        from .. import from_numpy
        with _no_grad():
            t.copy_(from_numpy(host))
    return host, back


def _no_grad():
    from .. import no_grad
    return no_grad()


def _chain(*fns):
    fns = [f for f in fns if f is not None]
    if not fns:
        return None

    def run():
        for f in fns:
            f()
    return run


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None, device_id=None):
    global _default
    if _MPI is None:
        raise RuntimeError("Distributed package doesn't have MPI built in (install mpi4py: pip install 'rstorch[distributed]')")
    if _default is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if backend is not None:
        Backend(backend)
    if init_method is not None and not (init_method.startswith("env://") or init_method.startswith("mpi")):
        raise ValueError(f"init_method {init_method!r} is not supported by the MPI backend (use env:// or None)")
    comm = _MPI.COMM_WORLD
    if world_size not in (-1, comm.Get_size()) or rank not in (-1, comm.Get_rank()):
        raise ValueError(f"world_size={world_size}, rank={rank} do not match the MPI world "
                         f"(size {comm.Get_size()}, rank {comm.Get_rank()}); start with mpiexec -n {world_size}")
    timeout = default_pg_timeout if timeout is None else timeout
    env_t = os.environ.get("RSTORCH_DIST_TIMEOUT")
    if env_t:
        timeout = datetime.timedelta(seconds=float(env_t))
    _default = ProcessGroup(comm.Dup(), range(comm.Get_size()), timeout)
    global _health
    if _health is None:
        _health = _Health(comm)
        atexit.register(_leave_at_exit)
    os.environ.setdefault("RANK", str(comm.Get_rank()))
    os.environ.setdefault("LOCAL_RANK", os.environ.get("MPI_LOCALRANKID", os.environ.get("OMPI_COMM_WORLD_LOCAL_RANK", str(comm.Get_rank()))))
    os.environ.setdefault("WORLD_SIZE", str(comm.Get_size()))


def is_initialized():
    return _default is not None


def get_rank(group=None):
    pg = _pg(group)
    return -1 if pg is None else pg.rank()


def get_world_size(group=None):
    pg = _pg(group)
    return -1 if pg is None else pg.size()


def get_backend(group=None):
    _pg(group)
    return "mpi"


def destroy_process_group(group=None):
    global _default
    pg = _pg(group)
    if pg is None:
        return
    if group is None or pg is _default:
        _default = None
    pg.comm.Free()


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False):
    pg = _pg(None)
    ranks = sorted(range(pg.size()) if ranks is None else ranks)
    for r in ranks:
        if not 0 <= r < pg.size():
            raise ValueError(f"Invalid rank {r} for new_group (world size {pg.size()})")
    me = pg.rank()
    color = 0 if me in ranks else _MPI.UNDEFINED
    sub = pg.comm.Split(color, ranks.index(me) if me in ranks else 0)
    if sub == _MPI.COMM_NULL:
        return GroupMember.NON_GROUP_MEMBER
    return ProcessGroup(sub, ranks, timeout or pg.timeout)


def get_global_rank(group, group_rank):
    return _pg(group).ranks[group_rank]


def _group_rank(pg, global_rank, what="rank"):
    if global_rank not in pg.ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group {pg}")
    return pg.ranks.index(global_rank)


def _check_rank(pg, r, name):
    if not 0 <= r < len(_default.ranks):
        raise ValueError(f"Invalid {name} {r} (world size {_default.size()})")
    return _group_rank(pg, r)


def barrier(group=None, async_op=False, device_ids=None):
    pg = _pg(group)
    if pg is None:
        return None
    return _run([pg.comm.Ibarrier()], pg, "barrier", async_op)


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    pg = _pg(group)
    if pg is None:
        return None
    root = group_src if group_src is not None else _check_rank(pg, 0 if src is None else src, "src")
    a, back = _arr(tensor)
    return _run([pg.comm.Ibcast(a, root=root)], pg, f"broadcast(src={root}, numel={a.size})", async_op, back)


def _avg_after(a, pg, op):
    if op == ReduceOp.AVG:
        if a.dtype.kind not in "fc":
            raise ValueError("ReduceOp.AVG is not supported for integer tensors by the MPI backend")

        def div():
            a[...] /= pg.size()
        return div
    return None


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    pg = _pg(group)
    if pg is None:
        return None
    a, back = _arr(tensor)
    mop = _mpi_op(op)
    after = _chain(_avg_after(a, pg, op), back)
    return _run([pg.comm.Iallreduce(_MPI.IN_PLACE, a, op=mop)], pg, f"all_reduce({op}, numel={a.size})", async_op,
                after)


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    pg = _pg(group)
    if pg is None:
        return None
    root = group_dst if group_dst is not None else _check_rank(pg, 0 if dst is None else dst, "dst")
    a, back = _arr(tensor)
    mop = _mpi_op(op)
    if pg.rank() == root:
        req = pg.comm.Ireduce(_MPI.IN_PLACE, a, op=mop, root=root)
        after = _chain(_avg_after(a, pg, op), back)
    else:
        req = pg.comm.Ireduce(a, None, op=mop, root=root)
        after = None
    return _run([req], pg, f"reduce({op}, dst={root})", async_op, after)


def _same(t, ref, what):
    if tuple(t.shape) != tuple(ref.shape) or t.dtype != ref.dtype:
        raise ValueError(f"{what}: every tensor must have the input's shape {tuple(ref.shape)} and dtype {ref.dtype}, "
                         f"got {tuple(t.shape)} {t.dtype}")


def _copy_into(dst_list, flat):
    from .. import from_numpy

    def run():
        with _no_grad():
            for i, t in enumerate(dst_list):
                t.copy_(from_numpy(flat[i]).view(t.shape))
    return run


def all_gather(tensor_list, tensor, group=None, async_op=False):
    pg = _pg(group)
    if pg is None:
        return None
    if len(tensor_list) != pg.size():
        raise ValueError(f"all_gather: tensor_list must have {pg.size()} tensors (the group size), got {len(tensor_list)}")
    for t in tensor_list:
        _same(t, tensor, "all_gather")
    a, _ = _arr(tensor)
    out = np.empty((pg.size(),) + a.shape, a.dtype)
    return _run([pg.comm.Iallgather(a, out)], pg, "all_gather", async_op, _copy_into(tensor_list, out))


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    pg = _pg(group)
    if pg is None:
        return None
    a, _ = _arr(input_tensor)
    o, back = _arr(output_tensor)
    if o.size != a.size * pg.size() or o.dtype != a.dtype:
        raise ValueError(f"output tensor size must be equal to world_size times input tensor size "
                         f"({pg.size()} x {a.size}), got {o.size}")
    return _run([pg.comm.Iallgather(a, o)], pg, "all_gather_into_tensor", async_op, back)


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    pg = _pg(group)
    if pg is None:
        return None
    root = group_dst if group_dst is not None else _check_rank(pg, 0 if dst is None else dst, "dst")
    a, _ = _arr(tensor)
    if pg.rank() == root:
        if gather_list is None or len(gather_list) != pg.size():
            raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
        for t in gather_list:
            _same(t, tensor, "gather")
        out = np.empty((pg.size(),) + a.shape, a.dtype)
        return _run([pg.comm.Igather(a, out, root=root)], pg, "gather", async_op, _copy_into(gather_list, out))
    if gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
    return _run([pg.comm.Igather(a, None, root=root)], pg, "gather", async_op)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    pg = _pg(group)
    if pg is None:
        return None
    root = group_src if group_src is not None else _check_rank(pg, 0 if src is None else src, "src")
    a, back = _arr(tensor)
    if pg.rank() == root:
        if scatter_list is None or len(scatter_list) != pg.size():
            raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
        for t in scatter_list:
            _same(t, tensor, "scatter")
        send = np.stack([_arr(t)[0] for t in scatter_list])
        req = pg.comm.Iscatter(send, a, root=root)
    else:
        if scatter_list:
            raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
        req = pg.comm.Iscatter(None, a, root=root)
    return _run([req], pg, "scatter", async_op, back)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    pg = _pg(group)
    if pg is None:
        return None
    if len(input_list) != pg.size():
        raise ValueError(f"reduce_scatter: input_list must have {pg.size()} tensors, got {len(input_list)}")
    for t in input_list:
        _same(t, output, "reduce_scatter")
    o, back = _arr(output)
    send = np.stack([_arr(t)[0] for t in input_list])
    return _run([pg.comm.Ireduce_scatter_block(send, o, op=_mpi_op(op))], pg, f"reduce_scatter({op})", async_op,
                _chain(_avg_after(o, pg, op), back))


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    pg = _pg(group)
    if pg is None:
        return None
    o, back = _arr(output)
    i, _ = _arr(input)
    if i.size != o.size * pg.size() or i.dtype != o.dtype:
        raise ValueError(f"input tensor must be world_size times the output tensor size ({pg.size()} x {o.size}), "
                         f"got {i.size}")
    return _run([pg.comm.Ireduce_scatter_block(i, o, op=_mpi_op(op))], pg, f"reduce_scatter_tensor({op})", async_op,
                _chain(_avg_after(o, pg, op), back))


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    pg = _pg(group)
    if pg is None:
        return None
    n = pg.size()
    if len(output_tensor_list) != n or len(input_tensor_list) != n:
        raise ValueError(f"all_to_all: both lists must have {n} tensors (the group size)")
    ins = [_arr(t)[0] for t in input_tensor_list]
    outs = [np.empty(t.numel(), _arr(t)[0].dtype) for t in output_tensor_list]
    sc = np.array([a.size for a in ins])
    rc = np.array([a.size for a in outs])
    send = np.concatenate([a.ravel() for a in ins]) if ins else np.empty(0)
    recv = np.empty(int(rc.sum()), outs[0].dtype)
    sd = np.concatenate([[0], np.cumsum(sc)[:-1]])
    rd = np.concatenate([[0], np.cumsum(rc)[:-1]])
    req = pg.comm.Ialltoallv([send, (sc, sd)], [recv, (rc, rd)])
    pieces = [recv[rd[k]:rd[k] + rc[k]] for k in range(n)]
    return _run([req], pg, "all_to_all", async_op, _copy_into(output_tensor_list, pieces))


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    pg = _pg(group)
    peer = group_dst if group_dst is not None else _check_rank(pg, dst, "dst")
    if peer == pg.rank():
        raise ValueError("Invalid destination rank: should not be the same as the rank of the current process.")
    a, _ = _arr(tensor)
    return Work([pg.comm.Isend(a, dest=peer, tag=tag)], pg, f"send(dst={pg.ranks[peer]})", peers=[pg.ranks[peer]])


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    pg = _pg(group)
    peer = _MPI.ANY_SOURCE if src is None and group_src is None else (
        group_src if group_src is not None else _check_rank(pg, src, "src"))
    a, back = _arr(tensor)
    status = _MPI.Status()
    anyone = peer == _MPI.ANY_SOURCE
    return Work([pg.comm.Irecv(a, source=peer, tag=tag)], pg, "recv(src=any)" if anyone else
                f"recv(src={pg.ranks[peer]})", back, peers=None if anyone else [pg.ranks[peer]], statuses=[status])


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    isend(tensor, dst, group, tag, group_dst).wait()


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receives into `tensor`; returns the sender's rank (a global rank, as torch's `recv`)."""
    w = irecv(tensor, src, group, tag, group_src)
    w.wait()
    return w._pg.ranks[w._statuses[0].Get_source()]


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    pg = _pg(group)
    if pg is None:
        return
    root = group_src if group_src is not None else _check_rank(pg, 0 if src is None else src, "src")
    data = np.frombuffer(pickle.dumps(list(object_list)), np.uint8) if pg.rank() == root else None
    n = np.array([0 if data is None else data.size], np.int64)
    Work([pg.comm.Ibcast(n, root=root)], pg, "broadcast_object_list").wait()
    buf = data.copy() if data is not None else np.empty(int(n[0]), np.uint8)
    Work([pg.comm.Ibcast(buf, root=root)], pg, "broadcast_object_list").wait()
    if pg.rank() != root:
        object_list[:] = pickle.loads(buf.tobytes())


def all_gather_object(object_list, obj, group=None):
    pg = _pg(group)
    if pg is None:
        return
    if len(object_list) != pg.size():
        raise ValueError(f"all_gather_object: object_list must have {pg.size()} entries (the group size)")
    data = np.frombuffer(pickle.dumps(obj), np.uint8)
    sizes = np.empty(pg.size(), np.int64)
    Work([pg.comm.Iallgather(np.array([data.size], np.int64), sizes)], pg, "all_gather_object").wait()
    out = np.empty(int(sizes.sum()), np.uint8)
    disp = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    Work([pg.comm.Iallgatherv(data, [out, (sizes, disp)])], pg, "all_gather_object").wait()
    for k in range(pg.size()):
        object_list[k] = pickle.loads(out[disp[k]:disp[k] + sizes[k]].tobytes())


def _default_comm_allreduce(arr, pg):
    """Nonblocking in-place SUM of a numpy array (DDP buckets)."""
    return Work([pg.comm.Iallreduce(_MPI.IN_PLACE, arr, op=_MPI.SUM)], pg, f"all_reduce(DDP bucket, numel={arr.size})")
