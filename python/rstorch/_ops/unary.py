"""Unary elementwise ops: the op-table rows (see _table.py) of the kernels in
rust/core/src/ops/unary.rs, bound as Tensor methods in rust/python/src/tensor/unary.rs.

The methods and in-place methods are the kernels'; the rows generate the function forms with
`out=` (torch's check of out's dtype differs by op: most float ops take any float `out`, the
rounding ops want the result's dtype exactly), the aliases and `rstorch.exp_`-style forms."""

from .. import _C
from .._out import CASTABLE, allowed, exact
from .._tensor import Tensor
from ._table import BOOL, COMPOSITE, FLOAT, OWN, SAME, Op, call_with_out, install, written

_FOUND = exact("Found dtype {out} but expected {result}")


def _bool_out(name):
    return allowed(lambda o, r: o is _C.bool, name + " does not support non-boolean outputs.")


def _float(name, aliases=(), inplace=True, signature="(input, *, out=None)"):
    """A float op (integers compute in the default float dtype) with a gradient."""
    return Op(name, signature, FLOAT, name, inplace=inplace, inplace_function=inplace,
              aliases=aliases, out=CASTABLE)


def _exact(name, aliases=(), backward=None, signature="(input, *, out=None)", inplace_function=True):
    # (torch has no rstorch.absolute_: the in-place function exists for the listed names only)
    """An op keeping the input's dtype; out= must have it exactly."""
    return Op(name, signature, SAME, backward, inplace=True, inplace_function=inplace_function,
              aliases=aliases, out=_FOUND)


def _predicate(name, out=False):
    """isnan-like: bool results, no gradient; `out=` only where torch has it."""
    return Op(name, "(input, *, out=None)" if out else "(input)", BOOL, out=_bool_out(name) if out else None)


def _polygamma(op, n, input, *, out=None):
    """The n-th derivative of digamma; n comes first in torch's function (the method takes it
    as its only argument: `x.polygamma(n)`)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"polygamma(): argument 'input' (position 2) must be Tensor, not {type(input).__name__}")
    return call_with_out(op, out, Tensor.polygamma, (input, n), {})


def positive(input):
    """`input` itself (torch returns the same tensor); bool tensors are rejected like `+x`."""
    if input.dtype is _C.bool:
        raise NotImplementedError("The `+` operator, on a bool tensor is not supported.")
    return input


OPS = [
    _exact("abs", ("absolute",), "abs", inplace_function=("abs",)),
    _exact("neg", ("negative",), "neg"),
    _exact("sign", (), "sign", inplace_function=False),
    _exact("sgn", (), "sgn", inplace_function=False),
    Op("square", "(input, *, out=None)", OWN, "square", inplace=True, inplace_function=True, out=CASTABLE),
    _exact("floor", (), "floor"),
    _exact("ceil", (), "ceil"),
    _exact("round", (), "round", "(input, *, decimals=0, out=None)"),
    _exact("trunc", ("fix",), "trunc"),
    _exact("frac", (), "frac"),
    Op("relu", "(input)", SAME, "relu", inplace=True, inplace_function=True),
    _exact("bitwise_not", (), None, inplace_function=False),
    *(_float(n) for n in ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt",
                          "reciprocal", "sin", "cos", "tan", "sinh", "cosh", "tanh", "sigmoid", "erf",
                          "erfc")),
    *(_float(n, ("arc" + n[1:],)) for n in ("asin", "acos", "atan", "asinh", "acosh", "atanh")),
    Op("erfinv", "(input, *, out=None)", FLOAT, "erfinv", inplace=True, out=CASTABLE),
    _float("logit", signature="(input, eps=None, *, out=None)"),
    # the gamma family and i0/sinc (kernels: rust/core/src/ops/special.rs); torch has no
    # rstorch.lgamma_/digamma_ functions
    *(Op(n, "(input, *, out=None)", FLOAT, n, inplace=True, out=CASTABLE) for n in ("lgamma", "digamma")),
    _float("i0"),
    _float("sinc"),
    Op("polygamma", "(n, input, *, out=None)", FLOAT, "polygamma", written(_polygamma), inplace=True, out=CASTABLE),
    Op("nan_to_num", "(input, nan=0.0, posinf=None, neginf=None, *, out=None)", SAME, "nan_to_num",
       inplace=True, inplace_function=True,
       out=exact("nan_to_num: dtype of out: {out} should be same as input: {result}")),
    *(_predicate(n) for n in ("isnan", "isinf", "isfinite", "isreal")),
    _predicate("isposinf", out=True),
    _predicate("isneginf", out=True),
    Op("logical_not", "(input, *, out=None)", BOOL, inplace=True),
    Op("positive", "(input)", SAME, COMPOSITE, function=positive, method=positive),
]

__all__ = install(OPS, globals(), Tensor)
