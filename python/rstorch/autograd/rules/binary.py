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
    denom = self * self + other * other
    recip = _torch().where(denom == 0, 0.0, 1 / denom)   # 0 at (0, 0), as torch
    return grad * other * recip, (-grad * self * recip) if _is_t(other) else None


@rule("hypot")
def hypot(grad, args, kwargs, out):
    self, other = args
    return grad * self / out, (grad * other / out) if _is_t(other) else None


@rule("copysign")
def copysign(grad, args, kwargs, out):
    self, other = args
    ratio = _torch().where(self == 0, 0.0, out / self)
    # torch: the sign operand gets a zero gradient (not None)
    return grad * ratio, _torch().zeros_like(other) if _is_t(other) else None


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


def _split(grad, tie, picked_self):
    """The gradient to the operand picked (`picked_self`: self), half to each where `tie`."""
    t = _torch()
    half = grad / 2
    return (t.where(tie, half, t.where(picked_self, grad, 0.0)),
            t.where(tie, half, t.where(picked_self, 0.0, grad)))


@rule("fmax")
def fmax(grad, args, kwargs, out):
    # the gradient goes to whichever operand was picked (a NaN is never picked over a number),
    # half to each at ties
    self, other = args
    return _split(grad, self == other, (self > other) | other.isnan())


@rule("fmin")
def fmin(grad, args, kwargs, out):
    self, other = args
    return _split(grad, self == other, (self < other) | other.isnan())


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
    if not _is_t(lo) and not _is_t(hi):
        return _clamp_numbers(grad, self, lo, hi), None, None
    # tensor bounds (torch 2.15): with lo > hi the result is hi, so hi gets the gradient; else
    # the operand picked gets it, split evenly where self ties with exactly one bound (self
    # keeps it all when lo == self == hi)
    if lo is None:
        g_self, g_hi = _one_bound(grad, self == hi, self > hi, self < hi)
        return g_self, None, g_hi
    if hi is None:
        g_self, g_lo = _one_bound(grad, self == lo, self < lo, self > lo)
        return g_self, g_lo, None
    crossed = lo > hi
    at_lo, at_hi = self == lo, self == hi
    half = grad / 2
    g_self = t.where(crossed | (self < lo) | (self > hi), 0.0, t.where(at_lo ^ at_hi, half, grad))
    g_lo = t.where(crossed, 0.0, t.where(self < lo, grad, t.where(at_lo & ~at_hi, half, 0.0)))
    g_hi = t.where(crossed | (self > hi), grad, t.where(at_hi & ~at_lo, half, 0.0))
    return g_self, g_lo, g_hi


def _one_bound(grad, tie, self_clamped, bound_unused):
    """One tensor bound (torch 2.15's clamp_min/clamp_max with a tensor): half to each at a tie,
    else all to self unless it was clamped, and all to the bound unless it was not used; so where
    either is NaN both get the whole gradient."""
    t = _torch()
    half = grad / 2
    return (t.where(tie, half, t.where(self_clamped, 0.0, grad)),
            t.where(tie, half, t.where(bound_unused, 0.0, grad)))


def _clamp_numbers(grad, self, lo, hi):
    """Number bounds: the gradient passes strictly inside (lo, hi), never at a bound or NaN (torch
    2.15)."""
    keep = None if lo is None else self > lo
    if hi is not None:
        keep = (self < hi) if keep is None else keep & (self < hi)
    return _torch().where(keep, grad, 0.0)


@rule("clamp_min", node=_bounds_node("ClampMinBackward0", "ClampMinBackward1"))
def clamp_min(grad, args, kwargs, out):
    self, lo = args
    if not _is_t(lo):
        return _clamp_numbers(grad, self, lo, None), None
    return _one_bound(grad, self == lo, self < lo, self > lo)


@rule("clamp_max", node=_bounds_node("ClampMaxBackward0", "ClampMaxBackward1"))
def clamp_max(grad, args, kwargs, out):
    self, hi = args
    if not _is_t(hi):
        return _clamp_numbers(grad, self, None, hi), None
    return _one_bound(grad, self == hi, self > hi, self < hi)
