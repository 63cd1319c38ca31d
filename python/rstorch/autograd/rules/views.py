"""Backward rules of the views ops (see _registry for the contract)."""

from ._registry import rule  # noqa: F401
