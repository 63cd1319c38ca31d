"""Binary and ternary elementwise ops: function forms (`rstorch.add`, `rstorch.where`, ...) of
the kernels in rust/core/src/ops/binary.rs, bound in rust/python/src/tensor/elementwise.rs.

Each function calls the Tensor method (so autograd records the same op) and handles `out=`:
the result is cast into `out` when torch's casting rules allow it, and `out` is resized when its
shape differs. A Python number as `input` becomes a 0-dim tensor (same promotion as torch's
wrapped numbers)."""

import numbers

from .. import _C
from .._creation import tensor
from .._out import CASTABLE, castable, exact, write_out
from .._tensor import Tensor
from .index import nonzero

__all__ = [
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
    "remainder", "fmod", "pow", "float_power", "atan2", "arctan2", "hypot", "maximum", "minimum",
    "fmax", "fmin", "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift", "copysign", "nextafter", "xlogy",
    "ldexp", "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
    "not_equal", "neg", "negative", "where", "lerp", "addcmul", "addcdiv", "clamp", "clip",
    "clamp_min", "clamp_max", "isclose", "allclose", "equal",
]


def _as_tensor(x):
    if isinstance(x, Tensor):
        return x
    return tensor(x)


def _tracks_grad(args):
    return _C.is_grad_enabled() and any(isinstance(a, Tensor) and a.requires_grad for a in args)


def _write_out(name, out, result, check=CASTABLE):
    """torch's `out=`: the dtype check (TensorIterator's cast check for most of this family),
    then the values copied in (out resized when its shape differs)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    return write_out(out, result, check)


def _call(name, method, args, kwargs, out, check=CASTABLE):
    if out is None:
        return method(*args, **kwargs)
    if _tracks_grad(args):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    return _write_out(name, out, method(*args, **kwargs), check)


# Which operands torch's function forms take as Python numbers: `add(2, x)` and `add(x, 2)`,
# only `fmod(x, 2)`, or neither (`atan2(x, 2)` is a TypeError).
ANY, OTHER, NONE = "any", "other", "none"


def _check_operands(name, numbers_ok, input, other, out):
    if numbers_ok == NONE:
        for arg, pos, v in (("input", 1, input), ("other", 2, other)):
            if not isinstance(v, Tensor):
                raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {type(v).__name__}")
    elif numbers_ok == OTHER and not (isinstance(input, Tensor) and isinstance(other, (Tensor, numbers.Number))):
        got = [type(input).__name__, type(other).__name__] + ([f"out={type(out).__name__}"] if out is not None else [])
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({', '.join(got)}), but expected "
                        "one of:\n * (Tensor input, Tensor other, *, Tensor out = None)\n"
                        " * (Tensor input, Number other, *, Tensor out = None)\n")


# torch's own wording of the cast check, and the ops that want exactly the result's dtype
_LDEXP = castable("ldexp can't be cast to the desired output type {out}")
_WHERE = exact("Expected out type to be {result} but got {out}")
_CLAMP_NUMBERS = exact("Found dtype {out} but expected {result}")


def _clamp_check(*bounds):
    # clamp with tensor bounds is a TensorIterator op; with numbers it wants the result's dtype
    return CASTABLE if any(isinstance(b, Tensor) for b in bounds) else _CLAMP_NUMBERS


def _binary(name, method=None, numbers_ok=ANY):
    """`name(input, other, *, out=None, **kwargs)` over Tensor.<method>."""
    method = getattr(Tensor, method or name)

    def fn(input, other, *, out=None, **kwargs):
        _check_operands(name, numbers_ok, input, other, out)
        return _call(name, method, (_as_tensor(input), other), kwargs, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"`rstorch.{name}(input, other, *, out=None)`: elementwise, broadcasting, with torch's promotion."
    return fn


add, sub, mul = _binary("add"), _binary("sub"), _binary("mul")
div = _binary("div")
subtract, multiply, divide = sub, mul, div
true_divide = _binary("true_divide", "div")
floor_divide = _binary("floor_divide")
remainder, fmod = _binary("remainder"), _binary("fmod", numbers_ok=OTHER)
atan2 = _binary("atan2", numbers_ok=NONE)
arctan2 = _binary("arctan2", "atan2", numbers_ok=NONE)
hypot, nextafter = (_binary(n, numbers_ok=NONE) for n in ("hypot", "nextafter"))
copysign = _binary("copysign", numbers_ok=OTHER)
xlogy = _binary("xlogy")
maximum, minimum, fmax, fmin = (_binary(n, numbers_ok=NONE) for n in ("maximum", "minimum", "fmax", "fmin"))
logical_and, logical_or, logical_xor = (_binary(n, numbers_ok=NONE) for n in ("logical_and", "logical_or", "logical_xor"))
bitwise_and, bitwise_or, bitwise_xor = (_binary(n) for n in ("bitwise_and", "bitwise_or", "bitwise_xor"))
bitwise_left_shift = _binary("bitwise_left_shift")
bitwise_right_shift = _binary("bitwise_right_shift")
eq, ne, lt, le, gt, ge = (_binary(n, numbers_ok=OTHER) for n in ("eq", "ne", "lt", "le", "gt", "ge"))
greater, greater_equal, less, less_equal, not_equal = (
    _binary(alias, n, numbers_ok=OTHER)
    for alias, n in (("greater", "gt"), ("greater_equal", "ge"), ("less", "lt"), ("less_equal", "le"), ("not_equal", "ne")))


def pow(input, exponent, *, out=None):
    """`input ** exponent`; either side may be a number (`rstorch.pow(2, x)`)."""
    if not isinstance(input, Tensor):
        return _call("pow", Tensor.__rpow__, (exponent, input), {}, out)
    return _call("pow", Tensor.pow, (input, exponent), {}, out)


def float_power(input, exponent, *, out=None):
    """`input ** exponent` computed and returned in float64."""
    if not isinstance(input, Tensor):
        if not isinstance(exponent, Tensor):
            raise TypeError("float_power(): one of 'input' or 'exponent' must be a Tensor")
        input = _as_tensor(input)._to_dtype(_C.float64)
    if out is not None and out.dtype is not _C.float64:
        raise RuntimeError(f"the output given to float_power has dtype {out.dtype._scalar_type_name} "
                           "but the operation's result requires dtype Double")
    return _call("float_power", Tensor.float_power, (input, exponent), {}, out)


def ldexp(input, other, *, out=None):
    """`input * 2 ** other` (a float result, like torch)."""
    _check_operands("ldexp", NONE, input, other, out)
    return _call("ldexp", lambda a, b: a * pow(2.0, b), (input, other), {}, out, _LDEXP)


neg = negative = _C.neg  # the unary family's kernel (`-x` calls it too)


def where(condition, input=None, other=None, *, out=None):
    """`input` where `condition` holds, else `other` (numbers allowed); `where(condition)` alone
    is `nonzero(condition, as_tuple=True)`."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() missing required argument: both 'input' and 'other' are needed")
    return _call("where", _C._where, (condition, input, other), {}, out, _WHERE)


