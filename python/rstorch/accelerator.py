"""`rstorch.accelerator`: torch.accelerator's device-generic namespace (torch 2.6+), so scripts
written as `device = torch.accelerator.current_accelerator() if torch.accelerator.is_available()
else torch.device("cpu")` run unchanged.

rstorch's accelerator is its wgpu GPU backend (served under torch's "cuda" name as well, see
`rstorch.cuda`). Until that backend is built into rstorch there is none: `current_accelerator()`
is None, `is_available()` False and `device_count()` 0, as in a CPU-only torch build, and the
calls that need a device raise torch's kind of RuntimeError."""

import warnings

from . import cuda as _cuda

__all__ = [
    "current_accelerator", "current_device_idx", "current_device_index", "device_count", "device_index",
    "empty_cache", "get_memory_info", "is_available", "max_memory_allocated", "max_memory_reserved",
    "memory_allocated", "memory_reserved", "memory_stats", "reset_accumulated_memory_stats",
    "reset_peak_memory_stats", "set_device_idx", "set_device_index", "synchronize",
]


def _no_accelerator(*args):
    raise RuntimeError("No accelerator is available: rstorch's wgpu GPU backend is not built into this "
                       "rstorch yet")


def current_accelerator(check_available=False):
    """The accelerator's device type as a `device` (no index), or None when there is none."""
    return None


def is_available():
    return current_accelerator() is not None and _cuda.is_available()


def device_count():
    return 0 if current_accelerator() is None else _cuda.device_count()


def current_device_index():
    _no_accelerator()


def current_device_idx():
    warnings.warn("Use `current_device_index` instead.", FutureWarning, stacklevel=2)
    return current_device_index()


def set_device_index(device, /):
    _no_accelerator()


def set_device_idx(device, /):
    warnings.warn("Use `set_device_index` instead.", FutureWarning, stacklevel=2)
    return set_device_index(device)


def synchronize(device=None, /):
    _no_accelerator()


class device_index:
    """Context manager selecting accelerator device `device` (None: no switch) for its body."""

    def __init__(self, device, /):
        self.idx = device

    def __enter__(self):
        if self.idx is not None:
            _no_accelerator()

    def __exit__(self, *exc_info):
        return None


def empty_cache():
    """Releases cached accelerator memory; nothing to release without an accelerator."""
    return None


def _device_statistic(device=None, /):
    _no_accelerator()


# the memory statistics all need a device
get_memory_info = memory_allocated = max_memory_allocated = memory_reserved = max_memory_reserved = \
    memory_stats = reset_accumulated_memory_stats = reset_peak_memory_stats = _device_statistic
