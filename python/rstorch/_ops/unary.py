"""Unary elementwise ops: function forms (`rstorch.exp`, ...) of the kernels in
rust/core/src/ops/unary.rs, bound in rust/python/src/tensor/unary.rs."""

from .. import _C  # noqa: F401

__all__ = []
