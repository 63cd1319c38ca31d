"""The op table of the binary and ternary elementwise family (harness: tests/opinfo/core.py)."""

import numpy as np

import rstorch
from .core import ALL, FLOATS, INTS, OpInfo, Sample, elementwise_shapes, random_array, with_specials

NO_BOOL = FLOATS + INTS


def _arr(rng, shape, dtype, low, high):
    a = random_array(rng, shape, dtype, low, high)
    return np.asarray(a)


def binary_samples(low=-3.0, high=3.0, olow=None, ohigh=None, specials=False, scalars=(), nonzero=False):
    """Pairs of arrays over the broadcasting shapes, plus `(array, number)` samples; `nonzero`
    keeps zeros out of the second operand (divisors: uint8 samples always start at 0)."""
    olow = low if olow is None else olow
    ohigh = high if ohigh is None else ohigh

    def gen(dtype, rng):
        out = []
        for sa, sb in elementwise_shapes(2):
            a, b = _arr(rng, sa, dtype, low, high), _arr(rng, sb, dtype, olow, ohigh)
            if nonzero:
                b = np.where(b == 0, np.ones_like(b), b)
            if specials and dtype in FLOATS and a.size:
                a = with_specials(a)
            out.append(Sample((a, b)))
        for s in scalars:
            out.append(Sample((_arr(rng, (4, 3), dtype, low, high), s)))
        return out
    return gen


def ternary_samples(lows=(-3.0, -3.0, -3.0), highs=(3.0, 3.0, 3.0), cond_first=False):
    def gen(dtype, rng):
        out = []
        for shapes in elementwise_shapes(3):
            args = []
            for k, s in enumerate(shapes):
                if k == 0 and cond_first:
                    args.append(np.asarray(rng.random(s) < 0.5))
                else:
                    args.append(_arr(rng, s, dtype, lows[k], highs[k]))
            out.append(Sample(tuple(args)))
        return out
    return gen


def float_result(d):
    return d if d in FLOATS else "float32"


def bool_result(d):
    return "bool"


def _trunc_div(a, b):
    q = np.trunc(np.true_divide(a, b))
    return q


def _f64(fn):
    """A numpy reference computed in float64 (numpy would pick float16 for small int types)."""
    return lambda *args: fn(*(np.asarray(a, dtype=np.float64) for a in args))


