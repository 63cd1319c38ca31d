"""Binary and ternary elementwise ops: the op-table rows (see _table.py) of the kernels in
rust/core/src/ops/binary.rs, bound as Tensor methods in rust/python/src/tensor/elementwise.rs.

The function forms call the Tensor method (so autograd records the same op) and handle `out=`:
the result is cast into `out` when torch's casting rules allow it (TensorIterator's check, the
default here), and `out` is resized when its shape differs. Which operands may be Python numbers
differs by op (`Operands`); a number as `input` becomes a 0-dim tensor (the same promotion as
torch's wrapped numbers)."""

import numbers

from .. import _C
from .._creation import get_default_dtype, tensor
from .._functional import broadcast_shapes
from .._out import CASTABLE, castable, exact, write_out
from .._tensor import Tensor
from ._table import BOOL, COMPOSITE, FLOAT, OWN, PROMOTE, SAME, Form, Op, call_with_out, install, predict_dtype, written
from .index import nonzero

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


def _as_tensor(x):
    return x if isinstance(x, Tensor) else tensor(x)


def binary(numbers_ok=ANY):
    """The form `name(input, other, *args, out=None, **kwargs)` over Tensor.<name>."""
    def build(op, method):
        name = op.name

        def fn(input, other, *args, out=None, **kwargs):
            if numbers_ok != ANY:
                _check_operands(name, numbers_ok, input, other, out)
            if not isinstance(input, Tensor):
                input = tensor(input)
            if out is None:
                return method(input, other, *args, **kwargs)
            return call_with_out(op, out, method, (input, other) + args, kwargs)
        return fn
    return Form(build)


# torch's own wording of the cast check, and the ops that want exactly the result's dtype
_LDEXP = castable("ldexp can't be cast to the desired output type {out}")
_WHERE = exact("Expected out type to be {result} but got {out}")
_CLAMP_NUMBERS = exact("Found dtype {out} but expected {result}")


def _pow(op, input, exponent, *, out=None):
    """`input ** exponent`; either side may be a number (`rstorch.pow(2, x)`)."""
    if not isinstance(input, Tensor):
        return call_with_out(op, out, Tensor.__rpow__, (exponent, input), {})
    return call_with_out(op, out, Tensor.pow, (input, exponent), {})


def _float_power(op, input, exponent, *, out=None):
    """`input ** exponent` computed and returned in float64."""
    if not isinstance(input, Tensor):
        if not isinstance(exponent, Tensor):
            raise TypeError("float_power(): one of 'input' or 'exponent' must be a Tensor")
        input = _as_tensor(input)._to_dtype(_C.float64)
    if out is not None and out.dtype is not _C.float64:
        raise RuntimeError(f"the output given to float_power has dtype {out.dtype._scalar_type_name} "
                           "but the operation's result requires dtype Double")
    return call_with_out(op, out, Tensor.float_power, (input, exponent), {})


def _ldexp(op, input, other, *, out=None):
    """`input * 2 ** other` (a float result, like torch)."""
    _check_operands("ldexp", NONE, input, other, out)
    _ldexp_exponent(input, other)
    # the result has the promoted float dtype (a bfloat16 input stays bfloat16); 2 ** other is
    # computed in float32 or wider, and scaling by a power of two is exact until it rounds once
    dtype = predict_dtype(FLOAT, (input.dtype, other.dtype), get_default_dtype())

    def compute(a, b):
        r = a * (2.0 ** b)
        return r if r.dtype is dtype else r.to(dtype)
    return call_with_out(op, out, compute, (input, other), {})


def _ldexp_exponent(input, other):
    """torch's kernel for a floating input takes no bool exponent (the shapes are checked first)."""
    if input.dtype.is_floating_point and other.dtype is _C.bool:
        broadcast_shapes(input.shape, other.shape)
        raise NotImplementedError("\"ldexp_cpu_exp\" not implemented for 'Bool'")


def _ldexp_method(self, other):
    return ldexp(self, other)


def _ldexp_(self, other):
    return self.copy_(write_out(self.new_empty(self.shape), ldexp(self, other), _LDEXP))


