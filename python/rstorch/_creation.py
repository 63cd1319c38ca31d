"""Tensor creation: from data (`tensor`, `as_tensor`, `from_numpy`), filled (`zeros`, `full`, ...),
ranges (`arange`, `linspace`, `logspace`), `eye`, and the `*_like` forms."""

import builtins
import functools
import itertools
import math
import numbers
import sys
from array import array as _pyarray

from . import _C
from ._device import device as _device, device_arg as _device_arg
from ._dtypes import DTYPES as _DTYPES
from ._numpy import is_ndarray, is_numpy_scalar, numpy
from ._out import write_out

# every tensor is a `_C.TensorBase` (an `rstorch.Tensor`, which Rust makes its results as once
# rstorch is registered): the factories sit below _tensor.py, so they check for the base class
_TensorBase = _C.TensorBase

__all__ = [
    "tensor", "as_tensor", "asarray", "from_numpy", "empty", "zeros", "ones", "full", "empty_like",
    "zeros_like", "ones_like", "full_like", "eye", "arange", "range", "linspace", "logspace",
    "get_default_dtype", "set_default_dtype", "is_tensor", "is_floating_point", "numel",
    "scalar_tensor", "empty_strided", "frombuffer", "empty_permuted", "from_dlpack", "to_dlpack",
]

_FROM_NUMPY = None


def _from_numpy_dtypes():
    """numpy dtype -> rstorch dtype (numpy has no bfloat16); made once numpy is loaded."""
    global _FROM_NUMPY
    if _FROM_NUMPY is None:
        np = numpy()
        _FROM_NUMPY = {np.dtype(name): d for name, d in _DTYPES.items() if name != "bfloat16"}
    return _FROM_NUMPY

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


_MISSING = object()


def _size_args(fn, args, size):
    """A factory's sizes from varargs (`zeros(2, 3)`, `zeros((2, 3))`) or `size=` (torch's
    TypeErrors for neither, both, or a `size=` that is not a sequence)."""
    if size is _MISSING:
        if not args:
            raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
        return args
    if args:
        raise TypeError(f"{fn}() got multiple values for argument 'size'")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{fn}(): argument 'size' must be tuple of ints, not {type(size).__name__}")
    return (size,)


def _full_args(fn, size, fill_value):
    """full()/new_full()'s checks: `size` is a sequence (not an int, unlike zeros), and the fill
    value is given."""
    if isinstance(size, numbers.Integral) or _is_tensor_like(size):
        raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    if fill_value is _MISSING:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "fill_value"')


def _is_tensor_like(x):
    return isinstance(x, _TensorBase)


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
    return _from_array(array, None)


