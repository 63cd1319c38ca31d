"""ContinuousBernoulli and Kumaraswamy (on [0, 1]), VonMises (on the circle), GeneralizedPareto."""

import math

import rstorch

from . import constraints
from .continuous import Uniform, _Checked
from .discrete import _ProbsOrLogits
from .exp_family import ExponentialFamily
from .transformed import _EULER, TransformedDistribution
from .transforms import AffineTransform, PowerTransform
from .utils import broadcast_all, clamp_probs, lazy_property, logits_to_probs

__all__ = ["ContinuousBernoulli", "Kumaraswamy", "VonMises", "GeneralizedPareto"]


class ContinuousBernoulli(_ProbsOrLogits, ExponentialFamily):
    _mean_carrier_measure = 0
    _natural_params = property(lambda self: (self.logits,))

    def _log_normalizer(self, x):
        """log((exp(x) - 1) / x), by its Taylor series near x = 0 (|probs - 1/2| within _lims)."""
        outside = rstorch.max(rstorch.le(x, self._lims[0] - 0.5), rstorch.gt(x, self._lims[1] - 0.5))
        cut = rstorch.where(outside, x, (self._lims[0] - 0.5) * rstorch.ones_like(x))
        log_norm = rstorch.log(rstorch.abs(rstorch.special.expm1(cut))) - rstorch.log(rstorch.abs(cut))
        taylor = 0.5 * x + rstorch.pow(x, 2) / 24.0 - rstorch.pow(x, 4) / 2880.0
        return rstorch.where(outside, log_norm, taylor)

    """Density proportional to p^x (1-p)^(1-x) on [0, 1]; near p = 1/2 (inside `lims`) the
    normalizer and moments use their Taylor expansions."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True
    has_enumerate_support = False
    _is_binary = True

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        def clamped(name, param):
            if name == "logits":
                return param
            if validate_args is not None and not bool(self.arg_constraints["probs"].check(param).all()):
                raise ValueError("The parameter probs has invalid values")
            return clamp_probs(param)

        self._lims = lims
        super().__init__(self._set_param(probs, logits, clamped), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = super().expand(batch_shape, _instance)
        new._lims = self._lims
        return new

    @lazy_property
    def probs(self):
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    def _stable(self):
        return rstorch.max(rstorch.le(self.probs, self._lims[0]), rstorch.gt(self.probs, self._lims[1]))

    def _cut_probs(self):
        return rstorch.where(self._stable(), self.probs, self._lims[0] * rstorch.ones_like(self.probs))

    def _log_norm(self):
        p = self._cut_probs()
        low = rstorch.where(rstorch.le(p, 0.5), p, rstorch.zeros_like(p))
        high = rstorch.where(rstorch.ge(p, 0.5), p, rstorch.ones_like(p))
        exact = rstorch.log(rstorch.abs(rstorch.log1p(-p) - rstorch.log(p))) - rstorch.where(
            rstorch.le(p, 0.5), rstorch.log1p(-2.0 * low), rstorch.log(2.0 * high - 1.0))
        x = rstorch.pow(self.probs - 0.5, 2)
        return rstorch.where(self._stable(), exact, math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x)

    @property
    def mean(self):
        p = self._cut_probs()
        exact = p / (2.0 * p - 1.0) + 1.0 / (rstorch.log1p(-p) - rstorch.log(p))
        x = self.probs - 0.5
        return rstorch.where(self._stable(), exact, 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * rstorch.pow(x, 2)) * x)

    @property
    def variance(self):
        p = self._cut_probs()
        exact = p * (p - 1.0) / rstorch.pow(1.0 - 2.0 * p, 2) + 1.0 / rstorch.pow(rstorch.log1p(-p) - rstorch.log(p), 2)
        x = rstorch.pow(self.probs - 0.5, 2)
        return rstorch.where(self._stable(), exact, 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x)

    stddev = property(lambda self: rstorch.sqrt(self.variance))

    def sample(self, sample_shape=rstorch.Size()):
        u = rstorch.rand(self._extended_shape(sample_shape), dtype=self.probs.dtype)
        with rstorch.no_grad():
            return self.icdf(u)

    def rsample(self, sample_shape=rstorch.Size()):
        return self.icdf(rstorch.rand(self._extended_shape(sample_shape), dtype=self.probs.dtype))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        bce = rstorch.nn.functional.binary_cross_entropy_with_logits(logits, value, reduction="none")
        return -bce + self._log_norm()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        p = self._cut_probs()
        exact = (rstorch.pow(p, value) * rstorch.pow(1.0 - p, 1.0 - value) + p - 1.0) / (2.0 * p - 1.0)
        inner = rstorch.where(self._stable(), exact, value)
        return rstorch.where(rstorch.le(value, 0.0), rstorch.zeros_like(value),
                             rstorch.where(rstorch.ge(value, 1.0), rstorch.ones_like(value), inner))

    def icdf(self, value):
        p = self._cut_probs()
        exact = (rstorch.log1p(-p + value * (2.0 * p - 1.0)) - rstorch.log1p(-p)) / (rstorch.log(p) - rstorch.log1p(-p))
        return rstorch.where(self._stable(), exact, value)

    def entropy(self):
        log0, log1 = rstorch.log1p(-self.probs), rstorch.log(self.probs)
        return self.mean * (log0 - log1) - self._log_norm() - log0


def _kumaraswamy_moment(a, b, n):
    # E[X^n] = b B(1 + n/a, b)
    arg = 1 + n / a
    return b * rstorch.exp(rstorch.lgamma(arg) + rstorch.lgamma(b) - rstorch.lgamma(arg + b))


class Kumaraswamy(TransformedDistribution):
    """(1 - U^(1/b))^(1/a) for U uniform on [0, 1]."""
    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        c0 = self.concentration0
        base = Uniform(rstorch.full_like(c0, 0), rstorch.full_like(c0, 1), validate_args=validate_args)
        chain = [PowerTransform(exponent=c0.reciprocal()), AffineTransform(loc=1.0, scale=-1.0),
                 PowerTransform(exponent=self.concentration1.reciprocal())]
        super().__init__(base, chain, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Kumaraswamy, _instance)
        new.concentration1 = self.concentration1.expand(batch_shape)
        new.concentration0 = self.concentration0.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)

    mean = property(lambda self: _kumaraswamy_moment(self.concentration1, self.concentration0, 1))
    variance = property(lambda self: _kumaraswamy_moment(self.concentration1, self.concentration0, 2)
                        - rstorch.pow(self.mean, 2))

    @property
    def mode(self):
        a, b = self.concentration1, self.concentration0
        log_mode = b.reciprocal() * (-b).log1p() - (-b * a).log1p()
        log_mode[(b < 1) | (a < 1)] = math.nan
        return log_mode.exp()

    def entropy(self):
        a, b = self.concentration1, self.concentration0
        t1, t0 = 1 - a.reciprocal(), 1 - b.reciprocal()
        return t0 + t1 * (rstorch.digamma(b + 1) + _EULER) - rstorch.log(a) - rstorch.log(b)


# polynomial approximations of I0 and I1 (Abramowitz & Stegun 9.8.1-9.8.4), below and above x = 3.75
_BESSEL_SMALL = ([1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.0360768, 0.0045813],
                 [0.5, 0.87890594, 0.51498869, 0.15084934, 0.02658733, 0.00301532, 0.00032411])
_BESSEL_LARGE = ([0.39894228, 0.01328592, 0.00225319, -0.00157565, 0.00916281, -0.02057706, 0.02635537,
                  -0.01647633, 0.00392377],
                 [0.39894228, -0.03988024, -0.00362018, 0.00163801, -0.01031555, 0.02282967, -0.02895312,
                  0.01787654, -0.00420059])


def _horner(y, coefficients):
    result = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        result = c + y * result
    return result


def _log_bessel_i(x, order=0):
    """log I_order(x) for order 0 or 1."""
    if order not in (0, 1):
        raise AssertionError(f"order must be 0 or 1, got {order}")
    small = _horner((x / 3.75) ** 2, _BESSEL_SMALL[order])
    if order == 1:
        small = x.abs() * small
    large = x - 0.5 * x.log() + _horner(3.75 / x, _BESSEL_LARGE[order]).log()
    return rstorch.where(x < 3.75, small.log(), large)


class VonMises(_Checked):
    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False
    _params = ("loc", "concentration")

    def __init__(self, loc, concentration, validate_args=None):
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(self.loc.shape, rstorch.Size(), validate_args)

    def _log_prob(self, value):
        return (self.concentration * rstorch.cos(value - self.loc) - math.log(2 * math.pi)
                - _log_bessel_i(self.concentration, order=0))

    @lazy_property
    def _loc(self):
        return self.loc.to(rstorch.double)

    @lazy_property
    def _concentration(self):
        return self.concentration.to(rstorch.double)

    @lazy_property
    def _proposal_r(self):
        k = self._concentration
        tau = 1 + (1 + 4 * k ** 2).sqrt()
        rho = (tau - (2 * tau).sqrt()) / (2 * k)
        return rstorch.where(k < 1e-05, 1 / k + k, (1 + rho ** 2) / (2 * rho))

    def sample(self, sample_shape=rstorch.Size()):
        # Best & Fisher's rejection sampler, in float64, three uniforms per round for every element
        with rstorch.no_grad():
            shape = self._extended_shape(sample_shape)
            loc, k, r = self._loc, self._concentration, self._proposal_r
            x = rstorch.empty(shape, dtype=loc.dtype)
            done = rstorch.zeros(shape, dtype=rstorch.bool)
            while not bool(done.all()):
                u1, u2, u3 = rstorch.rand((3,) + tuple(shape), dtype=loc.dtype).unbind()
                z = rstorch.cos(math.pi * u1)
                f = (1 + r * z) / (r + z)
                c = k * (r - f)
                accept = (c * (2 - c) - u2 > 0) | ((c / u2).log() + 1 - c >= 0)
                if bool(accept.any()):
                    x = rstorch.where(accept, (u3 - 0.5).sign() * f.acos(), x)
                    done = done | accept
            return ((x + math.pi + loc) % (2 * math.pi) - math.pi).to(self.loc.dtype)

    mean = mode = property(lambda self: self.loc)

    @lazy_property
    def variance(self):
        k = self.concentration
        return 1 - (_log_bessel_i(k, order=1) - _log_bessel_i(k, order=0)).exp()


class GeneralizedPareto(_Checked):
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive, "concentration": constraints.real}
    has_rsample = True
    _params = ("loc", "scale", "concentration")

    def __init__(self, loc, scale, concentration, validate_args=None):
        self._init_params((loc, scale, concentration), validate_args=validate_args)

    def _safe_concentration(self):
        zero = rstorch.isclose(self.concentration, rstorch.zeros_like(self.concentration))
        return zero, rstorch.where(zero, rstorch.ones_like(self.concentration), self.concentration)

    def rsample(self, sample_shape=rstorch.Size()):
        return self.icdf(rstorch.rand(self._extended_shape(sample_shape), dtype=self.loc.dtype))

    def _log_prob(self, value):
        z = (value - self.loc) / self.scale
        zero, xi = self._safe_concentration()
        y = 1 / xi + rstorch.ones_like(z)
        nonzero = rstorch.where(y == 0, y, y * rstorch.log1p(xi * z))
        return -self.scale.log() - rstorch.where(zero, z, nonzero)

    def log_survival_function(self, value):
        z = (value - self.loc) / self.scale
        zero, xi = self._safe_concentration()
        return rstorch.where(zero, -z, -rstorch.log1p(xi * z) / xi)

    def log_cdf(self, value):
        return rstorch.log1p(-rstorch.exp(self.log_survival_function(value)))

    def _cdf(self, value):
        return rstorch.exp(self.log_cdf(value))

    def icdf(self, value):
        zero, xi = self._safe_concentration()
        logu = rstorch.log1p(-value)
        return rstorch.where(zero, self.loc - self.scale * logu, self.loc + self.scale / xi * rstorch.expm1(-xi * logu))

    @property
    def mean(self):
        valid = self.concentration < 1
        xi = rstorch.where(valid, self.concentration, 0.5)
        return rstorch.where(valid, self.loc + self.scale / (1 - xi), math.nan)

    @property
    def variance(self):
        valid = self.concentration < 0.5
        xi = rstorch.where(valid, self.concentration, 0.25)
        return rstorch.where(valid, self.scale ** 2 / ((1 - xi) ** 2 * (1 - 2 * xi)), math.nan)

    def entropy(self):
        return rstorch.broadcast_to(rstorch.log(self.scale) + self.concentration + 1, self._batch_shape)

    mode = property(lambda self: self.loc)

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        upper = rstorch.where(self.concentration < 0, self.loc - self.scale / self.concentration, math.inf)
        return constraints.interval(self.loc, upper)