OPS = [
    OpInfo("add", lambda a, b: rstorch.add(a, b), lambda a, b: a + b if a.dtype != bool else a | b,
           ALL, binary_samples(scalars=(2, True)), differentiable=False, result_dtype=lambda d: None),
    OpInfo("add_alpha", lambda a, b: rstorch.add(a, b, alpha=2), lambda a, b: a + 2 * b, NO_BOOL,
           binary_samples(), differentiable=False),
    OpInfo("sub", lambda a, b: a - b, lambda a, b: a - b, NO_BOOL, binary_samples(scalars=(2,)),
           differentiable=False),
    OpInfo("rsub", lambda a, b: 2 - a, lambda a, b: 2 - a, NO_BOOL, binary_samples(), differentiable=False),
    OpInfo("mul", lambda a, b: a * b, lambda a, b: a * b, ALL, binary_samples(scalars=(3,)),
           differentiable=False, result_dtype=lambda d: None),
    OpInfo("div", lambda a, b: rstorch.div(a, b), lambda a, b: np.true_divide(a, b), ALL,
           binary_samples(olow=1, ohigh=4, nonzero=True), result_dtype=float_result, differentiable=False),
    OpInfo("rdiv", lambda a, b: 1 / b, lambda a, b: np.true_divide(1, b), NO_BOOL,
           binary_samples(olow=1, ohigh=4, nonzero=True), result_dtype=float_result, differentiable=False),
    OpInfo("div_trunc", lambda a, b: rstorch.div(a, b, rounding_mode="trunc"), _trunc_div, NO_BOOL,
           binary_samples(olow=1, ohigh=4, nonzero=True), differentiable=False),
    OpInfo("floor_divide", lambda a, b: a // b, lambda a, b: np.floor_divide(a, b), NO_BOOL,
           binary_samples(low=-9, high=9, olow=1, ohigh=4, nonzero=True), differentiable=False),
    OpInfo("rfloordiv", lambda a, b: 7 // b, lambda a, b: np.floor_divide(7, b), NO_BOOL,
           binary_samples(olow=1, ohigh=4, nonzero=True), differentiable=False),
    OpInfo("remainder", lambda a, b: a % b, lambda a, b: np.remainder(a, b), NO_BOOL,
           binary_samples(low=-9, high=9, olow=1, ohigh=4, nonzero=True)),
    OpInfo("remainder_neg", lambda a, b: rstorch.remainder(a, -b), lambda a, b: np.remainder(a, -b),
           FLOATS + ("int64", "int32", "int16", "int8"), binary_samples(low=-9, high=9, olow=1, ohigh=4, nonzero=True),
           differentiable=False),
    OpInfo("fmod", lambda a, b: rstorch.fmod(a, b), lambda a, b: np.fmod(a, b), NO_BOOL,
           binary_samples(low=-9, high=9, olow=1, ohigh=4, nonzero=True)),
    OpInfo("pow", lambda a, b: rstorch.pow(a, b), lambda a, b: np.power(a, b), NO_BOOL,
           binary_samples(low=0.5, high=2.0, olow=0, ohigh=3)),
    OpInfo("pow_scalar", lambda a, b: a ** 2, lambda a, b: np.power(a, 2), NO_BOOL,
           binary_samples(low=-3, high=3), differentiable=False),
    OpInfo("rpow", lambda a, b: 2 ** b, lambda a, b: np.power(2, b), NO_BOOL,
           binary_samples(olow=0, ohigh=3)),
    OpInfo("float_power", lambda a, b: rstorch.float_power(a, b), lambda a, b: np.power(a, b), NO_BOOL,
           binary_samples(low=0.5, high=2.0, olow=0, ohigh=2), result_dtype=lambda d: "float64"),
    OpInfo("atan2", lambda a, b: rstorch.atan2(a, b), _f64(np.arctan2), ALL, binary_samples(),
           result_dtype=float_result),
    OpInfo("hypot", lambda a, b: rstorch.hypot(a, b), np.hypot, FLOATS, binary_samples()),
    OpInfo("copysign", lambda a, b: rstorch.copysign(a, b), _f64(np.copysign), ALL, binary_samples(),
           result_dtype=float_result),
    OpInfo("xlogy", lambda a, b: rstorch.xlogy(a, b),
           lambda a, b: np.where(a == 0, 0.0, a * np.log(np.where(b > 0, b, 1.0))), NO_BOOL,
           binary_samples(low=-2, high=2, olow=1, ohigh=3, nonzero=True), result_dtype=float_result),
    OpInfo("maximum", lambda a, b: rstorch.maximum(a, b), np.maximum, ALL, binary_samples(specials=True),
           grad_samples=lambda rng: binary_samples()("float64", rng)),
    OpInfo("minimum", lambda a, b: rstorch.minimum(a, b), np.minimum, ALL, binary_samples(specials=True),
           grad_samples=lambda rng: binary_samples()("float64", rng)),
    OpInfo("fmax", lambda a, b: rstorch.fmax(a, b), np.fmax, ALL, binary_samples(specials=True),
           grad_samples=lambda rng: binary_samples()("float64", rng)),
    OpInfo("fmin", lambda a, b: rstorch.fmin(a, b), np.fmin, ALL, binary_samples(specials=True),
           grad_samples=lambda rng: binary_samples()("float64", rng)),
    OpInfo("logical_and", lambda a, b: rstorch.logical_and(a, b), np.logical_and, ALL,
           binary_samples(low=-1, high=1), result_dtype=bool_result, differentiable=False),
    OpInfo("logical_or", lambda a, b: rstorch.logical_or(a, b), np.logical_or, ALL,
           binary_samples(low=-1, high=1), result_dtype=bool_result, differentiable=False),
    OpInfo("logical_xor", lambda a, b: rstorch.logical_xor(a, b), np.logical_xor, ALL,
           binary_samples(low=-1, high=1), result_dtype=bool_result, differentiable=False),
    OpInfo("bitwise_and", lambda a, b: a & b, np.bitwise_and, INTS + ("bool",), binary_samples(scalars=(6,)),
           differentiable=False, result_dtype=lambda d: None),
    OpInfo("bitwise_or", lambda a, b: a | b, np.bitwise_or, INTS + ("bool",), binary_samples(),
           differentiable=False),
    OpInfo("bitwise_xor", lambda a, b: rstorch.bitwise_xor(a, b), np.bitwise_xor, INTS + ("bool",),
           binary_samples(), differentiable=False),
    OpInfo("lshift", lambda a, b: a << b, np.left_shift, INTS, binary_samples(olow=0, ohigh=6),
           differentiable=False),
    OpInfo("rshift", lambda a, b: a >> b, np.right_shift, INTS, binary_samples(olow=0, ohigh=6),
           differentiable=False),
    OpInfo("eq", lambda a, b: a == b, np.equal, ALL, binary_samples(low=-1, high=1, specials=True),
           result_dtype=bool_result, differentiable=False),
    OpInfo("lt", lambda a, b: a < b, np.less, ALL, binary_samples(specials=True),
           result_dtype=bool_result, differentiable=False),
    OpInfo("ge", lambda a, b: rstorch.ge(a, b), np.greater_equal, ALL, binary_samples(specials=True),
           result_dtype=bool_result, differentiable=False),
    OpInfo("where", lambda c, x, y: rstorch.where(c, x, y), np.where, ALL, ternary_samples(cond_first=True)),
    OpInfo("where_scalar", lambda c, x, y: rstorch.where(c, x, 0), lambda c, x, y: np.where(c, x, 0), ALL,
           ternary_samples(cond_first=True), differentiable=False,
           result_dtype=lambda d: "int64" if d == "bool" else d),
    OpInfo("lerp", lambda a, b, w: rstorch.lerp(a, b, w), lambda a, b, w: a + w * (b - a), FLOATS,
           ternary_samples(lows=(-3, -3, 0), highs=(3, 3, 1))),
    OpInfo("lerp_scalar", lambda a, b, w: rstorch.lerp(a, b, 0.75), lambda a, b, w: a + 0.75 * (b - a),
           FLOATS, ternary_samples(), differentiable=False),
    OpInfo("addcmul", lambda a, b, c: rstorch.addcmul(a, b, c, value=2), lambda a, b, c: a + 2 * b * c,
           NO_BOOL, ternary_samples(), tol={"float16": (4e-3, 4e-3), "bfloat16": (3e-2, 3e-2)}),
    OpInfo("addcdiv", lambda a, b, c: rstorch.addcdiv(a, b, c, value=0.5), lambda a, b, c: a + 0.5 * b / c,
           FLOATS, ternary_samples(lows=(-3, -3, 1), highs=(3, 3, 3)),
           tol={"float16": (4e-3, 4e-3), "bfloat16": (3e-2, 3e-2)}),
    OpInfo("clamp", lambda a, lo, hi: rstorch.clamp(a, lo, hi), lambda a, lo, hi: np.minimum(np.maximum(a, lo), hi),
           NO_BOOL, ternary_samples(lows=(-6, -4, 0), highs=(6, 0, 4))),
    OpInfo("clamp_scalar", lambda a, lo, hi: a.clamp(min=0, max=2), lambda a, lo, hi: np.clip(a, 0, 2),
           NO_BOOL, ternary_samples(), differentiable=False),
    OpInfo("clamp_min", lambda a, b: rstorch.clamp_min(a, b), np.maximum, NO_BOOL, binary_samples()),
    OpInfo("clamp_max", lambda a, b: a.clamp(max=b), np.minimum, NO_BOOL, binary_samples()),
    OpInfo("ne", lambda a, b: rstorch.ne(a, b), np.not_equal, ALL, binary_samples(low=-1, high=1, specials=True),
           result_dtype=bool_result, differentiable=False),
    OpInfo("le", lambda a, b: rstorch.le(a, b), np.less_equal, ALL, binary_samples(specials=True),
           result_dtype=bool_result, differentiable=False),
    OpInfo("gt", lambda a, b: a > b, np.greater, ALL, binary_samples(specials=True, scalars=(0,)),
           result_dtype=bool_result, differentiable=False),
    OpInfo("nextafter", lambda a, b: rstorch.nextafter(a, b), np.nextafter, ("float64",),
           binary_samples(specials=True), differentiable=False),
    OpInfo("ldexp", lambda a, b: rstorch.ldexp(a, b), lambda a, b: a * np.power(2.0, b), ("float64", "float32"),
           binary_samples(olow=-4, ohigh=4)),
    OpInfo("logaddexp", lambda a, b: rstorch.logaddexp(a, b), np.logaddexp, FLOATS, binary_samples()),
    OpInfo("logaddexp2", lambda a, b: rstorch.logaddexp2(a, b), np.logaddexp2, FLOATS, binary_samples()),
    OpInfo("heaviside", lambda a, b: rstorch.heaviside(a, b), np.heaviside, NO_BOOL,
           binary_samples(low=-1, high=1), differentiable=False),
    OpInfo("isclose", lambda a, b: rstorch.isclose(a, b, rtol=0.1, atol=0.5),
           lambda a, b: np.isclose(a, b, rtol=0.1, atol=0.5), ALL, binary_samples(),
           result_dtype=bool_result, differentiable=False),
]