def _from_array(array, writable):
    """from_numpy, the tensor writable unless `array` is not (or as `writable` says)."""
    if not is_ndarray(array):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    from_numpy_dtypes = _from_numpy_dtypes()
    if array.dtype not in from_numpy_dtypes:
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
                           from_numpy_dtypes[array.dtype], array,
                           array.flags.writeable if writable is None else writable)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor over the bytes of an object with the buffer protocol, sharing its memory
    (writes through either are seen by both), like torch.frombuffer."""
    import numpy as np
    raw = np.frombuffer(buffer, dtype=np.uint8)
    length, item = raw.size, dtype.itemsize
    if length == 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
                         f"({length} bytes) minus 1")
    if count < 0:
        if (length - offset) % item:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a "
                             f"multiple of element size ({item})")
        count = (length - offset) // item
    elif count * item > length - offset:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset ({offset} bytes) must not "
                         f"be greater than actual buffer length ({length} bytes)")
    if not raw.flags.writeable:
        import warnings
        warnings.warn("The given buffer is not writable, and PyTorch does not support non-writable tensors. This "
                      "means you can write to the underlying (supposedly non-writable) buffer using the tensor. You "
                      "may want to copy the buffer to protect its data or make it writable before converting it to "
                      "a tensor. This type of warning will be suppressed for the rest of this program.",
                      UserWarning, stacklevel=2)
    ptr = raw.__array_interface__["data"][0] + offset
    t = _C._from_buffer(ptr, count * item, [count], [1], 0, dtype, raw, raw.flags.writeable)
    return _finish(t, requires_grad)


class _Capsule:
    """A bare DLPack capsule, given the protocol numpy.from_dlpack reads."""

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, stream=None, **_):
        return self.capsule

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU: the only device a bare capsule can come from here


def from_dlpack(ext_tensor):
    """A tensor sharing the memory of an object with the DLPack protocol (a numpy array, another
    framework's CPU tensor) or of a DLPack capsule (`to_dlpack`'s)."""
    import numpy as np
    if isinstance(ext_tensor, _C.TensorBase):
        return ext_tensor
    bare = not hasattr(ext_tensor, "__dlpack__")
    src = _Capsule(ext_tensor) if bare else ext_tensor
    device = src.__dlpack_device__()
    if int(device[0]) != 1:
        raise RuntimeError(f"from_dlpack: only CPU memory can be imported here, got DLPack device {tuple(device)}")
    # a bare (unversioned) capsule has no read-only flag: its memory is writable, as torch takes
    # it, though numpy marks such imports read-only
    return _from_array(np.from_dlpack(src), True if bare else None)


def to_dlpack(tensor):
    """A DLPack capsule over `tensor`'s memory (consumed once by a from_dlpack)."""
    return tensor.__dlpack__()


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """An empty tensor of `size` whose dims lie in memory in the order `physical_layout` gives
    (outermost first): `empty_permuted((2, 3, 4), (0, 2, 1))` has strides (12, 1, 3)."""
    size, order = [builtins.int(s) for s in size], [builtins.int(d) for d in physical_layout]
    if sorted(order) != list(builtins.range(len(size))):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the physical_layout; "
                           f"i.e. len(size) = {len(size)} is not equal to len(physical_layout) = {len(order)}"
                           if len(order) != len(size) else f"Dimension {order} is not a permutation")
    physical = empty([size[d] for d in order], dtype=dtype, device=device)
    inverse = [0] * len(order)
    for i, d in enumerate(order):
        inverse[d] = i
    return _finish(physical.permute(inverse), requires_grad)


# ---------------------------------------------------------------------- tensor(): Python numbers

_INT64_MIN, _INT64_MAX = -2**63, 2**63 - 1
_NUMBER_TYPES = frozenset((builtins.bool, builtins.int, builtins.float))
_SEQ_TYPES = frozenset((list, tuple))
# the buffer tensor() reads Python numbers into, by numpy's reading of them ("kind"): all bools,
# ints (bools among them), or floats (ints and bools among them)
_KIND_BUFFER = {"b": ("B", _C.bool), "i": ("q", _C.int64), "f": ("d", _C.float64)}
_INT_RANGE = {_C.int64: (_INT64_MIN, _INT64_MAX), _C.int32: (-2**31, 2**31 - 1),
              _C.int16: (-2**15, 2**15 - 1), _C.int8: (-2**7, 2**7 - 1), _C.uint8: (0, 2**8 - 1)}


def _read_python(data):
    """`data` as (flat values, shape, kind) when it is a Python number (bool, int or float, not a
    subclass) or a rectangular nesting of lists/tuples of them, with every int in int64's range:
    what numpy would read as a bool ("b"), int64 ("i") or float64 ("f") array. None for anything
    else (tensors, numpy objects, ragged or deep-mixed nestings, strings, big ints...), which
    tensor() leaves to numpy's reading, errors included."""
    t = type(data)
    if t in _NUMBER_TYPES:
        flat, shape = [data], []
    elif t in _SEQ_TYPES:
        if _numpy_reads_faster(data):
            return None
        flat, shape = data, [len(data)]
        while flat and type(flat[0]) in _SEQ_TYPES:
            n = len(flat[0])
            if not set(map(type, flat)) <= _SEQ_TYPES or set(map(len, flat)) != {n}:
                return None
            shape.append(n)
            flat = list(itertools.chain.from_iterable(flat))
    else:
        return None
    types = set(map(type, flat))
    if not types <= _NUMBER_TYPES:
        return None
    if builtins.float in types:
        kind = "f"
        if builtins.int in types:  # numpy reads floats with ints past int64 as objects
            ints = [x for x in flat if type(x) is builtins.int]
            if min(ints) < _INT64_MIN or max(ints) > _INT64_MAX:
                return None
    elif builtins.int in types:
        kind = "i"  # in int64's range: _from_python checks
    else:
        kind = "b" if flat else "f"  # numpy reads an empty nesting as float64
    return flat, shape, kind


