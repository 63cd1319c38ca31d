"""Views and their relatives (reshape, permute, transpose, squeeze, split, chunk, diagonal,
as_strided, broadcast_to, clone...): the op-table rows (see _table.py) of the Tensor methods in
rust/python/src/tensor/views.rs, whose layouts rust/core/src/layout.rs computes without copying.

Most function forms are generated (`rstorch.reshape(x, s)` is `x.reshape(s)`); the splits torch
builds from slices (tensor_split, hsplit, vsplit, dsplit) are written here."""

import inspect

from .. import _C
from .._functional import broadcast_shapes
from .._size import contiguous_format
from .._tensor import Tensor
from ._table import COMPOSITE, SAME, Op, install, write_result


def split_with_sizes(input, split_sizes, dim=0):
    if not isinstance(split_sizes, (list, tuple)):
        raise TypeError(f"split_with_sizes(): argument 'split_sizes' (position 1) must be tuple of ints, "
                        f"not {type(split_sizes).__name__}")
    if any(s < 0 for s in split_sizes):  # torch checks the dim first, then the sizes' signs
        if input.dim() == 0:
            raise RuntimeError("split expects at least a 1-dimensional tensor")
        input.size(dim)
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                           f"split_sizes={list(split_sizes)}")
    return input.split(list(split_sizes), dim)


# torch builds the pieces in a std::vector<Tensor>: its max_size() is PTRDIFF_MAX / sizeof(Tensor)
_VECTOR_MAX = (2**63 - 1) // 8


def tensor_split(input, indices_or_sections, dim=0):
    """Split into `sections` near-equal parts (the first `size % sections` one longer) or at
    `indices`, as slices of `input` (views, each its own SliceBackward0; unlike split's, they
    may be modified in place)."""
    if input.dim() == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    if isinstance(indices_or_sections, Tensor):
        t = indices_or_sections
        if t.dim() > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {t.dim()} dims")
        if t.dtype is not _C.int64:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                               f"{t.dtype._scalar_type_name}")
        indices_or_sections = t.item() if t.dim() == 0 else t.tolist()
    size = input.shape[dim]
    if isinstance(indices_or_sections, (list, tuple)):
        bounds = [0] + [int(i) for i in indices_or_sections] + [None]
    elif isinstance(indices_or_sections, int) and not isinstance(indices_or_sections, bool):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        if n > _VECTOR_MAX:
            raise RuntimeError("cannot create std::vector larger than max_size()")
        try:  # room for the pieces first, as torch reserves its vector: fail at once, not after hours
            [None] * (n + 1)
        except MemoryError:
            raise RuntimeError(f"DefaultCPUAllocator: not enough memory: you tried to allocate {8 * n} bytes.") from None
        q, r = divmod(size, n)
        bounds = [i * q + min(i, r) for i in range(n)] + [None]
    else:
        raise TypeError(f"tensor_split() received an invalid combination of arguments - got "
                        f"({type(indices_or_sections).__name__}), but expected one of:\n"
                        " * (tuple of ints indices, int dim = 0)\n * (Tensor tensor_indices_or_sections, int dim = 0)\n"
                        " * (int sections, int dim = 0)\n")
    return tuple(input._slice(dim, start, stop, 1) for start, stop in zip(bounds, bounds[1:]))


def _dim_split(name, input, indices_or_sections, dim, min_dims):
    if input.dim() < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a tensor "
                           f"with {input.dim()} dimensions!")
    if isinstance(indices_or_sections, int) and not isinstance(indices_or_sections, bool):
        size = input.shape[dim]
        if indices_or_sections == 0 or size % indices_or_sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {size} is not divisible by the split_size {indices_or_sections}!")
    return tensor_split(input, indices_or_sections, dim)


def hsplit(input, indices_or_sections):
    return _dim_split("hsplit", input, indices_or_sections, 0 if input.dim() == 1 else 1, 1)


