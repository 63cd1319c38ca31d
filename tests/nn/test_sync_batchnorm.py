"""SyncBatchNorm across two ranks (tests/syncbn_worker.py under rstorch.distributed.run): the
statistics of the whole batch, checked against one BatchNorm over it in float64. The one-process
behaviour (BatchNorm's, torch's numbers) is in nn_cases_extra.py."""

import os
import pathlib
import subprocess
import sys

import pytest

import rstorch

pytest.importorskip("mpi4py", reason="rstorch.distributed needs mpi4py (pip install '.[distributed]')")

TESTS = pathlib.Path(__file__).resolve().parents[1]


def test_sync_batchnorm_two_ranks():
    pkg = pathlib.Path(rstorch.__file__).resolve().parent.parent  # the rstorch under test (source or wheel)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(pkg)] + ([os.environ["PYTHONPATH"]]
                                                                     if os.environ.get("PYTHONPATH") else [])),
               OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    p = subprocess.run([sys.executable, "-m", "rstorch.distributed.run", "--nproc-per-node", "2",
                        str(TESTS / "syncbn_worker.py")], env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "OK 0" in p.stdout and "OK 1" in p.stdout, p.stdout + p.stderr