def _numpy_reads_faster(data):
    """Whether numpy is loaded already and `data` looks big (the size along its first elements):
    numpy reads a big nesting in one pass where _read_python takes two or three; both read it
    the same way, so this only picks the faster."""
    if "numpy" not in sys.modules:
        return False
    size = 1
    while type(data) in _SEQ_TYPES and data:
        size *= len(data)
        data = data[0]
    return size > _NUMPY_SIZE


_NUMPY_SIZE = 512


def _buffer_tensor(flat, shape, kind):
    """A CPU tensor of `shape` over a new buffer holding `flat` (Python numbers) in the dtype of
    `kind` (bool, int64 or float64): the source tensor() converts from, as it did from numpy's
    array."""
    code, dtype = _KIND_BUFFER[kind]
    if 0 in shape:
        return _C.zeros(shape, dtype, "cpu")
    buf = _pyarray(code, flat)
    strides, n = [], 1
    for s in reversed(shape):
        strides.append(n)
        n *= s
    strides.reverse()
    return _C._from_buffer(buf.buffer_info()[0], len(flat) * buf.itemsize, shape, strides, 0, dtype,
                           buf, True)


def _exact_ints(flat, ints_only, dtype, floats=builtins.float):
    """Python numbers (`flat`) as int values for the integer `dtype`, each converted on its own
    as torch does: ints exactly, floats (instances of `floats`) truncated toward zero, with
    torch's overflow check (ints may wrap into an unsigned dtype from below: -1 is 255 in uint8,
    -0.5 does not fit)."""
    lo, hi = _INT_RANGE[dtype]
    overflow = RuntimeError(f"value cannot be converted to type {dtype._name} without overflow")
    if ints_only:  # ints and bools only: check all at once
        if flat and (max(flat) > hi or min(flat) < (-hi if lo == 0 else lo)):
            raise overflow
        return flat
    # floats, maybe with ints (which numpy rounded to float64), or ints past int64
    out = []
    for x in flat:
        if isinstance(x, floats):
            if not lo <= x < hi + 1:  # NaN fails too
                raise overflow
        elif not _INT64_MIN <= int(x) <= _INT64_MAX:
            raise ValueError("Overflow when unpacking long long")
        elif not (lo <= int(x) <= hi or (lo == 0 and -hi <= int(x) < 0)):
            raise overflow
        out.append(int(x))
    return out


def _converted(src, dtype):
    # a fresh copy made by a conversion kernel starts at version 0, as torch's does
    return src._to_dtype(dtype) if src.dtype is not dtype else src.clone()


def _from_python(flat, shape, kind, dtype):
    """tensor() of Python numbers read by _read_python (None when numpy must read them: ints
    past int64, which numpy reads as uint64 or objects)."""
    try:
        return _from_python_numbers(flat, shape, kind, dtype)
    except OverflowError:  # an int past int64, met filling the int64 buffer
        return None


def _from_python_numbers(flat, shape, kind, dtype):
    if dtype is not None:
        # torch converts each Python number straight to `dtype`: floats without a detour through
        # the default dtype (0.1 stays exactly 0.1 in float64), ints exactly
        if dtype.is_floating_point or dtype is _C.bool:
            return _converted(_buffer_tensor(flat, shape, kind), dtype)
        if kind == "i" and (min(flat) < _INT64_MIN or max(flat) > _INT64_MAX):
            return None
        return _converted(_buffer_tensor(_exact_ints(flat, kind != "f", dtype), shape, "i"), dtype)
    if kind != "f":
        return _converted(_buffer_tensor(flat, shape, kind), _C.bool if kind == "b" else _C.int64)
    default = get_default_dtype()
    if default is not _C.float32 and default is not _C.float64:
        return None  # numpy rounded float64 to float16 (or float32, for bfloat16) first
    return _converted(_buffer_tensor(flat, shape, kind), default)


