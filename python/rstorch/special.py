"""`rstorch.special`: torch.special's functions.

Its own ops (i0e, i1, i1e, ndtr, ndtri, log_ndtr, erfcx, entr, bessel_j0, bessel_j1, xlog1py,
zeta) are op-table rows of `_ops/special.py`; the rest are torch's aliases of top-level ops,
one line each."""

from ._ops import reduce as _reduce, unary as _unary, binary as _binary, composite as _composite
from ._ops.special import *  # noqa: F401,F403
from ._ops.special import __all__ as _own

# torch.special's aliases of top-level ops
erf, erfc, erfinv, expm1, exp2, log1p = _unary.erf, _unary.erfc, _unary.erfinv, _unary.expm1, _unary.exp2, _unary.log1p
expit, logit, i0, sinc = _unary.sigmoid, _unary.logit, _unary.i0, _unary.sinc
gammaln, digamma, psi, polygamma = _unary.lgamma, _unary.digamma, _unary.digamma, _unary.polygamma
multigammaln = _composite.mvlgamma
xlogy = _binary.xlogy
softmax, log_softmax, logsumexp = _reduce.softmax, _reduce.log_softmax, _reduce.logsumexp


def round(input, *, decimals=0, out=None):
    """torch.special.round is round's `decimals` overload: no integer kernel, even for decimals=0."""
    return _unary.round(input, decimals=decimals, out=out)

__all__ = sorted(_own + [
    "erf", "erfc", "erfinv", "expm1", "exp2", "log1p", "expit", "logit", "i0", "sinc", "round", "gammaln",
    "digamma", "psi", "polygamma", "multigammaln", "xlogy", "softmax", "log_softmax", "logsumexp"])
