"""Pickling with torch's names.

- `TorchPickler` writes the opcodes `torch.save` writes: tensors as
  `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())`
  with the storage a persistent id `('storage', torch.FloatStorage, key, location, numel)`,
  Parameters as `torch._utils._rebuild_parameter`, dtypes as `torch.float32`, `torch.Size`,
  `torch.device`. Globals are written by name (torch need not be importable here).
- `WeightsUnpickler` is the restricted unpickler of `weights_only=True`: a loop over the opcodes
  a checkpoint needs (the ones torch's `_weights_only_unpickler` accepts), globals looked up in an
  allowlist of torch's names mapped to rstorch objects plus what `add_safe_globals` added, with
  torch's error messages. Nothing outside the allowlist is ever imported or called.
- `FullUnpickler` (`weights_only=False`) is the C unpickler with torch's names mapped the same
  way and `torch.<path>` globals resolved as `rstorch.<path>` where rstorch has the same object.
"""

import importlib
import pickle
import struct
from collections import Counter, OrderedDict
from pickle import UnpicklingError
from sys import maxsize

from .. import _C
from .._device import device as _device_cls
from .._size import Size
from .._tensor import Tensor
from ..nn.parameter import Parameter, _state as _param_state

# ---------------------------------------------------------------------------- dtypes and storages

# torch dtype name -> (rstorch dtype or None, itemsize, legacy storage class name or None)
_TORCH_DTYPES = {
    "float32": (_C.float32, 4, "FloatStorage"), "float64": (_C.float64, 8, "DoubleStorage"),
    "float16": (_C.float16, 2, "HalfStorage"), "bfloat16": (_C.bfloat16, 2, "BFloat16Storage"),
    "int64": (_C.int64, 8, "LongStorage"), "int32": (_C.int32, 4, "IntStorage"),
    "int16": (_C.int16, 2, "ShortStorage"), "int8": (_C.int8, 1, "CharStorage"),
    "uint8": (_C.uint8, 1, "ByteStorage"), "bool": (_C.bool, 1, "BoolStorage"),
    "complex64": (None, 8, "ComplexFloatStorage"), "complex128": (None, 16, "ComplexDoubleStorage"),
    "complex32": (None, 4, None),
    "qint8": (None, 1, "QInt8Storage"), "quint8": (None, 1, "QUInt8Storage"),
    "qint32": (None, 4, "QInt32Storage"), "quint4x2": (None, 1, "QUInt4x2Storage"),
    "quint2x4": (None, 1, "QUInt2x4Storage"),
    "uint16": (None, 2, None), "uint32": (None, 4, None), "uint64": (None, 8, None),
    "float8_e5m2": (None, 1, None), "float8_e4m3fn": (None, 1, None),
    "float8_e5m2fnuz": (None, 1, None), "float8_e4m3fnuz": (None, 1, None),
    "float8_e8m0fnu": (None, 1, None), "float4_e2m1fn_x2": (None, 1, None),
    "bits8": (None, 1, None), "bits16": (None, 2, None), "bits1x8": (None, 1, None),
    "bits2x4": (None, 1, None), "bits4x2": (None, 1, None),
}
for _n in range(1, 8):
    _TORCH_DTYPES[f"uint{_n}"] = (None, 1, None)
    _TORCH_DTYPES[f"int{_n}"] = (None, 1, None)

TORCH_NAME = {d: name for name, (d, _, _) in _TORCH_DTYPES.items() if d is not None}
STORAGE_NAME = {d: s for _, (d, _, s) in _TORCH_DTYPES.items() if d is not None}


class MissingDtype:
    """A torch dtype that rstorch lacks: loading a tensor of it raises."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"

    def error(self):
        return RuntimeError(f"cannot load a tensor of dtype torch.{self.name}: rstorch has no such dtype "
                            "(supported: " + ", ".join(sorted(TORCH_NAME.values())) + ")")


class StorageType:
    """`torch.FloatStorage` & co. (dtype set) and `torch.storage.UntypedStorage` (untyped)."""

    def __init__(self, name, dtype, itemsize, untyped=False):
        self.name, self.dtype, self.itemsize, self.untyped = name, dtype, itemsize, untyped

    def __repr__(self):
        return f"StorageType(dtype=torch.{self.dtype_name})"

    @property
    def dtype_name(self):
        return "uint8" if self.untyped else self.torch_dtype

    def check(self):
        if self.dtype is None:
            raise MissingDtype(self.torch_dtype).error()


_STORAGE_TYPES = {}
for _name, (_d, _size, _sname) in _TORCH_DTYPES.items():
    if _sname is not None:
        st = StorageType(_sname, _d, _size)
        st.torch_dtype = _name
        _STORAGE_TYPES[_sname] = st
UNTYPED = StorageType("UntypedStorage", _C.uint8, 1, untyped=True)
UNTYPED.torch_dtype = "uint8"


class Global:
    """A global written by name: `torch.FloatStorage` when saving without torch."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module, self.name = module, name