def _from_tensor(t, dtype):
    """tensor() of a CPU tensor: a contiguous copy (bfloat16 converted to another dtype through
    float32, the way it went through numpy)."""
    src = t.detach()
    if not src.is_contiguous():
        src = src.contiguous()
    if dtype is None:
        dtype = src.dtype
    elif src.dtype is _C.bfloat16 and dtype is not _C.bfloat16:
        src = src._to_dtype(_C.float32)
    return _converted(src, dtype)


# ---------------------------------------------------------------------- tensor(): through numpy

def _infer_dtype(np_array, data):
    """torch.tensor's dtype inference: floats -> default dtype, ints -> int64, bools -> bool."""
    kind = np_array.dtype.kind
    if kind == "b":
        return _C.bool
    if kind in "iu":
        if is_ndarray(data):
            return _from_numpy_dtypes()[np_array.dtype]
        if is_numpy_scalar(data):   # np.int32(5) stays int32, as in torch
            return _from_numpy_dtypes().get(np_array.dtype, _C.int64)
        return _C.int64
    if kind == "f":
        if is_ndarray(data) or is_numpy_scalar(data):
            return _from_numpy_dtypes()[np_array.dtype]
        return get_default_dtype()
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _infer_sequence_dtype(np_array, data):
    """torch.tensor's inference for a sequence holding numpy scalars: each element's type (a
    numpy scalar's own dtype, Python numbers as above), promoted over the elements."""
    np = numpy()
    table = _from_numpy_dtypes()
    if not any(isinstance(x, np.generic) for x in _flat(data)):
        return _infer_dtype(np_array, data)
    out = None
    for x in _flat(data):
        if isinstance(x, np.generic) and x.dtype in table:
            d = table[x.dtype]
        elif isinstance(x, (builtins.bool, np.bool_)):
            d = _C.bool
        elif isinstance(x, numbers.Integral):
            d = _C.int64
        else:
            d = get_default_dtype()
        out = d if out is None else _C.promote_types(out, d)
    return out


def _to_numpy_data(data):
    """Nested sequences of numbers and tensors -> a numpy array (plus whether it came from
    tensors, whose dtype then wins)."""
    np = numpy()
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
        if is_ndarray(data):
            from_numpy(data)   # its TypeError for an unsupported array dtype
        leaves = _flat(data) if isinstance(data, (list, tuple)) else [data]
        bad = [x for x in leaves if not isinstance(x, (numbers.Number, np.generic))][:1]
        if bad:
            raise _data_type_error(data, bad[0])
        # numbers only, yet numpy made objects: ints past uint64 (tensor() reads them as floats
        # for a float dtype, else raises torch's overflow error)
    return arr, None


def _data_type_error(data, bad):
    """torch's error for a value tensor() cannot read: strings and bytes are invalid data types
    (a string met as the first element is read as a sequence: too many dimensions); anything
    else has no dtype to infer."""
    if isinstance(bad, (str, bytes)):
        if isinstance(bad, str) and next(_flat_first(data), None) is bad:
            return ValueError("too many dimensions 'str'")
        return TypeError(f"new(): invalid data type '{type(bad).__name__}'")
    return RuntimeError(f"Could not infer dtype of {type(bad).__name__}")


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
    read = _read_python(data)
    out = None if read is None else _from_python(*read, dtype)
    if out is None:
        if isinstance(data, _TensorBase) and data._device == "cpu":
            out = _from_tensor(data, dtype)
        else:
            out = _through_numpy(data, dtype)
    return _finish(out, requires_grad)


