"""Bernoulli, Categorical, OneHotCategorical(StraightThrough), Geometric: parametrized by probs or logits
(the other one computed on first use)."""

import math
from numbers import Number

import rstorch

from . import constraints
from .distribution import Distribution, _size
from .exp_family import ExponentialFamily
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Bernoulli", "Categorical", "Geometric", "OneHotCategorical", "OneHotCategoricalStraightThrough"]


def _one_of(probs, logits):
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    return ("probs", probs) if probs is not None else ("logits", logits)


class _ProbsOrLogits(Distribution):
    """Shared by Bernoulli and Categorical: the given parametrization is `_param`; expand expands
    whichever of probs/logits exists, over `batch_shape + _param_tail`."""
    has_enumerate_support = True
    _is_binary = False

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=self._is_binary)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=self._is_binary)

    @property
    def param_shape(self):
        return self._param.size()

    def _param_tail(self):
        return ()

    def _set_param(self, probs, logits, adjust=None):
        """Store the given one of probs/logits (broadcast to a tensor, then `adjust`ed) as `_param`;
        returns the batch shape (empty for a number)."""
        name, value = _one_of(probs, logits)
        (param,) = broadcast_all(value)
        if adjust is not None:
            param = adjust(name, param)
        setattr(self, name, param)
        self._param = param
        return () if isinstance(value, Number) else param.size()

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(type(self), _instance)
        batch_shape = _size(batch_shape)
        for name in ("probs", "logits"):
            if name in self.__dict__:
                new.__dict__[name] = new._param = self.__dict__[name].expand(batch_shape + self._param_tail())
        new.__dict__.update({k: v for k, v in self.__dict__.items() if k == "_num_events"})
        return self._finish_expand(new, batch_shape)

    def _enumerate(self, dtype, expand):
        values = rstorch.arange(self._support_size(), dtype=dtype).view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values


class Bernoulli(_ProbsOrLogits, ExponentialFamily):
    _mean_carrier_measure = 0
    _natural_params = property(lambda self: (rstorch.logit(self.probs),))

    def _log_normalizer(self, x):
        return rstorch.log1p(rstorch.exp(x))

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    _is_binary = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        super().__init__(self._set_param(probs, logits), validate_args=validate_args)

    mean = property(lambda self: self.probs)
    variance = property(lambda self: self.probs * (1 - self.probs))

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs)
        mode[self.probs == 0.5] = math.nan
        return mode

    def sample(self, sample_shape=rstorch.Size()):
        with rstorch.no_grad():
            return rstorch.bernoulli(self.probs.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -rstorch.nn.functional.binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return rstorch.nn.functional.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def _support_size(self):
        return 2

    def enumerate_support(self, expand=True):
        return self._enumerate(self._param.dtype, expand)


class Categorical(_ProbsOrLogits):
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(self, probs=None, logits=None, validate_args=None):
        name, value = _one_of(probs, logits)
        if value.dim() < 1:
            raise ValueError(f"`{name}` parameter must be at least one-dimensional.")
        if name == "probs":
            self.probs = self._param = value / value.sum(-1, keepdim=True)
        else:
            self.logits = self._param = value - value.logsumexp(dim=-1, keepdim=True)
        self._num_events = self._param.size()[-1]
        batch_shape = self._param.size()[:-1] if self._param.dim() > 1 else rstorch.Size()
        super().__init__(batch_shape, validate_args=validate_args)

    def _param_tail(self):
        return rstorch.Size((self._num_events,))

    def _support_size(self):
        return self._num_events

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    def _nans(self):
        return rstorch.full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    mean = variance = property(_nans)
    mode = property(lambda self: self.probs.argmax(dim=-1))

    def sample(self, sample_shape=rstorch.Size()):
        sample_shape = _size(sample_shape)
        with rstorch.no_grad():
            draws = rstorch.multinomial(self.probs.reshape(-1, self._num_events), sample_shape.numel(), True).T
        return draws.reshape(self._extended_shape(sample_shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, log_pmf = rstorch.broadcast_tensors(value.long().unsqueeze(-1), self.logits)
        return log_pmf.gather(-1, value[..., :1]).squeeze(-1)

    def entropy(self):
        logits = rstorch.clamp(self.logits, min=rstorch.finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        return self._enumerate(rstorch.long, expand)


class OneHotCategorical(Distribution):
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:], validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(OneHotCategorical, _instance)
        new._categorical = self._categorical.expand(batch_shape)
        return self._finish_expand(new, _size(batch_shape))

    _param = property(lambda self: self._categorical._param)
    probs = mean = property(lambda self: self._categorical.probs)
    logits = property(lambda self: self._categorical.logits)
    param_shape = property(lambda self: self._categorical.param_shape)
    variance = property(lambda self: self._categorical.probs * (1 - self._categorical.probs))

    @property
    def mode(self):
        probs = self._categorical.probs
        return rstorch.nn.functional.one_hot(probs.argmax(dim=-1), num_classes=probs.shape[-1]).to(probs)

    def sample(self, sample_shape=rstorch.Size()):
        indices = self._categorical.sample(_size(sample_shape))
        return rstorch.nn.functional.one_hot(indices, self._categorical._num_events).to(self._categorical.probs)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.max(-1)[1])

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        n = self.event_shape[0]
        values = rstorch.eye(n, dtype=self._param.dtype).view((n,) + (1,) * len(self.batch_shape) + (n,))
        return values.expand((n,) + self.batch_shape + (n,)) if expand else values


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """OneHotCategorical whose rsample passes the gradient straight through to the probs."""
    has_rsample = True

    def rsample(self, sample_shape=rstorch.Size()):
        samples = self.sample(sample_shape)
        probs = self._categorical.probs
        return samples + (probs - probs.detach())


class Geometric(_ProbsOrLogits):
    """The number of failures before the first success."""
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer
    has_enumerate_support = False
    _is_binary = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        super().__init__(self._set_param(probs, logits), validate_args=validate_args)
        if self._validate_args and probs is not None and not bool((self.probs > 0).all()):
            v = self.probs
            raise ValueError(f"Expected parameter probs ({type(v).__name__} of shape {tuple(v.shape)}) of distribution "
                             f"{self!r} to be positive but found invalid values:\n{v.data[~(v > 0)]}")

    mean = property(lambda self: 1.0 / self.probs - 1.0)
    mode = property(lambda self: rstorch.zeros_like(self.probs))
    variance = property(lambda self: (1.0 / self.probs - 1.0) / self.probs)

    def sample(self, sample_shape=rstorch.Size()):
        tiny = rstorch.finfo(self.probs.dtype).tiny
        with rstorch.no_grad():
            u = rstorch.empty(self._extended_shape(sample_shape), dtype=self.probs.dtype).uniform_(tiny, 1)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        probs = probs.clone()
        probs[(probs == 1) & (value == 0)] = 0
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self):
        bce = rstorch.nn.functional.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")
        return bce / self.probs
