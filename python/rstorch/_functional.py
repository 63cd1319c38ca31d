"""The `rstorch.*` function forms of view methods, and type-promotion helpers.

Op families have their function forms in `_ops/`."""

import numpy as np

from . import _C
from ._creation import get_default_dtype
from ._size import Size
from ._tensor import Tensor

__all__ = [
    "result_type", "promote_types",
    "can_cast", "reshape", "permute", "transpose", "swapaxes", "swapdims", "t", "squeeze",
    "unsqueeze", "flatten", "unflatten", "narrow", "select", "split", "split_with_sizes",
    "tensor_split", "hsplit", "vsplit", "dsplit", "chunk", "unbind", "movedim",
    "moveaxis", "diagonal", "as_strided", "broadcast_to", "broadcast_tensors", "broadcast_shapes",
    "clone", "detach",
]


def _operand(x):
    if isinstance(x, Tensor):
        return x.dtype, x.dim()
    if isinstance(x, bool):
        return _C.bool, -1
    if isinstance(x, int):
        return _C.int64, -1
    if isinstance(x, float):
        return _C.float64, -1
    raise TypeError(f"result_type(): argument must be Tensor or Number, not {type(x).__name__}")


def result_type(tensor1, tensor2):
    """torch.result_type: tensors outrank zero-dim tensors outrank Python numbers, unless a lower
    rank brings a higher category (bool < integer < float)."""
    return _C.result_type([_operand(tensor1), _operand(tensor2)], get_default_dtype())


def promote_types(type1, type2):
    return _C.promote_types(type1, type2)


def can_cast(from_, to):
    return _C.can_cast(from_, to)


def reshape(input, shape):
    return input.reshape(shape)


def permute(input, dims):
    return input.permute(dims)


def transpose(input, dim0, dim1):
    return input.transpose(dim0, dim1)


swapaxes = swapdims = transpose


def t(input):
    return input.t()


def squeeze(input, dim=None):
    return input.squeeze(dim)


def unsqueeze(input, dim):
    return input.unsqueeze(dim)


def flatten(input, start_dim=0, end_dim=-1):
    return input.flatten(start_dim, end_dim)


def unflatten(input, dim, sizes):
    return input.unflatten(dim, sizes)


def narrow(input, dim, start, length):
    return input.narrow(dim, start, length)


def select(input, dim, index):
    return input.select(dim, index)


def split(tensor, split_size_or_sections, dim=0):
    return tensor.split(split_size_or_sections, dim)


def split_with_sizes(input, split_sizes, dim=0):
    if not isinstance(split_sizes, (list, tuple)):
        raise TypeError(f"split_with_sizes(): argument 'split_sizes' (position 1) must be tuple of ints, "
                        f"not {type(split_sizes).__name__}")
    return input.split(list(split_sizes), dim)


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


for _f in (split_with_sizes, tensor_split, hsplit, vsplit, dsplit):
    setattr(Tensor, _f.__name__, _f)
del _f


def chunk(input, chunks, dim=0):
    return input.chunk(chunks, dim)


def unbind(input, dim=0):
    return input.unbind(dim)


def movedim(input, source, destination):
    return input.movedim(source, destination)


moveaxis = movedim


def diagonal(input, offset=0, dim1=0, dim2=1):
    return input.diagonal(offset, dim1, dim2)


def as_strided(input, size, stride, storage_offset=None):
    return input.as_strided(size, stride, storage_offset)


def broadcast_to(input, size):
    return input.broadcast_to(size)


def broadcast_shapes(*shapes):
    return Size(_C.broadcast_shapes([list(s) if not isinstance(s, int) else [s] for s in shapes]))


def broadcast_tensors(*tensors):
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def clone(input, *, memory_format=None):
    return input.clone()


def detach(input):
    return input.detach()