_SAVE_GLOBALS = {}


def _save_global(module, name):
    g = _SAVE_GLOBALS.get((module, name))
    if g is None:
        g = _SAVE_GLOBALS[(module, name)] = Global(module, name)
    return g


# ---------------------------------------------------------------------------- storages being loaded

_MAX_DIMS = 64
_LIMIT = 1 << 62


class LoadedStorage:
    """A storage of a file being loaded: `nbytes` bytes of record `key`, on `device`, seen as
    `storage_type` (torch.FloatStorage...).

    Its bytes are read (or mapped) when a tensor first needs them; `base(dtype)` is the 1-D tensor
    of the whole storage seen as `dtype` that every tensor of this storage is a view of, shared by
    every LoadedStorage of the same record and device."""

    def __init__(self, source, key, nbytes, storage_type, device="cpu", cell=None):
        self.source, self.key, self.nbytes, self._device = source, key, nbytes, device
        self.storage_type = storage_type
        self._cell = cell if cell is not None else {"bytes": None, "bases": {}}

    def retyped(self, storage_type):
        return LoadedStorage(self.source, self.key, self.nbytes, storage_type, self._device, self._cell)

    # what a map_location callable sees
    @property
    def device(self):
        return _device_cls(self._device)

    def size(self):
        return self.nbytes // self.storage_type.itemsize

    def cpu(self):
        return self._moved("cpu")

    def to(self, device=None, *args, **kwargs):
        from .._device import device_arg
        return self._moved(device_arg(device) if device is not None else self._device)

    def cuda(self, device=None, *args, **kwargs):
        raise RuntimeError(no_gpu_message("cuda" if device is None else f"cuda:{device}"))

    def _moved(self, dev):
        check_target(dev)
        if dev == self._device:
            return self
        return LoadedStorage(self.source, self.key, self.nbytes, self.storage_type, dev)

    def base(self, dtype, itemsize):
        bases = self._cell["bases"]
        b = bases.get(dtype)
        if b is not None:
            return b
        if self.nbytes % itemsize:
            raise RuntimeError(f"storage {self.key!r} of {self.nbytes} bytes is not a whole number of "
                               f"{itemsize}-byte elements")
        n = self.nbytes // itemsize
        if self._device == "meta":
            b = _C_empty(n, dtype, "meta")
        elif self.nbytes == 0:
            b = _C_empty(0, dtype, "cpu")
        else:
            if self._cell["bytes"] is None:
                self._cell["bytes"] = self.source(self.key, self.nbytes)
            owner, ptr, writable = self._cell["bytes"]
            if ptr % itemsize:
                raise RuntimeError(f"storage {self.key!r} is not aligned for its dtype")
            b = _C._from_buffer(ptr, self.nbytes, [n], [1], 0, dtype, owner, writable)
        bases[dtype] = b
        return b


def _C_empty(n, dtype, dev):
    from .._creation import empty
    return empty((n,), dtype=dtype, device=dev)


def no_gpu_message(dev):
    return (f"Attempting to deserialize object on device '{dev}', but rstorch has no GPU backend yet "
            "(torch.cuda.is_available() is False here). Please use rstorch.load with "
            "map_location='cpu' (or map_location=torch.device('cpu')) to map your storages to the CPU.")


def check_target(dev):
    if dev not in ("cpu", "meta"):
        raise RuntimeError(no_gpu_message(dev))


def _ints(xs, what):
    if isinstance(xs, (list, tuple)) and len(xs) <= _MAX_DIMS and all(type(x) is int for x in xs):
        return [int(x) for x in xs]
    raise RuntimeError(f"invalid tensor {what} in the file: {xs!r}"[:300])


def view_of(storage, dtype, itemsize, offset, size, stride):
    """The tensor `size`/`stride`/`offset` over `storage`, every number checked first."""
    if not isinstance(storage, LoadedStorage):
        raise RuntimeError(f"expected a storage to rebuild a tensor, got {type(storage).__name__}")
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    if type(offset) is not int:
        raise RuntimeError(f"invalid storage offset in the file: {offset!r}"[:300])
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape: {len(stride)} != {len(size)}")
    if offset < 0 or any(s < 0 for s in size) or any(s < 0 for s in stride):
        raise RuntimeError(f"negative size, stride or storage offset in the file: sizes {size}, "
                           f"strides {stride}, storage offset {offset}")
    numel = 1
    for s in size:
        numel *= s
        if numel > _LIMIT:
            raise RuntimeError(f"tensor of sizes {size} has too many elements")
    need = 0 if numel == 0 else offset + 1 + sum((n - 1) * st for n, st in zip(size, stride))
    have = storage.nbytes // itemsize
    if need > have or offset > _LIMIT:
        raise RuntimeError(
            f"setStorage: sizes {size}, strides {stride}, storage offset {offset}, and itemsize "
            f"{itemsize} requiring a storage size of {need * itemsize} are out of bounds for storage of "
            f"size {storage.nbytes}")
    base = storage.base(dtype, itemsize)
    if numel == 0 and offset > have:
        offset = 0
    return base.as_strided(size, stride, offset)


