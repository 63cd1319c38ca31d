"""Binary and ternary elementwise ops: function forms (`rstorch.add`, `rstorch.where`, ...) of
the kernels in rust/core/src/ops/binary.rs, bound in rust/python/src/tensor/elementwise.rs."""

import numpy as np

from .. import _C  # noqa: F401
from .._tensor import Tensor
from .._functional import result_type
from ._common import check_out

__all__ = [
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "eq", "ne", "lt",
    "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal", "neg",
    "negative", "equal", "allclose", "isclose",
]


def _binary(method):
    def fn(input, other, *, out=None, **kwargs):
        if not isinstance(input, Tensor):
            from .._creation import tensor
            input = tensor(input) if not isinstance(other, Tensor) else \
                _scalar_like(input, other)
        return check_out(out, getattr(Tensor, method)(input, other, **kwargs))
    fn.__name__ = method
    return fn


def _scalar_like(x, other):
    from .._creation import tensor
    return tensor(x, dtype=result_type(x, other))


add, sub, mul, div = _binary("add"), _binary("sub"), _binary("mul"), _binary("div")
eq, ne, lt, le, gt, ge = (_binary(n) for n in ("eq", "ne", "lt", "le", "gt", "ge"))
subtract, multiply, divide, true_divide = sub, mul, div, div
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def neg(input, *, out=None):
    return check_out(out, -input)


negative = neg


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
    from .._creation import tensor
    return tensor(np.isclose(_host(input), _host(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.all(isclose(input, other, rtol, atol, equal_nan)._host_numpy()))