def vsplit(input, indices_or_sections):
    return _dim_split("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    return _dim_split("dsplit", input, indices_or_sections, 2, 3)


def broadcast_tensors(*tensors):
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


# ------------------------------------------------------------------ the *_copy forms
# torch's functionalization variants: the view's values in a new contiguous tensor (a list of
# them for the splits), written into `out=` when given.

def _copied(op_name, view, out):
    if isinstance(view, (tuple, list)):
        result = tuple(v.clone(memory_format=contiguous_format) for v in view)
        if out is None:
            return result
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{op_name}(): argument 'out' must be tuple of Tensors")
        for o, r in zip(out, result):
            write_result(ROWS_BY_NAME[op_name], o, r)
        return None
    return write_result(ROWS_BY_NAME[op_name], out, view.clone(memory_format=contiguous_format))


def alias_copy(input, *, out=None):
    return _copied("alias_copy", input, out)


def as_strided_copy(input, size, stride, storage_offset=None, *, out=None):
    return _copied("as_strided_copy", input.as_strided(size, stride, storage_offset), out)


def detach_copy(input, *, out=None):
    return _copied("detach_copy", input.detach(), out)


def diagonal_copy(input, offset=0, dim1=0, dim2=1, *, out=None):
    return _copied("diagonal_copy", input.diagonal(offset, dim1, dim2), out)


def expand_copy(input, size, *, implicit=False, out=None):
    return _copied("expand_copy", input.expand(size), out)


def permute_copy(input, dims, *, out=None):
    return _copied("permute_copy", input.permute(dims), out)


def select_copy(input, dim, index, *, out=None):
    return _copied("select_copy", input.select(dim, index), out)


def slice_copy(input, dim=0, start=None, end=None, step=1, *, out=None):
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    index = [slice(None)] * input.dim()
    if input.dim() == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    index[dim] = slice(start, end, step)
    return _copied("slice_copy", input[tuple(index)], out)


def split_copy(input, split_size, dim=0, *, out=None):
    return _copied("split_copy", input.split(split_size, dim), out)


def split_with_sizes_copy(input, split_sizes, dim=0, *, out=None):
    return _copied("split_with_sizes_copy", split_with_sizes(input, split_sizes, dim), out)


def squeeze_copy(input, dim=None, *, out=None):
    return _copied("squeeze_copy", input.squeeze() if dim is None else input.squeeze(dim), out)


def t_copy(input, *, out=None):
    return _copied("t_copy", input.t(), out)


def transpose_copy(input, dim0, dim1, *, out=None):
    return _copied("transpose_copy", input.transpose(dim0, dim1), out)


def unbind_copy(input, dim=0, *, out=None):
    return _copied("unbind_copy", input.unbind(dim), out)


def unfold_copy(input, dimension, size, step, *, out=None):
    return _copied("unfold_copy", input.unfold(dimension, size, step), out)


def unsqueeze_copy(input, dim, *, out=None):
    return _copied("unsqueeze_copy", input.unsqueeze(dim), out)


def view_copy(input, size, *, out=None):
    """`input.view(size)` (a shape or a dtype) copied."""
    return _copied("view_copy", input.view(size) if isinstance(size, _C.dtype) else input.view(size), out)


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of `input` with `src` written into its `as_strided(size, stride, storage_offset)`
    view (torch requires the view to fit `input`'s own elements)."""
    out = input.clone(memory_format=contiguous_format)
    view = out.as_strided(size, stride, storage_offset)
    if tuple(view.shape) != tuple(src.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = {list(src.shape)}, "
                           f"slice size = {list(view.shape)}")
    view.copy_(src)
    return out


def real(input):
    return input.real


def imag(input):
    return input.imag


_COPIES = (alias_copy, as_strided_copy, detach_copy, diagonal_copy, expand_copy, permute_copy, select_copy,
           slice_copy, split_copy, split_with_sizes_copy, squeeze_copy, t_copy, transpose_copy, unbind_copy,
           unfold_copy, unsqueeze_copy, view_copy)


def _copy_row(fn):
    return Op(fn.__name__, str(inspect.signature(fn)), SAME, COMPOSITE, fn, False)


def _view(name, signature, backward=None, aliases=(), inplace=False, inplace_function=False):
    return Op(name, signature, SAME, backward or name, aliases=aliases, inplace=inplace,
              inplace_function=inplace_function)


def _split(fn, signature):
    return Op(fn.__name__, signature, SAME, "_slice", fn, fn)


OPS = [
    _view("reshape", "(input, shape)"),
    _view("permute", "(input, dims)"),
    _view("transpose", "(input, dim0, dim1)", aliases=("swapaxes", "swapdims"), inplace=True),
    _view("t", "(input)", inplace=True),
    _view("squeeze", "(input, dim=None)", inplace=True),
    _view("unsqueeze", "(input, dim)", inplace=True),
    _view("flatten", "(input, start_dim=0, end_dim=-1)"),
    _view("ravel", "(input)", "flatten"),
    _view("unflatten", "(input, dim, sizes)"),
    _view("narrow", "(input, dim, start, length)"),
    _view("select", "(input, dim, index)"),
    _view("split", "(tensor, split_size_or_sections, dim=0)", aliases=("unsafe_split",)),
    Op("split_with_sizes", "(input, split_sizes, dim=0)", SAME, "split", split_with_sizes, split_with_sizes,
       aliases=("unsafe_split_with_sizes",)),
    _split(tensor_split, "(input, indices_or_sections, dim=0)"),
    _split(hsplit, "(input, indices_or_sections)"),
    _split(vsplit, "(input, indices_or_sections)"),
    _split(dsplit, "(input, indices_or_sections)"),
    _view("chunk", "(input, chunks, dim=0)", aliases=("unsafe_chunk",)),
    _view("unbind", "(input, dim=0)"),
    _view("movedim", "(input, source, destination)", aliases=("moveaxis",)),
    _view("diagonal", "(input, offset=0, dim1=0, dim2=1)"),
    _view("as_strided", "(input, size, stride, storage_offset=None)", inplace=True, inplace_function=True),
    _view("broadcast_to", "(input, size)", "expand"),
    Op("broadcast_tensors", "(*tensors)", SAME, "expand", broadcast_tensors, method=False),
    _view("clone", "(input, *, memory_format=None)"),
    Op("detach", "(input)", SAME, None, inplace=True, inplace_function=True),
    *(_copy_row(fn) for fn in _COPIES),
    Op("as_strided_scatter", "(input, src, size, stride, storage_offset=None)", SAME, COMPOSITE, as_strided_scatter,
       as_strided_scatter),
    # real tensors are their own conjugate (torch returns the input itself for these)
    Op("conj", "(input)", SAME, None),
    Op("conj_physical", "(input, *, out=None)", SAME, None, inplace=True, inplace_function=True),
    Op("resolve_conj", "(input)", SAME, None),
    Op("resolve_neg", "(input)", SAME, None),
    Op("real", "(input)", SAME, None, real, False),
    Op("imag", "(input)", SAME, None, imag, False),
]
ROWS_BY_NAME = {op.name: op for op in OPS}

__all__ = install(OPS, globals(), Tensor)
