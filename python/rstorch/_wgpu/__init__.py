"""rstorch's wgpu runtime: the device, a size-class buffer pool, WGSL pipelines and batched
dispatch, under the `wgpu` device (and, later, torch's `cuda` name). See docs/GPU.md.

Nothing here imports wgpu-py or opens an adapter at `import rstorch`: this package is light, and
the heavy modules (`adapters`, `device`, `pool`, `kernels`, `elementwise`) load on the first
call that needs a device (`runtime()`, `is_available()`, `device_count()`...). Opening the device
costs ~0.5 s on lavapipe.

Adapter choice. All adapters wgpu-native enumerates are ranked: discrete GPU, then integrated
GPU, then virtual GPU, then CPU/software adapters (lavapipe, WARP, llvmpipe), then unknown kinds;
within a kind Vulkan, then Metal, then DX12, then GL. The same physical device reached through two
backends is listed once (its best backend). `wgpu:0` is the first adapter of that list.
Two environment variables, read when the runtime first enumerates, pick another:

- `RSTORCH_WGPU_BACKEND=vulkan|metal|dx12|gl` keeps only adapters of that backend (GL adapters
  are enumerated only when asked for this way or when no primary-backend adapter exists).
- `RSTORCH_WGPU_ADAPTER=<index>` keeps only the adapter at that position of the ranked list;
  `RSTORCH_WGPU_ADAPTER=<text>` keeps the adapters whose device name or description contains
  the text (case-insensitive), e.g. `RSTORCH_WGPU_ADAPTER=llvmpipe` or `=nvidia`.

A value that matches nothing leaves no device (`is_available()` is False and `runtime()` raises
RuntimeError naming the adapters there are).
"""

import threading

__all__ = ["OutOfMemoryError", "runtime", "is_available", "device_count", "adapter_list", "is_initialized"]


class OutOfMemoryError(RuntimeError):
    """Raised when an allocation on the wgpu device goes past what the device can give or what
    `set_per_process_memory_fraction` allows (torch.cuda.OutOfMemoryError's counterpart: also a
    RuntimeError)."""


_lock = threading.RLock()
_runtimes = {}
_adapters = None  # the ranked, filtered list of adapters (adapters.AdapterEntry), once enumerated
_enumerate_error = None


def adapter_list():
    """The ranked adapter list (enumerated once, on first call); [] when wgpu-py or every driver
    is missing. Never raises."""
    global _adapters, _enumerate_error
    if _adapters is None:
        with _lock:
            if _adapters is None:
                try:
                    from . import adapters
                    _adapters = adapters.enumerate_ranked()
                except Exception as e:  # noqa: BLE001 - no wgpu-py, no driver, a broken ICD...
                    _enumerate_error = f"{type(e).__name__}: {e}"
                    _adapters = []
    return _adapters


def unavailable_reason():
    """Why there is no adapter (for skip reasons and error messages), or None when there is one."""
    if adapter_list():
        return None
    if _enumerate_error:
        return _enumerate_error
    from . import adapters
    return adapters.no_adapter_reason()


def is_available():
    return bool(adapter_list())


def device_count():
    return len(adapter_list())


def is_initialized():
    return bool(_runtimes)


def runtime(index=0):
    """The runtime of device `wgpu:index`, opened on first use (device, pool, pipelines)."""
    rt = _runtimes.get(index)
    if rt is not None:
        return rt
    with _lock:
        rt = _runtimes.get(index)
        if rt is None:
            from .device import Runtime
            entries = adapter_list()
            if not 0 <= index < len(entries):
                if not entries:
                    raise RuntimeError(f"no wgpu adapter: {unavailable_reason()}")
                raise RuntimeError(f"wgpu device index {index} is out of range: there are {len(entries)} "
                                   f"adapter(s) ({', '.join(e.name for e in entries)})")
            rt = _runtimes[index] = Runtime(entries[index], index)
    return rt