# ---------------------------------------------------------------------------- rebuild functions

def _finish(t, requires_grad):
    if requires_grad:
        if type(requires_grad) is not bool:
            raise RuntimeError("invalid requires_grad in the file")
        t.requires_grad_(True)
    return t


def _storage_dtype(storage):
    if not isinstance(storage, LoadedStorage):
        raise RuntimeError(f"expected a storage to rebuild a tensor, got {type(storage).__name__}")
    st = storage.storage_type
    st.check()
    if st.untyped:
        raise RuntimeError("an untyped storage needs _rebuild_tensor_v3")
    return st.dtype, st.itemsize


def _rebuild_tensor(storage, storage_offset, size, stride):
    dtype, itemsize = _storage_dtype(storage)
    return view_of(storage, dtype, itemsize, storage_offset, size, stride)


def _check_metadata(metadata):
    # torch records the conj/neg bits of a view here; rstorch has neither
    if metadata:
        raise RuntimeError(f"cannot load a tensor with metadata {metadata!r}: rstorch has no conjugate or "
                           "negative views"[:300])


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None):
    _check_metadata(metadata)
    return _finish(_rebuild_tensor(storage, storage_offset, size, stride), requires_grad)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype,
                       metadata=None):
    if isinstance(dtype, MissingDtype):
        raise dtype.error()
    _check_metadata(metadata)
    if not isinstance(dtype, _C.dtype):
        raise RuntimeError(f"invalid dtype in the file: {dtype!r}"[:300])
    t = view_of(storage, dtype, _TORCH_DTYPES[TORCH_NAME[dtype]][1], storage_offset, size, stride)
    return _finish(t, requires_grad)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    if not isinstance(data, Tensor):
        raise RuntimeError("a Parameter's data must be a tensor")
    return Parameter(data, bool(requires_grad))


def _set_obj_state(obj, state):
    if isinstance(state, tuple) and len(state) == 2:
        dict_state, slots_state = state
    else:
        dict_state, slots_state = state, None
    for group in (dict_state, slots_state):
        if group:
            if not isinstance(group, dict):
                raise RuntimeError("invalid object state in the file")
            for k, v in group.items():
                if type(k) is not str:
                    raise RuntimeError("invalid object state in the file")
                setattr(obj, k, v)
    return obj


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_obj_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if type(ret) is not new_type:
        if new_type is Parameter:
            ret = Parameter(ret, ret.requires_grad)
        elif not (isinstance(new_type, type) and issubclass(new_type, Tensor)):
            raise RuntimeError(f"cannot rebuild a tensor as {new_type!r}")
        else:
            raise RuntimeError(f"cannot rebuild a tensor as the subclass {new_type.__qualname__}")
    setstate = getattr(type(ret), "__setstate__", None)
    if setstate is not None and setstate is not getattr(Tensor, "__setstate__", None):
        ret.__setstate__(state)
        return ret
    return _set_obj_state(ret, state)


def _rebuild_meta_tensor_no_storage(dtype, size, stride, requires_grad):
    if isinstance(dtype, MissingDtype):
        raise dtype.error()
    from .._creation import empty_strided
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    if any(s < 0 for s in size + stride) or len(size) != len(stride):
        raise RuntimeError(f"invalid meta tensor in the file: sizes {size}, strides {stride}")
    return _finish(empty_strided(size, stride, dtype=dtype, device="meta"), requires_grad)


def _unsupported(kind):
    def rebuild(*args, **kwargs):
        raise RuntimeError(f"cannot load {kind}: rstorch does not support them")
    rebuild.__name__ = f"_rebuild_{kind.replace(' ', '_')}"
    return rebuild


def _get_layout(name):
    if name == "torch.strided":
        return "strided"
    raise RuntimeError(f"cannot load a tensor of layout {name}: rstorch has only torch.strided")


def _safe_bytearray(*args):
    if args and not isinstance(args[0], (bytes, str)):
        raise UnpicklingError("bytearray() may only be rebuilt from bytes in a weights-only load")
    return bytearray(*args)


