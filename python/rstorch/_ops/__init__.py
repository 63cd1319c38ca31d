"""The `rstorch.*` function forms of the op families, one module per family (the same split as
rust/core/src/ops and rust/python/src/tensor). Each module lists its public names in `__all__`. `special` (torch.special's own ops) is
imported for its rows but published by `rstorch.special`, not merged here."""

from . import binary, composite, conv, index, linalg, nn, pool, reduce, sort, special, unary, views

__all__ = []
for _family in (unary, binary, reduce, linalg, index, sort, composite, views, nn, conv, pool):
    __all__ += _family.__all__
    globals().update({name: getattr(_family, name) for name in _family.__all__})
del _family
