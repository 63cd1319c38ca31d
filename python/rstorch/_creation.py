"""Tensor creation: from data (`tensor`, `as_tensor`, `from_numpy`), filled (`zeros`, `full`, ...),
ranges (`arange`, `linspace`, `logspace`), `eye`, and the `*_like` forms."""

import builtins
import functools
import math
import numbers

import numpy as np

from . import _C
from ._device import device as _device, device_arg as _device_arg
from ._dtypes import DTYPES as _DTYPES
from ._out import write_out

# every tensor is a `_C.TensorBase` (an `rstorch.Tensor`, which Rust makes its results as once
# rstorch is registered): the factories sit below _tensor.py, so they check for the base class
_TensorBase = _C.TensorBase

__all__ = [
    "tensor", "as_tensor", "asarray", "from_numpy", "empty", "zeros", "ones", "full", "empty_like",
    "zeros_like", "ones_like", "full_like", "eye", "arange", "range", "linspace", "logspace",
    "get_default_dtype", "set_default_dtype", "is_tensor", "is_floating_point", "numel",
    "scalar_tensor", "empty_strided",
]

# numpy dtype -> rstorch dtype (numpy has no bfloat16)
_FROM_NUMPY = {np.dtype(name): d for name, d in _DTYPES.items() if name != "bfloat16"}

# the default dtype lives in the core (rstorch::ops::default_float), which promotion reads too
get_default_dtype = _C.get_default_dtype