def _safe_encode(obj, encoding="utf-8", errors="strict"):
    if type(obj) is not str or encoding not in ("latin1", "latin-1"):
        raise UnpicklingError("_codecs.encode may only rebuild bytes from latin1 in a weights-only load")
    return obj.encode("latin1")


# ---------------------------------------------------------------------------- the allowlist

def _allowed():
    rc = {
        "collections.OrderedDict": OrderedDict,
        "collections.Counter": Counter,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.serialization._get_layout": _get_layout,
        "torch.Size": Size,
        "torch.Tensor": Tensor,
        "torch.device": _device_cls,
        "_codecs.encode": _safe_encode,
        "builtins.bytearray": _safe_bytearray,
        "builtins.set": set,
        "builtins.complex": complex,
        "torch.storage.UntypedStorage": UNTYPED,
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._utils._rebuild_meta_tensor_no_storage": _rebuild_meta_tensor_no_storage,
        "torch._utils._rebuild_qtensor": _unsupported("quantized tensors"),
        "torch._utils._rebuild_sparse_tensor": _unsupported("sparse tensors"),
        "torch._utils._rebuild_nested_tensor": _unsupported("nested tensors"),
        "torch._utils._rebuild_wrapper_subclass": _unsupported("tensor subclasses"),
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
    }
    for name, (d, _, _) in _TORCH_DTYPES.items():
        rc[f"torch.{name}"] = d if d is not None else MissingDtype(name)
    for sname, st in _STORAGE_TYPES.items():
        rc[f"torch.{sname}"] = st
    return rc


ALLOWED = _allowed()
ALLOWED_VALUES = {id(v): v for v in ALLOWED.values()}
# torch's names for what rstorch saves
SAVE_NAMES = {}
for _full, _obj in ALLOWED.items():
    if callable(_obj) and not isinstance(_obj, (StorageType, MissingDtype)) and _full.startswith("torch"):
        _mod, _, _nm = _full.rpartition(".")
        SAVE_NAMES.setdefault(id(_obj), (_mod, _nm))
SAVE_NAMES[id(Parameter)] = ("torch.nn.parameter", "Parameter")

# ---------------------------------------------------------------------------- user allowlist

_marked_safe_globals = set()


def add_safe_globals(safe_globals):
    global _marked_safe_globals
    _marked_safe_globals = _marked_safe_globals.union(set(safe_globals))


def get_safe_globals():
    return list(_marked_safe_globals)


def clear_safe_globals():
    global _marked_safe_globals
    _marked_safe_globals = set()


def remove_safe_globals(globals_to_remove):
    global _marked_safe_globals
    _marked_safe_globals = _marked_safe_globals - set(globals_to_remove)


class safe_globals:
    """Context manager adding `safe_globals` to the weights-only allowlist for its duration."""

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        add_safe_globals(self.safe_globals)

    def __exit__(self, type, value, tb):
        remove_safe_globals(self.safe_globals)


def _user_allowed():
    rc = {}
    for f in _marked_safe_globals:
        if isinstance(f, tuple):
            if len(f) != 2:
                raise ValueError(f"Expected tuple of length 2 (global, str of callable full path), but got "
                                 f"tuple of length: {len(f)}")
            if type(f[1]) is not str:
                raise TypeError(f"Expected second item in tuple to be str of callable full path, but got: "
                                f"{type(f[1])}")
            f, name = f
            rc[name] = f
        else:
            module = f.__module__
            rc[f"{module}.{f.__qualname__}"] = f
            if module == "rstorch" or module.startswith("rstorch."):
                # files written by torch name torch's class of the same path
                rc.setdefault(f"torch{module[len('rstorch'):]}.{f.__qualname__}", f)
    return rc


# ---------------------------------------------------------------------------- weights-only unpickler

_BLOCKED = ("sys", "os", "posix", "nt")
_OP = {k: getattr(pickle, k)[0] for k in (
    "GLOBAL", "NEWOBJ", "REDUCE", "BUILD", "APPEND", "APPENDS", "SETITEM", "SETITEMS", "MARK", "TUPLE",
    "TUPLE1", "TUPLE2", "TUPLE3", "NONE", "NEWFALSE", "NEWTRUE", "EMPTY_TUPLE", "EMPTY_LIST",
    "EMPTY_DICT", "EMPTY_SET", "BININT", "BININT1", "BININT2", "BINFLOAT", "BINUNICODE",
    "SHORT_BINSTRING", "BINPERSID", "BINGET", "LONG_BINGET", "BINPUT", "LONG_BINPUT", "LONG1", "PROTO",
    "STOP")}
