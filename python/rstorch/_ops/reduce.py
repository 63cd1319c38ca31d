"""Reductions, scans and softmax: function forms of the kernels in rust/core/src/ops/reduce.rs,
bound in rust/python/src/tensor/reduce.rs."""

from .. import _C  # noqa: F401
from ._common import check_out

__all__ = ["sum", "mean"]


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    return check_out(out, input.sum(dim, keepdim, dtype=dtype))


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    return check_out(out, input.mean(dim, keepdim, dtype=dtype))