def set_default_dtype(d):
    if not isinstance(d, _C.dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _C._set_default_dtype(d)


def is_tensor(obj):
    return isinstance(obj, _TensorBase)


def is_floating_point(t):
    return t.is_floating_point()


def numel(t):
    return t.numel()


def _sizes(size, fn="size"):
    """Sizes from varargs or one sequence, as a list of ints."""
    if len(size) == 1 and not isinstance(size[0], (numbers.Integral, _TensorBase)):
        size = size[0]
    out = []
    for s in size:
        try:
            out.append(s.__index__())
        except (AttributeError, TypeError):
            raise TypeError(
                f"{fn}(): argument 'size' must be tuple of ints, but found element of type "
                f"{type(s).__name__} at pos {len(out)}") from None
    return out


def _check_device(device):
    """The core's name of a factory's `device=` ("cpu" for None), or torch's error."""
    return "cpu" if device is None else _device_arg(device)


def _on(t, device):
    """`t` (made on the CPU) moved to `device` (a meta tensor keeps only the metadata)."""
    return t if device == "cpu" else t._to_device(device)


def _finish(t, requires_grad):
    if requires_grad:
        if not t.dtype.is_floating_point:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad = True
    return t


# ---------------------------------------------------------------------- from data

def from_numpy(array):
    """A tensor sharing `array`'s memory (writes through either are seen by both)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    if array.dtype not in _FROM_NUMPY:
        raise TypeError(
            f"can't convert np.ndarray of type {array.dtype}. The only supported types are: float64, "
            "float32, float16, int64, int32, int16, int8, uint8, and bool.")
    if any(s < 0 for s in array.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with negative "
            "strides are not currently supported. (You can probably work around this by making a "
            "copy of your array  with array.copy().) ")
    item = array.itemsize
    if any(s % item for s in array.strides):
        raise ValueError("given numpy array strides not a multiple of the element byte size. "
                         "Copy the numpy array to reallocate the memory.")
    if not array.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte order. "
                         "Conversion between byte orders is currently not supported.")
    ptr = array.__array_interface__["data"][0]
    strides = [s // item for s in array.strides]
    extent = 1 + sum((n - 1) * s for n, s in zip(array.shape, strides)) if array.size else 0
    return _C._from_buffer(ptr, extent * item, list(array.shape), strides, 0,
                           _FROM_NUMPY[array.dtype], array, array.flags.writeable)


def _infer_dtype(np_array, data):
    """torch.tensor's dtype inference: floats -> default dtype, ints -> int64, bools -> bool."""
    kind = np_array.dtype.kind
    if kind == "b":
        return _C.bool
    if kind in "iu":
        if isinstance(data, np.ndarray):
            return _FROM_NUMPY[np_array.dtype]
        return _C.int64
    if kind == "f":
        if isinstance(data, np.ndarray) or isinstance(data, np.generic):
            return _FROM_NUMPY[np_array.dtype]
        return get_default_dtype()
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _to_numpy_data(data):
    """Nested sequences of numbers and tensors -> a numpy array (plus whether it came from
    tensors, whose dtype then wins)."""
    if isinstance(data, _TensorBase):
        return data.detach()._host_numpy(), data.dtype
    if isinstance(data, (list, tuple)) and any(isinstance(x, _TensorBase) for x in _flat_first(data)):
        tensors = [_to_numpy_data(x) for x in data]
        dtype = tensors[0][1]
        for _, d in tensors[1:]:
            dtype = _C.result_type_dtypes(dtype, d) if hasattr(_C, "result_type_dtypes") else dtype
        return np.array([a for a, _ in tensors]), dtype
    try:
        arr = np.asarray(data)
    except (ValueError, TypeError) as e:
        raise _ragged_error(data) from e
    if arr.dtype == object or arr.dtype.kind in "USV":
        bad = [x for x in _flat(data) if not isinstance(x, (numbers.Number, np.generic))][:1]
        if bad and bad[0] is None:
            raise RuntimeError("Could not infer dtype of NoneType")
        if bad:
            raise TypeError(f"new(): invalid data type '{type(bad[0]).__name__}'")
        # numbers only, yet numpy made objects: ints past uint64 (tensor() reads them as floats
        # for a float dtype, else raises torch's overflow error)
    return arr, None


def _ragged_error(data):
    """torch's error for nested sequences of uneven lengths: each dim's length is set by the
    first sequence met at that depth; the first sequence that differs is named."""
    shape = []
    seq = data
    while isinstance(seq, (list, tuple)):
        shape.append(len(seq))
        seq = seq[0] if seq else None

    # a sequence where the first element's depth has a number: torch reads it as that number
    scalar_error = (TypeError("must be real number, not list") if isinstance(seq, float) else
                    TypeError("'list' object cannot be interpreted as an integer"))

    def walk(seq, dim):
        if not isinstance(seq, (list, tuple)):
            return None
        if dim >= len(shape):
            return scalar_error
        if len(seq) != shape[dim]:
            return ValueError(f"expected sequence of length {shape[dim]} at dim {dim} (got {len(seq)})")
        for x in seq:
            if dim + 1 < len(shape) and not isinstance(x, (list, tuple)):
                return TypeError("not a sequence")
            e = walk(x, dim + 1)
            if e is not None:
                return e
        return None
    return walk(data, 0) or ValueError("expected a rectangular nested sequence of numbers")


def _flat_first(seq):
    while isinstance(seq, (list, tuple)) and seq:
        yield seq[0]
        seq = seq[0]


def _flat(seq):
    for x in seq:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of `data` (a number, nested sequence, numpy array or tensor)."""
    dev = _check_device(device)
    if dev != "cpu":
        return _finish(_on(tensor(data, dtype=dtype), dev), requires_grad)
    if isinstance(data, str):
        raise TypeError(f"new(): invalid data type 'str'")
    arr, tdtype = _to_numpy_data(data)
    if arr.dtype.kind == "c":
        raise TypeError("complex tensors are not supported by rstorch")
    if arr.dtype == object:
        if dtype is None or not (dtype.is_floating_point or dtype is _C.bool):
            raise ValueError("Overflow when unpacking long long")
        arr = arr.astype(np.float64)
    arr = np.asarray(arr, order="C")  # keeps 0-d arrays 0-d (ascontiguousarray would not)
    from_python = tdtype is None and not isinstance(data, (np.ndarray, np.generic))
    if from_python and dtype is not None:
        # torch converts each Python number straight to `dtype`: floats without a detour through
        # the default dtype (0.1 stays exactly 0.1 in float64), ints exactly
        if dtype.is_floating_point or dtype is _C.bool:
            src = from_numpy(arr.astype(np.float64) if arr.dtype.kind == "u" else arr)
        else:
            src = from_numpy(_exact_ints(data, arr, dtype))
        return _finish(src._to_dtype(dtype) if src.dtype is not dtype else src.clone(), requires_grad)
    if from_python and arr.dtype.kind == "u":  # numpy's uint64 for ints past int64
        raise ValueError("Overflow when unpacking long long")
    src_dtype = tdtype or _infer_dtype(arr, data)
    if dtype is None:
        dtype = src_dtype
    if arr.dtype.kind in "iub" or arr.dtype in _FROM_NUMPY:
        src = from_numpy(arr.astype(_numpy_of(src_dtype), copy=False))
    else:
        src = from_numpy(arr.astype(np.float64))
    # a fresh copy made by a conversion kernel starts at version 0, as torch's does
    out = src._to_dtype(dtype) if src.dtype is not dtype else src.clone()
    return _finish(out, requires_grad)


def _exact_ints(data, arr, dtype):
    """Python numbers (`arr` is numpy's reading of `data`) as int64 values for the integer
    `dtype`, each converted on its own as torch does: ints exactly, floats truncated toward
    zero, with torch's overflow check (ints may wrap into an unsigned dtype from below: -1 is
    255 in uint8, -0.5 does not fit)."""
    info = np.iinfo(_numpy_of(dtype))
    lo, hi = int(info.min), int(info.max)
    overflow = RuntimeError(f"value cannot be converted to type {dtype._name} without overflow")
    if arr.dtype.kind in "ib":  # ints and bools only: check all at once
        a = arr.astype(np.int64)
        if ((a > hi) | ((a < lo) & ~((lo == 0) & (a >= -hi)))).any():
            raise overflow
        return a
    # floats, maybe with ints (which numpy rounded to float64), or ints past int64
    out = []
    for x in _flat(data) if isinstance(data, (list, tuple)) else [data]:
        if isinstance(x, (float, np.floating)):
            if not lo <= x < hi + 1:  # NaN fails too
                raise overflow
        elif not -2**63 <= int(x) < 2**63:
            raise ValueError("Overflow when unpacking long long")
        elif not (lo <= int(x) <= hi or (lo == 0 and -hi <= int(x) < 0)):
            raise overflow
        out.append(int(x))
    return np.array(out, dtype=np.int64).reshape(arr.shape)


def _numpy_of(d):
    return np.float32 if d is _C.bfloat16 else np.dtype(d._name)


def as_tensor(data, dtype=None, device=None):
    """Share memory with `data` when it is already a tensor or numpy array of the right dtype."""
    dev = None if device is None else _check_device(device)
    if isinstance(data, _TensorBase):
        if dev is not None and dev != data._device:
            data = data._to_device(dev)
        return data if dtype is None or dtype is data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray) and data.dtype in _FROM_NUMPY and all(s >= 0 for s in data.strides):
        t = from_numpy(data)
        t = t if dtype is None or dtype is t.dtype else t.to(dtype)
        return t if dev is None else _on(t, dev)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    t = as_tensor(obj, dtype=dtype, device=device)
    if copy:
        t = t.clone()
    return _finish(t, requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return tensor(s, dtype=dtype or get_default_dtype(), device=device, requires_grad=requires_grad)


# ---------------------------------------------------------------------- filled

def _filled(size, value, dtype, device, requires_grad, fn):
    dev = _check_device(device)
    sizes = _sizes(size, fn)
    if fn == "zeros" and any(s < 0 for s in sizes):
        raise RuntimeError("zeros: Dimension size must be non-negative.")  # zeros' own check, in torch
    return _finish(_C.full(sizes, value, dtype or get_default_dtype(), dev), requires_grad)


def _factory_out(name):
    """torch's `out=` for a factory function: the values are made in out's dtype (a `dtype=`
    must agree with it) and written into `out`, which is resized when its shape differs."""
    def wrap(fn):
        @functools.wraps(fn)
        def factory(*args, out=None, dtype=None, **kwargs):
            if out is None:
                return fn(*args, dtype=dtype, **kwargs)
            if not isinstance(out, _TensorBase):
                raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
            if dtype is not None and dtype is not out.dtype:
                raise RuntimeError(f"dtype {dtype._scalar_type_name} does not match dtype of out parameter "
                                   f"({out.dtype._scalar_type_name})")
            if out.requires_grad and _C.is_grad_enabled():
                raise RuntimeError(f"aten::{name}(): functions with out=... arguments don't support automatic "
                                   "differentiation, but one of the arguments requires grad.")
            return write_out(out, fn(*args, dtype=out.dtype, **kwargs))
        return factory
    return wrap


@_factory_out("empty")
def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    """Like torch.empty; rstorch zero-fills new memory instead of leaving it uninitialised."""
    dev = _check_device(device)
    return _finish(_C.zeros(_sizes(size, "empty"), dtype or get_default_dtype(), dev), requires_grad)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False, **_):
    size, stride = _sizes((size,)), _sizes((stride,))
    return _finish(_C.empty_strided(size, stride, dtype or get_default_dtype(), _check_device(device)), requires_grad)


@_factory_out("zeros")
def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _filled(size, 0, dtype, device, requires_grad, "zeros")


@_factory_out("ones")
def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _filled(size, 1, dtype, device, requires_grad, "ones")


@_factory_out("full")
def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if dtype is None:
        # torch infers the dtype from the fill value
        dtype = (_C.bool if isinstance(fill_value, builtins.bool) else
                 _C.int64 if isinstance(fill_value, numbers.Integral) else
                 fill_value.dtype if isinstance(fill_value, _TensorBase) else get_default_dtype())
    return _filled((size,), fill_value, dtype, device, requires_grad, "full")


def _like(t, dtype):
    return dtype or t.dtype


def _like_device(t, device):
    # the *_like functions make their tensor on the input's device unless told otherwise
    return t._device if device is None else device


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return empty(*input.shape, dtype=_like(input, dtype), device=_like_device(input, device),
                 requires_grad=requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return zeros(*input.shape, dtype=_like(input, dtype), device=_like_device(input, device),
                 requires_grad=requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return ones(*input.shape, dtype=_like(input, dtype), device=_like_device(input, device),
                requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return full(input.shape, fill_value, dtype=_like(input, dtype), device=_like_device(input, device),
                requires_grad=requires_grad)


@_factory_out("eye")
def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n if n < 0 else m}")
    m = n if m is None else m
    t = zeros(n, m, dtype=dtype, device=device)
    if n and m:
        t.diagonal().fill_(1)
    return _finish(t, requires_grad)


# ---------------------------------------------------------------------- ranges

def _num(x):
    return x.item() if isinstance(x, _TensorBase) else x


@_factory_out("arange")
def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Values from `start` to `end` (exclusive) by `step`, computed in float64 like torch."""
    dev = _check_device(device)
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    for v in (start, end):
        if isinstance(v, float) and not math.isfinite(v):
            raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (end - start) / step < 0 and end != start:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = max(0, math.ceil((end - start) / step))
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = get_default_dtype() if is_float else _C.int64
    if dtype.is_floating_point:
        values = start + np.arange(n, dtype=np.float64) * step
    else:
        values = (np.int64(start) + np.arange(n, dtype=np.int64) * np.int64(step)) \
            if all(isinstance(v, numbers.Integral) for v in (start, step)) \
            else np.floor(start + np.arange(n, dtype=np.float64) * step)
    t = tensor(values, dtype=dtype, device=dev)
    return _finish(t, requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated torch.range: like arange but including `end`."""
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    values = start + np.arange(n, dtype=np.float64) * step
    return tensor(values, dtype=dtype or get_default_dtype(), device=device, requires_grad=requires_grad)


@_factory_out("linspace")
def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    dev = _check_device(device)
    start, end = _num(start), _num(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = dtype or get_default_dtype()
    if steps == 1:
        values = np.array([start], dtype=np.float64)
    else:
        # torch fills the first half from `start` and the second half back from `end`
        step = (end - start) / (steps - 1) if steps > 1 else 0.0
        i = np.arange(steps, dtype=np.float64)
        half = steps // 2
        values = np.where(i < half, start + step * i, end - step * (steps - 1 - i))
    if not dtype.is_floating_point:
        values = np.trunc(values)
    return _finish(tensor(values, dtype=dtype, device=dev), requires_grad)


@_factory_out("logspace")
def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    exps = linspace(start, end, steps, dtype=_C.float64)._host_numpy()
    values = np.power(float(base), exps)
    dtype = dtype or get_default_dtype()
    if not dtype.is_floating_point:
        values = np.trunc(values)
    return _finish(tensor(values, dtype=dtype, device=device), requires_grad)


# ---------------------------------------------------------------------- legacy constructors

def _legacy_new(cls, dtype, args, device):
    """`Tensor(2, 3)` (sizes: zero-filled), `Tensor([1, 2])` (data), `Tensor()` (empty)."""
    dev = _check_device(device)
    if len(args) == 1 and not isinstance(args[0], numbers.Integral):
        src = tensor(args[0], dtype=dtype, device=dev)
    else:
        src = _C.zeros(_sizes(args) if args else [0], dtype, dev)
    out = _C.TensorBase.__new__(cls)
    out._set(src)
    return out