def _method(name, **kw):
    return lambda a, *rest: getattr(a, name)(*rest, **kw)


def _inplace(name, **kw):
    return lambda a, *rest: getattr(a, name + "_")(*rest, **kw)


# entry -> (Tensor method, whether torch has its in-place `_` form, fixed kwargs): the method
# and in-place variants, called with the entry's arguments. Comparisons and logical ops' in-place
# forms write into the input's dtype (checked where that is bool); maximum/minimum/fmax/fmin
# have no in-place form in torch.
VARIANTS = {
    "add": ("add", True, {}), "add_alpha": ("add", True, {"alpha": 2}), "sub": ("sub", True, {}),
    "mul": ("mul", True, {}), "div": ("div", True, {}),
    "div_trunc": ("div", True, {"rounding_mode": "trunc"}), "floor_divide": ("floor_divide", True, {}),
    "remainder": ("remainder", True, {}), "fmod": ("fmod", True, {}), "pow": ("pow", True, {}),
    "float_power": ("float_power", True, {}), "atan2": ("atan2", True, {}), "hypot": ("hypot", True, {}),
    "copysign": ("copysign", True, {}), "xlogy": ("xlogy", True, {}),
    "maximum": ("maximum", False, {}), "minimum": ("minimum", False, {}), "fmax": ("fmax", False, {}),
    "fmin": ("fmin", False, {}),
    "logical_and": ("logical_and", True, {}), "logical_or": ("logical_or", True, {}),
    "logical_xor": ("logical_xor", True, {}),
    "bitwise_and": ("bitwise_and", True, {}), "bitwise_or": ("bitwise_or", True, {}),
    "bitwise_xor": ("bitwise_xor", True, {}),
    "lshift": ("bitwise_left_shift", True, {}), "rshift": ("bitwise_right_shift", True, {}),
    "eq": ("eq", False, {}), "lt": ("lt", False, {}), "ge": ("ge", False, {}), "ne": ("ne", False, {}),
    "le": ("le", False, {}), "gt": ("gt", False, {}), "nextafter": ("nextafter", True, {}),
    "ldexp": ("ldexp", True, {}), "logaddexp": ("logaddexp", False, {}), "logaddexp2": ("logaddexp2", False, {}),
    "heaviside": ("heaviside", False, {}),
    "lerp": ("lerp", True, {}), "addcmul": ("addcmul", True, {"value": 2}),
    "addcdiv": ("addcdiv", True, {"value": 0.5}), "clamp": ("clamp", True, {}),
    "clamp_min": ("clamp_min", True, {}), "clamp_max": ("clamp_max", True, {}),
    "isclose": ("isclose", False, {"rtol": 0.1, "atol": 0.5}),
}