def _through_numpy(data, dtype):
    """tensor() of what numpy reads: arrays, numpy scalars, sequences mixing tensors, numpy
    objects or objects with `__float__`/`__array__`..., and the errors for what it cannot."""
    np = numpy()
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
        if dtype.is_floating_point or dtype is _C.bool:
            src = from_numpy(arr.astype(np.float64) if arr.dtype.kind == "u" else arr)
        elif arr.dtype.kind in "ib":
            src = _buffer_tensor(_exact_ints(arr.reshape(-1).tolist(), True, dtype), list(arr.shape), "i")
        else:
            flat = list(_flat(data)) if isinstance(data, (list, tuple)) else [data]
            src = _buffer_tensor(_exact_ints(flat, False, dtype, (float, np.floating)), list(arr.shape), "i")
        return _converted(src, dtype)
    if from_python and arr.dtype.kind == "u" and not any(is_numpy_scalar(x) for x in _flat(data)):
        # numpy's uint64 for Python ints past int64
        raise ValueError("Overflow when unpacking long long")
    src_dtype = tdtype or (_infer_sequence_dtype(arr, data) if isinstance(data, (list, tuple)) else
                           _infer_dtype(arr, data))
    if dtype is None:
        dtype = src_dtype
    if arr.dtype.kind in "iub" or arr.dtype in _from_numpy_dtypes():
        src = from_numpy(arr.astype(_numpy_of(src_dtype), copy=False))
    else:
        src = from_numpy(arr.astype(np.float64))
    return _converted(src, dtype)


def _numpy_of(d):
    np = numpy()
    return np.float32 if d is _C.bfloat16 else np.dtype(d._name)


def as_tensor(data, dtype=None, device=None):
    """Share memory with `data` when it is already a tensor or numpy array of the right dtype."""
    dev = None if device is None else _check_device(device)
    if isinstance(data, _TensorBase):
        if dev is not None and dev != data._device:
            data = data._to_device(dev)
        return data if dtype is None or dtype is data.dtype else data.to(dtype)
    if is_ndarray(data) and data.dtype in _from_numpy_dtypes() and all(s >= 0 for s in data.strides):
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
def empty(*args, size=_MISSING, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    """Like torch.empty; rstorch zero-fills new memory instead of leaving it uninitialised."""
    size = _size_args("empty", args, size)
    dev = _check_device(device)
    return _finish(_C.zeros(_sizes(size, "empty"), dtype or get_default_dtype(), dev), requires_grad)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False, **_):
    size, stride = _sizes((size,)), _sizes((stride,))
    return _finish(_C.empty_strided(size, stride, dtype or get_default_dtype(), _check_device(device)), requires_grad)


