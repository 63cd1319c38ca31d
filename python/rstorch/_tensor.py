"""`rstorch.Tensor`: the Python face of `_C.TensorBase`.

Hot paths (operators, metadata, views) are methods of the Rust base class; this class adds the
API that is not hot: printing, numpy interop, Python conversions, `to`/`type`, indexing.
"""

import builtins
import weakref

from . import _C, _shared, _storage
from ._creation import _MISSING, _full_args, _legacy_new, _sizes, empty, full, get_default_dtype, ones, tensor, zeros
from ._device import device as _device, device_arg as _device_arg, device_of as _device_of
from ._dtypes import DTYPES, LEGACY, LEGACY_BY_NAME
from ._indexing import getitem, setitem
from ._numpy import numpy as _numpy
from ._size import Size as _Size
from ._tensor_str import format_tensor
from .autograd.engine import backward as _backward
from .autograd.graph import OpNode, RemovableHandle, node_class
from .autograd.inplace import _alias

_py_bool, _py_float, _py_int = builtins.bool, builtins.float, builtins.int

_DTYPES, _LEGACY, _LEGACY_BY_NAME = DTYPES, LEGACY, LEGACY_BY_NAME


# memoryview's format of each dtype that tolist() reads as it is (float16 and bfloat16 are read
# as float32, exactly: memoryview has no half floats)
_LIST_FORMAT = {"float32": "f", "float64": "d", "int64": "q", "int32": "i", "int16": "h", "int8": "b",
                "uint8": "B", "bool": "?"}
_ctypes = None


def _host_list(t):
    """A CPU tensor's values as nested lists (a number for 0-d), read from its memory through a
    memoryview (ctypes, not numpy, makes the buffer over the address)."""
    global _ctypes
    if t.dtype is _C.float16 or t.dtype is _C.bfloat16:
        t = t._to_dtype(_C.float32)
    if not t.is_contiguous():
        t = t.contiguous()
    ptr, shape, _, name, _ = t._array_interface()
    n = t.numel()
    if n == 0:
        return _empty_lists(shape)
    if _ctypes is None:
        import ctypes as _ctypes
    raw = (_ctypes.c_ubyte * (n * t.element_size())).from_address(ptr)
    return memoryview(raw).cast("B").cast(_LIST_FORMAT[name], shape).tolist()


class _Values:
    """A CPU tensor's values as the printer reads them: blocks by a tuple of slices (views made
    with `_slice`, skipping the indexing machinery and autograd), then `tolist()`."""

    __slots__ = ("_t", "shape")

    def __init__(self, t):
        self._t = t
        self.shape = t.shape

    def __getitem__(self, index):
        t = self._t
        for dim, s in enumerate(index):
            if s.start is not None:
                t = t._slice(dim, s.start, s.stop, 1)
        return _Values(t)

    def tolist(self):
        return _host_list(self._t)


def _empty_lists(shape):
    return [] if shape[0] == 0 else [_empty_lists(shape[1:]) for _ in builtins.range(shape[0])]


class _ArrayExport:
    """Holds a tensor alive behind a numpy array that shares its memory."""

    __slots__ = ("__array_interface__", "_tensor")


# the C++ type names torch's messages print for a dtype (caffe2::TypeMeta)
_TYPE_META = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
              "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
              "bool": "bool", "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


