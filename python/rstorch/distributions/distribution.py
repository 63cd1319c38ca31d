"""The Distribution base class: shapes, argument/sample validation, expand, repr, and the
defaults (sample through rsample without grad, stddev from variance, perplexity from entropy)."""

import warnings
from numbers import Number

import rstorch

from . import constraints
from .utils import broadcast_all, lazy_property

__all__ = ["Distribution"]


def _size(shape):
    return shape if isinstance(shape, rstorch.Size) else rstorch.Size(shape)


class Distribution:
    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__
    # the broadcast parameters of the simple families: __init__ broadcasts them, expand expands them
    _params = ()

    @staticmethod
    def set_default_validate_args(value):
        if value not in (True, False):
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=rstorch.Size(), event_shape=rstorch.Size(), validate_args=None):
        self._batch_shape, self._event_shape = _size(batch_shape), _size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            for param, constraint in self.arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue
                if param not in self.__dict__ and isinstance(getattr(type(self), param, None), lazy_property):
                    continue  # not constructed (the other parametrization was given)
                value = getattr(self, param)
                if not bool(constraint.check(value).all()):
                    raise ValueError(
                        f"Expected parameter {param} ({type(value).__name__} of shape {tuple(value.shape)}) "
                        f"of distribution {self!r} to satisfy the constraint {constraint!r}, "
                        f"but found invalid values:\n{value}")

    def _init_params(self, values, batch_shape=None, event_shape=(), validate_args=None):
        """Broadcast `values` into the attributes named by `_params`; the batch shape is theirs
        (empty when every value is a number)."""
        for name, v in zip(self._params, broadcast_all(*values)):
            setattr(self, name, v)
        if batch_shape is None:
            batch_shape = () if all(isinstance(v, Number) for v in values) else getattr(self, self._params[0]).shape
        Distribution.__init__(self, batch_shape, event_shape, validate_args)

    def _get_checked_instance(self, cls, _instance=None):
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(
                f"Subclass {type(self).__name__} of {cls.__name__} that defines a custom __init__ method "
                "must also define a custom .expand() method.")
        return type(self).__new__(type(self)) if _instance is None else _instance

    def _finish_expand(self, new, batch_shape, event_shape=None):
        Distribution.__init__(new, batch_shape, self._event_shape if event_shape is None else event_shape, False)
        new._validate_args = self._validate_args
        return new

    def expand(self, batch_shape, _instance=None):
        if not self._params:
            raise NotImplementedError
        new = self._get_checked_instance(type(self), _instance)
        batch_shape = _size(batch_shape)
        for name in self._params:
            setattr(new, name, getattr(self, name).expand(batch_shape))
        return self._finish_expand(new, batch_shape)

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    @property
    def arg_constraints(self):
        raise NotImplementedError

    @property
    def support(self):
        raise NotImplementedError

    @property
    def mean(self):
        raise NotImplementedError

    @property
    def mode(self):
        raise NotImplementedError(f"{type(self)} does not implement mode")

    @property
    def variance(self):
        raise NotImplementedError

    @property
    def stddev(self):
        return self.variance.sqrt()

    def sample(self, sample_shape=rstorch.Size()):
        with rstorch.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=rstorch.Size()):
        raise NotImplementedError

    def sample_n(self, n):
        warnings.warn("`sample_n(n)` will be deprecated. Use `sample((n,))` instead.", FutureWarning, stacklevel=2)
        return self.sample(rstorch.Size((n,)))

    def log_prob(self, value):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError

    def icdf(self, value):
        raise NotImplementedError

    def enumerate_support(self, expand=True):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def perplexity(self):
        return rstorch.exp(self.entropy())

    def _extended_shape(self, sample_shape=rstorch.Size()):
        return rstorch.Size(tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape))

    def _validate_sample(self, value):
        if not isinstance(value, rstorch.Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_start = value.dim() - len(self._event_shape)
        if value.shape[event_start:] != self._event_shape:
            raise ValueError("The right-most size of value must match event_shape: "
                             f"{value.shape} vs {self._event_shape}.")
        expected = self._batch_shape + self._event_shape
        for i, j in zip(reversed(value.shape), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError("Value is not broadcastable with batch_shape+event_shape: "
                                 f"{value.shape} vs {expected}.")
        support = self.support
        if not bool(support.check(value).all()):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) "
                f"to be within the support ({support!r}) of the distribution {self!r}, "
                f"but found invalid values:\n{value}")

    def __repr__(self):
        shown = [k for k in self.arg_constraints if k in self.__dict__]
        args = ", ".join(f"{k}: {self.__dict__[k] if self.__dict__[k].numel() == 1 else self.__dict__[k].size()}"
                         for k in shown)
        return f"{type(self).__name__}({args})"
