# Adapted from PyTorch 2.15's torch/utils/data/_utils/signal_handling.py (BSD-3-Clause, Copyright
# (c) Meta Platforms, Inc. and affiliates).
r"""Signal handling for multiprocessing data loading.

NOTE [ Signal handling in multiprocessing data loading ]

In cases like DataLoader, if a worker process dies due to bus error/segfault
or just hang, the main process will hang waiting for data. This is difficult
to avoid on PyTorch side as it can be caused by limited shm, or other
libraries users call in the workers. In this file and `DataLoader.cpp`, we make
our best effort to provide some error message to users when such unfortunate
events happen.

When a _BaseDataLoaderIter starts worker processes, their pids are registered in a
defined in `DataLoader.cpp`: id(_BaseDataLoaderIter) => Collection[ Worker pids ]
via `_set_worker_pids`.

When an error happens in a worker process, the main process receives a SIGCHLD,
and Python will eventually call the handler registered below
(in `_set_SIGCHLD_handler`). In the handler, the `_error_if_any_worker_fails`
call checks all registered worker pids and raises a proper error message to
prevent main process from hanging waiting for data from worker.

Additionally, at the beginning of each worker's `_utils.worker._worker_loop`,
`_set_worker_signal_handlers` is called to register critical signal handlers
(e.g., for SIGSEGV, SIGBUS, SIGFPE, SIGTERM) in C, which just prints an error
message to stderr before triggering the default handler. So a message will also
be printed from the worker process when it is killed by such signals.

See NOTE [ Data Loader Multiprocessing Shutdown Logic ] for the reasoning of
this signal handling design and other mechanism we implement to make our
multiprocessing data loading robust to errors.
"""

import signal
import threading

# Some of the following imported functions are not used in this file, but are to
# be used `_utils.signal_handling.XXXXX`.
import os

# torch does these four in C (DataLoader.cpp); rstorch in Python, with the same messages.
_worker_pids = {}  # id(loader iterator) -> tuple of its workers' pids


def _set_worker_pids(key, pids):
    if key in _worker_pids:
        raise RuntimeError(
            "_set_worker_pids should be called only once for each _BaseDataLoaderIter.")
    _worker_pids[key] = tuple(pids)


def _remove_worker_pids(key):
    if _worker_pids.pop(key, None) is None:
        raise RuntimeError("Cannot find worker information for _BaseDataLoaderIter with id " + str(key))


def _error_if_any_worker_fails():
    """Raises RuntimeError when a registered worker has exited with an error or was killed.

    The child is not reaped (WNOWAIT): multiprocessing still collects its exit status."""
    for pids in list(_worker_pids.values()):
        for pid in pids:
            try:
                info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                continue
            if info is None or info.si_pid == 0:
                continue
            if info.si_code == os.CLD_EXITED and info.si_status != 0:
                raise RuntimeError(
                    f"DataLoader worker (pid {pid}) exited unexpectedly with exit code {info.si_status}. "
                    "Details are lost due to multiprocessing. Rerunning with num_workers=0 may give better "
                    "error trace.")
            if info.si_code in (os.CLD_KILLED, os.CLD_DUMPED):
                msg = f"DataLoader worker (pid {pid}) is killed by signal: {signal.strsignal(info.si_status)}. "
                if info.si_status == signal.SIGBUS:
                    msg += ("It is possible that dataloader's workers are out of shared memory. "
                            "Please try to raise your shared memory limit.")
                raise RuntimeError(msg)


def _set_worker_signal_handlers():
    """In a worker: a message on stderr before a fatal signal's default action (torch prints one)."""
    import faulthandler
    import sys
    try:
        faulthandler.enable(file=sys.__stderr__)
    except Exception:
        pass

from ._common import IS_WINDOWS


_SIGCHLD_handler_set = False
r"""Whether SIGCHLD handler is set for DataLoader worker failures. Only one
handler needs to be set for all DataLoaders in a process."""


def _set_SIGCHLD_handler() -> None:
    # Windows doesn't support SIGCHLD handler
    if IS_WINDOWS:
        return
    # can't set signal in child threads
    if not isinstance(threading.current_thread(), threading._MainThread):  # type: ignore[attr-defined]
        return
    global _SIGCHLD_handler_set
    if _SIGCHLD_handler_set:
        return
    previous_handler = signal.getsignal(signal.SIGCHLD)
    if not callable(previous_handler):
        # This doesn't catch default handler, but SIGCHLD default handler is a
        # no-op.
        previous_handler = None

    def handler(signum, frame) -> None:
        # This following call uses `waitid` with WNOHANG from C side. Therefore,
        # Python can still get and update the process status successfully.
        _error_if_any_worker_fails()
        if previous_handler is not None:
            if not callable(previous_handler):
                raise AssertionError("previous_handler is not callable")
            previous_handler(signum, frame)

    signal.signal(signal.SIGCHLD, handler)
    _SIGCHLD_handler_set = True
