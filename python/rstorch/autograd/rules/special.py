"""Backward rules of the special functions (see _registry for the contract): the gamma family,
the Bessel functions, the normal distribution's functions, erfcx, entr, sinc, xlog1py, zeta,
mvlgamma and renorm. Torch's formulas (tools/autograd/derivatives.yaml), written in Tensor ops
so double backward works; node names are torch's."""

import math

import rstorch  # the rules run at backward time, on the public namespace (fully imported by then)

from ..._creation import zeros_like
from ._registry import rule

_SQRT_2PI = math.sqrt(2 * math.pi)


def _special():
    return rstorch._ops.special


@rule("lgamma")
def lgamma(grad, args, kwargs, out):
    return (grad * args[0].digamma(),)


@rule("digamma")
def digamma(grad, args, kwargs, out):
    return (grad * args[0].polygamma(1),)


@rule("polygamma")
def polygamma(grad, args, kwargs, out):
    return (grad * args[0].polygamma(kwargs["n"] + 1),)


@rule("i0", node="I0Backward0")
def i0(grad, args, kwargs, out):
    return (grad * _special().i1(args[0]),)


@rule("_special_i0e", node="SpecialI0EBackward0")
def i0e(grad, args, kwargs, out):
    x = args[0]
    return (grad * (_special().i1e(x) - x.sgn() * out),)


def _at_zero(x, value, g):
    """`g`, with `value` where x == 0 (the limit of a formula that divides by x)."""
    return rstorch.where(x == 0, value, g)


@rule("_special_i1", node="SpecialI1Backward0")
def i1(grad, args, kwargs, out):
    x = args[0]
    return (grad * _at_zero(x, 0.5, x.i0() - out / x),)


@rule("_special_i1e", node="SpecialI1EBackward0")
def i1e(grad, args, kwargs, out):
    x = args[0]
    return (grad * _at_zero(x, 0.5, _special().i0e(x) - out * (x.sgn() + x.reciprocal())),)


@rule("_special_ndtri")
def ndtri(grad, args, kwargs, out):
    return (grad * (_SQRT_2PI * (out * out / 2).exp()),)


@rule("_special_log_ndtr")
def log_ndtr(grad, args, kwargs, out):
    x = args[0]
    return (grad / _SQRT_2PI * (out + x * x / 2).neg().exp(),)


@rule("_special_erfcx")
def erfcx(grad, args, kwargs, out):
    return (grad * (2.0 * args[0] * out - 2.0 / math.sqrt(math.pi)),)


@rule("_special_entr")
def entr(grad, args, kwargs, out):
    return (grad * -(1 + args[0].log()),)


@rule("_special_bessel_j0")
def bessel_j0(grad, args, kwargs, out):
    return (grad * -_special().bessel_j1(args[0]),)


@rule("_special_bessel_j1")
def bessel_j1(grad, args, kwargs, out):
    x = args[0]
    return (grad * (_special().bessel_j0(x) - out / x),)


@rule("sinc")
def sinc(grad, args, kwargs, out):
    x = args[0]
    pix = x * math.pi
    g = grad * (pix * pix.cos() - pix.sin()) / (x * x * math.pi)
    return (rstorch.where(x == 0, zeros_like(g), g),)


def _is_t(a):
    return isinstance(a, rstorch.Tensor)


@rule("special_xlog1py", node="SpecialXlog1PyBackward0")
def xlog1py(grad, args, kwargs, out):
    self, other = args
    g_self = None
    if _is_t(self):
        g = _special().xlog1py(grad, other)
        g_self = rstorch.where((self == 0) & (other <= -1), zeros_like(g), g)
    g_other = grad * self / (other + 1) if _is_t(other) else None
    return g_self, g_other


@rule("special_zeta")
def zeta(grad, args, kwargs, out):
    x, q = args
    if _is_t(x) and x.requires_grad:
        raise NotImplementedError("the derivative for 'zeta' is not implemented.")
    return None, (grad * -x * _special().zeta(x + 1.0, q) if _is_t(q) else None)


@rule("mvlgamma")
def mvlgamma(grad, args, kwargs, out):
    x, p = args
    terms = rstorch._ops.composite.mvlgamma_terms(x.to(grad.dtype), p)
    return (grad * terms.digamma().sum(-1), None)


def _norm_backward(x, p, norm, dims):
    """d norm / d x of the p-norm of x over `dims` (kept), 0 where the norm is 0."""
    if p == math.inf:
        hit = (x.abs() == norm).to(x.dtype)
        return x.sgn() * hit / hit.sum(dims, keepdim=True)
    if p == 2:
        g = x / norm
    elif p == 1:
        return x.sgn()
    else:
        g = x.sgn() * x.abs().pow(p - 1) / norm.pow(p - 1)
    return rstorch.where(norm == 0, zeros_like(g), g)


@rule("renorm")
def renorm(grad, args, kwargs, out):
    x, p, dim, maxnorm = args
    dims = rstorch._ops.composite.renorm_dims(x, dim)
    norm = rstorch.linalg.vector_norm(x, p, dims, keepdim=True)
    nb = (x * grad).sum(dims, keepdim=True) * _norm_backward(x, p, norm, dims)
    invnorm = (norm + 1e-7).reciprocal()
    factor = invnorm * maxnorm
    return (rstorch.where(norm > maxnorm, factor * grad - (factor * invnorm) * nb, grad), None, None, None)
