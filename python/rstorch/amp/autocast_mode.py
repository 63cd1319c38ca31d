"""torch.amp.autocast_mode: the `autocast` context manager / decorator, the state functions
(`is_autocast_enabled`, `get_autocast_dtype`, ...) and `custom_fwd`/`custom_bwd`.
The state lives in amp/_state.py, the casting layer in amp/_casting.py."""

import collections.abc
import functools
import warnings

from .. import _C
from . import _state

__all__ = ["autocast_decorator", "autocast", "is_autocast_available", "custom_fwd", "custom_bwd"]

_SUPPORTED = (_C.bfloat16, _C.float16)
# the state functions torch publishes as torch.<name> (rstorch/__init__.py imports them)
STATE_FUNCTIONS = ("is_autocast_enabled", "set_autocast_enabled", "get_autocast_dtype", "set_autocast_dtype",
                   "is_autocast_cache_enabled", "set_autocast_cache_enabled", "clear_autocast_cache",
                   "autocast_increment_nesting", "autocast_decrement_nesting", "is_autocast_cpu_enabled",
                   "set_autocast_cpu_enabled", "get_autocast_cpu_dtype", "set_autocast_cpu_dtype",
                   "get_autocast_gpu_dtype", "set_autocast_gpu_dtype")


def is_autocast_available(device_type):
    """True when autocast can run on `device_type` ("cpu", "cuda" or "wgpu")."""
    return _state.is_autocast_available(device_type)


# ------------------------------------------------------------------ the state functions (torch.*)
def is_autocast_enabled(device_type=None):
    """Whether autocast is on for `device_type`; with no argument, for "cuda" (torch's legacy form)."""
    return _state.is_enabled(_state.device_key("cuda" if device_type is None else device_type))


def set_autocast_enabled(device_type, enabled=None):
    if enabled is None:  # legacy form: set_autocast_enabled(enabled) sets cuda's
        device_type, enabled = "cuda", device_type
    _state.set_enabled(_state.device_key(device_type), enabled)


def get_autocast_dtype(device_type):
    return _state.tls.dtype[_state.device_key(device_type)]


def set_autocast_dtype(device_type, dtype):
    if not isinstance(dtype, _C.dtype):
        raise TypeError(f"set_autocast_dtype(): argument 'dtype' (position 2) must be torch.dtype, "
                        f"not {type(dtype).__name__}")
    _state.tls.dtype[_state.device_key(device_type)] = dtype


def is_autocast_cache_enabled():
    return _state.tls.cache_enabled


def set_autocast_cache_enabled(enabled):
    _state.tls.cache_enabled = bool(enabled)


def clear_autocast_cache():
    _state.clear_cache()


def autocast_increment_nesting():
    _state.tls.nesting += 1
    return _state.tls.nesting


def autocast_decrement_nesting():
    _state.tls.nesting -= 1
    return _state.tls.nesting


def _deprecated(old, new):
    warnings.warn(f"torch.{old}() is deprecated. Please use torch.{new} instead.", DeprecationWarning,
                  stacklevel=3)


def is_autocast_cpu_enabled():
    _deprecated("is_autocast_cpu_enabled", "is_autocast_enabled('cpu')")
    return is_autocast_enabled("cpu")


def set_autocast_cpu_enabled(enabled):
    _deprecated("set_autocast_cpu_enabled", "set_autocast_enabled('cpu', enabled)")
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype():
    _deprecated("get_autocast_cpu_dtype", "get_autocast_dtype('cpu')")
    return get_autocast_dtype("cpu")


def set_autocast_cpu_dtype(dtype):
    _deprecated("set_autocast_cpu_dtype", "set_autocast_dtype('cpu', dtype)")
    set_autocast_dtype("cpu", dtype)


def get_autocast_gpu_dtype():
    _deprecated("get_autocast_gpu_dtype", "get_autocast_dtype('cuda')")
    return get_autocast_dtype("cuda")


def set_autocast_gpu_dtype(dtype):
    _deprecated("set_autocast_gpu_dtype", "set_autocast_dtype('cuda', dtype)")
    set_autocast_dtype("cuda", dtype)


