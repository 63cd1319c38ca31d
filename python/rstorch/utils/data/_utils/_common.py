"""Constants the data-loading helpers share (below the modules that use them)."""

import importlib.util
import sys

IS_WINDOWS = sys.platform == "win32"


MP_STATUS_CHECK_INTERVAL = 5.0
r"""Interval (in seconds) to check status of processes to avoid hanging in
    multiprocessing data loading. This is mainly used in getting data from
    another process, in which case we need to periodically check whether the
    sender is alive to prevent hanging."""

# numpy is not imported here (rstorch imports it on first use, rstorch/_numpy.py): only looked up
HAS_NUMPY = importlib.util.find_spec("numpy") is not None
