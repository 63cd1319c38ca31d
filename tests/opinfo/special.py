"""The special functions' table (harness: tests/opinfo/core.py): the gamma family, i0, mvlgamma,
renorm and torch.special's own ops.

numpy has none of these functions (and the suite does not need scipy), so the reference of most
entries is the op's own float64 kernel on the sample: what this table checks is every other
dtype against float64, the strided and 0-dim/empty shapes, the method and in-place forms, meta
and gradcheck; the float64 values themselves are checked against torch 2.15's in
tests/test_special.py. lgamma, renorm and ndtr have independent numpy references."""

import math

import numpy as np

import rstorch
from .binary import binary_samples
from .core import ALL, FLOATS, INTS, OpInfo, Sample
from .unary import _float_result, _ref, grad_in, samples_in, variants

NO_HALF = ("float64", "float32") + INTS + ("bool",)
_NO_HALF_FLOATS = ("float64", "float32")


def _own64(fn):
    """The reference: `fn` on float64 tensors of the sample's arrays."""
    def ref(*args, **kwargs):
        ts = [rstorch.tensor(np.asarray(a, dtype=np.float64)) if isinstance(a, np.ndarray) else a for a in args]
        return fn(*ts, **kwargs).numpy()
    return ref


def _lgamma(x):
    def one(v):
        try:
            return math.lgamma(v)
        except ValueError:  # the poles: 0 and the negative integers
            return math.inf
    return np.vectorize(one, otypes=[np.float64])(x.astype(np.float64))


def _unary(name, fn, low, high, dtypes=ALL, ref=None, method=None, inplace=None, grad=None, **kw):
    return OpInfo(name, fn, ref or _own64(fn), dtypes, samples_in(low, high), _float_result,
                  grad_samples=grad or grad_in(low, high), method=method, inplace=inplace, **kw)


def _special(name, low=-3.0, high=3.0, dtypes=ALL, **kw):
    f = getattr(rstorch.special, name)
    return _unary(name, lambda x: f(x), low, high, dtypes, **kw)


def _top(name, low, high, **kw):
    f = getattr(rstorch, name)
    return _unary(name, lambda x: f(x), low, high, **variants(name), **kw)


def _renorm_ref(x, p, dim, maxnorm):
    axes = tuple(d for d in range(x.ndim) if d != dim)
    norm = np.sum(np.abs(x) ** p, axis=axes, keepdims=True) ** (1 / p)
    return x * np.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)


def _renorm_samples(dtype, rng):
    return [Sample((rng.uniform(-3, 3, size=(3, 4)),), {"p": 2, "dim": 0, "maxnorm": 2.0}),
            Sample((rng.uniform(-3, 3, size=(2, 3, 4)),), {"p": 1, "dim": 1, "maxnorm": 3.0}),
            Sample((rng.uniform(-1, 1, size=(4, 2)),), {"p": 3, "dim": -1, "maxnorm": 5.0})]


def _mvlgamma_samples(dtype, rng):
    return [Sample((rng.uniform(1.1, 5.0, size=s),), {"p": p}) for s, p in (((3, 4), 1), ((5,), 2), ((), 3), ((0, 2), 2))]


OPS = [
    _top("lgamma", 0.1, 6.0, ref=_ref(_lgamma)),
    _top("digamma", 0.1, 6.0),
    _top("i0", -3.0, 3.0),
    OpInfo("polygamma", lambda x, n: rstorch.polygamma(n, x), _own64(lambda x, n: rstorch.polygamma(n, x)), ALL,
           lambda dtype, rng: [Sample(s.args, {"n": n}) for n, s in zip([0, 1, 2, 3, 1, 4], samples_in(0.2, 5.0)(dtype, rng))],
           _float_result, grad_samples=lambda rng: [Sample(s.args, {"n": n}) for n, s in zip([1, 2, 3], grad_in(0.2, 5.0)(rng))],
           method=lambda x, n: x.polygamma(n), inplace=lambda x, n: x.polygamma_(n)),
    OpInfo("mvlgamma", lambda x, p: rstorch.mvlgamma(x, p), _own64(lambda x, p: rstorch.mvlgamma(x, p)), FLOATS,
           _mvlgamma_samples, grad_samples=lambda rng: _mvlgamma_samples("float64", rng)[:3],
           method=lambda x, p: x.mvlgamma(p), inplace=lambda x, p: x.mvlgamma_(p),
           tol={"float32": (2e-5, 1e-5)}),
    OpInfo("renorm", lambda x, **kw: rstorch.renorm(x, **kw), _renorm_ref, FLOATS, _renorm_samples,
           grad_samples=lambda rng: _renorm_samples("float64", rng),
           method=lambda x, **kw: x.renorm(**kw), inplace=lambda x, **kw: x.renorm_(**kw)),
    _special("i0e"),
    _special("i1"),
    _special("i1e"),
    _special("ndtr", ref=_ref(np.vectorize(lambda v: 0.5 * math.erfc(-v / math.sqrt(2)), otypes=[np.float64]))),
    _special("ndtri", 0.02, 0.98, NO_HALF),
    _special("log_ndtr", dtypes=NO_HALF),
    _special("erfcx", dtypes=NO_HALF),
    _special("entr", 0.05, 4.0),
    _special("bessel_j0", -8.0, 8.0, NO_HALF),
    _special("bessel_j1", -8.0, 8.0, NO_HALF, grad=grad_in(-8.0, 8.0, (0,))),
    OpInfo("xlog1py", lambda a, b: rstorch.special.xlog1py(a, b), _own64(lambda a, b: rstorch.special.xlog1py(a, b)),
           FLOATS + INTS, binary_samples(low=-2, high=2, olow=0, ohigh=3, scalars=(0.5,)), _float_result),
    OpInfo("zeta", lambda a, b: rstorch.special.zeta(a, b), _own64(lambda a, b: rstorch.special.zeta(a, b)),
           _NO_HALF_FLOATS + INTS, binary_samples(low=1.5, high=5, olow=0.5, ohigh=4, scalars=(2.0,)), _float_result,
           differentiable=False),
]
