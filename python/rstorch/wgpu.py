"""`rstorch.wgpu`: the wgpu GPU device's namespace (torch.cuda's shape, under rstorch's own
device name; `rstorch.cuda` will map onto it). Importing it is free: wgpu-py is imported and the
adapter opened by the first call that needs them (`is_available()` enumerates adapters, ~0.2 s on
lavapipe; a memory or synchronize call opens the device, ~0.5 s more).

`is_available()` is True for any adapter, software ones (lavapipe, WARP) included; which adapter
is `wgpu:0`, and the RSTORCH_WGPU_ADAPTER / RSTORCH_WGPU_BACKEND overrides, are described in
`rstorch._wgpu`'s docstring (and docs/GPU.md)."""

from types import SimpleNamespace

from . import _wgpu
from ._wgpu import OutOfMemoryError

__all__ = ["OutOfMemoryError", "is_available", "is_initialized", "device_count", "current_device",
           "get_device_name", "get_device_properties", "synchronize", "empty_cache", "memory_allocated",
           "max_memory_allocated", "memory_reserved", "max_memory_reserved", "reset_peak_memory_stats",
           "memory_stats", "set_per_process_memory_fraction", "get_per_process_memory_fraction"]


def is_available():
    """True when wgpu-native finds an adapter (any kind); never raises."""
    try:
        return _wgpu.is_available()
    except Exception:  # noqa: BLE001 - "is there a GPU" must answer, not fail
        return False


def is_initialized():
    return _wgpu.is_initialized()


def device_count():
    try:
        return _wgpu.device_count()
    except Exception:  # noqa: BLE001
        return 0


def current_device():
    return 0


def _index(device):
    if device is None:
        return 0
    if isinstance(device, bool):
        raise TypeError("device must be an int, a string or a device, not bool")
    if isinstance(device, int):
        index = device
    else:
        from ._device import device as _device_type
        d = _device_type(device)
        if d.type not in ("wgpu", "cuda"):
            raise ValueError(f"Expected a wgpu device, but got: {d}")
        index = 0 if d.index is None else d.index
    count = device_count()
    if not 0 <= index < max(count, 1):
        raise RuntimeError(f"Invalid device index {index}: there are {count} wgpu device(s)")
    return index


def _runtime(device=None):
    return _wgpu.runtime(_index(device))


def get_device_name(device=None):
    index = _index(device)
    entries = _wgpu.adapter_list()
    if not entries:
        raise RuntimeError(f"no wgpu adapter: {_wgpu.unavailable_reason()}")
    return entries[index].name


def get_device_properties(device=None):
    """name, type (DiscreteGPU/IntegratedGPU/CPU...), backend, total_memory (and where that
    figure comes from: WebGPU does not report it), the device's features and limits."""
    rt = _runtime(device)
    return SimpleNamespace(name=rt.name, type=rt.entry.adapter_type, backend=rt.entry.backend,
                           is_software=rt.is_software, total_memory=rt.total_memory,
                           total_memory_source=rt.total_memory_source, features=rt.features,
                           limits=dict(rt.limits), adapter_info=dict(rt.adapter_info))


def synchronize(device=None):
    """Submit the queued work and wait for the device to finish it."""
    _runtime(device).synchronize()


def empty_cache():
    """Return the pool's cached (free) buffers to the driver; no-op before the device is opened."""
    for rt in list(_wgpu._runtimes.values()):
        rt.empty_cache()


def _pool(device):
    pool = _runtime(device).pool
    pool.drain()
    return pool


def memory_allocated(device=None):
    return _pool(device).allocated


def max_memory_allocated(device=None):
    return _pool(device).peak


def memory_reserved(device=None):
    return _pool(device).reserved


def max_memory_reserved(device=None):
    return _pool(device).peak_reserved


def reset_peak_memory_stats(device=None):
    _pool(device).reset_peak()


def memory_stats(device=None):
    return _runtime(device).stats()


def set_per_process_memory_fraction(fraction, device=None):
    """Cap this process's pooled memory on the device at `fraction` of its total memory; an
    allocation past it raises OutOfMemoryError (after returning the cache, as torch does)."""
    _pool(device).set_fraction(fraction)


def get_per_process_memory_fraction(device=None):
    return _pool(device).fraction