# Python 2's names, fixed as torch fixes them for protocol-2 pickles (torch._utils's mappings)
_IMPORT_MAPPING = {
    "__builtin__": "builtins", "copy_reg": "copyreg", "Queue": "queue", "repr": "reprlib",
    "_abcoll": "collections.abc", "UserDict": "collections", "UserList": "collections",
    "UserString": "collections", "whichdb": "dbm", "StringIO": "io", "cStringIO": "io",
}
_NAME_MAPPING = {
    ("__builtin__", "xrange"): ("builtins", "range"), ("__builtin__", "reduce"): ("functools", "reduce"),
    ("__builtin__", "intern"): ("sys", "intern"), ("__builtin__", "unichr"): ("builtins", "chr"),
    ("__builtin__", "unicode"): ("builtins", "str"), ("__builtin__", "long"): ("builtins", "int"),
    ("itertools", "izip"): ("builtins", "zip"), ("itertools", "imap"): ("builtins", "map"),
    ("itertools", "ifilter"): ("builtins", "filter"), ("itertools", "ifilterfalse"): ("itertools", "filterfalse"),
    ("itertools", "izip_longest"): ("itertools", "zip_longest"),
    ("UserDict", "IterableUserDict"): ("collections", "UserDict"), ("UserList", "UserList"): ("collections", "UserList"),
    ("UserString", "UserString"): ("collections", "UserString"), ("__builtin__", "basestring"): ("builtins", "str"),
    ("exceptions", "StandardError"): ("builtins", "Exception"), ("UserDict", "UserDict"): ("collections", "UserDict"),
}


def _map_global(module, name):
    if (module, name) in _NAME_MAPPING:
        return _NAME_MAPPING[(module, name)]
    return _IMPORT_MAPPING.get(module, module), name


def _global_path(module, name):
    module, name = _map_global(module, name)
    return f"{module}.{name}"