def _where(op, condition, input=None, other=None, *, out=None):
    """`input` where `condition` holds, else `other` (numbers allowed); `where(condition)` alone
    is `nonzero(condition, as_tuple=True)`."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() missing required argument: both 'input' and 'other' are needed")
    return call_with_out(op, out, _C._where, (condition, input, other), {})


def _clamp(bounds):
    """clamp's forms: with tensor bounds a TensorIterator op (castable out: the row's rule), with
    numbers it wants the result's dtype exactly."""
    def build(op, method):
        def fn(input, *args, out=None, **kwargs):
            if not isinstance(input, Tensor):
                raise TypeError(f"{op.name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
            given = list(args) + [kwargs.get(b) for b in bounds[len(args):]]
            check = None if any(isinstance(b, Tensor) for b in given) else _CLAMP_NUMBERS
            return call_with_out(op, out, method, (input,) + args, kwargs, check)
        return fn
    return Form(build)


def _binary(name, dtype, backward=None, numbers_ok=ANY, aliases=(), inplace=True, signature="(input, other, *, out=None)",
            inplace_function=False):
    return Op(name, signature, dtype, backward, binary(numbers_ok), inplace=inplace, inplace_function=inplace_function,
              aliases=aliases, out=CASTABLE)


def _compare(name, aliases):
    return _binary(name, BOOL, numbers_ok=OTHER, aliases=aliases)


def _clamp_op(name, signature, bounds, aliases=()):
    return Op(name, signature, PROMOTE, name, _clamp(bounds), inplace=True, inplace_function=True, aliases=aliases,
              out=CASTABLE)


_ALPHA = "(input, other, *, alpha=1, out=None)"
_TERNARY = "(input, tensor1, tensor2, *, value=1, out=None)"
_CLOSE = "(input, other, rtol=1e-05, atol=1e-08, equal_nan=False)"

OPS = [
    _binary("add", PROMOTE, "add", signature=_ALPHA),
    _binary("sub", PROMOTE, "sub", aliases=("subtract",), signature=_ALPHA),
    _binary("mul", PROMOTE, "mul", aliases=("multiply",)),
    _binary("div", OWN, "div", aliases=("divide", "true_divide"), signature="(input, other, *, rounding_mode=None, out=None)"),
    _binary("floor_divide", PROMOTE, "floor_divide"),
    _binary("remainder", PROMOTE, "remainder"),
    _binary("fmod", PROMOTE, "fmod", OTHER),
    Op("pow", "(input, exponent, *, out=None)", PROMOTE, "pow", written(_pow), inplace=True, out=CASTABLE),
    Op("float_power", "(input, exponent, *, out=None)", OWN, "float_power", written(_float_power), inplace=True,
       out=CASTABLE),
    _binary("atan2", FLOAT, "atan2", NONE, aliases=("arctan2",)),
    _binary("hypot", FLOAT, "hypot", NONE),
    _binary("nextafter", PROMOTE, None, NONE),
    _binary("copysign", FLOAT, "copysign", OTHER),
    _binary("xlogy", FLOAT, "xlogy", inplace_function=True),
    *(_binary(n, PROMOTE, n, NONE, inplace=False) for n in ("maximum", "minimum", "fmax", "fmin")),
    *(_binary("logical_" + n, BOOL, None, NONE) for n in ("and", "or", "xor")),
    *(_binary("bitwise_" + n, PROMOTE) for n in ("and", "or", "xor", "left_shift", "right_shift")),
    _compare("eq", ()), _compare("ne", ("not_equal",)), _compare("lt", ("less",)),
    _compare("le", ("less_equal",)), _compare("gt", ("greater",)), _compare("ge", ("greater_equal",)),
    Op("ldexp", "(input, other, *, out=None)", FLOAT, COMPOSITE, written(_ldexp), _ldexp_method, _ldexp_,
       inplace_function=True, out=_LDEXP),
    Op("where", "(condition, input=None, other=None, *, out=None)", PROMOTE, "where", written(_where), out=_WHERE),
    Op("lerp", "(input, end, weight, *, out=None)", PROMOTE, "lerp", inplace=True, out=CASTABLE),
    Op("addcmul", _TERNARY, PROMOTE, "addcmul", inplace=True, out=CASTABLE),
    Op("addcdiv", _TERNARY, PROMOTE, "addcdiv", inplace=True, out=CASTABLE),
    _clamp_op("clamp", "(input, min=None, max=None, *, out=None)", ("min", "max"), aliases=("clip",)),
    _clamp_op("clamp_min", "(input, min, *, out=None)", ("min",)),
    _clamp_op("clamp_max", "(input, max, *, out=None)", ("max",)),
    Op("isclose", _CLOSE, BOOL, function=binary(NONE)),
    Op("allclose", _CLOSE, OWN, function=binary(NONE)),
    Op("equal", "(input, other)", OWN, function=binary(NONE)),
]

__all__ = install(OPS, globals(), Tensor)