class Tensor(_C.TensorBase):
    """A multi-dimensional array of one dtype, with autograd, like `torch.Tensor`."""

    # a leaf's hooks (dicts once registered; the native engine leaves leaves with hooks to engine.py)
    _backward_hooks = None
    _post_accumulate_grad_hooks = None

    def __new__(cls, *args, device=None, dtype=None):
        # legacy constructor: Tensor(2, 3) is uninitialised (zeros here), Tensor([1, 2]) copies data
        return _legacy_new(cls, _C.float32 if dtype is None else dtype, args, device)

    # ------------------------------------------------------------------ printing

    def __repr__(self, *, tensor_contents=None):
        # the formatter reads the values it prints (all of them, or the summary's edges) by
        # slicing and tolist(): no copy of the whole tensor, no numpy
        values = None if self.is_meta else _Values(self.detach()) if self._device == "cpu" else \
            _Values(self.detach()._to_device("cpu"))
        grad_fn = self.grad_fn
        return format_tensor(
            values, self.dtype._name, shape=self.shape,
            device=None if self.device.type == "cpu" else str(self.device),
            requires_grad=self.requires_grad and grad_fn is None,
            grad_fn_name=None if grad_fn is None else type(grad_fn).__name__,
            default_dtype=_default_dtype()._name,
        )

    __str__ = __repr__

    def __format__(self, spec):
        if self.dim() == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    # ------------------------------------------------------------------ numpy and Python values

    def _host_numpy(self):
        """A numpy view of the values (bfloat16 widened to float32, since numpy lacks it)."""
        t = self if self.dtype is not _C.bfloat16 else self._to_dtype(_C.float32)
        ptr, shape, strides, name, writable = t._array_interface()
        exp = _ArrayExport()
        exp.__array_interface__ = {
            "data": (ptr, not writable), "shape": tuple(shape), "strides": tuple(strides),
            "typestr": _numpy().dtype(name).str, "version": 3,
        }
        exp._tensor = t
        return _numpy().asarray(exp)

    def numpy(self, *, force=False):
        """A numpy array sharing this tensor's memory."""
        if self.requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if self.device.type != "cpu":
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.")
        if self.dtype is _C.bfloat16:
            raise TypeError("Got unsupported ScalarType BFloat16")
        return self._host_numpy()

    def __dlpack__(self, stream=None, *, max_version=None, dl_device=None, copy=None):
        """The DLPack protocol, through numpy's exporter over this tensor's memory (shared)."""
        if self.requires_grad:
            raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
        if self.device.type != "cpu":
            raise BufferError(f"DLPack export of a {self.device.type} tensor is not supported; use .cpu() first")
        array = self._host_numpy() if self.dtype is not _C.bfloat16 else None
        if array is None:
            raise BufferError("DLPack export of bfloat16 tensors is not supported here (numpy has no bfloat16)")
        kwargs = {} if max_version is None else {"max_version": max_version}
        return array.__dlpack__(stream=stream, **kwargs)

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU

    def const_data_ptr(self):
        return self.data_ptr()

    def __array__(self, dtype=None, copy=None):
        a = self.detach().numpy() if self.dtype is not _C.bfloat16 else self.detach()._host_numpy()
        if dtype is not None:
            a = a.astype(dtype, copy=False)
        return a.copy() if copy else a

    def tolist(self):
        if self.is_meta:
            raise NotImplementedError(
                "Cannot copy out of meta tensor; no data! Please use torch.nn.Module.to_empty() instead "
                "of torch.nn.Module.to() when moving module from meta to a different device.")
        if self._device != "cpu":
            return _host_list(self.detach()._to_device("cpu"))
        return _host_list(self.detach())

    def __len__(self):
        if self.dim() == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        if self.dim() == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        n = self.numel()
        if n != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {'no values' if n == 0 else 'more than one value'} is ambiguous")
        return _py_bool(self.item())

    def __float__(self):
        return _py_float(self._single("float"))

    def __int__(self):
        return _py_int(self._single("int"))

    def __index__(self):
        if self.dtype.is_floating_point or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return _py_int(self.item())

    def _single(self, what):
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __reduce_ex__(self, proto):
        return _shared.reduce_tensor(self)

    def share_memory_(self):
        """Moves the storage into shared memory (see rstorch/_shared.py); returns self."""
        return _shared.share_memory_(self)

    def is_shared(self):
        return _shared.is_shared(self)

    def storage(self):
        """The storage as elements of this tensor's dtype (torch's deprecated TypedStorage)."""
        return _storage.storage(self)

    def storage_type(self):
        return _storage.LEGACY_STORAGES[LEGACY[self.dtype].replace("Tensor", "Storage")]

    def untyped_storage(self):
        """The storage this tensor's data lives in (rstorch/_storage.py): its bytes, address
        and device; one object per storage, shared by every view of it."""
        return _storage.untyped_storage(self)

    def set_(self, source=None, storage_offset=None, size=None, stride=None):
        """torch's set_: this tensor becomes a view of `source`'s storage (a Tensor's, with its
        geometry unless one is given, or an UntypedStorage's, read as this tensor's dtype), or
        of an empty storage; in place, like torch, so every reference to it sees the change."""
        given = (storage_offset is not None, size is not None)
        if given[0] != given[1] or (stride is not None and not given[1]) or \
                not (source is None or isinstance(source, (Tensor, _storage.UntypedStorage))) or \
                (source is None and given[0]):
            got = ", ".join(type(v).__name__ if not isinstance(v, Tensor) else "Tensor"
                            for v in (source, storage_offset, size, stride) if v is not None)
            raise TypeError(f"set_() received an invalid combination of arguments - got ({got}), but expected one "
                            "of:\n * ()\n * (torch.Storage source)\n * (torch.Storage source, int storage_offset, "
                            "tuple of ints size, tuple of ints stride = None)\n * (Tensor source)\n * (Tensor source, "
                            "int storage_offset, tuple of ints size, tuple of ints stride = None)\n")
        if _C.is_grad_enabled() and self.requires_grad and self.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        if source is None:
            new = empty(0, dtype=self.dtype, device=self.device)
        elif isinstance(source, Tensor):
            if source.dtype is not self.dtype:
                raise RuntimeError(f"Could not set tensor of type {_TYPE_META[source.dtype._name]} to a tensor of "
                                   f"type {_TYPE_META[self.dtype._name]}")
            new = source.detach()
        else:  # the storage's bytes as this tensor's dtype
            flat = _shared._storage_tensor(source._t)
            new = flat.view(_C.uint8).view(self.dtype) if flat.dtype is not self.dtype else flat
        if given[1]:
            size = list(size)
            if stride is None:  # contiguous
                stride, acc = [0] * len(size), 1
                for d in builtins.range(len(size) - 1, -1, -1):
                    stride[d], acc = acc, acc * builtins.max(size[d], 1)
            new = new.as_strided(size, list(stride), storage_offset)
        self._set(new)
        return self

    @staticmethod
    def _make_subclass(cls, data, require_grad=False, dispatch_sizes_strides_policy=None,
                       dispatch_device=False, dispatch_layout=False, _extra_dispatch_keys=None,
                       storage_size=None):
        """A `cls` instance sharing `data`'s storage and version counter, detached from its
        graph, requiring grad if `require_grad` (torch's `Tensor._make_subclass`, what
        `Parameter.__new__` and tensor subclasses call)."""
        if not isinstance(cls, type) or not issubclass(cls, _C.TensorBase):
            raise TypeError("Creating a Tensor subclass from a class that does not inherit from Tensor is not "
                            "possible. Make sure your class inherits from Tensor.")
        if not isinstance(data, _C.TensorBase):
            raise TypeError(f"_make_subclass(): argument 'data' (position 2) must be Tensor, not "
                            f"{type(data).__name__}")
        if require_grad and not data.dtype.is_floating_point:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        obj = _C.TensorBase.__new__(cls)
        obj._set(data)
        if require_grad:
            obj.requires_grad = True
        return obj

    def __deepcopy__(self, memo):
        out = self.detach().clone()
        out.requires_grad = self.requires_grad
        memo[id(self)] = out
        return out

    # ------------------------------------------------------------------ device and dtype

    @property
    def device(self):
        return _device_of(self._device)

    @property
    def is_cuda(self):
        return self._device.startswith("wgpu")

    @property
    def layout(self):
        from ._size import strided
        return strided

    # what torch's other backends and layouts ask of a tensor: rstorch tensors are dense, real,
    # not quantized, not nested, on the CPU, meta or wgpu device
    is_sparse = is_sparse_csr = is_quantized = is_nested = is_mps = is_xpu = is_mkldnn = is_vulkan = False

    def get_device(self):
        """-1 on the CPU, else the GPU's index."""
        return -1 if self._device in ("cpu", "meta") else self.device.index or 0

    def is_pinned(self, device=None):
        return False

    def pin_memory(self, device=None):
        raise RuntimeError("Cannot access accelerator device when none is available: pinned (page-locked) "
                           "host memory needs a GPU backend, which this rstorch does not have yet")

    def is_conj(self):
        return False

    def is_neg(self):
        return False

    def conj(self):
        return self  # real tensors are their own conjugate (torch returns self too)

    def resolve_conj(self):
        return self

    def resolve_neg(self):
        return self

    conj_physical = conj

    def conj_physical_(self):
        return self

    @property
    def real(self):
        return self

    @property
    def imag(self):
        raise TypeError("imag is not implemented for tensors with non-complex dtypes.")

    def to_dense(self, dtype=None, *, masked_grad=None):
        return self if dtype is None else self.to(dtype)

    def dim_order(self, *, ambiguity_check=False):
        """The dims from outermost to innermost in memory (stable for equal strides)."""
        return tuple(sorted(range(self.dim()), key=lambda d: -self.stride(d)))

    def is_same_size(self, other):
        return tuple(self.shape) == tuple(other.shape)

    def is_nonzero(self):
        from ._runtime import is_nonzero
        return is_nonzero(self)

    def sum_to_size(self, *size):
        """The sum of this tensor down to `size` (which it must broadcast from)."""
        if len(size) == 1 and not isinstance(size[0], int):
            size = tuple(size[0])
        if len(size) > self.dim() or any(n not in (1, m) for n, m in zip(reversed(size), reversed(self.shape))):
            raise RuntimeError(f"size {{{', '.join(map(str, size))}}} is not expandable to size "
                               f"{{{', '.join(map(str, self.shape))}}}.")
        lead = self.dim() - len(size)
        dims = list(range(lead)) + [lead + i for i, n in enumerate(size) if n == 1 and self.shape[lead + i] != 1]
        out = self.sum(dims, keepdim=True) if dims else self
        return out.reshape(size) if lead else out

    def fill_diagonal_(self, fill_value, wrap=False):
        """Fill the main diagonal (every dim of equal size when dim > 2). A tall matrix with
        `wrap` starts the diagonal again every ncols + 1 rows, as torch's does."""
        n = self.dim()
        if n < 2:
            raise RuntimeError("dimensions must larger than 1")
        if n > 2 and len(set(self.shape)) != 1:
            raise RuntimeError("all dimensions of input must be of equal length")
        rows, cols = self.shape[0], self.shape[1]
        starts = range(0, rows, cols + 1) if n == 2 and wrap and rows > cols + 1 else (0,)
        step = sum(self.stride())
        for start in starts:
            block = self[start:] if start else self
            block.as_strided((min(block.shape),), (step,), block.storage_offset()).fill_(fill_value)
        return self

    def apply_(self, callable):
        """Apply a Python function to every element, in place (CPU only, and slow, as torch's)."""
        if self._device != "cpu":
            raise TypeError("apply_ is only implemented on CPU tensors")
        from ._creation import tensor as _tensor
        self.copy_(_tensor([callable(v) for v in self.reshape(-1).tolist()], dtype=self.dtype).reshape(self.shape))
        return self

    def map_(self, tensor, callable):
        """`self[i] = callable(self[i], tensor[i])` in place, `tensor` broadcast to self's shape."""
        if self._device != "cpu":
            raise TypeError("map_ is only implemented on CPU tensors")
        from ._creation import tensor as _tensor
        other = tensor.expand_as(self).reshape(-1).tolist()
        vals = [callable(a, b) for a, b in zip(self.reshape(-1).tolist(), other)]
        self.copy_(_tensor(vals, dtype=self.dtype).reshape(self.shape))
        return self

    @property
    def data(self):
        return self.detach()

    @data.setter
    def data(self, other):
        if not isinstance(other, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(other).__name__}")
        self._set(other)

    def to(self, *args, **kwargs):
        """`to(dtype)`, `to(device)`, `to(device, dtype)`, `to(other)`, with `copy=`/`non_blocking=`."""
        dtype, dev, copy = _parse_to(args, kwargs)
        out = self
        if dtype is not None and dtype is not self.dtype:
            out = out._to_dtype(dtype)
            copy = False
        if dev is not None:
            dev = _device_arg(dev)
            if dev != out._device:
                return out._to_device(dev)
        return out.clone() if copy else out

    def cpu(self):
        return self._to_device("cpu")

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        """To the GPU ("cuda" is the wgpu backend under torch's name)."""
        if isinstance(device, int) and not isinstance(device, bool):
            device = f"cuda:{device}"
        return self.to(device if device is not None else "cuda", non_blocking=non_blocking)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return "rstorch." + _LEGACY[self.dtype]
        if isinstance(dtype, str):
            name = dtype.rsplit(".", 1)[-1]
            if name not in _LEGACY_BY_NAME:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = _LEGACY_BY_NAME[name]
        elif isinstance(dtype, type) and issubclass(dtype, Tensor) and hasattr(dtype, "_dtype"):
            dtype = dtype._dtype
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self):
        return self.to(_C.float32)

    def double(self):
        return self.to(_C.float64)

    def half(self):
        return self.to(_C.float16)

    def bfloat16(self):
        return self.to(_C.bfloat16)

    def long(self):
        return self.to(_C.int64)

    def int(self):
        return self.to(_C.int32)

    def short(self):
        return self.to(_C.int16)

    def char(self):
        return self.to(_C.int8)

    def byte(self):
        return self.to(_C.uint8)

    def bool(self):
        return self.to(_C.bool)

    # ------------------------------------------------------------------ new_* factories

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        return tensor(data, dtype=dtype or self.dtype, device=self._device if device is None else device, requires_grad=requires_grad)

    def new(self, *args, device=None):
        """The legacy constructor in this tensor's dtype: `x.new()` (empty), `x.new(2, 3)` or
        `x.new(torch.Size([2, 3]))` (that shape), `x.new([1, 2])` (that data), `x.new(y)` (`y`
        itself, which must have this dtype)."""
        device = self._device if device is None else device
        if len(args) == 1 and isinstance(args[0], _C.TensorBase):
            if args[0].dtype is not self.dtype:
                def options(t):
                    return (f"TensorOptions(dtype={t.dtype._cpp_name}, device=cpu, layout=Strided, requires_grad=false "
                            "(default), pinned_memory=false (default), memory_format=(nullopt))")
                raise TypeError(f"expected {options(self)} (got {options(args[0])})")
            return args[0].detach()
        if len(args) == 1 and isinstance(args[0], (list, tuple)) and not isinstance(args[0], _Size):
            return tensor(args[0], dtype=self.dtype, device=device)
        if len(args) == 1 and isinstance(args[0], builtins.float):
            raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
        if len(args) == 1 and isinstance(args[0], _Size):
            return zeros(tuple(args[0]), dtype=self.dtype, device=device)
        return _legacy_new(Tensor, self.dtype, args, device)

    def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False, layout=None,
                          pin_memory=False):
        from ._creation import empty_strided
        return empty_strided(size, stride, dtype=dtype or self.dtype, device=self._device if device is None else device,
                             requires_grad=requires_grad)

    def resize_as_(self, the_template, *, memory_format=None):
        return self.resize_(the_template.shape)

    def is_set_to(self, tensor):
        """Whether both are the same view of the same storage (offset, sizes and strides)."""
        return (self.untyped_storage().data_ptr() == tensor.untyped_storage().data_ptr() and
                self.storage_offset() == tensor.storage_offset() and tuple(self.shape) == tuple(tensor.shape) and
                self.stride() == tensor.stride())

    def as_subclass(self, cls):
        """This tensor's data as a `cls` instance, keeping its autograd history (torch records an
        alias, AliasBackward0)."""
        if not isinstance(cls, type) or not issubclass(cls, _C.TensorBase):
            raise TypeError("Creating a Tensor subclass from a class that does not inherit from Tensor is not "
                            "possible. Make sure your class inherits from Tensor.")
        out = _C.TensorBase.__new__(cls)
        out._set(self.detach())
        if self.requires_grad and _C.is_grad_enabled():
            from .autograd.graph import record
            return record("alias", (self,), None, out)
        return out

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return empty(*size, dtype=dtype or self.dtype, device=self._device if device is None else device, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return zeros(*size, dtype=dtype or self.dtype, device=self._device if device is None else device, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return ones(*size, dtype=dtype or self.dtype, device=self._device if device is None else device, requires_grad=requires_grad)

    def new_full(self, size, fill_value=_MISSING, dtype=None, device=None, requires_grad=False):
        _full_args("new_full", size, fill_value)
        return full(size, fill_value, dtype=dtype or self.dtype, device=self._device if device is None else device, requires_grad=requires_grad)

    # ------------------------------------------------------------------ autograd conveniences

    def requires_grad_(self, requires_grad=True):
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    def detach_(self):
        """Detach this tensor from the graph in place (it becomes a leaf that does not require
        grad)."""
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
                "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP "
                "buckets, and hence detach_() cannot be called on these gradients. To fix this error, please "
                "refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self._set_grad_fn(None)
        return self

    # ------------------------------------------------------------------ in-place view ops

    def _view_inplace(self, make_view, node):
        """torch's in-place view ops (unsqueeze_, t_...): self takes the layout of
        `make_view(self)` over the same storage; under autograd its history becomes the view
        op's node, renamed `node` (torch's name for the in-place variant, e.g. UnsqueezeBackward1)."""
        if self.requires_grad and self.is_leaf and _C.is_grad_enabled():
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        # the op reads an alias of self's current value and history: self itself changes shape
        view = make_view(_alias(self, False) if self.requires_grad else self)
        fn = view.grad_fn if _C.is_grad_enabled() else None
        self._set(view)
        self._bump_version()   # torch counts in-place view ops as modifications
        if fn is not None:
            if type(fn).__bases__ == (OpNode,):
                fn.__class__ = node_class(node)
            self._set_grad_fn(fn, view.output_nr)
        return self

    def unsqueeze_(self, dim):
        return self._view_inplace(lambda t: t.unsqueeze(dim), "UnsqueezeBackward1")

    def squeeze_(self, dim=None):
        if dim is None:
            return self._view_inplace(lambda t: t.squeeze(), "SqueezeBackward3")
        return self._view_inplace(lambda t: t.squeeze(dim), "SqueezeBackward5" if isinstance(dim, (tuple, list))
                                  else "SqueezeBackward4")

    def t_(self):
        return self._view_inplace(lambda t: t.t(), "TBackward1")

    def transpose_(self, dim0, dim1):
        return self._view_inplace(lambda t: t.transpose(dim0, dim1), "TransposeBackward1")

    swapdims_ = swapaxes_ = transpose_

    def as_strided_(self, size, stride, storage_offset=None):
        return self._view_inplace(lambda t: t.as_strided(size, stride, storage_offset), "AsStridedBackward1")

    def resize_(self, *sizes, memory_format=None):
        """New sizes (contiguous strides) over the same storage when it is large enough, else over
        a larger copy of it (the new elements uninitialised in torch; zeros here)."""
        if self.requires_grad:
            raise RuntimeError("cannot resize variables that require grad")
        sizes = _sizes(sizes, "resize_")
        n = 1
        for s in sizes:
            n *= s
        strides = [1] * len(sizes)
        for i in range(len(sizes) - 2, -1, -1):
            strides[i] = strides[i + 1] * max(sizes[i + 1], 1)
        offset = self.storage_offset()
        if (offset + n) * self.element_size() <= self._storage_nbytes():
            self._set(self.as_strided(sizes, strides, offset).detach())
        else:
            flat = self.detach().reshape(-1) if self.is_contiguous() else self.detach().contiguous().reshape(-1)
            grown = zeros(n, dtype=self.dtype)
            keep = min(n, flat.numel())
            grown[:keep] = flat[:keep]
            self._set(grown.view(sizes))
        return self

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor w.r.t. the graph leaves into their `.grad`."""
        _backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def register_hook(self, hook):
        """Run `hook(grad)` when this tensor's gradient is computed; a returned tensor replaces
        the gradient. Returns a handle with `remove()`."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        f = self.grad_fn
        if f is None:
            return RemovableHandle(self.__dict__.setdefault("_backward_hooks", {}), hook)
        return f._register_tensor_hook(self.output_nr, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Run `hook(tensor)` on this leaf after its gradient was accumulated into `.grad`.
        Returns a handle with `remove()`."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        return RemovableHandle(self.__dict__.setdefault("_post_accumulate_grad_hooks", {}), hook)

    def retain_grad(self):
        """Keep the gradient of this non-leaf tensor in `.grad` after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        f = self.grad_fn
        if f is None:
            return
        if f._retain is None:
            f._retain = {}
        f._plain = False
        f._retain[self.output_nr] = weakref.ref(self)

    @property
    def retains_grad(self):
        f = self.grad_fn
        return f is not None and f._retain is not None and self.output_nr in f._retain

    # ------------------------------------------------------------------ indexing

    def __getitem__(self, index):
        return getitem(self, index)

    def __setitem__(self, index, value):
        setitem(self, index, value)

    # ------------------------------------------------------------------ aliases of Rust methods

    multiply = _C.TensorBase.mul
    multiply_ = _C.TensorBase.mul_
    true_divide = _C.TensorBase.div
    divide = _C.TensorBase.div
    subtract = _C.TensorBase.sub
    greater = _C.TensorBase.gt
    greater_equal = _C.TensorBase.ge
    less = _C.TensorBase.lt
    less_equal = _C.TensorBase.le
    not_equal = _C.TensorBase.ne
    view_as = lambda self, other: self.view(other.shape)  # noqa: E731
    reshape_as = lambda self, other: self.reshape(other.shape)  # noqa: E731


def _rebuild(array, dtype_name, requires_grad):
    t = tensor(array, dtype=_DTYPES[dtype_name])
    t.requires_grad = requires_grad
    return t


_default_dtype = get_default_dtype


def _parse_to(args, kwargs):
    """Sort `Tensor.to`'s overloaded arguments into (dtype, device, copy)."""
    dtype = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments - got unexpected {sorted(kwargs)}")
    for a in args:
        if isinstance(a, _C.dtype):
            dtype = a
        elif isinstance(a, (str, _device)):
            dev = a
        elif isinstance(a, Tensor):
            dtype, dev = a.dtype, a.device
        elif isinstance(a, _py_bool):
            pass  # non_blocking / copy positional flags
        elif isinstance(a, _py_int):
            dev = _device("wgpu", a)
        else:
            raise TypeError(f"to() received an invalid combination of arguments - got ({type(a).__name__})")
    return dtype, dev, copy


# ---------------------------------------------------------------------- legacy constructors

def _legacy_class(name, dtype):
    def __new__(cls, *args, device=None):
        return _legacy_new(Tensor, dtype, args, device)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is dtype

    meta = type(f"{name}Meta", (type,), {"__instancecheck__": __instancecheck__})
    return meta(name, (), {"__new__": __new__, "_dtype": dtype, "__module__": "rstorch"})


LEGACY_TYPES = {name: _legacy_class(name, d) for name, d in LEGACY_BY_NAME.items()}
