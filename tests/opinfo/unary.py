"""The unary ops' table: every op x dtype against a numpy float64 reference (harness:
tests/opinfo/core.py)."""

import math

import numpy as np

import rstorch
from .core import ALL, FLOATS, INTS, OpInfo, Sample, elementwise_shapes, random_array, with_specials


def _float_result(d):
    return d if d in FLOATS else "float32"


def _bool_result(d):
    return "bool"


def samples_in(low, high, specials=True):
    """Samples over every elementwise shape with values in [low, high) (ints: a small range
    clipped to it); float samples also get NaN, +-inf and +-0 where `specials`."""
    def gen(dtype, rng):
        out = []
        for shape in elementwise_shapes(1):
            a = np.asarray(random_array(rng, shape, dtype, low, high))  # 0-dim: an array too
            if dtype in FLOATS and specials and a.size >= 5:
                a = with_specials(a)
            out.append(Sample((a,)))
        return out
    return gen


def grad_in(low, high, avoid=()):
    """float64 gradcheck samples in [low, high), kept 0.05 away from the points in `avoid`
    (kinks, jumps)."""
    def gen(rng):
        out = []
        for shape in [(3, 4), (), (5,)]:
            a = rng.uniform(low, high, size=shape)
            for p in avoid:
                a = np.where(np.abs(a - p) < 0.05, p + 0.1, a)
            out.append(Sample((a,)))
        return out
    return gen


def _ref(f):
    """A numpy reference that ignores floating-point warnings (domain errors give NaN/inf
    exactly as the kernels should)."""
    def ref(*args, **kwargs):
        with np.errstate(all="ignore"):
            return f(*args, **kwargs)
    return ref


def _vec(f):
    return np.vectorize(f, otypes=[np.float64])


def _erfinv(y):
    if math.isnan(y) or abs(y) > 1:
        return math.nan
    if abs(y) == 1:
        return math.copysign(math.inf, y)
    x = 0.0
    for _ in range(100):  # Newton on erf in float64
        step = (math.erf(x) - y) / (2 / math.sqrt(math.pi) * math.exp(-x * x))
        x -= step
        if abs(step) < 1e-17 * max(1.0, abs(x)):
            break
    return x


def _sign(x):
    if x.dtype == bool:
        return x
    return np.where(np.isnan(x), 0, np.sign(x)).astype(x.dtype)


def _relu(x):
    return np.where(x < 0, 0, x).astype(x.dtype)


def _logit(x, eps=None):
    if eps is not None:
        x = np.clip(x, eps, 1 - eps)
    return np.log(x / (1 - x))


def _round(x, decimals=0):
    if decimals == 0:
        return np.round(x)
    p = 10.0 ** abs(decimals)
    return np.round(x * p) / p if decimals > 0 else np.round(x / p) * p


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def variants(name, inplace=True):
    """The method `x.name(**kw)` and (where torch has it) in-place `x.name_(**kw)` variants."""
    out = {"method": lambda x, **kw: getattr(x, name)(**kw)}
    if inplace:
        out["inplace"] = lambda x, **kw: getattr(x, name + "_")(**kw)
    return out


def float_op(name, ref, low=-3.0, high=3.0, grad=None, **kw):
    """A floating-result op: every dtype, ints and bool computing in float32."""
    fn = getattr(rstorch, name)
    # numpy computes int8/uint8/bool in float16: give it float64 like the other dtypes
    return OpInfo(name, lambda x: fn(x), _ref(lambda x: ref(x.astype(np.float64))), ALL,
                  samples_in(low, high), _float_result,
                  grad_samples=grad or grad_in(low, high), **variants(name), **kw)


def same_op(name, ref, dtypes, grad_avoid=(), differentiable=True, result_dtype=None, **kw):
    """A dtype-preserving op."""
    fn = getattr(rstorch, name)
    return OpInfo(name, lambda x: fn(x), _ref(ref), dtypes, samples_in(-3.0, 3.0), result_dtype,
                  differentiable=differentiable, grad_samples=grad_in(-3.0, 3.0, grad_avoid),
                  **variants(name), **kw)