# ------------------------------------------------------------------ autocast
def autocast_decorator(autocast_instance, func):
    @functools.wraps(func)
    def decorate_autocast(*args, **kwargs):
        with autocast_instance:
            return func(*args, **kwargs)
    return decorate_autocast


class autocast:
    """Run a region in mixed precision: the listed ops (matmul, linear, conv...) in the low dtype,
    the precision-sensitive ones (losses, and on the GPU softmax, norms, exp/log...) in float32.

    autocast(device_type, dtype=None, enabled=True, cache_enabled=None): a context manager or a
    decorator. dtype defaults to get_autocast_dtype(device_type) (bfloat16 on "cpu", float16 on
    "cuda"/"wgpu"); the state is thread-local; regions nest, and autocast(..., enabled=False)
    turns it off inside one. docs/AMP.md."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        key = _state.device_key(device_type)
        self.device = device_type
        self._key = key
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self._cache_enabled = is_autocast_cache_enabled() if cache_enabled is None else cache_enabled
        if enabled:
            if device_type == "cuda" and not _cuda_available():
                warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", stacklevel=2)
                enabled = False
            elif self.fast_dtype not in _SUPPORTED:
                name = device_type.upper()
                warnings.warn(f"In {name} autocast, but the target dtype is not supported. Disabling autocast.\n"
                              f"{name} Autocast only supports dtypes of "
                              + ", ".join(map(str, _SUPPORTED)) + " currently.",
                              stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self):
        self.prev_cache_enabled = is_autocast_cache_enabled()
        self.prev = _state.is_enabled(self._key)
        self.prev_fastdtype = _state.tls.dtype[self._key]
        _state.set_enabled(self._key, self._enabled)
        if isinstance(self.fast_dtype, _C.dtype):
            _state.tls.dtype[self._key] = self.fast_dtype
        autocast_increment_nesting()
        set_autocast_cache_enabled(self._cache_enabled)
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        if autocast_decrement_nesting() == 0:
            clear_autocast_cache()
        _state.set_enabled(self._key, self.prev)
        _state.tls.dtype[self._key] = self.prev_fastdtype
        set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError(
                f"autocast()(func) requires a callable, but got {type(func).__name__}. "
                f"Did you mean to use autocast as a context manager? For example:\n"
                f"    with torch.autocast(device_type=...):\n"
                f"        output = model(input)")
        return autocast_decorator(self, func)


def _cuda_available():
    from .. import cuda
    return cuda.is_available()


# ------------------------------------------------------------------ custom autograd Functions
def _cast(value, device_type, dtype):
    key = _state.device_key(device_type)
    if isinstance(value, _C.TensorBase):
        eligible = value.is_floating_point() and value.device.type == key and value.dtype != _C.float64
        return value.to(dtype) if eligible else value
    if isinstance(value, (str, bytes)):
        return value
    if type(value).__module__ == "numpy":
        return value
    if isinstance(value, collections.abc.Mapping):
        return {_cast(k, device_type, dtype): _cast(v, device_type, dtype) for k, v in value.items()}
    if isinstance(value, collections.abc.Iterable):
        items = (_cast(v, device_type, dtype) for v in value)
        return type(value)(items) if isinstance(value, (list, tuple)) else items
    return value


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator for a custom autograd.Function's forward: records the autocast state for
    custom_bwd; with cast_inputs, inside an autocast region, casts the floating inputs to it and
    runs forward with autocast off."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        args[0]._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            args[0]._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        args[0]._fwd_used_autocast = False
        if is_autocast_enabled(device_type):
            with autocast(device_type=device_type, enabled=False):
                return fwd(*_cast(args, device_type, cast_inputs), **_cast(kwargs, device_type, cast_inputs))
        return fwd(*args, **kwargs)
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorator for a custom autograd.Function's backward: runs it under the autocast state its
    forward ran under."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        with autocast(device_type=device_type, enabled=args[0]._fwd_used_autocast, dtype=args[0]._dtype):
            return bwd(*args, **kwargs)
    return decorate_bwd