class WeightsUnpickler:
    def __init__(self, file, persistent_load, encoding="utf-8"):
        self.read = file.read
        self.readline = file.readline
        self.persistent_load = persistent_load
        self.encoding = encoding
        self.memo = {}

    def _read(self, n):
        b = self.read(n)
        if len(b) != n:
            raise UnpicklingError("pickle data was truncated")
        return b

    def load(self):
        try:
            return self._load()
        except (UnpicklingError, RuntimeError, ValueError, MemoryError):
            raise
        except (IndexError, KeyError, struct.error, UnicodeDecodeError, EOFError, TypeError,
                AttributeError, OverflowError) as e:
            raise UnpicklingError(f"corrupt or truncated pickle data ({type(e).__name__}: {e})"[:500]) from None

    def _load(self):
        O = _OP
        self.metastack = []
        self.stack = []
        read = self._read
        user = _user_allowed()
        user_values = {id(v) for v in user.values()}
        while True:
            key = self.read(1)
            if not key:
                raise EOFError
            op = key[0]
            stack = self.stack
            if op == O["GLOBAL"]:
                module = self.readline()
                name = self.readline()
                if not module.endswith(b"\n") or not name.endswith(b"\n"):
                    raise UnpicklingError("pickle data was truncated")
                module, name = _map_global(module[:-1].decode("utf-8"), name[:-1].decode("utf-8"))
                full_path = f"{module}.{name}"
                if module in _BLOCKED:
                    raise UnpicklingError(
                        f"Trying to load unsupported GLOBAL {full_path} whose module {module} is blocked.")
                if full_path in ALLOWED:
                    stack.append(ALLOWED[full_path])
                elif full_path in user:
                    stack.append(user[full_path])
                else:
                    if full_path.startswith("builtins"):
                        rest = full_path[len("builtins"):]
                        full_path = rest[1:] if rest.startswith(".") else "builtins" + rest
                    raise UnpicklingError(
                        f"Unsupported global: GLOBAL {full_path} was not an allowed global by default. "
                        f"Please use `torch.serialization.add_safe_globals([{full_path}])` or the "
                        f"`torch.serialization.safe_globals([{full_path}])` context manager to allowlist "
                        "this global if you trust this class/function.")
            elif op == O["NEWOBJ"]:
                args = stack.pop()
                cls = stack.pop()
                if type(args) is not tuple:
                    raise UnpicklingError("NEWOBJ expected an argument tuple")
                _check_container_args(cls, args)
                if cls is Parameter:
                    stack.append(Parameter(*args))
                elif cls is Tensor:
                    raise UnpicklingError("Can only create new object for nn.Parameter or classes allowlisted "
                                          f"via `add_safe_globals` but got {cls}")
                elif isinstance(cls, type) and (id(cls) in ALLOWED_VALUES or id(cls) in user_values):
                    stack.append(cls.__new__(cls, *args))
                else:
                    raise UnpicklingError("Can only create new object for nn.Parameter or classes allowlisted "
                                          f"via `add_safe_globals` but got {cls}")
            elif op == O["REDUCE"]:
                args = stack.pop()
                func = stack[-1]
                if type(args) is not tuple:
                    raise UnpicklingError("REDUCE expected an argument tuple")
                if (id(func) not in ALLOWED_VALUES and id(func) not in user_values or not callable(func)
                        or func is Tensor):
                    msg = f"Trying to call reduce for unrecognized function {func}"
                    if hasattr(func, "__self__"):
                        msg += f" which belongs to {func.__self__}"
                    raise UnpicklingError(msg)
                _check_container_args(func, args)
                stack[-1] = func(*args)
            elif op == O["BUILD"]:
                state = stack.pop()
                inst = stack[-1]
                t = type(inst)
                if t is Parameter:
                    _set_obj_state(inst, state)
                elif t is OrderedDict:
                    if not isinstance(state, dict):
                        raise UnpicklingError("invalid OrderedDict state")
                    inst.__dict__.update(state)
                elif id(t) in user_values:
                    if hasattr(inst, "__setstate__"):
                        inst.__setstate__(state)
                    else:
                        slotstate = None
                        if isinstance(state, tuple) and len(state) == 2:
                            state, slotstate = state
                        if state:
                            inst.__dict__.update(state)
                        if slotstate:
                            for k, v in slotstate.items():
                                setattr(inst, k, v)
                else:
                    raise UnpicklingError("Can only build Tensor, Parameter, OrderedDict or types allowlisted "
                                          f"via `add_safe_globals`, but got {t}")
            elif op == O["APPEND"]:
                item = stack.pop()
                if type(stack[-1]) is not list:
                    raise UnpicklingError(f"Can only append to lists, but got {type(stack[-1])}")
                stack[-1].append(item)
            elif op == O["APPENDS"]:
                items = self.pop_mark()
                if type(self.stack[-1]) is not list:
                    raise UnpicklingError(f"Can only extend lists, but got {type(self.stack[-1])}")
                self.stack[-1].extend(items)
            elif op == O["SETITEM"]:
                v, k = stack.pop(), stack.pop()
                self._check_set_item_target("SETITEM")
                stack[-1][k] = v
            elif op == O["SETITEMS"]:
                items = self.pop_mark()
                self._check_set_item_target("SETITEMS")
                if len(items) % 2:
                    raise UnpicklingError("SETITEMS with an odd number of items")
                target = self.stack[-1]
                for i in range(0, len(items), 2):
                    target[items[i]] = items[i + 1]
            elif op == O["MARK"]:
                self.metastack.append(stack)
                self.stack = []
            elif op == O["TUPLE"]:
                items = self.pop_mark()
                self.stack.append(tuple(items))
            elif op == O["TUPLE1"]:
                stack[-1] = (stack[-1],)
            elif op == O["TUPLE2"]:
                if len(stack) < 2:
                    raise UnpicklingError("stack underflow")
                stack[-2:] = [(stack[-2], stack[-1])]
            elif op == O["TUPLE3"]:
                if len(stack) < 3:
                    raise UnpicklingError("stack underflow")
                stack[-3:] = [(stack[-3], stack[-2], stack[-1])]
            elif op == O["NONE"]:
                stack.append(None)
            elif op == O["NEWFALSE"]:
                stack.append(False)
            elif op == O["NEWTRUE"]:
                stack.append(True)
            elif op == O["EMPTY_TUPLE"]:
                stack.append(())
            elif op == O["EMPTY_LIST"]:
                stack.append([])
            elif op == O["EMPTY_DICT"]:
                stack.append({})
            elif op == O["EMPTY_SET"]:
                stack.append(set())
            elif op == O["BININT"]:
                stack.append(struct.unpack("<i", read(4))[0])
            elif op == O["BININT1"]:
                stack.append(read(1)[0])
            elif op == O["BININT2"]:
                stack.append(struct.unpack("<H", read(2))[0])
            elif op == O["BINFLOAT"]:
                stack.append(struct.unpack(">d", read(8))[0])
            elif op == O["BINUNICODE"]:
                strlen = struct.unpack("<I", read(4))[0]
                if strlen > maxsize:
                    raise UnpicklingError("String is too long")
                stack.append(str(read(strlen), "utf-8", "surrogatepass"))
            elif op == O["SHORT_BINSTRING"]:
                data = read(read(1)[0])
                stack.append(data if self.encoding == "bytes" else data.decode(self.encoding, "strict"))
            elif op == O["BINPERSID"]:
                pid = stack.pop()
                if type(pid) is not tuple and type(pid) is not int:
                    raise UnpicklingError(f"persistent_load id must be tuple or int, but got {type(pid)}")
                if type(pid) is tuple and len(pid) > 0 and _ascii(pid[0]) != "storage":
                    raise UnpicklingError(f"Only persistent_load of storage is allowed, but got {type(pid[0])}")
                stack.append(self.persistent_load(pid))
            elif op == O["BINGET"] or op == O["LONG_BINGET"]:
                idx = read(1)[0] if op == O["BINGET"] else struct.unpack("<I", read(4))[0]
                if idx not in self.memo:
                    raise UnpicklingError(f"Memo value not found at index {idx}")
                stack.append(self.memo[idx])
            elif op == O["BINPUT"] or op == O["LONG_BINPUT"]:
                i = read(1)[0] if op == O["BINPUT"] else struct.unpack("<I", read(4))[0]
                self.memo[i] = stack[-1]
            elif op == O["LONG1"]:
                n = read(1)[0]
                stack.append(pickle.decode_long(read(n)))
            elif op == O["PROTO"]:
                self.proto = read(1)[0]
            elif op == O["STOP"]:
                return stack.pop()
            else:
                raise UnpicklingError(f"Unsupported operand {op}")

    def pop_mark(self):
        if not self.metastack:
            raise UnpicklingError("could not find MARK")
        items = self.stack
        self.stack = self.metastack.pop()
        return items

    def _check_set_item_target(self, opcode):
        if type(self.stack[-1]) not in (dict, OrderedDict, Counter):
            raise UnpicklingError(f"Can only {opcode} for dict, collections.OrderedDict, collections.Counter, "
                                  f"but got {type(self.stack[-1])}")


