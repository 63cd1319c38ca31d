"""Backward rules of the unary ops (see _registry for the contract).

Each rule returns `(grad_input,)`, written in Tensor ops so double backward works. `args[0]` is
the input as the op saw it, `out` its result. neg is in core.py (autograd family)."""

import math

import rstorch  # the rules run at backward time, on the public namespace (fully imported by then)

from ..._creation import zeros_like
from ._registry import rule

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _zeros(grad):
    return zeros_like(grad)


@rule("abs")
def abs(grad, args, kwargs, out):
    return (grad * args[0].sgn(),)


def _zero_grad(grad, args, kwargs, out):
    # piecewise-constant ops: zero gradient (not grad * 0, which would keep NaN and inf)
    return (_zeros(grad),)


for _name in ("sign", "sgn", "floor", "ceil", "round", "trunc"):
    rule(_name)(_zero_grad)


@rule("square", node="PowBackward0")
def square(grad, args, kwargs, out):
    return (grad * (args[0] * 2),)


@rule("frac")
def frac(grad, args, kwargs, out):
    return (grad,)


@rule("relu")
def relu(grad, args, kwargs, out):
    return (grad * (out > 0),)


@rule("nan_to_num")
def nan_to_num(grad, args, kwargs, out):
    return (grad * args[0].isfinite(),)


@rule("exp")
def exp(grad, args, kwargs, out):
    return (grad * out,)


@rule("exp2")
def exp2(grad, args, kwargs, out):
    return (grad * (out * math.log(2.0)),)


@rule("expm1")
def expm1(grad, args, kwargs, out):
    return (grad * (out + 1),)


@rule("log")
def log(grad, args, kwargs, out):
    return (grad / args[0],)


@rule("log2")
def log2(grad, args, kwargs, out):
    return (grad / (args[0] * math.log(2.0)),)


@rule("log10")
def log10(grad, args, kwargs, out):
    return (grad / (args[0] * math.log(10.0)),)


@rule("log1p")
def log1p(grad, args, kwargs, out):
    return (grad / (args[0] + 1),)


@rule("sqrt")
def sqrt(grad, args, kwargs, out):
    return (grad / (out * 2),)


@rule("rsqrt")
def rsqrt(grad, args, kwargs, out):
    return (grad * (out * out * out * -0.5),)


@rule("reciprocal")
def reciprocal(grad, args, kwargs, out):
    return (grad * -(out * out),)


@rule("sin")
def sin(grad, args, kwargs, out):
    return (grad * args[0].cos(),)


@rule("cos")
def cos(grad, args, kwargs, out):
    return (grad * -args[0].sin(),)


@rule("tan")
def tan(grad, args, kwargs, out):
    return (grad * (out * out + 1),)


@rule("asin")
def asin(grad, args, kwargs, out):
    x = args[0]
    return (grad / (1 - x * x).sqrt(),)


@rule("acos")
def acos(grad, args, kwargs, out):
    x = args[0]
    return (-grad / (1 - x * x).sqrt(),)


@rule("atan")
def atan(grad, args, kwargs, out):
    x = args[0]
    return (grad / (x * x + 1),)


@rule("sinh")
def sinh(grad, args, kwargs, out):
    return (grad * args[0].cosh(),)


@rule("cosh")
def cosh(grad, args, kwargs, out):
    return (grad * args[0].sinh(),)


@rule("tanh")
def tanh(grad, args, kwargs, out):
    return (grad * (1 - out * out),)


@rule("asinh")
def asinh(grad, args, kwargs, out):
    x = args[0]
    return (grad / (x * x + 1).sqrt(),)


@rule("acosh")
def acosh(grad, args, kwargs, out):
    x = args[0]
    # (x - 1).sqrt() * (x + 1).sqrt() rather than (x*x - 1).sqrt(): no cancellation near 1
    return (grad / ((x - 1).sqrt() * (x + 1).sqrt()),)


@rule("atanh")
def atanh(grad, args, kwargs, out):
    x = args[0]
    return (grad / (1 - x * x),)


@rule("sigmoid")
def sigmoid(grad, args, kwargs, out):
    return (grad * (out * (1 - out)),)


@rule("logit")
def logit(grad, args, kwargs, out):
    x = args[0]
    eps = (kwargs or {}).get("eps")
    g = grad / (x * (1 - x))
    if eps is None:
        return (g,)
    # torch: zero gradient where the input was clamped
    return (rstorch.where((x < eps) | (x > 1 - eps), _zeros(g), g),)


@rule("erf")
def erf(grad, args, kwargs, out):
    x = args[0]
    return (grad * ((-(x * x)).exp() * _TWO_OVER_SQRT_PI),)


@rule("erfc")
def erfc(grad, args, kwargs, out):
    x = args[0]
    return (grad * ((-(x * x)).exp() * -_TWO_OVER_SQRT_PI),)


@rule("erfinv")
def erfinv(grad, args, kwargs, out):
    return (grad * ((out * out).exp() * (math.sqrt(math.pi) / 2)),)
