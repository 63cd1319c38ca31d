"""Helpers shared by the distributions: argument broadcasting, probs <-> logits, a cached property."""

from numbers import Number

import rstorch

__all__ = ["broadcast_all", "logits_to_probs", "probs_to_logits", "clamp_probs", "lazy_property", "tril_matrix_to_vec",
           "vec_to_tril_matrix"]


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


def _tril_mask(n, diag):
    """The (n, n) mask of the entries on or below diagonal `diag`."""
    i = rstorch.arange(n)
    return i < i.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat, diag=0):
    """The entries of `mat` on or below diagonal `diag`, row by row."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag)]


def vec_to_tril_matrix(vec, diag=0):
    """The inverse of tril_matrix_to_vec: the square matrix (zero elsewhere) holding `vec`."""
    # solve n(n+1)/2 + diag*n - |diag|(diag+1)/2 = len(vec) for n
    b = 1 + 2 * diag
    n = (-b + (b * b + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > rstorch.finfo(vec.dtype).eps:
        raise ValueError(f"The size of last dimension is {vec.shape[-1]} which cannot be expressed as "
                         "the lower triangular part of a square D x D matrix.")
    n = round(n)
    mat = vec.new_zeros(vec.shape[:-1] + (n, n))
    mat[..., _tril_mask(n, diag)] = vec
    return mat
