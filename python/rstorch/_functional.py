"""Type-promotion and shape helpers (`result_type`, `promote_types`, `can_cast`,
`broadcast_shapes`): functions of dtypes and shapes, not ops (the ops are rows of `_ops/`)."""

from . import _C
from ._creation import get_default_dtype
from ._size import Size
from ._tensor import Tensor

__all__ = ["result_type", "promote_types", "can_cast", "broadcast_shapes"]


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


def broadcast_shapes(*shapes):
    return Size(_C.broadcast_shapes([list(s) if not isinstance(s, int) else [s] for s in shapes]))
