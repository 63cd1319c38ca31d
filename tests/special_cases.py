"""The cases of tests/test_special.py, shared with the script that records torch's results
(tests/tools/record_special.py -> tests/data/special_expected.json).

Each case is a function of the library (`torch` or `rstorch`, called `t`) and its inputs, so the
same code runs on both; inputs are plain Python values made into tensors by `make`."""

import math

inf, nan = math.inf, math.nan

# edge values: zeros of both signs, the poles of the gamma family, infinities, NaN, large x
EDGES = [0.0, -0.0, 1.0, -1.0, -2.0, -3.0, 0.5, -0.5, 2.5, 7.9, 8.1, 30.0, -30.0, 1e10, inf, -inf, nan]
GRID = [round(-9.75 + 0.5 * i, 4) for i in range(40)] + [0.001, 0.1, 0.25, 0.75, 0.9, 0.999, 1e-8, 55.0, 120.0]
VALUES = EDGES + GRID
# the unit interval, for ndtri and logit
UNIT = [0.0, 1.0, 0.5, 1e-300, 1e-20, 1e-5, 0.01, 0.1, 0.135, 0.14, 0.3, 0.62, 0.86, 0.865, 0.9, 0.99999, 1 - 1e-12,
        -0.1, 1.1, nan]

DTYPES = ["float64", "float32", "float16", "bfloat16", "int64", "bool"]


def make(t, values, dtype, requires_grad=False):
    """`values` as a 1-d tensor of `dtype` (ints: the values' integer parts; bool: nonzero)."""
    d = getattr(t, dtype)
    if dtype == "bool":
        values = [bool(v) and not math.isnan(v) for v in values]
    elif dtype == "int64":
        values = [int(v) for v in values if math.isfinite(v) and abs(v) < 1e9]
    return t.tensor(values, dtype=d, requires_grad=requires_grad)


# name -> (fn(t, x), inputs)
UNARY = {
    "lgamma": (lambda t, x: t.lgamma(x), VALUES),
    "lgamma_method": (lambda t, x: x.lgamma(), VALUES),
    "digamma": (lambda t, x: t.digamma(x), VALUES),
    "polygamma_0": (lambda t, x: t.polygamma(0, x), VALUES),
    "polygamma_1": (lambda t, x: t.polygamma(1, x), VALUES),
    "polygamma_2": (lambda t, x: t.polygamma(2, x), VALUES),
    "polygamma_3_method": (lambda t, x: x.polygamma(3), VALUES),
    "polygamma_6": (lambda t, x: t.special.polygamma(6, x), VALUES),
    "mvlgamma_1": (lambda t, x: t.mvlgamma(x, 1), VALUES),
    "mvlgamma_3": (lambda t, x: t.mvlgamma(x, p=3), VALUES),
    "multigammaln_2": (lambda t, x: t.special.multigammaln(x, 2), VALUES),
    "i0": (lambda t, x: t.i0(x), VALUES),
    "special.i0": (lambda t, x: t.special.i0(x), VALUES),
    "i0e": (lambda t, x: t.special.i0e(x), VALUES),
    "i1": (lambda t, x: t.special.i1(x), VALUES),
    "i1e": (lambda t, x: t.special.i1e(x), VALUES),
    "sinc": (lambda t, x: t.sinc(x), VALUES),
    "special.sinc": (lambda t, x: t.special.sinc(x), VALUES),
    "entr": (lambda t, x: t.special.entr(x), VALUES),
    "ndtr": (lambda t, x: t.special.ndtr(x), VALUES),
    "ndtri": (lambda t, x: t.special.ndtri(x), UNIT),
    "log_ndtr": (lambda t, x: t.special.log_ndtr(x), VALUES),
    "erfcx": (lambda t, x: t.special.erfcx(x), VALUES + [26.5, 27.0, -26.0, -27.0, 5e7, 1e8, 40.0]),
    "bessel_j0": (lambda t, x: t.special.bessel_j0(x), VALUES + [1e-6, -4.9, 5.1]),
    "bessel_j1": (lambda t, x: t.special.bessel_j1(x), VALUES + [1e-6, -4.9, 5.1]),
    "logit": (lambda t, x: t.logit(x), UNIT),
    "logit_eps": (lambda t, x: t.special.logit(x, eps=0.01), UNIT),
    # (not next to +-1, where erfinv is ill-conditioned: erf's last bit moves the result by 1e-7)
    "erfinv": (lambda t, x: t.special.erfinv(x), [u * 2 - 1 for u in UNIT if not math.isnan(u) and abs(u - 1) > 1e-9]),
    "gammaln": (lambda t, x: t.special.gammaln(x), VALUES),
    "psi": (lambda t, x: t.special.psi(x), VALUES),
    "expit": (lambda t, x: t.special.expit(x), VALUES),
    "exp2": (lambda t, x: t.special.exp2(x), EDGES),
    "expm1": (lambda t, x: t.special.expm1(x), EDGES),
    "log1p": (lambda t, x: t.special.log1p(x), EDGES),
    "erf": (lambda t, x: t.special.erf(x), EDGES),
    "erfc": (lambda t, x: t.special.erfc(x), EDGES),
    "round": (lambda t, x: t.special.round(x), GRID),
}

