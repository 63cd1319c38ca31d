"""Indexing and data movement (gather/scatter/index_*/masked_*, cat/stack/flip/roll/repeat...):
function forms of rust/core/src/ops/{index,movement}.rs, bound in rust/python/src/tensor/{index,movement}.rs.

The kernels are Tensor methods (and `_C.cat`); the ops torch builds from them (stack, hstack,
tile, rot90, take_along_dim, repeat_interleave, the *_scatter ops...) are composed here from
those methods, so autograd records the primitive ops they run."""

import builtins

from .. import _C
from .._creation import arange, tensor
from .._functional import broadcast_shapes
from .._out import EXACT, castable, exact, write_out
from .._tensor import Tensor
from ..autograd.graph import record

__all__ = [
    "cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "dstack",
    "column_stack", "flip", "fliplr", "flipud", "roll", "rot90", "repeat_interleave", "tile",
    "gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add",
    "index_copy", "index_fill", "index_put", "index_put_", "masked_fill", "masked_select",
    "masked_scatter", "take", "take_along_dim", "put", "nonzero", "argwhere", "narrow_copy",
    "select_scatter", "slice_scatter", "diagonal_scatter", "atleast_1d", "atleast_2d",
    "atleast_3d",
]


def _out_check(out, result, name, check=EXACT):
    """`result` written into `out=`, with torch's check of out's dtype for the op."""
    if out is not None and (result.requires_grad or out.requires_grad):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    return write_out(out, result, check)


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

def cat(tensors, dim=0, *, out=None):
    return _out_check(out, _C.cat(tensors, dim), "cat", _CAT)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} "
                               f"at entry 0 and {list(t.shape)} at entry {i}")
    dim = _wrap(dim, len(shape) + 1)
    tracked = _C.is_grad_enabled() and any(t.requires_grad for t in tensors)
    if out is not None or not tracked:
        return _out_check(out, _C.cat([t.unsqueeze(dim) for t in tensors], dim), "stack", _CAT)
    # one StackBackward0 node over the inputs, as torch records (not a cat of unsqueezes)
    prev = _C._set_grad_enabled(False)
    try:
        res = _C.cat([t.unsqueeze(dim) for t in tensors], dim)
    finally:
        _C._set_grad_enabled(prev)
    return record("stack", (tensors, dim), None, res)


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


def hstack(tensors, *, out=None):
    ts = atleast_1d(list(tensors))
    return _out_check(out, _C.cat(list(ts), 0 if ts[0].dim() == 1 else 1), "hstack", _CAT)


def vstack(tensors, *, out=None):
    return _out_check(out, _C.cat(list(atleast_2d(list(tensors))), 0), "vstack", _CAT)


row_stack = vstack


def dstack(tensors, *, out=None):
    return _out_check(out, _C.cat(list(atleast_3d(list(tensors))), 2), "dstack", _CAT)


def column_stack(tensors, *, out=None):
    ts = [t.reshape(t.numel(), 1) if t.dim() <= 1 else t for t in tensors]
    return _out_check(out, _C.cat(ts, 1), "column_stack", _CAT)


# ------------------------------------------------------------------ rearranging

def flip(input, dims):
    return input.flip(dims)


def fliplr(input):
    if input.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return input.flip(1)


def flipud(input):
    if input.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return input.flip(0)


def roll(input, shifts, dims=None):
    return input.roll(shifts, dims)


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
    c = counts.tolist()
    if any(v < 0 for v in c):
        raise RuntimeError("repeats can not be negative")
    pos = [i for i, v in enumerate(c) for _ in builtins.range(v)]
    return tensor(pos, dtype=_C.int64) if pos else tensor([], dtype=_C.int64)


# ------------------------------------------------------------------ gather / scatter / index_*

def gather(input, dim, index, *, sparse_grad=False, out=None):
    return _out_check(out, input.gather(dim, index), "gather")


def scatter(input, dim, index, src=None, *, value=None, reduce=None, out=None):
    return _out_check(out, input.scatter(dim, index, src, value=value, reduce=reduce), "scatter")


def scatter_add(input, dim, index, src, *, out=None):
    return _out_check(out, input.scatter_add(dim, index, src), "scatter_add")


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    return _out_check(out, input.scatter_reduce(dim, index, src, reduce, include_self=include_self),
                      "scatter_reduce")


def index_select(input, dim, index, *, out=None):
    return _out_check(out, input.index_select(dim, index), "index_select", _INDEX_SELECT)


def index_add(input, dim, index, source, *, alpha=1, out=None):
    return _out_check(out, input.index_add(dim, index, source, alpha=alpha), "index_add")


def index_copy(input, dim, index, source, *, out=None):
    return _out_check(out, input.index_copy(dim, index, source), "index_copy")


def index_fill(input, dim, index, value):
    return input.index_fill(dim, index, value)


def index_put(input, indices, values, accumulate=False):
    return input.index_put(indices, values, accumulate)


def index_put_(input, indices, values, accumulate=False):
    return input.index_put_(indices, values, accumulate)


def masked_fill(input, mask, value):
    return input.masked_fill(mask, value)


def masked_select(input, mask, *, out=None):
    return _out_check(out, input.masked_select(mask), "masked_select", _MASKED_SELECT)


def masked_scatter(input, mask, source):
    return input.masked_scatter(mask, source)


def take(input, index, *, out=None):
    return _out_check(out, input.take(index), "take", _TAKE)


def put(input, index, source, accumulate=False):
    return input.put(index, source, accumulate)


def take_along_dim(input, indices, dim=None, *, out=None):
    """`gather` with `indices` broadcast against `input` (all dims but `dim`); without `dim`,
    on the flattened input."""
    if dim is None:
        return _out_check(out, input.reshape(-1).gather(0, indices.reshape(-1)), "take_along_dim")
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
    return _out_check(out, input.expand(xb).gather(d, indices.expand(ib)), "take_along_dim")


def nonzero(input, *, out=None, as_tuple=False):
    if as_tuple:
        return input.nonzero(as_tuple=True)
    return _out_check(out, input.nonzero(), "nonzero", _NONZERO)


def argwhere(input):
    return input.nonzero()


def narrow_copy(input, dim, start, length, *, out=None):
    return _out_check(out, input.narrow(dim, start, length).clone(), "narrow_copy", _NARROW_COPY)


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


# ------------------------------------------------------------------ Tensor methods composed here

def _tile(self, *dims):
    return tile(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims)


Tensor.tile = _tile
Tensor.fliplr = fliplr
Tensor.flipud = flipud
Tensor.rot90 = rot90
Tensor.repeat_interleave = repeat_interleave
Tensor.take_along_dim = take_along_dim
Tensor.argwhere = argwhere
Tensor.narrow_copy = narrow_copy
Tensor.select_scatter = select_scatter
Tensor.slice_scatter = slice_scatter
Tensor.diagonal_scatter = diagonal_scatter
