"""Unary elementwise ops: function forms (`rstorch.exp`, ...) of the kernels in
rust/core/src/ops/unary.rs, bound in rust/python/src/tensor/unary.rs.

The functions with `out=` and the Tensor methods live in Rust; this module adds torch's
aliases (`absolute`, `arcsin`, `fix`...), `positive` and the module-level in-place forms
(`rstorch.exp_(x)`)."""

from .. import _C
from .._tensor import Tensor

# functions implemented in _C (neg/negative are exported by the binary family's module)
_NATIVE = [
    "abs", "sign", "sgn", "square", "floor", "ceil", "round", "trunc", "frac", "relu",
    "bitwise_not", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt",
    "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
    "acosh", "atanh", "sigmoid", "logit", "erf", "erfc", "erfinv", "nan_to_num", "isnan", "isinf",
    "isposinf", "isneginf", "isfinite", "isreal", "logical_not",
]

# torch's other names for the same ops (the alias records the op under its canonical name,
# so autograd and grad_fn names match torch's: torch.absolute(x).grad_fn is AbsBackward0)
_ALIASES = {
    "absolute": "abs", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
    "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh", "fix": "trunc",
}

# module-level in-place forms torch has (torch.exp_(x), ...)
_INPLACE_FUNCS = [
    "abs", "neg", "negative", "square", "floor", "ceil", "round", "trunc", "fix", "frac", "relu",
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin",
    "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
    "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh", "sigmoid", "logit", "erf", "erfc",
    "nan_to_num",
]

__all__ = _NATIVE + list(_ALIASES) + ["positive"] + [n + "_" for n in _INPLACE_FUNCS]

for _name in _NATIVE:
    globals()[_name] = getattr(_C, _name)
for _alias, _name in _ALIASES.items():
    globals()[_alias] = getattr(_C, _name)
    setattr(Tensor, _alias, getattr(_C.TensorBase, _name))
    setattr(Tensor, _alias + "_", getattr(_C.TensorBase, _name + "_"))
Tensor.negative = _C.TensorBase.neg
Tensor.negative_ = _C.TensorBase.neg_


def _inplace_function(name):
    method = name + "_"

    def fn(input, *args, **kwargs):
        return getattr(input, method)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = method
    fn.__doc__ = f"In-place version of `{name}`: `input.{method}(...)`."
    return fn


for _name in _INPLACE_FUNCS:
    globals()[_name + "_"] = _inplace_function(_name)
del _name, _alias


def positive(input):
    """`input` itself (torch returns the same tensor); bool tensors are rejected like `+x`."""
    if input.dtype is _C.bool:
        raise NotImplementedError("The `+` operator, on a bool tensor is not supported.")
    return input


Tensor.positive = positive
