"""`rstorch.cuda`: torch.cuda's namespace, so the everyday device-selection lines run unchanged
(`device = "cuda" if torch.cuda.is_available() else "cpu"`). The "cuda" device is rstorch's wgpu
GPU backend under torch's name; until that backend is built there is no device: `is_available()`
is False, `device_count()` 0, the seeding and cache calls are the no-ops torch makes of them
without a GPU, and every call that needs a device raises torch's kind of `RuntimeError`."""

from .. import _device


def _no_device():
    raise RuntimeError("No CUDA GPUs are available: rstorch's wgpu GPU backend, which serves the "
                       "'cuda' device, is not built into this rstorch yet")


def is_available():
    return False


def is_initialized():
    return False


def init():
    _no_device()


def device_count():
    return 0


def current_device():
    _no_device()


def set_device(device):
    _no_device()


def get_device_name(device=None):
    _no_device()


def get_device_capability(device=None):
    _no_device()


def get_device_properties(device=None):
    _no_device()


def synchronize(device=None):
    _no_device()


def is_bf16_supported(including_emulation=True):
    return False


# Seeding before a device exists only records the wish (torch defers it to lazy initialization);
# with no device there is nothing to seed.
def manual_seed(seed):
    int(seed)


def manual_seed_all(seed):
    int(seed)


def seed():
    pass


def seed_all():
    pass


def initial_seed():
    _no_device()


def get_rng_state(device="cuda"):
    _no_device()


def get_rng_state_all():
    return []


def set_rng_state(new_state, device="cuda"):
    _no_device()


def set_rng_state_all(new_states):
    for _ in new_states:
        _no_device()


def empty_cache():
    pass


def memory_allocated(device=None):
    _no_device()


max_memory_allocated = memory_reserved = max_memory_reserved = memory_allocated


def reset_peak_memory_stats(device=None):
    _no_device()


def set_per_process_memory_fraction(fraction, device=None):
    _no_device()


class device:
    """`with torch.cuda.device(i):`: selects GPU `i` for the block (there is none to select)."""

    def __init__(self, device):
        self.idx = device if isinstance(device, int) else _device.device(device).index

    def __enter__(self):
        if self.idx is not None and self.idx >= 0:
            _no_device()

    def __exit__(self, *exc):
        return False


__all__ = ["is_available", "is_initialized", "init", "device_count", "current_device", "set_device",
           "get_device_name", "get_device_capability", "get_device_properties", "synchronize",
           "is_bf16_supported", "manual_seed", "manual_seed_all", "seed", "seed_all", "initial_seed",
           "get_rng_state", "get_rng_state_all", "set_rng_state", "set_rng_state_all", "empty_cache",
           "memory_allocated", "max_memory_allocated", "memory_reserved", "max_memory_reserved",
           "reset_peak_memory_stats", "set_per_process_memory_fraction", "device"]

from . import amp  # noqa: E402,F401  (torch.cuda.amp: the deprecated autocast/GradScaler spellings)
