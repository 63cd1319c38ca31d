"""The `rstorch.*` function forms of Tensor methods, and type-promotion helpers."""

import numpy as np

from . import _C
from ._tensor import Tensor

__all__ = [
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "eq", "ne", "lt",
    "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal", "neg",
    "negative", "sum", "mean", "equal", "allclose", "isclose", "result_type", "promote_types",
    "can_cast", "reshape", "permute", "transpose", "swapaxes", "swapdims", "t", "squeeze",
    "unsqueeze", "flatten", "unflatten", "narrow", "select", "split", "chunk", "unbind", "movedim",
    "moveaxis", "diagonal", "as_strided", "broadcast_to", "broadcast_tensors", "broadcast_shapes",
    "clone", "detach",
]


def _check_out(out, result):
    if out is None:
        return result
    out.copy_(result) if tuple(out.shape) == tuple(result.shape) else out._set(result)
    return out


def _binary(method):
    def fn(input, other, *, out=None, **kwargs):
        if not isinstance(input, Tensor):
            from ._creation import tensor
            input = tensor(input) if not isinstance(other, Tensor) else \
                _scalar_like(input, other)
        return _check_out(out, getattr(Tensor, method)(input, other, **kwargs))
    fn.__name__ = method
    return fn


def _scalar_like(x, other):
    from ._creation import tensor
    return tensor(x, dtype=result_type(x, other))


add, sub, mul, div = _binary("add"), _binary("sub"), _binary("mul"), _binary("div")
eq, ne, lt, le, gt, ge = (_binary(n) for n in ("eq", "ne", "lt", "le", "gt", "ge"))
subtract, multiply, divide, true_divide = sub, mul, div, div
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def neg(input, *, out=None):
    return _check_out(out, -input)


negative = neg


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    return _check_out(out, input.sum(dim, keepdim, dtype=dtype))


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    return _check_out(out, input.mean(dim, keepdim, dtype=dtype))


def equal(input, other):
    """True when both have the same shape and elements."""
    if tuple(input.shape) != tuple(other.shape):
        return False
    return bool((input == other).sum().item() == input.numel())


def _host(t):
    return t.detach()._host_numpy().astype(np.float64)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{input.dtype._scalar_type_name} did not match {other.dtype._scalar_type_name}")
    from ._creation import tensor
    return tensor(np.isclose(_host(input), _host(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.all(isclose(input, other, rtol, atol, equal_nan)._host_numpy()))


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
