"""Backward rules, one module per op family (the same split as rstorch/_ops), all registered
through `rule` in `_registry`. Importing this package registers every rule."""

from . import _registry, core, binary, conv, index, linalg, nn, pool, reduce, sort, special, unary, views  # noqa: F401
from ._registry import RULES, rule  # noqa: F401
