"""Backward rules of the binary and ternary elementwise ops (see _registry for the contract).

add/sub/mul/div/neg and their reflected forms are in rules/core.py. Rules see the args exactly
as recorded by rust/python/src/tensor/elementwise.rs: numbers stay numbers (they get None), and
the reflected ops (`rpow`, `rremainder`) have self first (`2 ** x` is `rpow(x, 2)`). Formulas
follow torch's derivatives.yaml.
"""

import math

import rstorch  # the rules run at backward time, on the public namespace (fully imported by then)

from ... import _C
from ._registry import rule


def _is_t(x):
    return isinstance(x, _C.TensorBase)


def _torch():
    return rstorch


def _log_base(base, out):
    """`out * log(base)` for a number or tensor base; 0 where base == 0 and the exponent >= 0
    (torch's convention for d(base ** e)/de at base 0)."""
    if _is_t(base):
        return _torch().where(base == 0, 0.0, out * base.log())
    if base == 0:
        return out * 0.0
    return out * (math.log(base) if base > 0 else math.nan)


def _pow_self(grad, base, exponent):
    """d(base ** exponent)/d(base) * grad; 0 where the exponent is 0 (as torch)."""
    if _is_t(exponent):
        return _torch().where(exponent == 0, 0.0, grad * exponent * base ** (exponent - 1))
    if exponent == 0:
        return grad * 0.0
    return grad * exponent * base ** (exponent - 1)


@rule("pow", node=lambda args, kwargs: "PowBackward1" if _is_t(args[1]) else "PowBackward0")
def pow(grad, args, kwargs, out):
    self, exponent = args
    g_self = _pow_self(grad, self, exponent) if _is_t(self) else None
    g_exp = grad * _log_base(self, out) if _is_t(exponent) else None
    return g_self, g_exp


@rule("rpow", node="PowBackward2")   # number ** tensor
def rpow(grad, args, kwargs, out):
    # out = other ** self
    self, other = args
    g_other = _pow_self(grad, other, self) if _is_t(other) else None
    return grad * _log_base(other, out), g_other


@rule("float_power")
def float_power(grad, args, kwargs, out):
    self, exponent = args
    base = self.double() if _is_t(self) else float(self)
    exp = exponent.double() if _is_t(exponent) else exponent
    g_self = _pow_self(grad, base, exp) if _is_t(self) else None
    g_exp = grad * _log_base(base, out) if _is_t(exponent) else None
    return g_self, g_exp


@rule("remainder")
def remainder(grad, args, kwargs, out):
    self, other = args
    g_other = -grad * self.div(other, rounding_mode="floor") if _is_t(other) else None
    return grad, g_other


@rule("rremainder")
def rremainder(grad, args, kwargs, out):
    # out = other % self
    self, other = args
    # torch.div(other, self, rounding_mode="floor"): a DivBackward2 node (zero gradient) when
    # differentiated again, where floor_divide's node would raise
    return -grad * _torch().div(other, self, rounding_mode="floor"), grad if _is_t(other) else None


@rule("fmod")
def fmod(grad, args, kwargs, out):
    self, other = args
    g_other = -grad * self.div(other, rounding_mode="trunc") if _is_t(other) else None
    return grad, g_other


@rule("atan2")
def atan2(grad, args, kwargs, out):
    self, other = args
    recip = 1 / (self * self + other * other)
    return grad * other * recip, (-grad * self * recip) if _is_t(other) else None


@rule("hypot")
def hypot(grad, args, kwargs, out):
    self, other = args
    return grad * self / out, (grad * other / out) if _is_t(other) else None


@rule("copysign")
def copysign(grad, args, kwargs, out):
    self, other = args
    ratio = _torch().where(self == 0, 0.0, out / self)
    return grad * ratio, None


@rule("xlogy")
def xlogy(grad, args, kwargs, out):
    self, other = args
    t = _torch()
    g_self = grad * t.xlogy(self != 0, other) if _is_t(self) else None
    g_other = grad * self / other if _is_t(other) else None
    return g_self, g_other


