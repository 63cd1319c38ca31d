"""Indexing and data movement (gather/scatter/index_*/masked_*, cat/stack/flip/roll/repeat...):
function forms of rust/core/src/ops/{index,movement}.rs, bound in rust/python/src/tensor/{index,movement}.rs."""

from .. import _C  # noqa: F401

__all__ = []
