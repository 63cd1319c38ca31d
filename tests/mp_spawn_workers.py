"""Functions that tests/test_mp_spawn.py runs in child processes (importable by the spawned
interpreter, which unpickles them by module name)."""

import os
import signal
import sys
import time


def write_result(rank, out_dir, scale):
    import rstorch
    t = rstorch.arange(4, dtype=rstorch.float64) * scale + rank
    with open(os.path.join(out_dir, f"rank{rank}.txt"), "w") as f:
        f.write(f"{rank} {os.getpid()} {t.sum().item()}")


def put_tensor(rank, queue, done):
    import rstorch
    queue.put((rank, rstorch.full((2, 2), float(rank))))
    done.wait(60)  # a tensor's shared memory travels as a descriptor the sender must still hold


def raise_on_rank1(rank):
    if rank == 1:
        raise ValueError(f"bad rank {rank}")
    time.sleep(60)  # stopped by the parent once rank 1 fails


def kill_self(rank):
    os.kill(os.getpid(), signal.SIGKILL)


def exit_on_rank1(rank, code):
    if rank == 1:
        sys.exit(code)
    time.sleep(60)


def sleep_then_exit(rank, seconds):
    time.sleep(seconds)
