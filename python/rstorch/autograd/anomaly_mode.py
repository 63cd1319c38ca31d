"""Anomaly detection (torch.autograd.detect_anomaly / set_detect_anomaly): nodes remember the
traceback of the forward call that made them, errors in backward show it, and a backward that
produces NaN raises naming the node. Process-wide, as in torch."""

import functools
import warnings

from .. import _C

_enabled = False
_check_nan = True


def enabled():
    return _enabled


def is_anomaly_enabled():
    return _enabled


def is_anomaly_check_nan_enabled():
    return _check_nan


def set_anomaly_enabled(enabled, check_nan=True):
    """torch.set_anomaly_enabled: turn anomaly detection on or off (no context manager)."""
    _set(enabled, check_nan)


def _set(mode, check_nan):
    global _enabled, _check_nan
    prev = (_enabled, _check_nan)
    _enabled, _check_nan = bool(mode), bool(check_nan)
    _C._set_anomaly_enabled(_enabled)  # the native recorder leaves ops to Python then
    return prev


class detect_anomaly:
    """Context manager (and decorator) that enables anomaly detection inside it."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and "
                      "should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        self._prev = _set(True, self.check_nan)
        return self

    def __exit__(self, *exc):
        _set(*self._prev)
        return False

    def __call__(self, fn):

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off now; as a context manager, restore it on exit."""

    def __init__(self, mode, check_nan=True):
        self._prev = _set(mode, check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _set(*self._prev)
        return False
