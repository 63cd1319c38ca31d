"""Helpers shared by the distributions: argument broadcasting, probs <-> logits, a cached property."""

from numbers import Number

import rstorch

__all__ = ["broadcast_all", "logits_to_probs", "probs_to_logits", "clamp_probs", "lazy_property"]


def _is_tensor_like(v):
    return isinstance(v, rstorch.Tensor) or hasattr(type(v), "__torch_function__")


def broadcast_all(*values):
    """Broadcast tensors and numbers together; numbers take the first tensor's dtype (else the default)."""
    if not all(_is_tensor_like(v) or isinstance(v, Number) for v in values):
        raise ValueError("Input arguments must all be instances of Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    first = next((v for v in values if isinstance(v, rstorch.Tensor)), None)
    dtype = first.dtype if first is not None else rstorch.get_default_dtype()
    tensors = [v if _is_tensor_like(v) else rstorch.tensor(v, dtype=dtype) for v in values]
    return rstorch.broadcast_tensors(*tensors)


def clamp_probs(probs):
    eps = rstorch.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits, is_binary=False):
    return rstorch.sigmoid(logits) if is_binary else rstorch.softmax(logits, dim=-1)


def probs_to_logits(probs, is_binary=False):
    p = clamp_probs(probs)
    return p.log() - rstorch.log1p(-p) if is_binary else p.log()


def _sum_rightmost(value, dim):
    """Sum the `dim` rightmost dimensions of `value`."""
    return value if dim == 0 else value.reshape(value.shape[:value.dim() - dim] + (-1,)).sum(-1)


def _standard_normal(shape, dtype, device=None):
    return rstorch.empty(shape, dtype=dtype).normal_()


class lazy_property:
    """A property computed on first access (with grad enabled) and then stored on the instance."""

    def __init__(self, fn):
        self.wrapped = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with rstorch.enable_grad():
            value = self.wrapped(instance)
        instance.__dict__[self.__name__] = value
        return value
