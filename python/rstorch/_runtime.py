"""Process-wide switches and questions of torch's top level that are not ops: deterministic
algorithms, float32 matmul precision, the default device, interop threads, warn-always, and the
small predicates (`typename`, `is_nonzero`, `is_same_size`, `is_signed`...).

rstorch's CPU kernels are deterministic (reductions split work the same way on every run), so
`use_deterministic_algorithms(True)` changes no result; it is remembered and reported as torch's
is. Its matmul is float32 throughout: every precision setting gives "highest" arithmetic."""

import math as _math

from . import _C
from ._device import device as _device_cls

__all__ = ["use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
           "get_deterministic_debug_mode", "set_float32_matmul_precision", "get_float32_matmul_precision",
           "get_default_device", "set_default_device", "set_num_interop_threads", "get_num_interop_threads",
           "set_warn_always", "is_warn_always_enabled", "set_flush_denormal", "typename", "is_nonzero",
           "is_same_size", "is_signed", "is_complex", "is_conj", "is_neg", "is_inference", "is_storage",
           "get_device", "pi", "e", "inf", "nan", "newaxis", "is_vulkan_available", "init_num_threads",
           "get_device_module", "set_default_tensor_type", "compiled_with_cxx11_abi", "has_lapack", "has_mkl",
           "has_openmp", "has_spectral", "resize_as_"]

# torch's build flags: LAPACK-level linalg, spectral ops (no complex dtypes here: torch.fft is
# absent), OpenMP and MKL (rstorch has its own thread pool and kernels)
has_lapack, has_spectral, has_openmp, has_mkl = True, False, False, False

pi = _math.pi
e = _math.e
inf = _math.inf
nan = _math.nan
newaxis = None

_state = {"deterministic": False, "warn_only": False, "matmul_precision": "highest", "interop_threads": None,
          "warn_always": False}
_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def use_deterministic_algorithms(mode, *, warn_only=False):
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not "
                        f"{type(mode).__name__}")
    _state["deterministic"], _state["warn_only"] = mode, bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _state["warn_only"]


def set_deterministic_debug_mode(debug_mode):
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, `error`, but "
                               f"got {debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    elif not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _state["deterministic"]:
        return 0
    return 1 if _state["warn_only"] else 2


def set_float32_matmul_precision(precision):
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid precision {precision}, expected one of 'highest', 'high', 'medium'")
    _state["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _state["matmul_precision"]


def get_default_device():
    return _device_cls("cpu")


def set_default_device(device):
    """Only the CPU can be the default device of this build (None resets to it)."""
    if device is None:
        return
    d = _device_cls(device) if not isinstance(device, int) else _device_cls("wgpu", device)
    if d.type != "cpu":
        from ._device import device_arg
        device_arg(d)  # raises the device's own not-available error
        raise NotImplementedError(f"set_default_device: only 'cpu' can be the default device here, not '{d}'")


def compiled_with_cxx11_abi():
    return True


def resize_as_(input, the_template, *, memory_format=None):
    return input.resize_as_(the_template, memory_format=memory_format)


def is_vulkan_available():
    """torch's (mobile) Vulkan backend: absent. rstorch's GPU path is the `wgpu` device."""
    return False


def init_num_threads():
    """The thread pool starts on first use; nothing to do."""


def get_device_module(device=None):
    """The module of a device type (`rstorch.cpu`, `rstorch.cuda`, `rstorch.wgpu`); the
    accelerator's (`rstorch.cuda`) when none is given, as torch does."""
    import importlib
    if device is None:
        return importlib.import_module("rstorch.cuda")
    kind = device.type if isinstance(device, _device_cls) else _device_cls(device).type
    if kind not in ("cpu", "cuda", "wgpu"):
        raise RuntimeError(f"Device '{kind}' does not have a corresponding module registered as 'torch.{kind}'.")
    return importlib.import_module(f"rstorch.{kind}")


def set_default_tensor_type(t):
    """Deprecated in torch 2.1: the default dtype from a legacy tensor type or its name
    (`torch.DoubleTensor`, "torch.cuda.FloatTensor"); only floating-point types."""
    import warnings
    from . import _dtypes
    from ._creation import set_default_dtype
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.", UserWarning,
                  stacklevel=2)
    if isinstance(t, str):
        parts = t.split(".")
        if parts[0] not in ("torch", "rstorch") or len(parts) not in (2, 3) or \
                (len(parts) == 3 and parts[1] != "cuda"):
            import importlib
            importlib.import_module(".".join(parts[:-1]) or parts[0])  # torch's error for an unknown module
            raise TypeError(f"invalid type: '{t}'")
        name = parts[-1]
    elif isinstance(t, type):
        name = t.__name__
    else:
        raise TypeError("invalid type object: only floating-point types are supported as the default type")
    dtype = _dtypes.LEGACY_BY_NAME.get(name)
    if dtype is None:
        raise TypeError(f"invalid type: '{t}'")
    if not dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    set_default_dtype(dtype)


def set_num_interop_threads(num):
    if not isinstance(num, int) or isinstance(num, bool) or num <= 0:
        raise RuntimeError("Expected positive number of threads")
    if _state["interop_threads"] is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has started or "
                           "set_num_interop_threads called")
    _state["interop_threads"] = num


def get_num_interop_threads():
    # rstorch runs inter-op work on the same pool as intra-op work
    return _state["interop_threads"] or _C.get_num_threads()


def set_warn_always(b):
    _state["warn_always"] = bool(b)


def is_warn_always_enabled():
    return _state["warn_always"]


def set_flush_denormal(mode):
    """torch sets the CPU's flush-to-zero flags; rstorch's kernels run on a thread pool whose
    floating-point environment it does not change, so this reports "not supported" (False)."""
    return False


def typename(obj):
    if isinstance(obj, _C.TensorBase):
        return obj.type()
    module = getattr(type(obj), "__module__", "") or ""
    qualname = getattr(type(obj), "__qualname__", type(obj).__name__)
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def is_nonzero(input):
    if input.numel() == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input.numel() > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item())


def is_same_size(input, other):
    return tuple(input.shape) == tuple(other.shape)


def is_signed(input):
    return input.dtype.is_signed


def is_complex(input):
    return False  # rstorch has no complex dtypes


def is_conj(input):
    return False


def is_neg(input):
    return False


def is_inference(input):
    return input.is_inference()


def is_storage(obj):
    from ._storage import TypedStorage, UntypedStorage
    return isinstance(obj, (TypedStorage, UntypedStorage))


def get_device(input):
    return input.get_device()
