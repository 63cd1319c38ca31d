"""Binary and ternary elementwise ops: function forms (`rstorch.add`, `rstorch.where`, ...) of
the kernels in rust/core/src/ops/binary.rs, bound in rust/python/src/tensor/elementwise.rs.

Each function calls the Tensor method (so autograd records the same op) and handles `out=`:
the result is cast into `out` when torch's casting rules allow it, and `out` is resized when its
shape differs. A Python number as `input` becomes a 0-dim tensor (same promotion as torch's
wrapped numbers)."""

from .. import _C
from .._tensor import Tensor

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
    from .._creation import tensor
    return tensor(x)


def _tracks_grad(args):
    return _C.is_grad_enabled() and any(isinstance(a, Tensor) and a.requires_grad for a in args)


def _write_out(name, out, result):
    """torch's `out=`: cast-check, resize when the shape differs, copy the values in."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if not _C.can_cast(result.dtype, out.dtype):
        raise RuntimeError(f"result type {result.dtype._scalar_type_name} can't be cast to the "
                           f"desired output type {out.dtype._scalar_type_name}")
    if tuple(out.shape) == tuple(result.shape):
        out.copy_(result)
    else:
        out._set(result._to_dtype(out.dtype))
    return out


def _call(name, method, args, kwargs, out):
    if out is None:
        return method(*args, **kwargs)
    if _tracks_grad(args):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    return _write_out(name, out, method(*args, **kwargs))


def _binary(name, method=None, first="input"):
    """`name(input, other, *, out=None, **kwargs)` over Tensor.<method>."""
    method = getattr(Tensor, method or name)

    def fn(input, other, *, out=None, **kwargs):
        return _call(name, method, (_as_tensor(input), other), kwargs, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"`rstorch.{name}(input, other, *, out=None)`: elementwise, broadcasting, with torch's promotion."
    return fn


add, sub, mul = _binary("add"), _binary("sub"), _binary("mul")
div = _binary("div")
subtract, multiply, divide = sub, mul, div
true_divide = _binary("true_divide", "div")
floor_divide = _binary("floor_divide")
remainder, fmod = _binary("remainder"), _binary("fmod")
atan2 = _binary("atan2")
arctan2 = _binary("arctan2", "atan2")
hypot, copysign, nextafter, xlogy = (_binary(n) for n in ("hypot", "copysign", "nextafter", "xlogy"))
maximum, minimum, fmax, fmin = (_binary(n) for n in ("maximum", "minimum", "fmax", "fmin"))
logical_and, logical_or, logical_xor = (_binary(n) for n in ("logical_and", "logical_or", "logical_xor"))
bitwise_and, bitwise_or, bitwise_xor = (_binary(n) for n in ("bitwise_and", "bitwise_or", "bitwise_xor"))
bitwise_left_shift = _binary("bitwise_left_shift")
bitwise_right_shift = _binary("bitwise_right_shift")
eq, ne, lt, le, gt, ge = (_binary(n) for n in ("eq", "ne", "lt", "le", "gt", "ge"))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


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
    return _call("ldexp", lambda a, b: a * pow(2.0, b), (_as_tensor(input), other), {}, out)


neg = negative = _C.neg  # the unary family's kernel (`-x` calls it too)


def where(condition, input=None, other=None, *, out=None):
    """`input` where `condition` holds, else `other` (numbers allowed); `where(condition)` alone
    is `nonzero(condition, as_tuple=True)`."""
    if input is None and other is None:
        import rstorch
        # nonzero comes from the index family
        return rstorch.nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() missing required argument: both 'input' and 'other' are needed")
    return _call("where", _C._where, (condition, input, other), {}, out)


def lerp(input, end, weight, *, out=None):
    return _call("lerp", Tensor.lerp, (input, end, weight), {}, out)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    return _call("addcmul", Tensor.addcmul, (input, tensor1, tensor2), {"value": value}, out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    return _call("addcdiv", Tensor.addcdiv, (input, tensor1, tensor2), {"value": value}, out)


def clamp(input, min=None, max=None, *, out=None):
    return _call("clamp", Tensor.clamp, (input, min, max), {}, out)


clip = clamp


def clamp_min(input, min, *, out=None):
    return _call("clamp_min", Tensor.clamp_min, (input, min), {}, out)


def clamp_max(input, max, *, out=None):
    return _call("clamp_max", Tensor.clamp_max, (input, max), {}, out)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return Tensor.isclose(input, other, rtol, atol, equal_nan)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return Tensor.allclose(input, other, rtol, atol, equal_nan)


def equal(input, other):
    """True when both have the same shape and the same elements."""
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
