"""`rstorch.cuda`: torch.cuda's namespace, so the everyday device-selection lines run unchanged
(`device = "cuda" if torch.cuda.is_available() else "cpu"`). The "cuda" device is rstorch's wgpu
GPU device under torch's name (rstorch.wgpu): `is_available()` is True only when wgpu finds a
hardware GPU adapter (discrete, integrated or virtual; the ranked adapter list puts them first,
so cuda device i is wgpu device i), so a script never lands on a software rasteriser (lavapipe)
by accident; an explicit `.cuda()` / `device="cuda"` still takes a software adapter. Without a
hardware adapter the seeding and cache calls are the no-ops torch makes of them and every call
that needs a device raises torch's "No CUDA GPUs are available" RuntimeError; with one they
act on the wgpu device (memory statistics, synchronize, properties, the memory fraction)."""

from types import SimpleNamespace

from .. import _device, _wgpu

_state = {"current": 0}


def _hardware_count():
    """The number of hardware GPU adapters (enumerates adapters on first call; never raises)."""
    try:
        return sum(1 for e in _wgpu.adapter_list() if not e.is_software)
    except Exception:  # noqa: BLE001 - "is there a GPU" must answer, not fail
        return 0


def _no_device():
    raise RuntimeError("No CUDA GPUs are available: rstorch's 'cuda' device is its wgpu backend, and "
                       "wgpu found no hardware GPU adapter (a software adapter such as lavapipe is "
                       "used only when asked for explicitly: device='wgpu' or .cuda())")


def _index(device=None):
    """The wgpu index of a cuda device argument (None: the current device); raises without a GPU."""
    count = _hardware_count()
    if count == 0:
        _no_device()
    if device is None:
        return _state["current"]
    if isinstance(device, int) and not isinstance(device, bool):
        index = device
    else:
        d = device if isinstance(device, _device.device) else _device.device(device)
        if d.type not in ("cuda", "wgpu"):
            raise ValueError(f"Expected a cuda device, but got: {d}")
        index = _state["current"] if d.index is None else d.index
    if not 0 <= index < count:
        raise RuntimeError(f"CUDA error: invalid device ordinal (device {index}; there are {count} GPU(s))")
    return index


def _wgpu_ns():
    from .. import wgpu
    return wgpu


def is_available():
    return _hardware_count() > 0


def is_initialized():
    return _hardware_count() > 0 and _wgpu.is_initialized()


def init():
    _wgpu.runtime(_index())


def device_count():
    return _hardware_count()


def current_device():
    return _index()


def set_device(device):
    _state["current"] = _index(device)


def get_device_name(device=None):
    return _wgpu_ns().get_device_name(_index(device))


def get_device_capability(device=None):
    """(major, minor): a wgpu device has no CUDA compute capability; (0, 0) says so (scripts that
    gate features on it take the conservative path)."""
    _index(device)
    return (0, 0)


def get_device_properties(device=None):
    """torch's fields that exist here (name, total_memory, multi_processor_count unknown: 0) plus
    the wgpu device's own (type, backend, features, limits)."""
    p = _wgpu_ns().get_device_properties(_index(device))
    return SimpleNamespace(name=p.name, total_memory=p.total_memory, major=0, minor=0, multi_processor_count=0,
                           is_integrated=p.type == "IntegratedGPU", type=p.type, backend=p.backend,
                           features=p.features, limits=p.limits)


def synchronize(device=None):
    _wgpu_ns().synchronize(_index(device))


def is_bf16_supported(including_emulation=True):
    return False


# Seeding only records the wish (torch defers it to lazy initialization); wgpu random tensors are
# drawn from the CPU generator today, so there is no GPU stream to seed.
def manual_seed(seed):
    int(seed)


def manual_seed_all(seed):
    int(seed)


def seed():
    pass


def seed_all():
    pass


def _no_gpu_rng():
    _index()
    raise NotImplementedError("rstorch has no GPU random stream yet: random tensors on the wgpu device are "
                              "drawn from the CPU generator (rstorch.get_rng_state)")


def initial_seed():
    _no_gpu_rng()


def get_rng_state(device="cuda"):
    _no_gpu_rng()


def get_rng_state_all():
    return [] if _hardware_count() == 0 else _no_gpu_rng()


def set_rng_state(new_state, device="cuda"):
    _no_gpu_rng()


def set_rng_state_all(new_states):
    for _ in new_states:
        _no_gpu_rng()


def empty_cache():
    _wgpu_ns().empty_cache()  # a no-op before the device is opened


def memory_allocated(device=None):
    return _wgpu_ns().memory_allocated(_index(device))


def max_memory_allocated(device=None):
    return _wgpu_ns().max_memory_allocated(_index(device))


def memory_reserved(device=None):
    return _wgpu_ns().memory_reserved(_index(device))


def max_memory_reserved(device=None):
    return _wgpu_ns().max_memory_reserved(_index(device))


def reset_peak_memory_stats(device=None):
    _wgpu_ns().reset_peak_memory_stats(_index(device))


def set_per_process_memory_fraction(fraction, device=None):
    _wgpu_ns().set_per_process_memory_fraction(fraction, _index(device))


OutOfMemoryError = _wgpu.OutOfMemoryError


class device:
    """`with torch.cuda.device(i):` makes GPU `i` the current device for the block."""

    def __init__(self, device):
        self.idx = device if isinstance(device, int) else _device.device(device).index
        self._prev = None

    def __enter__(self):
        if self.idx is not None and self.idx >= 0:
            self._prev = _state["current"]
            _state["current"] = _index(self.idx)

    def __exit__(self, *exc):
        if self._prev is not None:
            _state["current"] = self._prev
        return False


__all__ = ["is_available", "is_initialized", "init", "device_count", "current_device", "set_device",
           "get_device_name", "get_device_capability", "get_device_properties", "synchronize",
           "is_bf16_supported", "manual_seed", "manual_seed_all", "seed", "seed_all", "initial_seed",
           "get_rng_state", "get_rng_state_all", "set_rng_state", "set_rng_state_all", "empty_cache",
           "memory_allocated", "max_memory_allocated", "memory_reserved", "max_memory_reserved",
           "reset_peak_memory_stats", "set_per_process_memory_fraction", "device", "OutOfMemoryError"]

from . import amp  # noqa: E402,F401  (torch.cuda.amp: the deprecated autocast/GradScaler spellings)