for _info in OPS:
    if _info.name in VARIANTS:
        _name, _has_inplace, _kw = VARIANTS[_info.name]
        _info.method = _method(_name, **_kw)
        if _has_inplace:
            _info.inplace = _inplace(_name, **_kw)
    elif _info.name == "pow_scalar":
        _info.method, _info.inplace = (lambda a, b: a.pow(2)), (lambda a, b: a.pow_(2))
    elif _info.name == "lerp_scalar":
        _info.method, _info.inplace = (lambda a, b, w: a.lerp(b, 0.75)), (lambda a, b, w: a.lerp_(b, 0.75))
    elif _info.name == "clamp_scalar":
        _info.method, _info.inplace = (lambda a, lo, hi: a.clamp(min=0, max=2)), (lambda a, lo, hi: a.clamp_(min=0, max=2))
    elif _info.name in ("where", "where_scalar"):
        # torch's method form: x.where(condition, y)
        _info.method = (lambda c, x, y: x.where(c, y)) if _info.name == "where" else (lambda c, x, y: x.where(c, 0))


# ------------------------------------------------------------------ error inputs (torch's texts)

from .core import attach_error_inputs, error  # noqa: E402

_SHAPE_MSG = "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"


def _shape_error(dtype=np.float64):
    return error((np.ones((2, 3), dtype), np.ones((2, 4), dtype)), RuntimeError, _SHAPE_MSG)