_CONTAINERS = {id(set), id(Counter), id(OrderedDict), id(Size), id(_device_cls), id(complex)}


def _check_container_args(func, args):
    """A container built from a tensor would iterate it: a stride-0 view of 2**40 elements costs
    the file nothing and the loader hours. Containers are built from plain values only."""
    if id(func) in _CONTAINERS and any(isinstance(a, (Tensor, LoadedStorage)) for a in args):
        raise UnpicklingError(f"{getattr(func, '__name__', func)}() may not be built from a tensor or storage "
                              "in a weights-only load")


def _ascii(s):
    return s.decode("ascii") if isinstance(s, bytes) else s


def weights_only_message(message):
    """torch.load's wrapping of a weights-only unpickling error."""
    import re
    unsafe = ("In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
              "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely "
              "succeed, but it can result in arbitrary code execution. Do it only if you got the file from a "
              "trusted source.")
    docs = ("\n\nCheck the documentation of torch.load to learn more about types accepted by default with "
            "weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")
    if re.search(r"GLOBAL (\S+) was not an allowed global by default.", message):
        updated = ("Weights only load failed. This file can still be loaded, to do so you have two options, "
                   "\033[1mdo those steps only if you trust the source of the checkpoint\033[0m. "
                   f"\n\t(1) {unsafe}\n\t(2) Alternatively, to load with `weights_only=True` please check "
                   "the recommended steps in the following error message.\n\tWeightsUnpickler error: "
                   + message)
    else:
        if re.search(r"(\S+) must be (\S+) to load", message):
            return f"Weights only load failed. {message}\n {unsafe}\n"
        updated = f"Weights only load failed. {unsafe}\n"
        if not re.search(r"whose module (\S+) is blocked", message):
            updated += ("Please file an issue with the following so that we can make "
                        "`weights_only=True` compatible with your use case: WeightsUnpickler error: ")
        updated += "\n\n" + message
    return updated + docs


# ---------------------------------------------------------------------------- full unpickler

class FullUnpickler(pickle.Unpickler):
    """`weights_only=False`: any global, torch's names mapped to rstorch's objects."""

    def find_class(self, module, name):
        full = _global_path(module, name)
        if full in ALLOWED:
            return ALLOWED[full]
        if module == "torch" or module.startswith("torch."):
            target = "rstorch" + module[len("torch"):]
            try:
                mod = importlib.import_module(target)
                obj = mod
                for part in name.split("."):
                    obj = getattr(obj, part)
                return obj
            except (ImportError, AttributeError):
                raise pickle.UnpicklingError(
                    f"cannot load {module}.{name}: the file needs PyTorch's {module}.{name}, which rstorch "
                    f"does not have (no {target}.{name})") from None
        return super().find_class(module, name)


# ---------------------------------------------------------------------------- pickler

_GLOBAL = pickle.GLOBAL