def lerp(input, end, weight, *, out=None):
    return _call("lerp", Tensor.lerp, (input, end, weight), {}, out)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    return _call("addcmul", Tensor.addcmul, (input, tensor1, tensor2), {"value": value}, out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    return _call("addcdiv", Tensor.addcdiv, (input, tensor1, tensor2), {"value": value}, out)


def clamp(input, min=None, max=None, *, out=None):
    return _call("clamp", Tensor.clamp, (input, min, max), {}, out, _clamp_check(min, max))


clip = clamp


def clamp_min(input, min, *, out=None):
    return _call("clamp_min", Tensor.clamp_min, (input, min), {}, out, _clamp_check(min))


def clamp_max(input, max, *, out=None):
    return _call("clamp_max", Tensor.clamp_max, (input, max), {}, out, _clamp_check(max))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    _check_operands("isclose", NONE, input, other, None)
    return Tensor.isclose(input, other, rtol, atol, equal_nan)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    _check_operands("allclose", NONE, input, other, None)
    return Tensor.allclose(input, other, rtol, atol, equal_nan)


def equal(input, other):
    """True when both have the same shape and the same elements."""
    _check_operands("equal", NONE, input, other, None)
    return Tensor.equal(input, other)


# Python-level Tensor methods and aliases of this family
Tensor.true_divide = Tensor.div
Tensor.true_divide_ = Tensor.div_
Tensor.divide = Tensor.div
Tensor.divide_ = Tensor.div_
Tensor.subtract_ = Tensor.sub_
Tensor.multiply_ = Tensor.mul_
Tensor.greater_ = Tensor.gt_
Tensor.greater_equal_ = Tensor.ge_
Tensor.less_ = Tensor.lt_
Tensor.less_equal_ = Tensor.le_
Tensor.not_equal_ = Tensor.ne_
Tensor.negative = Tensor.neg


def _ldexp(self, other):
    return ldexp(self, other)


def _ldexp_(self, other):
    return self.copy_(_write_out("ldexp_", self.new_empty(self.shape), ldexp(self, other)))


Tensor.ldexp, Tensor.ldexp_ = _ldexp, _ldexp_
Tensor.negative_ = Tensor.neg_
