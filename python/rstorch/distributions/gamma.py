"""The families whose torch samplers are ATen kernels rstorch lacks (_standard_gamma,
_sample_dirichlet, poisson, binomial): Gamma, Chi2, Beta, Dirichlet, StudentT, Poisson, Binomial,
NegativeBinomial. Their scores and moments are torch's; their samplers raise rather than draw
numbers other than torch's."""

import math
from numbers import Number

import rstorch

from . import constraints
from .continuous import _Checked
from .distribution import _size
from .exp_family import ExponentialFamily
from .discrete import _ProbsOrLogits, _one_of
from .utils import broadcast_all

__all__ = ["Gamma", "Chi2", "Beta", "Dirichlet", "StudentT", "Poisson", "Binomial", "NegativeBinomial"]


def _no_kernel(kernel):
    def draw(self, sample_shape=rstorch.Size()):
        raise NotImplementedError(f"rstorch has no torch.{kernel} kernel, so {type(self).__name__} cannot sample "
                                  "(its log_prob, entropy and moments work)")
    return draw


class Gamma(_Checked, ExponentialFamily):
    _mean_carrier_measure = 0
    _natural_params = property(lambda self: (self.concentration - 1, -self.rate))

    def _log_normalizer(self, x, y):
        return rstorch.lgamma(x + 1) + (x + 1) * rstorch.log(-y.reciprocal())

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _params = ("concentration", "rate")

    def __init__(self, concentration, rate, validate_args=None):
        self._init_params((concentration, rate), validate_args=validate_args)

    mean = property(lambda self: self.concentration / self.rate)
    mode = property(lambda self: ((self.concentration - 1) / self.rate).clamp(min=0))
    variance = property(lambda self: self.concentration / self.rate.pow(2))
    sample = rsample = _no_kernel("_standard_gamma")

    def _log_prob(self, value):
        value = rstorch.as_tensor(value, dtype=self.rate.dtype)
        a, b = self.concentration, self.rate
        return rstorch.xlogy(a, b) + rstorch.xlogy(a - 1, value) - b * value - rstorch.lgamma(a)

    def entropy(self):
        a = self.concentration
        return a - rstorch.log(self.rate) + rstorch.lgamma(a) + (1.0 - a) * rstorch.digamma(a)


class Chi2(Gamma):
    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, _instance=self._get_checked_instance(Chi2, _instance))

    df = property(lambda self: self.concentration * 2)


class Dirichlet(_Checked, ExponentialFamily):
    _natural_params = property(lambda self: (self.concentration,))

    def _log_normalizer(self, x):
        return x.lgamma().sum(-1) - rstorch.lgamma(x.sum(-1))

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = _size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape + self.event_shape)
        return self._finish_expand(new, batch_shape)

    sample = rsample = _no_kernel("_sample_dirichlet")

    def _log_prob(self, value):
        a = self.concentration
        return rstorch.xlogy(a - 1.0, value).sum(-1) + rstorch.lgamma(a.sum(-1)) - rstorch.lgamma(a).sum(-1)

    mean = property(lambda self: self.concentration / self.concentration.sum(-1, True))

    @property
    def mode(self):
        am1 = (self.concentration - 1).clamp(min=0.0)
        mode = am1 / am1.sum(-1, True)
        mask = (self.concentration < 1).all(dim=-1)
        mode[mask] = rstorch.nn.functional.one_hot(mode[mask].argmax(dim=-1), am1.shape[-1]).to(mode)
        return mode

    @property
    def variance(self):
        a, a0 = self.concentration, self.concentration.sum(-1, True)
        return a * (a0 - a) / (a0.pow(2) * (a0 + 1))

    def entropy(self):
        a = self.concentration
        k, a0 = a.size(-1), a.sum(-1)
        return (rstorch.lgamma(a).sum(-1) - rstorch.lgamma(a0) - (k - a0) * rstorch.digamma(a0)
                - ((a - 1.0) * rstorch.digamma(a)).sum(-1))


class Beta(_Checked, ExponentialFamily):
    """Beta(a, b) as the first coordinate of Dirichlet([a, b])."""
    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    _natural_params = property(lambda self: (self.concentration1, self.concentration0))

    def _log_normalizer(self, x, y):
        return rstorch.lgamma(x) + rstorch.lgamma(y) - rstorch.lgamma(x + y)

    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        if isinstance(concentration1, Number) and isinstance(concentration0, Number):
            both = rstorch.tensor([float(concentration1), float(concentration0)])
        else:
            both = rstorch.stack(broadcast_all(concentration1, concentration0), -1)
        self._dirichlet = Dirichlet(both, validate_args=validate_args)
        super().__init__(self._dirichlet._batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Beta, _instance)
        new._dirichlet = self._dirichlet.expand(batch_shape)
        return self._finish_expand(new, _size(batch_shape))

    concentration1 = property(lambda self: self._dirichlet.concentration[..., 0])
    concentration0 = property(lambda self: self._dirichlet.concentration[..., 1])
    mean = property(lambda self: self.concentration1 / (self.concentration1 + self.concentration0))
    mode = property(lambda self: self._dirichlet.mode[..., 0])
    sample = rsample = _no_kernel("_sample_dirichlet")

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def _log_prob(self, value):
        return self._dirichlet.log_prob(rstorch.stack([value, 1.0 - value], -1))

    def entropy(self):
        return self._dirichlet.entropy()


