"""Matrix products and small linear algebra: function forms of rust/core/src/ops/linalg.rs,
bound in rust/python/src/tensor/linalg.rs (the `rstorch.linalg` namespace is rstorch/linalg.py)."""

from .. import _C  # noqa: F401

__all__ = []
