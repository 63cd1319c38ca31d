r"""Utility classes & functions for data loading. Code in this folder is mostly used by ../dataloader.py.

A lot of multiprocessing is used in data loading, which only supports running
functions defined in global environment (py2 can't serialize static methods).
Therefore, for code tidiness we put these functions into different files in this
folder.
"""

import atexit

# old private location of the ExceptionWrapper that some users rely on:
from ...._utils import ExceptionWrapper  # noqa: F401


from ._common import HAS_NUMPY, IS_WINDOWS, MP_STATUS_CHECK_INTERVAL  # noqa: F401


python_exit_status = False
r"""Whether Python is shutting down. This flag is guaranteed to be set before
the Python core library resources are freed, but Python may already be exiting
for some time when this is set.

Hook to set this flag is `_set_python_exit_flag`, and is inspired by a similar
hook in Python 3.7 multiprocessing library:
https://github.com/python/cpython/blob/d4d60134b29290049e28df54f23493de4f1824b6/Lib/multiprocessing/util.py#L277-L327
"""



def _set_python_exit_flag() -> None:
    global python_exit_status
    python_exit_status = True


atexit.register(_set_python_exit_flag)


from . import collate, fetch, signal_handling, worker  # noqa: E402