# name -> (fn(t, x, y), xs, ys): broadcast as a column against a row
_XS = [0.0, -0.0, 1.0, 2.0, -1.5, 0.5, 3.0, 10.0, inf, nan]
_YS = [0.0, 1.0, -1.0, -0.5, 2.0, -1.5, 0.25, 7.5, 100.0, inf, -inf, nan]
BINARY = {
    "xlogy": (lambda t, x, y: t.xlogy(x, y), _XS, _YS),
    "special.xlogy": (lambda t, x, y: t.special.xlogy(x, y), _XS, _YS),
    "xlog1py": (lambda t, x, y: t.special.xlog1py(x, y), _XS, _YS),
    "zeta": (lambda t, x, y: t.special.zeta(x, y), [1.0, 0.5, 2.0, 3.0, 4.5, 7.0, 30.0, inf, nan],
             [1.0, 0.0, -1.0, -1.5, 2.0, 0.3, 10.0, 1e3, inf, -inf, nan]),
}

# name -> (fn(t, x), description): calls with Python numbers and mixed operands (float32 / int64 tensors)
SCALAR_FORMS = {
    "xlogy_number_first": lambda t, x: t.xlogy(2, x),
    "xlogy_number_second": lambda t, x: t.xlogy(x, 3.5),
    "xlog1py_number_first": lambda t, x: t.special.xlog1py(2, x),
    "xlog1py_number_second": lambda t, x: t.special.xlog1py(x, 3),
    "zeta_number_first": lambda t, x: t.special.zeta(2, x),
    "zeta_number_second": lambda t, x: t.special.zeta(x, 2.0),
    "renorm_2": lambda t, x: t.renorm(x.reshape(3, 4), 2, 0, 5.0),
    "renorm_1_dim1": lambda t, x: t.renorm(x.reshape(3, 4), 1, 1, 3.0),
    "renorm_inf_method": lambda t, x: x.reshape(3, 4).renorm(float("inf"), -2, 3.0),
    "renorm_3d": lambda t, x: t.renorm(x.reshape(2, 3, 2), 3, 1, 4.0),
    "softmax": lambda t, x: t.special.softmax(x.reshape(3, 4), 1),
    "log_softmax": lambda t, x: t.special.log_softmax(x.reshape(3, 4), 0),
    "logsumexp": lambda t, x: t.special.logsumexp(x.reshape(3, 4), 1),
}
SCALAR_INPUT = [float(i) for i in range(12)]

# calls that raise: name -> fn(t)
ERRORS = {
    "polygamma_negative_n": lambda t: t.polygamma(-1, t.tensor([1.0])),
    "mvlgamma_p0": lambda t: t.mvlgamma(t.tensor([1.0]), 0),
    "ndtri_half": lambda t: t.special.ndtri(t.tensor([0.5], dtype=t.float16)),
    "log_ndtr_bfloat16": lambda t: t.special.log_ndtr(t.tensor([0.5], dtype=t.bfloat16)),
    "erfcx_half": lambda t: t.special.erfcx(t.tensor([0.5], dtype=t.float16)),
    "bessel_j0_half": lambda t: t.special.bessel_j0(t.tensor([0.5], dtype=t.float16)),
    "bessel_j1_bfloat16": lambda t: t.special.bessel_j1(t.tensor([0.5], dtype=t.bfloat16)),
    "zeta_half": lambda t: t.special.zeta(t.tensor([2.0], dtype=t.float16), t.tensor([1.0], dtype=t.float16)),
    "lgamma_out_int": lambda t: t.lgamma(t.tensor([1.5]), out=t.empty(1, dtype=t.int64)),
    "erfcx_out_int": lambda t: t.special.erfcx(t.tensor([1.5]), out=t.empty(1, dtype=t.int64)),
    "renorm_1d": lambda t: t.renorm(t.tensor([1.0, 2.0]), 2, 0, 1.0),
    "renorm_p0": lambda t: t.renorm(t.ones(2, 2), 0, 0, 1.0),
    "renorm_negative_maxnorm": lambda t: t.renorm(t.ones(2, 2), 2, 0, -1.0),
    "renorm_dim": lambda t: t.renorm(t.ones(2, 2), 2, 2, 1.0),
    "lgamma_int_inplace": lambda t: t.tensor([1, 2]).lgamma_(),
    "zeta_grad_x": lambda t: t.special.zeta(t.tensor([2.0], requires_grad=True), t.tensor([1.0])).sum().backward(),
}