class StudentT(_Checked):
    arg_constraints = {"df": constraints.positive, "loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True
    _params = ("df", "loc", "scale")

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        super().__init__(self.df.size(), validate_args=validate_args)

    sample = rsample = _no_kernel("_standard_gamma")
    mode = property(lambda self: self.loc)

    @property
    def mean(self):
        m = self.loc.clone()
        m[self.df <= 1] = math.nan
        return m

    @property
    def variance(self):
        df = self.df
        m = df.clone()
        big = df > 2
        m[big] = self.scale[big].pow(2) * df[big] / (df[big] - 2)
        m[(df <= 2) & (df > 1)] = math.inf
        m[df <= 1] = math.nan
        return m

    def _log_prob(self, value):
        y = (value - self.loc) / self.scale
        df = self.df
        Z = (self.scale.log() + 0.5 * df.log() + 0.5 * math.log(math.pi) + rstorch.lgamma(0.5 * df)
             - rstorch.lgamma(0.5 * (df + 1.0)))
        return -0.5 * (df + 1.0) * rstorch.log1p(y ** 2.0 / df) - Z

    def entropy(self):
        df = self.df
        lbeta = rstorch.lgamma(0.5 * df) + math.lgamma(0.5) - rstorch.lgamma(0.5 * (df + 1))
        return (self.scale.log() + 0.5 * (df + 1) * (rstorch.digamma(0.5 * (df + 1)) - rstorch.digamma(0.5 * df))
                + 0.5 * df.log() + lbeta)


class Poisson(_Checked, ExponentialFamily):
    _natural_params = property(lambda self: (rstorch.log(self.rate),))

    def _log_normalizer(self, x):
        return rstorch.exp(x)

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer
    _params = ("rate",)

    def __init__(self, rate, validate_args=None):
        self._init_params((rate,), validate_args=validate_args)

    mean = variance = property(lambda self: self.rate)
    mode = property(lambda self: self.rate.floor())
    sample = _no_kernel("poisson")

    def _log_prob(self, value):
        rate, value = broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - (value + 1).lgamma()


class _CountAndProbs(_ProbsOrLogits):
    """Binomial and NegativeBinomial: a total count broadcast with probs or logits."""
    _is_binary = True

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        name, value = _one_of(probs, logits)
        count, param = broadcast_all(total_count, value)
        self.total_count = count.type_as(param)
        setattr(self, name, param)
        self._param = param
        super().__init__(param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = super().expand(batch_shape, _instance)
        new.total_count = self.total_count.expand(_size(batch_shape))
        return new


class Binomial(_CountAndProbs):
    arg_constraints = {"total_count": constraints.nonnegative_integer, "probs": constraints.unit_interval,
                       "logits": constraints.real}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        super().__init__(total_count, probs, logits, validate_args)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    mean = property(lambda self: self.total_count * self.probs)
    mode = property(lambda self: ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count))
    variance = property(lambda self: self.total_count * self.probs * (1 - self.probs))
    sample = _no_kernel("binomial")

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        n, logits = self.total_count, self.logits
        relu = (logits.clamp(min=0) + logits - logits.clamp(max=0)) / 2  # max(logits, 0), halving the gradient at 0
        normalize = n * relu + n * rstorch.log1p(rstorch.exp(-rstorch.abs(logits))) - rstorch.lgamma(n + 1)
        return value * logits - rstorch.lgamma(value + 1) - rstorch.lgamma(n - value + 1) - normalize

    def _homogeneous_count(self, what):
        n = int(self.total_count.max())
        if not self.total_count.min() == n:
            raise NotImplementedError(f"Inhomogeneous total count not supported by `{what}`.")
        return n

    def entropy(self):
        self._homogeneous_count("entropy")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(rstorch.exp(log_prob) * log_prob).sum(0)

    def _support_size(self):
        return 1 + self._homogeneous_count("enumerate_support")

    def enumerate_support(self, expand=True):
        return self._enumerate(self._param.dtype, expand)


class NegativeBinomial(_CountAndProbs):
    arg_constraints = {"total_count": constraints.greater_than_eq(0), "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer
    has_enumerate_support = False

    mean = property(lambda self: self.total_count * rstorch.exp(self.logits))
    mode = property(lambda self: ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0))
    variance = property(lambda self: self.mean / rstorch.sigmoid(-self.logits))
    sample = _no_kernel("_standard_gamma")

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        F, n = rstorch.nn.functional, self.total_count
        unnormalized = n * F.logsigmoid(-self.logits) + value * F.logsigmoid(self.logits)
        normalization = -rstorch.lgamma(n + value) + rstorch.lgamma(1.0 + value) + rstorch.lgamma(n)
        return unnormalized - normalization.masked_fill(n + value == 0.0, 0.0)