_MARK, _TUPLE, _EMPTY_TUPLE, _REDUCE = pickle.MARK, pickle.TUPLE, pickle.EMPTY_TUPLE, pickle.REDUCE
_NEWTRUE, _NEWFALSE = pickle.NEWTRUE, pickle.NEWFALSE
_TUPLE_N = [pickle.EMPTY_TUPLE, pickle.TUPLE1, pickle.TUPLE2, pickle.TUPLE3]


def _int_op(v):
    """The opcode pickle.py's save_long writes for int `v` (protocol >= 2)."""
    if 0 <= v <= 0xFF:
        return b"K" + bytes((v,))
    if 0 <= v <= 0xFFFF:
        return b"M" + struct.pack("<H", v)
    if -0x80000000 <= v <= 0x7FFFFFFF:
        return b"J" + struct.pack("<i", v)
    enc = pickle.encode_long(v)
    n = len(enc)
    return b"\x8a" + bytes((n,)) + enc if n < 256 else b"\x8b" + struct.pack("<i", n) + enc


class TorchPickler(pickle._Pickler):
    """The pure-Python pickler, with rstorch's tensors, dtypes, sizes and devices written as torch's."""

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol, storage_ref):
        super().__init__(file, protocol)
        self.storage_ref = storage_ref

    def persistent_id(self, obj):
        if type(obj) is StorageRef:
            return ("storage",) + obj.pid[1:]  # a new tuple each time, as torch writes it
        return None

    def save_global(self, obj, name=None):
        names = SAVE_NAMES.get(id(obj))
        if names is None or name is not None:
            return super().save_global(obj, name)
        self._write_global(obj, *names)

    dispatch[type(_finish)] = save_global

    def _write_global(self, obj, module, name):
        self.write(_GLOBAL + module.encode("utf-8") + b"\n" + name.encode("utf-8") + b"\n")
        self.memoize(obj)

    def _save_named(self, obj):
        self._write_global(obj, obj.module, obj.name)

    dispatch[Global] = _save_named

    def _save_dtype(self, obj):
        self._write_global(obj, "torch", TORCH_NAME[obj])

    dispatch[_C.dtype] = _save_dtype

    def _save_device(self, obj):
        args = (obj.type,) if obj.index is None else (obj.type, obj.index)
        self.save_reduce(_device_cls, args, obj=obj)

    dispatch[_device_cls] = _save_device

    def _save_tensor(self, obj):
        if obj.is_meta:
            self.save_reduce(_rebuild_meta_tensor_no_storage,
                             (obj.dtype, tuple(obj.shape), tuple(obj.stride()), obj.requires_grad), obj=obj)
            return
        state = _param_state(obj) if type(obj) is Tensor and obj.__dict__ else None  # hooks are not saved
        if state or self.proto < 2:
            args = (self.storage_ref(obj), obj.storage_offset(), tuple(obj.shape), tuple(obj.stride()),
                    obj.requires_grad, OrderedDict())
            if state:
                self.save_reduce(_rebuild_from_type_v2, (_rebuild_tensor_v2, Tensor, args, state), obj=obj)
            else:
                self.save_reduce(_rebuild_tensor_v2, args, obj=obj)
            return
        # the common case, written directly: the same opcodes and memo slots as save_reduce of
        # (_rebuild_tensor_v2, (storage, offset, size, stride, requires_grad, OrderedDict()))
        write = self.write
        self.save(_rebuild_tensor_v2)
        write(_MARK)
        self.save_pers(("storage",) + self.storage_ref(obj).pid[1:])
        size, stride = tuple(obj.shape), tuple(obj.stride())
        write(_int_op(obj.storage_offset()))
        self._int_tuple(size)
        self._int_tuple(stride)
        write(_NEWTRUE if obj.requires_grad else _NEWFALSE)
        hooks = OrderedDict()
        self.save(hooks)
        write(_TUPLE)
        self.memoize((size, stride, hooks))  # stands for the args tuple's memo slot
        write(_REDUCE)
        self.memoize(obj)

    def _int_tuple(self, t):
        if not t:
            self.write(_EMPTY_TUPLE)
            return
        body = b"".join(map(_int_op, t))
        n = len(t)
        self.write(body + _TUPLE_N[n] if n <= 3 else _MARK + body + _TUPLE)
        self.memoize(t)

    dispatch[Tensor] = _save_tensor

    def _save_parameter(self, obj):
        state = _param_state(obj)
        if state:
            self.save_reduce(_rebuild_parameter_with_state,
                             (obj.data, obj.requires_grad, OrderedDict(), state), obj=obj)
        else:
            self.save_reduce(_rebuild_parameter, (obj.data, obj.requires_grad, OrderedDict()), obj=obj)

    dispatch[Parameter] = _save_parameter


class StorageRef:
    __slots__ = ("pid",)

    def __init__(self, pid):
        self.pid = pid