def predicate(name, ref):
    """A bool-result test (no in-place form: torch has none, or, like logical_not_, it writes
    the result into the input's dtype)."""
    fn = getattr(rstorch, name)
    return OpInfo(name, lambda x: fn(x), _ref(ref), ALL, samples_in(-3.0, 3.0), _bool_result,
                  differentiable=False, **variants(name, inplace=False))


NUMERIC = FLOATS + INTS
INTEGER_RANGE = tuple(range(-3, 4))

OPS = [
    same_op("abs", np.abs, NUMERIC, grad_avoid=(0,)),
    same_op("neg", np.negative, NUMERIC),
    same_op("sign", _sign, ALL),
    same_op("sgn", _sign, ALL),
    same_op("square", lambda x: np.square(x.astype(np.int64) if x.dtype == bool else x), ALL,
            result_dtype=lambda d: "int64" if d == "bool" else d),
    same_op("floor", np.floor, NUMERIC, grad_avoid=INTEGER_RANGE),
    same_op("ceil", np.ceil, NUMERIC, grad_avoid=INTEGER_RANGE),
    same_op("round", np.round, NUMERIC, grad_avoid=tuple(v + 0.5 for v in INTEGER_RANGE)),
    OpInfo("round_decimals", lambda x, **kw: rstorch.round(x, **kw), _ref(_round), FLOATS,
           lambda d, rng: [Sample((np.asarray(random_array(rng, s, d, -50, 50)),), {"decimals": k})
                           for s in elementwise_shapes(1) for k in (2, -1)],
           # the scaled value is rounded in the tensor's precision
           tol={"float32": (1e-6, 1e-5), "float16": (5e-3, 2e-2), "bfloat16": (3e-2, 1.0)},
           differentiable=False, **variants("round")),
    same_op("trunc", np.trunc, NUMERIC, grad_avoid=INTEGER_RANGE),
    same_op("frac", lambda x: x - np.trunc(x), FLOATS, grad_avoid=INTEGER_RANGE),
    same_op("relu", _relu, NUMERIC, grad_avoid=(0,)),
    same_op("bitwise_not", np.invert, INTS + ("bool",), differentiable=False),
    OpInfo("nan_to_num", lambda x, **kw: rstorch.nan_to_num(x, **kw), _ref(np.nan_to_num), ALL,
           lambda d, rng: [Sample(s.args, {"nan": 1.5, "posinf": 100.0, "neginf": -100.0})
                           for s in samples_in(-3.0, 3.0)(d, rng)],
           grad_samples=lambda rng: [Sample(s.args, {"nan": 1.5, "posinf": 100.0, "neginf": -100.0})
                                     for s in grad_in(-3.0, 3.0)(rng)], **variants("nan_to_num")),
    float_op("exp", np.exp, -10.0, 10.0),
    float_op("exp2", np.exp2, -10.0, 10.0),
    float_op("expm1", np.expm1),
    float_op("log", np.log, 0.01, 5.0),
    float_op("log2", np.log2, 0.01, 5.0),
    float_op("log10", np.log10, 0.01, 5.0),
    float_op("log1p", np.log1p, -0.9, 5.0),
    float_op("sqrt", np.sqrt, 0.01, 5.0),
    float_op("rsqrt", lambda x: 1 / np.sqrt(x), 0.01, 5.0),
    float_op("reciprocal", lambda x: 1 / x, 0.1, 5.0),
    float_op("sin", np.sin),
    float_op("cos", np.cos),
    float_op("tan", np.tan, -1.4, 1.4),
    float_op("asin", np.arcsin, -0.95, 0.95),
    float_op("acos", np.arccos, -0.95, 0.95),
    float_op("atan", np.arctan),
    float_op("sinh", np.sinh),
    float_op("cosh", np.cosh),
    float_op("tanh", np.tanh),
    float_op("asinh", np.arcsinh),
    float_op("acosh", np.arccosh, 1.05, 5.0),
    float_op("atanh", np.arctanh, -0.95, 0.95),
    float_op("sigmoid", _sigmoid, -10.0, 10.0),
    float_op("logit", _logit, 0.02, 0.98),
    OpInfo("logit_eps", lambda x, **kw: rstorch.logit(x, **kw), _ref(_logit), FLOATS,
           lambda d, rng: [Sample((np.asarray(random_array(rng, s, d, -0.5, 1.5)),), {"eps": 0.1})
                           for s in elementwise_shapes(1)],
           grad_samples=lambda rng: [Sample(s.args, {"eps": 0.05}) for s in grad_in(0.1, 0.9)(rng)],
           **variants("logit")),
    float_op("erf", _vec(math.erf)),
    float_op("erfc", _vec(math.erfc)),
    float_op("erfinv", _vec(_erfinv), -0.95, 0.95),
    predicate("isnan", np.isnan),
    predicate("isinf", np.isinf),
    predicate("isposinf", lambda x: np.isinf(x) & (x > 0)),
    predicate("isneginf", lambda x: np.isinf(x) & (x < 0)),
    predicate("isfinite", np.isfinite),
    predicate("isreal", lambda x: np.ones(np.shape(x), dtype=bool)),
    predicate("logical_not", np.logical_not),
    # composites (rstorch/_ops/composite.py): their gradients come from the ops they are built of
    OpInfo("signbit", lambda x: rstorch.signbit(x), _ref(np.signbit), ALL, samples_in(-3.0, 3.0), _bool_result,
           differentiable=False, method=lambda x: x.signbit()),
    OpInfo("deg2rad", lambda x: rstorch.deg2rad(x), _ref(lambda x: np.deg2rad(x.astype(np.float64))), NUMERIC,
           samples_in(-300.0, 300.0), _float_result, method=lambda x: x.deg2rad(), grad_samples=grad_in(-3.0, 3.0)),
    OpInfo("rad2deg", lambda x: rstorch.rad2deg(x), _ref(lambda x: np.rad2deg(x.astype(np.float64))), NUMERIC,
           samples_in(-3.0, 3.0), _float_result, method=lambda x: x.rad2deg(), grad_samples=grad_in(-3.0, 3.0)),
    OpInfo("sinc", lambda x: rstorch.sinc(x), _ref(lambda x: np.sinc(x.astype(np.float64))), NUMERIC,
           samples_in(-3.0, 3.0), _float_result, method=lambda x: x.sinc(), grad_samples=grad_in(-3.0, 3.0, (0,))),
]