# out= forms: name -> fn(t, x, out), checked against the plain call's values
OUT_FORMS = {
    "lgamma": lambda t, x, out: t.lgamma(x, out=out),
    "digamma": lambda t, x, out: t.digamma(x, out=out),
    "polygamma": lambda t, x, out: t.polygamma(2, x, out=out),
    "mvlgamma": lambda t, x, out: t.mvlgamma(x + 3, 2, out=out),
    "i0": lambda t, x, out: t.i0(x, out=out),
    "sinc": lambda t, x, out: t.sinc(x, out=out),
    "i0e": lambda t, x, out: t.special.i0e(x, out=out),
    "i1": lambda t, x, out: t.special.i1(x, out=out),
    "i1e": lambda t, x, out: t.special.i1e(x, out=out),
    "ndtr": lambda t, x, out: t.special.ndtr(x, out=out),
    "log_ndtr": lambda t, x, out: t.special.log_ndtr(x, out=out),
    "erfcx": lambda t, x, out: t.special.erfcx(x, out=out),
    "entr": lambda t, x, out: t.special.entr(x, out=out),
    "bessel_j0": lambda t, x, out: t.special.bessel_j0(x, out=out),
    "bessel_j1": lambda t, x, out: t.special.bessel_j1(x, out=out),
    "xlog1py": lambda t, x, out: t.special.xlog1py(x, x, out=out),
    "zeta": lambda t, x, out: t.special.zeta(x + 3, x.abs() + 1, out=out),
    "multigammaln": lambda t, x, out: t.special.multigammaln(x + 3, 3, out=out),
    "renorm": lambda t, x, out: t.renorm(x.reshape(2, 3), 2, 0, 1.0, out=None if out is None else out.reshape(2, 3)),
}
OUT_INPUT = [0.25, 0.5, 1.5, 2.0, 3.5, 4.0]

# gradients at float64 points inside each op's domain: name -> (fn(t, x), points)
_POS = [0.3, 0.8, 1.7, 2.5, 6.0, 12.5]
_ANY = [-3.7, -1.2, -0.4, 0.6, 1.9, 4.2, 9.5]
GRADS = {
    "lgamma": (lambda t, x: t.lgamma(x), _ANY),
    "digamma": (lambda t, x: t.digamma(x), _ANY),
    "polygamma_1": (lambda t, x: t.polygamma(1, x), _ANY),
    "polygamma_2": (lambda t, x: t.polygamma(2, x), _POS),
    "mvlgamma": (lambda t, x: t.mvlgamma(x, 3), [1.3, 2.0, 4.5]),
    "i0": (lambda t, x: t.i0(x), _ANY + [0.0]),
    "i0e": (lambda t, x: t.special.i0e(x), _ANY + [0.0]),
    "i1": (lambda t, x: t.special.i1(x), _ANY + [0.0]),
    "i1e": (lambda t, x: t.special.i1e(x), _ANY + [0.0]),
    "sinc": (lambda t, x: t.sinc(x), _ANY + [0.0]),
    "logit": (lambda t, x: t.logit(x), [0.1, 0.4, 0.75]),
    "logit_eps": (lambda t, x: t.logit(x, 0.2), [0.1, 0.4, 0.75, 0.9]),
    "erfinv": (lambda t, x: t.erfinv(x), [-0.9, -0.2, 0.3, 0.95]),
    "entr": (lambda t, x: t.special.entr(x), _POS),
    "ndtr": (lambda t, x: t.special.ndtr(x), _ANY),
    "ndtri": (lambda t, x: t.special.ndtri(x), [0.01, 0.2, 0.5, 0.93]),
    "log_ndtr": (lambda t, x: t.special.log_ndtr(x), _ANY + [-12.0]),
    "erfcx": (lambda t, x: t.special.erfcx(x), _ANY + [30.0]),
    "bessel_j0": (lambda t, x: t.special.bessel_j0(x), _ANY + [0.0]),
    "bessel_j1": (lambda t, x: t.special.bessel_j1(x), _ANY),
    "xlogy": (lambda t, x: t.xlogy(x, x.flip(0)), _POS),
    "xlog1py": (lambda t, x: t.special.xlog1py(x, x.flip(0)), _POS),
    "zeta_q": (lambda t, x: t.special.zeta(t.tensor(3.0, dtype=x.dtype), x), _POS),
    "renorm": (lambda t, x: t.renorm(x.reshape(2, 3), 2, 0, 2.0), _ANY[:6]),
    "renorm_1": (lambda t, x: t.renorm(x.reshape(3, 2), 1, 1, 2.0), _ANY[:6]),
    "renorm_inf": (lambda t, x: t.renorm(x.reshape(2, 3), math.inf, 0, 2.0), _ANY[:6]),
}