def _errors(*extra, dtype=np.float64):
    return lambda device: [_shape_error(dtype), *(e(device) if callable(e) else e for e in extra)]


_BOOLS = (np.array([True, False]), np.array([True, True]))

attach_error_inputs(OPS, {
    **{name: _errors() for name in (
        "add", "add_alpha", "mul", "div", "div_trunc", "floor_divide", "remainder", "fmod", "float_power",
        "atan2", "hypot", "copysign", "xlogy", "maximum", "minimum", "fmax", "fmin", "logical_and",
        "logical_or", "logical_xor", "eq", "lt", "ge", "clamp_min", "clamp_max")},
    **{name: _errors(dtype=np.int64) for name in ("bitwise_and", "bitwise_or", "bitwise_xor", "lshift", "rshift")},
    "sub": _errors(error(_BOOLS, NotImplementedError,
                         "Subtraction, the `-` operator, with two bool tensors is not supported. "
                         "Use the `^` or `logical_xor()` operator instead.")),
    "pow": _errors(error(_BOOLS, NotImplementedError, "\"pow\" not implemented for 'Bool'"),
                   # (a tensor exponent gives 0 there: only a scalar one is checked)
                   error((np.array([2, 3]), -1), RuntimeError,
                         "Integers to negative integer powers are not allowed.")),
    "where": lambda device: [error((np.ones(2), np.ones(2), np.ones(2)), RuntimeError,
                                   "where expected condition to be a boolean tensor, but got a tensor with dtype Float")],
    "lerp": lambda device: [error((np.ones(2), rstorch.ones(2, dtype=rstorch.float64, device=device), np.ones(2)),
                                  RuntimeError, "expected dtype float for `end` but got dtype double")],
    "isclose": lambda device: [_shape_error(),
                               error((np.ones(1), rstorch.ones(1, dtype=rstorch.float64, device=device)),
                                     RuntimeError, "Float did not match Double")],
})
