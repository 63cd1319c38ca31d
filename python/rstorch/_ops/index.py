"""Indexing and data movement (gather/scatter/index_*/masked_*, cat/stack/flip/roll/repeat...):
the op-table rows (see _table.py) of rust/core/src/ops/{index,movement}.rs, bound in
rust/python/src/tensor/{index,movement}.rs.

The kernels are Tensor methods (and `_C.cat`); the ops torch builds from them (stack, hstack,
tile, rot90, take_along_dim, repeat_interleave, the *_scatter ops...) are composed here from
those methods, so autograd records the primitive ops they run."""

import builtins

from .. import _C
from .._creation import arange, tensor
from .._functional import broadcast_shapes
from .._out import EXACT, castable, exact
from .._tensor import Tensor
from ..autograd.graph import record
from ._table import COMPOSITE, INDEX, OWN, PROMOTE, SAME, FUNCTION, Op, install, write_result, written

# torch's checks of out='s dtype where they are not `EXACT` (see rstorch/_out.py); the joins are
# all cat underneath, and say so
_CAT = castable("torch.cat(): input types can't be cast to the desired output type {out}", TypeError)
_INDEX_SELECT = exact("index_select(): self and result must have the same scalar type")
_MASKED_SELECT = exact("masked_select(): self and result must have the same scalar type")
_TAKE = exact("take(): self and out expected to have the same dtype, but got self.dtype = {result} and "
              "out.dtype = {out}")
_NONZERO = exact("nonzero: Expected out tensor to have scalar type Long but got scalar type{out}")  # sic
_NARROW_COPY = exact("Expected self.dtype() == output.dtype() to be true, but got false.  (Could this error message "
                     "be improved?  If so, please report an enhancement request to PyTorch.)")


# ------------------------------------------------------------------ joining

def _cat(op, tensors, dim=0, *, out=None):
    return write_result(op, out, _C.cat(tensors, dim))


def _stack(op, tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0].shape
    dim = _wrap(dim, len(shape) + 1)
    tracked = _C.is_grad_enabled() and any(t.requires_grad for t in tensors)
    if out is not None or not tracked:
        return write_result(op, out, _stacked(tensors, shape, dim))
    # one StackBackward0 node over the inputs, as torch records (not a cat of unsqueezes)
    prev = _C._set_grad_enabled(False)
    try:
        res = _stacked(tensors, shape, dim)
    finally:
        _C._set_grad_enabled(prev)
    return record("stack", (tensors, dim), None, res)


_EXACT_ITEMS = frozenset((_C.int64, _C.int32, _C.int16, _C.int8, _C.uint8, _C.bool))


def _stacked(tensors, shape, dim):
    """stack as one cat, without a Python view per tensor where possible: along dim 0, the cat of
    the tensors themselves viewed as (n, *shape) once every size along dim 0 is checked; 0-d
    integer CPU tensors (labels) through their values; else the cat of the unsqueezed tensors.
    The sizes are compared only when that fails, for stack's error (cat succeeds exactly when all
    sizes are equal once each tensor's dim `dim` is known to be the same)."""
    n = len(tensors)
    error = None
    try:
        if dim == 0 and shape:
            s0 = shape[0]
            res = _C.cat(tensors, 0)
            if res.size(0) == n * s0 and all(t.size(0) == s0 for t in tensors):
                return res.view(n, *shape).detach()
        elif not shape and tensors[0].dtype in _EXACT_ITEMS and \
                all(t.dtype is tensors[0].dtype and t._device == "cpu" and not t.dim() for t in tensors):
            return tensor([t.item() for t in tensors], dtype=tensors[0].dtype)
        else:
            return _C.cat([t.unsqueeze(dim) for t in tensors], dim)
    except RuntimeError as e:
        error = e
    for i, t in enumerate(tensors):
        if t.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} "
                               f"at entry 0 and {list(t.shape)} at entry {i}") from None
    if error is None:  # (cannot happen: equal sizes give n * s0 rows)
        return _C.cat([t.unsqueeze(dim) for t in tensors], dim)
    raise error


