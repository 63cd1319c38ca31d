"""`Tensor.__getitem__` / `__setitem__` with PyTorch's (numpy's) rules.

Basic indices (ints, slices, None, Ellipsis) become Rust view ops, so the result shares storage.
Advanced indices (integer tensors/lists, bool masks) give copies; they are gathered and scattered
through a numpy view of the tensor's memory (the Rust gather/scatter kernels of the op library
will take this over)."""

import numpy as np

from . import _C
from ._tensor import Tensor

_BASIC = (int, slice, type(None), type(Ellipsis))


def _as_index_array(obj, size_hint=None):
    if isinstance(obj, Tensor):
        if obj.dtype.is_floating_point:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return obj.detach()._host_numpy()
    arr = np.asarray(obj)
    if arr.dtype.kind == "f":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if arr.dtype == object:
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                         "Variables are valid indices (got list)")
    return arr


def _normalize(index):
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    for i in index:
        if isinstance(i, bool):
            out.append(i)
        elif isinstance(i, Tensor) and i.dim() == 0 and not i.dtype.is_floating_point \
                and i.dtype is not _C.bool:
            out.append(int(i.item()))
        elif not isinstance(i, _BASIC) and hasattr(i, "__index__") and not isinstance(i, (Tensor, np.ndarray)):
            out.append(i.__index__())
        else:
            out.append(i)
    return out


def _count_dims(i):
    if i is None or isinstance(i, bool):
        return 0
    if isinstance(i, (int, slice)):
        return 1
    if isinstance(i, Tensor) and i.dtype is _C.bool:
        return i.dim()
    if isinstance(i, np.ndarray) and i.dtype == np.bool_:
        return i.ndim
    return 1


def _apply_basic(t, index):
    """Apply the basic part of `index` as views. Returns the view and, when advanced indices are
    present, the index tuple to apply to the view (basic entries replaced by full slices)."""
    consumed = sum(_count_dims(i) for i in index if i is not Ellipsis)
    if sum(1 for i in index if i is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > t.dim():
        raise IndexError(f"too many indices for tensor of dimension {t.dim()}")
    has_adv = any(not isinstance(i, _BASIC) for i in index)
    view, dim, rest = t, 0, []
    for i in index:
        if i is Ellipsis:
            n = t.dim() - consumed
            rest.extend([slice(None)] * n)
            dim += n
        elif i is None:
            view = view.unsqueeze(dim)
            rest.append(None if has_adv else slice(None))
            dim += 1
        elif isinstance(i, bool):
            view = view.unsqueeze(dim)
            if not i:
                view = view._slice(dim, 0, 0, 1)
            rest.append(slice(None))
            dim += 1
        elif isinstance(i, int):
            if has_adv:
                # an int among advanced indices is itself advanced (numpy's rule)
                size = view.shape[dim]
                if not -size <= i < size:
                    raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {size}")
                rest.append(np.array(i))
                dim += 1
            else:
                view = view.select(dim, i)
        elif isinstance(i, slice):
            step = 1 if i.step is None else int(i.step)
            if step <= 0:
                raise ValueError("step must be greater than zero")
            view = view._slice(dim, i.start, i.stop, step)
            rest.append(slice(None))
            dim += 1
        else:
            arr = _as_index_array(i)
            rest.append(arr)
            dim += arr.ndim if arr.dtype == np.bool_ else 1
    return view, (tuple(r for r in rest if r is not None) if has_adv else None)


def _check_bounds(view, adv):
    dim = 0
    for a in adv:
        if isinstance(a, np.ndarray) and a.dtype != np.bool_:
            size = view.shape[dim]
            if a.size and (a.max() >= size or a.min() < -size):
                bad = a.max() if a.max() >= size else a.min()
                raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
            dim += 1
        elif isinstance(a, np.ndarray):
            if a.shape != tuple(view.shape[dim:dim + a.ndim]):
                raise IndexError(
                    f"The shape of the mask {list(a.shape)} at index {dim} does not match the shape "
                    f"of the indexed tensor {list(view.shape[dim:dim + a.ndim])} at index {dim}")
            dim += a.ndim
        else:
            dim += 1


def getitem(t, index):
    view, adv = _apply_basic(t, _normalize(index))
    if adv is None:
        return view
    _check_bounds(view, adv)
    from ._creation import tensor
    return tensor(view.detach()._host_numpy()[adv], dtype=t.dtype)


def setitem(t, index, value):
    view, adv = _apply_basic(t, _normalize(index))
    if adv is None:
        if isinstance(value, Tensor):
            view.copy_(value)
        elif isinstance(value, (int, float, bool)):
            view.fill_(value)
        else:
            from ._creation import tensor
            view.copy_(tensor(value, dtype=t.dtype))
        return
    _check_bounds(view, adv)
    if t.dtype is _C.bfloat16:
        from ._creation import tensor
        arr = view._host_numpy().copy()
        arr[adv] = np.asarray(value.detach()._host_numpy() if isinstance(value, Tensor) else value)
        view.copy_(tensor(arr, dtype=_C.float32))
        return
    arr = view.detach().numpy()
    arr[adv] = value.detach()._host_numpy() if isinstance(value, Tensor) else value
    view._bump_version()
