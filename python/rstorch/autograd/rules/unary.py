"""Backward rules of the unary ops (see _registry for the contract)."""

from ._registry import rule  # noqa: F401