def _wrap(dim, n):
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def atleast_1d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    r = tuple(t.reshape(1) if t.dim() == 0 else t for t in ts)
    return r[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else r


def atleast_2d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    r = tuple(t.reshape(1, 1) if t.dim() == 0 else t.unsqueeze(0) if t.dim() == 1 else t for t in ts)
    return r[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else r


def atleast_3d(*tensors):
    def up(t):
        if t.dim() == 0:
            return t.reshape(1, 1, 1)
        if t.dim() == 1:
            return t.unsqueeze(0).unsqueeze(-1)
        if t.dim() == 2:
            return t.unsqueeze(-1)
        return t
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    r = tuple(up(t) for t in ts)
    return r[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else r


def _nonempty(op, tensors):
    """The stacking functions' list of tensors (torch refuses an empty one with a RuntimeError)."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{op.name} expects a non-empty TensorList")
    return tensors


def _hstack(op, tensors, *, out=None):
    ts = atleast_1d(_nonempty(op, tensors))
    return write_result(op, out, _C.cat(list(ts), 0 if ts[0].dim() == 1 else 1))


def _vstack(op, tensors, *, out=None):
    return write_result(op, out, _C.cat(list(atleast_2d(_nonempty(op, tensors))), 0))


def _dstack(op, tensors, *, out=None):
    return write_result(op, out, _C.cat(list(atleast_3d(_nonempty(op, tensors))), 2))


def _column_stack(op, tensors, *, out=None):
    ts = [t.reshape(t.numel(), 1) if t.dim() <= 1 else t for t in _nonempty(op, tensors)]
    return write_result(op, out, _C.cat(ts, 1))


# ------------------------------------------------------------------ rearranging

def fliplr(input):
    if input.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return input.flip(1)


def flipud(input):
    if input.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return input.flip(0)


def rot90(input, k=1, dims=(0, 1)):
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.dim() < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.dim()}")
    d0, d1 = _wrap(dims[0], input.dim()), _wrap(dims[1], input.dim())
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k %= 4
    if k == 1:
        return input.flip(d1).transpose(d0, d1)
    if k == 2:
        return input.flip(d0, d1)
    if k == 3:
        return input.flip(d0).transpose(d0, d1)
    return input.clone()


def tile(input, dims):
    dims = [dims] if isinstance(dims, int) else list(dims)
    if len(dims) < input.dim():
        dims = [1] * (input.dim() - len(dims)) + dims
    return input.repeat(dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or slice along `dim`) repeated `repeats` times: an index_select with the
    repeated positions. With only a tensor of counts, the positions themselves."""
    if repeats is None:
        counts = input
        if counts.dim() > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        return _repeat_positions(counts, output_size)
    if dim is None:
        input, dim = input.reshape(-1), 0
    n = input.shape[dim] if input.dim() else 1
    if isinstance(repeats, Tensor) and repeats.numel() != 1:
        if repeats.dim() > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if repeats.numel() != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {repeats.numel()} and input.size({dim}) = {n}")
        counts = repeats
    else:
        r = builtins.int(repeats.item() if isinstance(repeats, Tensor) else repeats)
        if r < 0:
            raise RuntimeError("repeats can not be negative")
        counts = tensor([r] * n, dtype=_C.int64) if n else arange(0, dtype=_C.int64)
    # the positions come from the repeats' values (on the CPU); the gather runs on input's device
    return input.index_select(dim, _repeat_positions(counts, output_size).to(input.device))


def _repeat_positions(counts, output_size=None):
    """`i` repeated `counts[i]` times, in counts' dtype (torch keeps int32 counts int32), built
    by a search over the running totals rather than element by element, and sized before
    anything is allocated: an absurd total is torch's error at once, not a memory blowup."""
    c = counts.tolist()
    if any(v < 0 for v in c):
        raise RuntimeError("repeats can not be negative")
    total = builtins.sum(c)
    if total > 2**63 - 1:
        raise RuntimeError("numel: integer multiplication overflow")
    ends = tensor(c, dtype=_C.int64).cumsum(0) if c else tensor([], dtype=_C.int64)
    pos = _C._searchsorted(ends, arange(total, dtype=_C.int64), False, True, None)
    return pos if counts.dtype is _C.int64 else pos.to(counts.dtype)


# ------------------------------------------------------------------ gather / scatter / index_*

def _gather(op, input, dim, index, *, sparse_grad=False, out=None):
    return write_result(op, out, input.gather(dim, index))


def _scatter(op, input, dim, index, src=None, *, value=None, reduce=None, out=None):
    return write_result(op, out, _C.TensorBase.scatter(input, dim, index, src, value=value, reduce=reduce))


def _scatter_add(op, input, dim, index, src, *, out=None):
    return write_result(op, out, input.scatter_add(dim, index, src))


def _index_reduce_index(input, dim, index, source, reduce):
    """index_reduce's checks, in torch's order, and its index spread over `source`'s shape for
    scatter_reduce (whose reduction is index_reduce's along `dim`)."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    if index.dtype not in (_C.int32, _C.int64):
        raise RuntimeError("index_reduce_(): Expected dtype int32/int64 for index but got: "
                           f"{index.dtype._scalar_type_name}")
    if index.dim() > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    nd = builtins.max(input.dim(), 1)
    d = dim + nd if dim < 0 else dim
    if not 0 <= d < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    if source.dim() != input.dim() and not (source.dim() <= 1 and input.dim() <= 1):
        raise IndexError("index_reduce_(): Source and self must have the same number of dimensions")
    n = source.shape[d] if source.dim() else 1
    if index.numel() != n:
        raise RuntimeError(f"index_reduce_(): Number of indices ({index.numel()}) should be equal to "
                           f"source.size(dim): ({n}), for dim: {dim}")
    if any(a != b for i, (a, b) in enumerate(zip(input.shape, source.shape)) if i != d):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(input.shape)} source.shape = {list(source.shape)}")
    size = input.shape[d] if input.dim() else 1
    if index.numel() and (int(index.max()) >= size or int(index.min()) < 0):  # torch takes no negative index here
        raise IndexError("index out of range in self")
    shape = [1] * source.dim()
    if source.dim():
        shape[d] = n
    index = index.to(_C.int64)
    return d, index.reshape(shape).expand(source.shape)


def _index_reduce_method(input, dim, index, source, reduce, *, include_self=True):
    d, spread = _index_reduce_index(input, dim, index, source, reduce)
    return input.scatter_reduce(d, spread, source, reduce, include_self=include_self)


def _index_reduce_inplace(input, dim, index, source, reduce, *, include_self=True):
    d, spread = _index_reduce_index(input, dim, index, source, reduce)
    return input.scatter_reduce_(d, spread, source, reduce, include_self=include_self)


def _index_reduce(op, input, dim, index, source, reduce, *, include_self=True, out=None):
    return write_result(op, out, _index_reduce_method(input, dim, index, source, reduce, include_self=include_self))


def _nonzero_static(input, *, size, fill_value=-1):
    """nonzero's first `size` rows, padded with `fill_value` rows to exactly `size`."""
    if size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer, but got {size}")
    found = input.nonzero()
    if found.shape[0] >= size:
        return found[:size].clone()
    return _C.cat([found, found.new_full((size - found.shape[0], found.shape[1]), fill_value)], 0)


def _scatter_reduce(op, input, dim, index, src, reduce, *, include_self=True, out=None):
    return write_result(op, out, input.scatter_reduce(dim, index, src, reduce, include_self=include_self))


def _index_select(op, input, dim, index, *, out=None):
    return write_result(op, out, input.index_select(dim, index))


def _index_add(op, input, dim, index, source, *, alpha=1, out=None):
    return write_result(op, out, input.index_add(dim, index, source, alpha=alpha))


def _index_copy(op, input, dim, index, source, *, out=None):
    return write_result(op, out, input.index_copy(dim, index, source))


def _masked_select(op, input, mask, *, out=None):
    return write_result(op, out, input.masked_select(mask))


def _take(op, input, index, *, out=None):
    return write_result(op, out, input.take(index))


def _take_along_dim(op, input, indices, dim=None, *, out=None):
    """`gather` with `indices` broadcast against `input` (all dims but `dim`); without `dim`,
    on the flattened input. Along a dim, torch 2.15 takes the indices modulo that dim's size
    (so -1 is the last element, and so is size - 1 + size)."""
    if dim is None:
        return write_result(op, out, input.reshape(-1).gather(0, indices.reshape(-1)))
    if indices.dtype is not _C.int64:
        raise RuntimeError("torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{indices.dtype._scalar_type_name}")
    if input.dim() != indices.dim():
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same number "
                           f"of dimensions, but got {input.dim()} dimensions for input, and "
                           f"{indices.dim()} dimensions for indices")
    d = _wrap(dim, input.dim())
    ishape, xshape = list(indices.shape), list(input.shape)
    ishape[d] = xshape[d] = 1
    b = list(broadcast_shapes(ishape, xshape))
    ib, xb = b.copy(), b.copy()
    ib[d], xb[d] = indices.shape[d], input.shape[d]
    if indices.numel():
        indices = indices.remainder(input.shape[d])  # a size of 0: torch's "ZeroDivisionError"
    return write_result(op, out, input.expand(xb).gather(d, indices.expand(ib)))


def _nonzero(op, input, *, out=None, as_tuple=False):
    if as_tuple:
        return input.nonzero(as_tuple=True)
    return write_result(op, out, input.nonzero())


def argwhere(input):
    return input.nonzero()


def _narrow_copy(op, input, dim, start, length, *, out=None):
    if input.dim() > 0 and isinstance(dim, int) and dim >= input.dim():
        # torch's narrow_copy wraps only negative dims; a large one fails its own check
        raise RuntimeError("Expected dim < static_cast<int64_t>(self_sizes.size()) to be true, but got false.  "
                           "(Could this error message be improved?  If so, please report an enhancement request "
                           "to PyTorch.)")
    return write_result(op, out, input.narrow(dim, start, length).clone())


def _embed(input, src, view_of, what):
    """A copy of `input` with `src` written into the view `view_of(copy)`."""
    out = input.clone()
    view = view_of(out)
    if tuple(view.shape) != tuple(src.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(view.shape)}")
    view.copy_(src)
    return out


def select_scatter(input, src, dim, index):
    return _embed(input, src, lambda t: t.select(dim, index), "select_scatter")


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    return _embed(input, src, lambda t: t._slice(dim, start, end, step), "slice_scatter")


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    return _embed(input, src, lambda t: t.diagonal(offset, dim1, dim2), "diagonal_scatter")


# ------------------------------------------------------------------ the rows

def _tile_method(self, *dims):
    return tile(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims)


def _join(name, impl, aliases=()):
    return Op(name, "(tensors, *, out=None)" if name != "cat" and name != "stack" else "(tensors, dim=0, *, out=None)",
              PROMOTE, "cat" if name != "stack" else "stack", written(impl), False, aliases=aliases, out=_CAT)


def _composite(fn, signature, dtype=SAME, backward=COMPOSITE, method=FUNCTION):
    return Op(fn.__name__, signature, dtype, backward, fn, method)


_SCATTER = "(input, dim, index, src=None, *, value=None, reduce=None, out=None)"

OPS = [
    _join("cat", _cat, ("concat", "concatenate")),
    _join("stack", _stack),
    _join("hstack", _hstack),
    _join("vstack", _vstack, ("row_stack",)),
    _join("dstack", _dstack),
    _join("column_stack", _column_stack),
    *(Op(f.__name__, "(*tensors)", SAME, COMPOSITE, f, False) for f in (atleast_1d, atleast_2d, atleast_3d)),
    Op("flip", "(input, dims)", SAME, "flip"),
    _composite(fliplr, "(input)"),
    _composite(flipud, "(input)"),
    Op("roll", "(input, shifts, dims=None)", SAME, "roll"),
    _composite(rot90, "(input, k=1, dims=(0, 1))"),
    Op("tile", "(input, dims)", SAME, COMPOSITE, tile, _tile_method),
    _composite(repeat_interleave, "(input, repeats=None, dim=None, *, output_size=None)", OWN),
    Op("gather", "(input, dim, index, *, sparse_grad=False, out=None)", SAME, "gather", written(_gather), out=EXACT),
    Op("scatter", _SCATTER, SAME, "scatter", written(_scatter), inplace=True, out=EXACT),
    Op("scatter_add", "(input, dim, index, src, *, out=None)", SAME, "scatter_add", written(_scatter_add),
       inplace=True, out=EXACT),
    Op("scatter_reduce", "(input, dim, index, src, reduce, *, include_self=True, out=None)", SAME, "scatter_reduce",
       written(_scatter_reduce), inplace=True, out=EXACT),
    Op("index_select", "(input, dim, index, *, out=None)", SAME, "index_select", written(_index_select),
       out=_INDEX_SELECT),
    Op("index_add", "(input, dim, index, source, *, alpha=1, out=None)", SAME, "index_add", written(_index_add),
       inplace=True, out=EXACT),
    Op("index_copy", "(input, dim, index, source, *, out=None)", SAME, "index_copy", written(_index_copy),
       inplace=True, out=EXACT),
    Op("index_fill", "(input, dim, index, value)", SAME, "index_fill", inplace=True),
    Op("index_reduce", "(input, dim, index, source, reduce, *, include_self=True, out=None)", SAME, COMPOSITE,
       written(_index_reduce), _index_reduce_method, _index_reduce_inplace, out=EXACT),
    Op("nonzero_static", "(input, *, size, fill_value=-1)", INDEX, None, _nonzero_static, _nonzero_static),
    Op("index_put", "(input, indices, values, accumulate=False)", SAME, "index_put", inplace=True,
       inplace_function=True),
    Op("masked_fill", "(input, mask, value)", SAME, "masked_fill", inplace=True),
    Op("masked_select", "(input, mask, *, out=None)", SAME, "masked_select", written(_masked_select),
       out=_MASKED_SELECT),
    Op("masked_scatter", "(input, mask, source)", SAME, "masked_scatter", inplace=True),
    Op("take", "(input, index, *, out=None)", SAME, "take", written(_take), out=_TAKE),
    Op("put", "(input, index, source, accumulate=False)", SAME, "put", inplace=True),
    Op("take_along_dim", "(input, indices, dim=None, *, out=None)", SAME, COMPOSITE, written(_take_along_dim),
       FUNCTION, out=EXACT),
    Op("nonzero", "(input, *, out=None, as_tuple=False)", INDEX, None, written(_nonzero), out=_NONZERO),
    _composite(argwhere, "(input)", INDEX, None),
    Op("narrow_copy", "(input, dim, start, length, *, out=None)", SAME, COMPOSITE, written(_narrow_copy), FUNCTION,
       out=_NARROW_COPY),
    _composite(select_scatter, "(input, src, dim, index)"),
    _composite(slice_scatter, "(input, src, dim=0, start=None, end=None, step=1)"),
    _composite(diagonal_scatter, "(input, src, offset=0, dim1=0, dim2=1)"),
]

__all__ = install(OPS, globals(), Tensor)
