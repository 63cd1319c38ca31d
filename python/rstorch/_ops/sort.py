"""Sorting and searching (sort, topk, unique, searchsorted, bincount...): function forms of
rust/core/src/ops/sort.rs, bound in rust/python/src/tensor/sort.rs."""

from .. import _C  # noqa: F401

__all__ = []
