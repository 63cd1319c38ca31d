"""`rstorch.multiprocessing`, like `torch.multiprocessing`: Python's multiprocessing, with the
tensor reduction registered, so a tensor put on a multiprocessing Queue or passed to a Process
goes through shared memory (its storage is moved there, `Tensor.share_memory_()`, and the
receiving process maps the same memory from a file descriptor) instead of being pickled by value.

Only torch's default "file_descriptor" sharing strategy exists.

`spawn` / `start_processes` (spawn.py) run a function in several processes and raise a child's
failure in the parent, as torch's do.
"""

import multiprocessing
import sys

from multiprocessing import *  # noqa: F401,F403

from .reductions import init_reductions
from .spawn import (ProcessContext, ProcessException, ProcessExitedException, ProcessRaisedException, SpawnContext,
                    spawn, start_processes)

__all__ = ["set_sharing_strategy", "get_sharing_strategy", "get_all_sharing_strategies"]
__all__ += multiprocessing.__all__  # type: ignore[attr-defined]
__all__ += ["spawn", "SpawnContext", "start_processes", "ProcessContext", "ProcessException",
            "ProcessExitedException", "ProcessRaisedException"]

_sharing_strategy = "file_descriptor"
_all_sharing_strategies = {"file_descriptor"}


def set_sharing_strategy(new_strategy):
    if new_strategy not in _all_sharing_strategies:
        raise AssertionError(f"invalid sharing strategy {new_strategy!r}")
    global _sharing_strategy
    _sharing_strategy = new_strategy


def get_sharing_strategy():
    return _sharing_strategy


def get_all_sharing_strategies():
    return _all_sharing_strategies


def _set_thread_name(name):
    if sys.platform.startswith("linux"):
        try:
            with open(f"/proc/self/task/{__import__('threading').get_native_id()}/comm", "w") as f:
                f.write(name[:15])
        except OSError:
            pass


init_reductions()