@_factory_out("zeros")
def zeros(*args, size=_MISSING, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _filled(_size_args("zeros", args, size), 0, dtype, device, requires_grad, "zeros")


@_factory_out("ones")
def ones(*args, size=_MISSING, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _filled(_size_args("ones", args, size), 1, dtype, device, requires_grad, "ones")


@_factory_out("full")
def full(size, fill_value=_MISSING, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    _full_args("full", size, fill_value)
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


def _preserved(input, value, dtype, device, requires_grad, memory_format):
    """A *_like result laid out like a non-contiguous CPU `input` (torch's default
    `preserve_format`: a transposed input gives a transposed result), filled with `value`;
    None where the plain contiguous factory gives torch's layout."""
    if (input.is_contiguous() or input._device != "cpu" or device not in (None, "cpu")
            or (memory_format is not None and str(memory_format) != "torch.preserve_format")):
        return None
    t = _C._random_empty_like(input, _like(input, dtype))
    t.fill_(value)
    return _finish(t, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    t = _preserved(input, 0, dtype, device, requires_grad, memory_format)
    return t if t is not None else empty(input.shape, dtype=_like(input, dtype), device=_like_device(input, device),
                                         requires_grad=requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    t = _preserved(input, 0, dtype, device, requires_grad, memory_format)
    return t if t is not None else zeros(input.shape, dtype=_like(input, dtype), device=_like_device(input, device),
                                         requires_grad=requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    t = _preserved(input, 1, dtype, device, requires_grad, memory_format)
    return t if t is not None else ones(input.shape, dtype=_like(input, dtype), device=_like_device(input, device),
                                        requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    if not isinstance(fill_value, _TensorBase):
        t = _preserved(input, fill_value, dtype, device, requires_grad, memory_format)
        if t is not None:
            return t
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
#
# The values are computed in float64 (int64 for integer arange) with the core's elementwise
# kernels, in the same IEEE operations, in the same order, that numpy's formulas did, so they are
# bit-identical; arguments other than plain Python ints (exact in float64) and floats go through
# numpy as before.

def _num(x):
    return x.item() if isinstance(x, _TensorBase) else x


def _plain(*values):
    """Whether every value is a Python float or an int that float64 holds exactly."""
    for v in values:
        t = type(v)
        if t is not builtins.float and not (t is builtins.int and -2**53 <= v <= 2**53):
            return False
    return True


def _index_values(n, dtype):
    """0, 1, ..., n - 1 as a float64 or int64 tensor (exact: the float partial sums are small
    integers)."""
    return _C.full([n], 1, dtype, "cpu").cumsum(0) - 1


def _range_result(values, dtype, device):
    """The range factories' values (a float64/int64 tensor, or numpy's array) as `dtype` on `device`."""
    if isinstance(values, _TensorBase):
        return _on(values if values.dtype is dtype else values._to_dtype(dtype), device)
    return tensor(values, dtype=dtype, device=device)


def _wrap64(v):
    return (v + 2**63) % 2**64 - 2**63


def _arange_size(start, end, step, dtype):
    """The number of values, as torch's arange computes it: for an int64 result in int64
    arithmetic (wrapping, as C++ does: `arange(0, 10, 2**63 - 1)` is empty, and
    `arange(-2**63, 0)` overflows), else in float64; then its checks on that size."""
    if all(type(v) is builtins.int for v in (start, end, step)) and dtype in (None, _C.int64):
        if any(not -2**63 <= v < 2**63 for v in (start, end, step)):
            raise RuntimeError("value cannot be converted to type int64_t without overflow")
        sgn = (step > 0) - (step < 0)
        num = _wrap64(end - start + step - sgn)
        q = abs(num) // abs(step)  # C's division truncates toward zero
        size = float(-q if (num < 0) != (step < 0) else q)
    else:
        size = math.ceil((builtins.float(end) - builtins.float(start)) / builtins.float(step))
    if not 0 <= size <= builtins.float(2**63 - 1):
        raise RuntimeError("invalid size, possible overflow?")
    if size >= 2**63:  # float64's 2**63 - 1 is 2**63, which C++ casts to -2**63
        raise RuntimeError(f"IntArrayRef contains an int that cannot be represented as a SymInt: {-2**63}")
    return int(size)


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
    n = _arange_size(start, end, step, dtype)
    if 8 * n > 2**63 - 1:  # the values are computed in 8-byte types
        raise RuntimeError(f"Storage size calculation overflowed with sizes=[{n}]")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = get_default_dtype() if is_float else _C.int64
    if dtype.is_floating_point:
        if _plain(start, step):
            values = _index_values(n, _C.float64) * step + start
        else:
            np = numpy()
            values = start + np.arange(n, dtype=np.float64) * step
    elif type(start) is builtins.int and type(step) is builtins.int and abs(start) + n * abs(step) < 2**62:
        values = _index_values(n, _C.int64) * step + start
    elif all(isinstance(v, numbers.Integral) for v in (start, step)):
        np = numpy()
        values = np.int64(start) + np.arange(n, dtype=np.int64) * np.int64(step)
    elif _plain(start, step):
        values = (_index_values(n, _C.float64) * step + start).floor()
    else:
        np = numpy()
        values = np.floor(start + np.arange(n, dtype=np.float64) * step)
    return _finish(_range_result(values, dtype, dev), requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated torch.range: like arange but including `end`."""
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    if _plain(start, step):
        values = _index_values(max(n, 0), _C.float64) * step + start
    else:
        np = numpy()
        values = start + np.arange(n, dtype=np.float64) * step
    t = _range_result(values, dtype or get_default_dtype(), _check_device(device))
    return _finish(t, requires_grad)


@_factory_out("linspace")
def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    dev = _check_device(device)
    start, end = _num(start), _num(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if steps > 2**63 - 1:
        raise ValueError("Overflow when unpacking long long")  # torch's int64 argument parser
    if 8 * steps > 2**63 - 1:  # the values are computed in float64
        raise RuntimeError(f"Storage size calculation overflowed with sizes=[{steps}]")
    dtype = dtype or get_default_dtype()
    if not (type(steps) is builtins.int and _plain(start, end)):
        values = _linspace_numpy(start, end, steps)
    elif steps == 1:
        values = _C.full([1], start, _C.float64, "cpu")
    else:
        # torch fills the first half from `start` and the second half back from `end`:
        # start + step * i and end - step * (steps - 1 - i) (x - y is x + -y in IEEE arithmetic)
        step = (end - start) / (steps - 1) if steps > 1 else 0.0
        i = _index_values(steps, _C.float64)
        values = _C._where(i < steps // 2, i * step + start, -((-i + (steps - 1)) * step) + end)
    if not dtype.is_floating_point:
        values = values.trunc() if isinstance(values, _TensorBase) else numpy().trunc(values)
    return _finish(_range_result(values, dtype, dev), requires_grad)


def _linspace_numpy(start, end, steps):
    np = numpy()
    if steps == 1:
        return np.array([start], dtype=np.float64)
    step = (end - start) / (steps - 1) if steps > 1 else 0.0
    i = np.arange(steps, dtype=np.float64)
    half = steps // 2
    return np.where(i < half, start + step * i, end - step * (steps - 1 - i))


@_factory_out("logspace")
def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    np = numpy()  # numpy's pow, as before
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


# ---------------------------------------------------------------------- window functions
# torch's formulas (aten/src/ATen/native/TensorFactories.cpp), computed in the requested dtype
# as torch computes them, so the values agree to the last bit where the arithmetic does.

def _window(name, window_length, periodic, dtype, device, requires_grad, make):
    dtype = get_default_dtype() if dtype is None else dtype
    if not dtype.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtype}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={window_length}")
    if window_length == 0:
        out = empty(0, dtype=dtype, device=device)
    elif window_length == 1:
        out = ones(1, dtype=dtype, device=device)
    else:
        n = window_length + 1 if periodic else window_length
        out = make(arange(n, dtype=dtype, device=device), n)
        if periodic:
            out = out.narrow(0, 0, n - 1).clone()
    return out.requires_grad_(requires_grad) if requires_grad else out


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   pin_memory=False, requires_grad=False):
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, n: (k * (math.pi * 2.0 / (n - 1))).cos() * -beta + alpha)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                requires_grad=False):
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, n: (k * (math.pi * 2.0 / (n - 1))).cos() * -0.5 + 0.5)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    def make(k, n):
        w = k * (math.pi / (n - 1))
        return (w * 4).cos() * 0.08 - (w * 2).cos() * 0.5 + 0.42
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad, make)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    def make(k, n):
        w = k * (2.0 / (n - 1))
        half = ((n - 1) >> 1) + 1
        w[half:] = 2 - w[half:]
        return w
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad, make)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  pin_memory=False, requires_grad=False):
    def make(k, n):
        alpha = (n - 1) / 2.0
        ratio = (k - alpha) / alpha
        return (beta * (1 - ratio * ratio).clamp(min=0).sqrt()).i0() / _math_i0(beta, k.dtype)
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad, make)


def _math_i0(x, dtype):
    return full((), x, dtype=dtype).i0()


__all__ += ["hamming_window", "hann_window", "blackman_window", "bartlett_window", "kaiser_window"]
