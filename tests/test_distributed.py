"""rstorch.distributed over MPI (issue 25): `mpiexec -n 2` runs of tests/dist_worker.py check every
collective against numpy, DDP grads against a single-process full-batch step, no_sync accumulation,
a mismatched collective reported with rank and op within the timeout, a killed rank reported."""

import os
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("mpi4py", reason="rstorch.distributed needs mpi4py (pip install '.[distributed]')")

HERE = pathlib.Path(__file__).resolve().parent
PKG = HERE.parent / "python"


def _run(args, timeout=60):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(PKG)] + ([os.environ["PYTHONPATH"]]
                                                                     if os.environ.get("PYTHONPATH") else [])),
               OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    return subprocess.run([sys.executable, "-m", "rstorch.distributed.run", "--nproc-per-node", "2"] + args,
                          env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("mode", ["collectives", "ddp", "nosync", "mismatch"])
def test_two_ranks(mode):
    p = _run([str(HERE / "dist_worker.py"), mode])
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"OK {mode} 0" in p.stdout and f"OK {mode} 1" in p.stdout, p.stdout + p.stderr
    if mode == "mismatch":
        assert "[Rank 0] Watchdog caught collective operation timeout: all_reduce(SUM, numel=4)" in p.stdout


def test_dead_rank_reported():
    p = _run([str(HERE / "dist_worker.py"), "die"])
    assert p.returncode != 0
    assert "OK die" not in p.stdout
    assert "a rank failed (mpiexec exit status" in p.stderr


def test_not_initialized_errors():
    import rstorch
    import rstorch.distributed as dist
    assert dist.is_available() and not dist.is_initialized()
    with pytest.raises(ValueError, match="Default process group has not been initialized, please make sure to "
                                         "call init_process_group."):
        dist.get_rank()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        dist.all_reduce(rstorch.ones(2))
