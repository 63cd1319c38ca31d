"""DataLoader worker processes: batches come back in shared memory, a worker's exception is
re-raised with its traceback, a killed worker is reported, and no worker outlives its loader
(break, error, garbage collection), checked in the process table."""

import gc
import os
import signal
import time
import warnings

import pytest

import rstorch as torch
from rstorch.utils.data import DataLoader, Dataset, IterableDataset, TensorDataset, get_worker_info


def _child_states():
    """{pid: state letter} of this process's children, from the process table (/proc), without
    multiprocessing's own long-lived helper (the resource tracker that "spawn" starts)."""
    me = os.getpid()
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if int(fields[1]) == me and b"resource_tracker" not in cmdline:
            out[int(pid)] = fields[0]
    return out


def _children():
    """Live (not zombie) child processes of this process."""
    return {pid for pid, state in _child_states().items() if state != "Z"}


def _zombies():
    return {pid for pid, state in _child_states().items() if state == "Z"}


def _wait_no_children(before, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        gc.collect()
        if not (_children() - before) and not (_zombies() - before):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def no_leak():
    before = _children() | _zombies()
    yield
    assert _wait_no_children(before), f"leaked workers: {(_children() | _zombies()) - before}"


def _ds(n=40):
    return TensorDataset(torch.arange(n * 3, dtype=torch.float32).view(n, 3), torch.arange(n))


def test_batches_come_back_in_shared_memory(no_leak):
    loader = DataLoader(_ds(), batch_size=8, num_workers=2)
    batches = list(loader)
    assert [b[1].tolist() for b in batches] == [list(range(i, i + 8)) for i in range(0, 40, 8)]
    for x, y in batches:
        assert x.is_shared() and y.is_shared()
        assert x.is_contiguous() and x.shape == (8, 3) and x.dtype == torch.float32
    assert batches[1][0].tolist() == _ds()[8:16][0].tolist()


def test_same_batches_with_and_without_workers(no_leak):
    got = []
    for workers in (0, 2):
        torch.manual_seed(0)
        got.append([[t.tolist() for t in b] for b in DataLoader(_ds(), batch_size=6, shuffle=True,
                                                                num_workers=workers, drop_last=True)])
    assert got[0] == got[1] and len(got[0]) == 6


class _Failing(Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        if i == 5:
            raise ValueError(f"bad sample {i}")
        return i


def test_worker_exception_reraised_with_traceback(no_leak):
    loader = DataLoader(_Failing(), batch_size=2, num_workers=2)
    with pytest.raises(ValueError) as info:
        for _ in loader:
            pass
    msg = str(info.value)
    assert msg.startswith("Caught ValueError in DataLoader worker process 0.\nOriginal Traceback")
    assert "bad sample 5" in msg and "__getitem__" in msg
    del info, loader


class _KeyFailing(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        raise KeyError("missing")


def test_worker_keyerror_message_readable(no_leak):
    with pytest.raises(KeyError) as info:
        next(iter(DataLoader(_KeyFailing(), num_workers=1)))
    assert "Caught KeyError in DataLoader worker process 0" in str(info.value)
    assert "\\n" not in str(info.value)
    del info


class _Slow(Dataset):
    def __len__(self):
        return 1000

    def __getitem__(self, i):
        info = get_worker_info()
        if info is not None and info.id == 0 and i >= 2:
            time.sleep(0.05)
        return i


def test_killed_worker_is_reported(no_leak):
    loader = DataLoader(_Slow(), batch_size=2, num_workers=2)
    it = iter(loader)
    next(it)
    os.kill(it._workers[0].pid, signal.SIGKILL)
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(?s?\)? ?\d+\)? (is killed by signal: Killed|exited "
                                           r"unexpectedly)"):
        for _ in range(1000):
            next(it)
    del it, loader


def test_timeout(no_leak):
    class Sleepy(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            time.sleep(0.5)
            return i

    it = iter(DataLoader(Sleepy(), num_workers=1, timeout=0.1))
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.1 seconds"):
        next(it)
    del it


def test_break_and_gc_leave_no_workers(no_leak):
    loader = DataLoader(_ds(200), batch_size=2, num_workers=2)
    for i, _ in enumerate(loader):
        if i == 3:
            break
    it = iter(loader)
    next(it)
    pids = [w.pid for w in it._workers]
    del it
    gc.collect()
    for pid in pids:
        assert pid not in _children()


def test_persistent_workers_reused_and_shut_down(no_leak):
    loader = DataLoader(_ds(12), batch_size=4, num_workers=2, persistent_workers=True)
    first = [b[1].tolist() for b in loader]
    pids = [w.pid for w in loader._iterator._workers]
    second = [b[1].tolist() for b in loader]
    assert first == second == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    assert [w.pid for w in loader._iterator._workers] == pids
    del loader


def _init(worker_id):
    info = get_worker_info()
    assert info.id == worker_id and info.num_workers == 2
    info.dataset.start = 100 * (worker_id + 1)


class _Stream(IterableDataset):
    def __init__(self):
        self.start = 0

    def __iter__(self):
        return iter(range(self.start, self.start + 3))


def test_worker_init_fn_and_iterable_replicas(no_leak):
    got = [int(x) for x in DataLoader(_Stream(), batch_size=None, num_workers=2, worker_init_fn=_init)]
    assert got == [100, 200, 101, 201, 102, 202]


def test_multiprocessing_context_spawn_and_errors(no_leak):
    got = [b.tolist() for b in DataLoader(list(range(6)), batch_size=3, num_workers=1,
                                          multiprocessing_context="spawn")]
    assert got == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="multiprocessing_context option should specify a valid start method in"):
        DataLoader(range(3), num_workers=1, multiprocessing_context="bogus")
    with pytest.raises(TypeError, match="multiprocessing_context option should be a valid context object"):
        DataLoader(range(3), num_workers=1, multiprocessing_context=3)
    with pytest.raises(ValueError, match=r"multiprocessing_context can only be used with multi-process loading "
                                         r"\(num_workers > 0\), but got num_workers=0"):
        DataLoader(range(3), multiprocessing_context="fork")


def test_tensor_through_multiprocessing_queue():
    import rstorch.multiprocessing as mp
    ctx = mp.get_context("fork")
    q_in, q_out, done = ctx.Queue(), ctx.Queue(), ctx.Event()
    p = ctx.Process(target=_child_writes, args=(q_in, q_out, done))
    p.start()
    x = torch.arange(10, dtype=torch.float64)[2:8:2]
    q_in.put(x)
    y = q_out.get(timeout=20)
    done.set()  # the sender stays alive until the receiver has the descriptor (as with torch)
    p.join(20)
    assert p.exitcode == 0
    assert x.is_shared()  # moved into shared memory when sent, as torch does
    assert x.tolist() == [-1.0, -1.0, -1.0]  # the child wrote into the same memory
    assert y.tolist() == [-1.0, -1.0, -1.0] and y.stride() == (2,) and y.storage_offset() == 2
    assert y.is_shared() and y.dtype == torch.float64


def _child_writes(q_in, q_out, done):
    t = q_in.get(timeout=20)
    t.fill_(-1.0)
    q_out.put(t)
    done.wait(20)


def test_warns_on_too_many_workers_and_pin_memory():
    with pytest.warns(UserWarning, match="This DataLoader will create 64 worker processes in total"):
        DataLoader(range(3), num_workers=64)
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accelerator is found"):
        list(DataLoader(range(3), pin_memory=True))