# ------------------------------------------------------------------ error inputs (torch's texts)

from .core import attach_error_inputs, error  # noqa: E402

_B = np.array([True, False])

attach_error_inputs(OPS, {
    "abs": lambda device: [error((_B,), NotImplementedError, "\"abs_cpu\" not implemented for 'Bool'")],
    "neg": lambda device: [error((_B,), NotImplementedError,
                                 "Negation, the `-` operator, on a bool tensor is not supported.", prefix=True)],
    "floor": lambda device: [error((_B,), NotImplementedError, "\"floor_vml_cpu\" not implemented for 'Bool'")],
    "frac": lambda device: [error((np.array([1]),), NotImplementedError, "\"frac_cpu\" not implemented for 'Long'")],
    "round_decimals": lambda device: [
        error((np.array([1]),), NotImplementedError, "\"round_cpu\" not implemented for 'Long'", {"decimals": 1}),
        error((np.array([1]),), NotImplementedError, "\"round_vml_cpu\" not implemented for 'Long'", {"decimals": 0})],
    "round": lambda device: [error((_B,), NotImplementedError, "\"round_vml_cpu\" not implemented for 'Bool'")],
    "bitwise_not": lambda device: [
        error((np.array([1.0]),), NotImplementedError, "\"bitwise_not_cpu\" not implemented for 'Float'")],
    "relu": lambda device: [error((_B,), NotImplementedError, "Boolean inputs not supported for relu")],
    "exp": lambda device: [error((2.0,), TypeError, "exp(): argument 'input' (position 1) must be Tensor, not float")],
})
