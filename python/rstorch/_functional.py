"""The `rstorch.*` function forms of view methods, and type-promotion helpers.

Op families have their function forms in `_ops/`."""

import numpy as np

from . import _C
from ._tensor import Tensor

__all__ = [
    "result_type", "promote_types",
    "can_cast", "reshape", "permute", "transpose", "swapaxes", "swapdims", "t", "squeeze",
    "unsqueeze", "flatten", "unflatten", "narrow", "select", "split", "chunk", "unbind", "movedim",
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
    from ._creation import get_default_dtype
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
    from ._size import Size
    return Size(_C.broadcast_shapes([list(s) if not isinstance(s, int) else [s] for s in shapes]))


def broadcast_tensors(*tensors):
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def clone(input, *, memory_format=None):
    return input.clone()


def detach(input):
    return input.detach()
