"""rstorch.multiprocessing.spawn / start_processes / ProcessContext, with torch's messages: results
written by the children, a tensor through a queue, a child's exception (traceback included) raised
in the parent, a child killed by a signal, a nonzero exit code, join with a timeout."""

import multiprocessing as std_mp
import os
import pathlib
import sys
import time

import pytest

import rstorch
import rstorch.multiprocessing as mp

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import mp_spawn_workers as W  # noqa: E402


def test_spawn_runs_fn_with_rank_and_args(tmp_path):
    assert mp.spawn(W.write_result, args=(str(tmp_path), 2.0), nprocs=3) is None
    pids = set()
    for rank in range(3):
        r, pid, total = (tmp_path / f"rank{rank}.txt").read_text().split()
        assert int(r) == rank and float(total) == 12.0 + 4 * rank
        pids.add(int(pid))
    assert len(pids) == 3 and os.getpid() not in pids


def test_tensors_come_back_through_a_queue():
    spawn_ctx = std_mp.get_context("spawn")
    q, done = spawn_ctx.SimpleQueue(), spawn_ctx.Event()
    ctx = mp.spawn(W.put_tensor, args=(q, done), nprocs=2, join=False)
    got = dict(q.get() for _ in range(2))
    done.set()
    while not ctx.join():
        pass
    assert sorted(got) == [0, 1]
    assert got[1].tolist() == [[1.0, 1.0], [1.0, 1.0]] and isinstance(got[1], rstorch.Tensor)


def test_child_exception_is_raised_in_parent_with_its_traceback():
    start = time.monotonic()
    with pytest.raises(mp.ProcessRaisedException) as info:
        mp.spawn(W.raise_on_rank1, nprocs=2)
    e = info.value
    msg = str(e)
    assert msg.startswith("\n\n-- Process 1 terminated with the following error:\nTraceback (most recent call last):")
    assert "ValueError: bad rank 1" in msg and "in raise_on_rank1" in msg
    assert e.error_index == 1 and isinstance(e.error_pid, int)
    assert time.monotonic() - start < 30  # the sleeping rank 0 was terminated, not waited for


def test_child_killed_by_signal():
    with pytest.raises(mp.ProcessExitedException, match="^process 0 terminated with signal SIGKILL$") as info:
        mp.spawn(W.kill_self, nprocs=1)
    assert info.value.exit_code == -9 and info.value.signal_name == "SIGKILL" and info.value.error_index == 0


def test_child_nonzero_exit_code():
    with pytest.raises(mp.ProcessExitedException, match="^process 1 terminated with exit code 3$") as info:
        mp.start_processes(W.exit_on_rank1, args=(3,), nprocs=2, start_method="fork")
    assert info.value.exit_code == 3 and info.value.signal_name is None


def test_join_with_timeout_and_pids():
    ctx = mp.spawn(W.sleep_then_exit, args=(1.0,), nprocs=2, join=False)
    assert isinstance(ctx, mp.ProcessContext) and len(ctx.pids()) == 2
    assert ctx.join(timeout=0.01) is False
    deadline = time.monotonic() + 60
    while not ctx.join(timeout=1):
        assert time.monotonic() < deadline
    assert ctx.join() is True and all(p.exitcode == 0 for p in ctx.processes)


def test_spawn_other_start_method_warns_and_exceptions_pickle():
    import pickle
    with pytest.warns(FutureWarning, match="only supports start_method=spawn"):
        mp.spawn(W.sleep_then_exit, args=(0,), nprocs=1, start_method="fork")
    e = pickle.loads(pickle.dumps(mp.ProcessExitedException("m", 1, 2, -15, "SIGTERM")))
    assert (e.msg, e.error_index, e.error_pid, e.exit_code, e.signal_name) == ("m", 1, 2, -15, "SIGTERM")
