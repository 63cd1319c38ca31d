"""rstorch.distributed over MPI (issue 25): `mpiexec -n 2` runs of tests/dist_worker.py check every
collective against numpy, DDP grads against a single-process full-batch step, no_sync accumulation,
a mismatched collective reported with rank and op within the timeout, a killed rank reported; the
DDP digits demo (examples/train_digits_ddp.py) under the launcher and under plain mpiexec."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

pytest.importorskip("mpi4py", reason="rstorch.distributed needs mpi4py (pip install '.[distributed]')")

import rstorch

HERE = pathlib.Path(__file__).resolve().parent
# the ranks import the rstorch this test imported (the source tree with its built extension, or the
# installed wheel: CI's fresh clone has no extension in python/)
PKG = pathlib.Path(rstorch.__file__).resolve().parent.parent


ENV = dict(os.environ, PYTHONPATH=os.pathsep.join([str(PKG)] + ([os.environ["PYTHONPATH"]]
                                                                if os.environ.get("PYTHONPATH") else [])),
           OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def _run(args, timeout=60, n=2):
    return subprocess.run([sys.executable, "-m", "rstorch.distributed.run", "--nproc-per-node", str(n)] + args,
                          env=ENV, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("mode", ["collectives", "ddp", "nosync", "mismatch"])
def test_two_ranks(mode):
    p = _run([str(HERE / "dist_worker.py"), mode])
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"OK {mode} 0" in p.stdout and f"OK {mode} 1" in p.stdout, p.stdout + p.stderr
    if mode == "mismatch":
        assert "[Rank 0] Watchdog caught collective operation timeout: all_reduce(SUM, numel=4)" in p.stdout


@pytest.mark.parametrize("mode,n", [("die", 2), ("die_remote", 3)])
def test_dead_rank_reported(mode, n):
    # rank 1 exits in the middle (os._exit): every other rank's all_reduce raises, naming rank 1 and the op,
    # long before the 5 s timeout; on rank 1's host by its pid, on the other host (die_remote: ranks 0, 1 on
    # one pretend host, rank 2 on another) by rank 0's message; then every process exits (no hang)
    p = _run([str(HERE / "dist_worker.py"), mode], n=n)
    out = p.stdout + p.stderr
    assert p.returncode != 0, out
    assert f"OK {mode}" not in p.stdout
    assert "a rank failed (mpiexec exit status" in p.stderr
    survivors = [0] if n == 2 else [0, 2]
    for k in survivors:
        m = re.search(rf"CAUGHT rank {k} after ([0-9.]+) s: \[Rank {k}\] all_reduce\(SUM, numel=4\) failed: "
                      rf"rank 1 \(pid \d+ on \S+\) exited \(killed or crashed\)", p.stdout)
        assert m, out
        assert float(m.group(1)) < 2.5, out


def test_rank_raising_is_reported():
    # rank 1's uncaught exception: its traceback, then it exits at once (no exit barrier), so rank 0's
    # all_reduce reports it well within the 5 s timeout
    p = _run([str(HERE / "dist_worker.py"), "raise"])
    out = p.stdout + p.stderr
    assert p.returncode != 0 and "ValueError: rank 1 fails on purpose" in p.stderr, out
    m = re.search(r"CAUGHT rank 0 after ([0-9.]+) s: \[Rank 0\] all_reduce\(SUM, numel=4\) failed: rank 1 "
                  r"\(pid \d+ on \S+\) exited", p.stdout)
    assert m and float(m.group(1)) < 2.5, out


def test_rank_dead_after_the_last_collective():
    # rank 0 finishes normally; MPI_Finalize would wait for rank 1 forever: rank 0 says why and exits 0
    p = _run([str(HERE / "dist_worker.py"), "die_late"], timeout=60)
    out = p.stdout + p.stderr
    assert p.returncode != 0 and "OK die_late 0" in p.stdout, out
    assert re.search(r"\[Rank 0\] rstorch.distributed: rank 1 \(pid \d+ on \S+\) exited; exiting without "
                     r"MPI_Finalize", p.stderr), out


def test_not_initialized_errors():
    import rstorch
    import rstorch.distributed as dist
    assert dist.is_available() and not dist.is_initialized()
    with pytest.raises(ValueError, match="Default process group has not been initialized, please make sure to "
                                         "call init_process_group."):
        dist.get_rank()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        dist.all_reduce(rstorch.ones(2))


# what `torchrun --nproc-per-node 2 examples/train_digits_ddp.py --torch` prints under torch 2.15 (gloo),
# seed 0, 12 epochs: the same split, shares, initial weights and dropout masks give the same curve
TORCH_DDP_EPOCHS = ["epoch  1  train loss 2.0045  val loss 1.2704  val accuracy 57.38%",
                    "epoch  2  train loss 0.7408  val loss 0.4630  val accuracy 85.24%",
                    "epoch  3  train loss 0.3868  val loss 0.2667  val accuracy 92.20%",
                    "epoch  4  train loss 0.2559  val loss 0.1830  val accuracy 94.43%",
                    "epoch  5  train loss 0.1770  val loss 0.1216  val accuracy 97.49%"]


@pytest.mark.slow
def test_train_digits_ddp_reaches_the_single_process_accuracy(tmp_path):
    p = _run([str(HERE.parent / "examples" / "train_digits_ddp.py"), "--out", str(tmp_path)], timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    for line in TORCH_DDP_EPOCHS:
        assert line in p.stdout, p.stdout
    final = float(re.search(r"final validation accuracy ([0-9.]+)% .* on 2 processes", p.stdout).group(1))
    assert final >= 97.5, p.stdout  # the single-process demo: 98.05% (tests/test_examples.py, RESULTS.md)
    assert p.stdout.count("final validation accuracy") == 1  # only rank 0 prints
    import rstorch
    sd = rstorch.load(str(tmp_path / "checkpoint.pt"))["model"]
    assert "conv1.weight" in sd and not any(k.startswith("module.") for k in sd)


def test_train_digits_ddp_under_plain_mpiexec(tmp_path):
    from rstorch.distributed.run import _mpiexec
    p = subprocess.run([_mpiexec(), "-n", "2", sys.executable, str(HERE.parent / "examples" / "train_digits_ddp.py"),
                        "--epochs", "1", "--out", str(tmp_path)], env=ENV, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "on 2 processes" in p.stdout and TORCH_DDP_EPOCHS[0] in p.stdout, p.stdout
