"""`Tensor.__getitem__` / `__setitem__` with PyTorch's (numpy's) rules.

Basic indices (ints, slices, None, Ellipsis) become Rust view ops, so the result shares storage.
Advanced indices (integer tensors/lists, bool masks) give copies: the basic part is applied as
views first, then the advanced part runs through the Rust kernels `_index` (recorded for autograd
as "index") and `index_put_` (assignment, "index_put_"), which follow numpy's rule for where the
indexed dims go and check every index before writing anything."""

from . import _C
from ._creation import _buffer_tensor, _read_python, tensor
from ._numpy import is_ndarray, numpy

_TensorBase = _C.TensorBase  # _indexing sits below _tensor.py

_BASIC = (int, slice, type(None), type(Ellipsis))


def _as_index_tensor(obj):
    """An advanced index as an int64 or bool tensor (int32/uint8 tensors pass through)."""
    if isinstance(obj, _TensorBase):
        if obj.dtype.is_floating_point:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return obj.detach()
    if isinstance(obj, str):
        raise TypeError("new(): invalid data type 'str'")   # torch's wording, from making a tensor of it
    if isinstance(obj, range):   # any other Python sequence of ints indexes as its list does
        obj = list(obj)
    if not isinstance(obj, (list, tuple)) and not is_ndarray(obj):
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                         f"valid indices (got {type(obj).__name__})")
    if isinstance(obj, (list, tuple)) and len(obj) == 0:
        return tensor([], dtype=_C.int64)   # x[[]]: selects nothing
    read = _read_python(obj)   # Python ints/bools: read without numpy, as numpy reads them
    if read is not None:
        flat, shape, kind = read
        if kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        try:
            return _buffer_tensor(flat, shape, kind)
        except OverflowError:
            pass   # ints past int64: numpy's reading decides
    np = numpy()
    arr = np.asarray(obj)
    if arr.dtype.kind == "f":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if arr.dtype == object:
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                         "Variables are valid indices (got list)")
    return tensor(arr, dtype=_C.bool if arr.dtype == np.bool_ else _C.int64)


def _normalize(index):
    """The index as a list of entries, and whether it was a tuple (torch then skips full slices
    and returns an alias when nothing else is left)."""
    is_tuple = isinstance(index, tuple) or index is Ellipsis   # torch: x[...] is an alias too
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    for i in index:
        if isinstance(i, bool):
            out.append(i)
        elif isinstance(i, _TensorBase) and i.dim() == 0 and i.dtype is _C.bool:
            out.append(bool(i.item()))   # like a Python bool: a new dim of size 1 (or 0)
        elif isinstance(i, _TensorBase) and i.dim() == 0 and not i.dtype.is_floating_point \
                and i.dtype is not _C.bool:
            out.append(int(i.item()))
        elif not isinstance(i, _BASIC) and hasattr(i, "__index__") and not isinstance(i, _TensorBase) \
                and not is_ndarray(i):
            out.append(i.__index__())
        else:
            out.append(i)
    return out, is_tuple


def _count_dims(i):
    if i is None or isinstance(i, bool):
        return 0
    if isinstance(i, (int, slice)):
        return 1
    if isinstance(i, _TensorBase) and i.dtype in (_C.bool, _C.uint8):
        return i.dim()
    if is_ndarray(i) and i.dtype.kind == "b":
        return i.ndim
    return 1


def _apply_basic(t, index, is_tuple=False):
    """Apply the basic part of `index` as views. Returns the view and, when advanced indices are
    present, the index list to apply to the view (None for the dims basic entries kept). In a
    tuple index, slices covering a whole dim are skipped, as torch does (`x[:, 1:]` is one
    slice), and a tuple that selects everything gives an alias of `t`."""
    consumed = sum(_count_dims(i) for i in index if i is not Ellipsis)
    if sum(1 for i in index if i is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > t.dim():
        raise IndexError(f"too many indices for tensor of dimension {t.dim()}")
    has_adv = any(not isinstance(i, _BASIC) for i in index)
    view, dim, rest = t, 0, []
    src_dim = 0  # the dim of `t` the entry indexes (torch's out-of-bounds message names it)
    for i in index:
        if i is Ellipsis:
            n = t.dim() - consumed
            rest.extend([None] * n)
            dim += n
            src_dim += n
        elif i is None:
            view = view.unsqueeze(dim)
            rest.append(None)
            dim += 1
        elif isinstance(i, bool):
            view = view.unsqueeze(dim)
            if not i:
                view = view._slice(dim, 0, 0, 1)
            rest.append(None)
            dim += 1
        elif isinstance(i, int):
            if has_adv:
                # an int among advanced indices is itself advanced (numpy's rule)
                rest.append(tensor(i, dtype=_C.int64))
                dim += 1
            else:
                size = view.shape[dim]
                if not -size <= i < size:
                    raise IndexError(f"index {i} is out of bounds for dimension {src_dim} with size {size}")
                view = view.select(dim, i)
            src_dim += 1
        elif isinstance(i, slice):
            step = 1 if i.step is None else int(i.step)
            if step <= 0:
                raise ValueError("step must be greater than zero")
            if not (is_tuple and step == 1 and i.start in (None, 0) and (i.stop is None or i.stop >= view.shape[dim])):
                view = view._slice(dim, i.start, i.stop, step)
            rest.append(None)
            dim += 1
            src_dim += 1
        else:
            ix = _as_index_tensor(i)
            rest.append(ix)
            dim += ix.dim() if ix.dtype in (_C.bool, _C.uint8) else 1
            src_dim += ix.dim() if ix.dtype in (_C.bool, _C.uint8) else 1
    if not has_adv:
        return (t._alias() if view is t and is_tuple else view), None
    while rest and rest[-1] is None:
        rest.pop()
    return view, rest


def getitem(t, index):
    if type(index) is int and t.dim():
        # x[i], the commonest index (a Dataset's sample): the general path's one select, directly
        size = t.size(0)
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {size}")
        return t.select(0, index)
    view, adv = _apply_basic(t, *_normalize(index))
    if adv is None:
        return view
    return view._index(adv)


def _expand_value(value, shape):
    """The assigned tensor expanded to the indexed shape, as torch does it (its leading size-1
    dims dropped first), so a mismatch gives torch's expand error."""
    if value.shape == shape:
        return value
    dims = list(value.shape)
    while len(dims) > len(shape) and dims[0] == 1:
        dims.pop(0)
    if len(dims) != value.dim():
        value = value.reshape(dims)
    return value.expand(shape)


def setitem(t, index, value):
    view, adv = _apply_basic(t, *_normalize(index))
    if adv is None:
        if isinstance(value, _TensorBase):
            view.copy_(_expand_value(value, view.shape))
        elif isinstance(value, (int, float, bool)):
            view.fill_(value)
        else:
            view.copy_(tensor(value, dtype=t.dtype))
        return
    if isinstance(value, _TensorBase):
        if value.dtype is not t.dtype:
            value = value.to(t.dtype)
    elif isinstance(value, (int, float, bool)):
        value = _C._index_value(value, t.dtype)  # a number must fit the dtype
    else:
        value = tensor(value, dtype=t.dtype)
    view.index_put_(adv, value)