@rule("maximum")
def maximum(grad, args, kwargs, out):
    self, other = args
    t = _torch()
    tie = t.where(self == other, grad / 2, grad)
    return t.where(self < other, 0.0, tie), t.where(self > other, 0.0, tie)


@rule("minimum")
def minimum(grad, args, kwargs, out):
    self, other = args
    t = _torch()
    tie = t.where(self == other, grad / 2, grad)
    return t.where(self > other, 0.0, tie), t.where(self < other, 0.0, tie)


@rule("fmax")
def fmax(grad, args, kwargs, out):
    # the gradient goes to whichever operand was picked (a NaN is never picked over a number)
    self, other = args
    t = _torch()
    picked_self = (self >= other) | other.isnan()
    return t.where(picked_self, grad, 0.0), t.where(picked_self, 0.0, grad)


@rule("fmin")
def fmin(grad, args, kwargs, out):
    self, other = args
    t = _torch()
    picked_self = (self <= other) | other.isnan()
    return t.where(picked_self, grad, 0.0), t.where(picked_self, 0.0, grad)


@rule("where")
def where(grad, args, kwargs, out):
    cond, x, y = args
    t = _torch()
    return (None,
            t.where(cond, grad, 0.0) if _is_t(x) else None,
            t.where(cond, 0.0, grad) if _is_t(y) else None)


@rule("lerp")
def lerp(grad, args, kwargs, out):
    self, end, weight = args
    g_weight = grad * (end - self) if _is_t(weight) else None
    return grad * (1 - weight), grad * weight, g_weight


@rule("addcmul")
def addcmul(grad, args, kwargs, out):
    self, t1, t2 = args
    value = (kwargs or {}).get("value", 1)
    return grad, grad * t2 * value, grad * t1 * value


@rule("addcdiv")
def addcdiv(grad, args, kwargs, out):
    self, t1, t2 = args
    value = (kwargs or {}).get("value", 1)
    return grad, grad * value / t2, -grad * value * t1 / (t2 * t2)


def _bounds_node(number, tensor):
    """torch's node for clamp-like ops, by whether a bound is a tensor."""
    return lambda args, kwargs: tensor if any(_is_t(a) for a in args[1:]) else number


@rule("clamp", node=_bounds_node("ClampBackward1", "ClampBackward0"))
def clamp(grad, args, kwargs, out):
    self, lo, hi = args
    t = _torch()
    false = t.zeros_like(self, dtype=t.bool)
    below = (self < lo) if lo is not None else false
    above = (self > hi) if hi is not None else false
    if not _is_t(lo) and not _is_t(hi):
        # number bounds: the gradient passes where lo <= self <= hi (never at NaN), as torch
        keep = (self == self) if lo is None else (self >= lo)
        if hi is not None:
            keep = keep & (self <= hi)
        return t.where(keep, grad, 0.0), None, None
    # tensor bounds: with lo > hi the result is hi, so hi gets the gradient there
    crossed = (hi < lo) if (lo is not None and hi is not None) else false
    g_self = t.where(below | above, 0.0, grad)
    g_lo = t.where(t.where(crossed, False, below), grad, 0.0) if _is_t(lo) else None
    g_hi = t.where(above | crossed, grad, 0.0) if _is_t(hi) else None
    return g_self, g_lo, g_hi


@rule("clamp_min", node=_bounds_node("ClampMinBackward0", "ClampMinBackward1"))
def clamp_min(grad, args, kwargs, out):
    self, lo = args
    t = _torch()
    return t.where(self >= lo, grad, 0.0), t.where(self < lo, grad, 0.0) if _is_t(lo) else None


@rule("clamp_max", node=_bounds_node("ClampMaxBackward0", "ClampMaxBackward1"))
def clamp_max(grad, args, kwargs, out):
    self, hi = args
    t = _torch()
    return t.where(self <= hi, grad, 0.0), t.where(self > hi, grad, 0.0) if _is_t(hi) else None
