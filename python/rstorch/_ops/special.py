"""torch.special's own ops (those with no `torch.*` or Tensor form): the op-table rows (see
_table.py) of the kernels in rust/core/src/ops/special.rs, bound as private Tensor methods
(`_C.TensorBase._special_<name>`, rust/python/src/tensor/{unary,elementwise}.rs).

These rows live in this module's namespace only: `rstorch.special` (python/rstorch/special.py)
publishes them next to its aliases of the top-level ops (erf, lgamma, xlogy...); they are not
merged into `rstorch` (rstorch/_ops/__init__.py leaves this family out), as torch has no
`torch.erfcx`."""

import math

from .._out import CASTABLE
from .._tensor import Tensor
from ._table import COMPOSITE, FLOAT, METHOD, Op, install, on_kernel, write_result, written
from .binary import ANY, binary
from .unary import erf


def _unary(name):
    """A float op (integers compute in the default float dtype) on kernel `_special_<name>`,
    with its backward rule under the same key."""
    return Op(name, "(input, *, out=None)", FLOAT, "_special_" + name, on_kernel(METHOD, "_special_" + name),
              method=False, out=CASTABLE)


def _binary(name):
    """A float op of two operands, either of which may be a Python number."""
    return Op(name, "(input, other, *, out=None)", FLOAT, "special_" + name,
              on_kernel(binary(ANY), "_special_" + name), method=False, out=CASTABLE)


def _ndtr(op, input, *, out=None):
    """The standard normal CDF, computed as torch does: (1 + erf(x / sqrt 2)) / 2."""
    if not isinstance(input, Tensor):
        raise TypeError(f"special_ndtr(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return write_result(op, out, (1 + erf(input * math.sqrt(0.5))) * 0.5)


OPS = [
    *(_unary(n) for n in ("i0e", "i1", "i1e", "ndtri", "log_ndtr", "erfcx", "entr", "bessel_j0", "bessel_j1")),
    Op("ndtr", "(input, *, out=None)", FLOAT, COMPOSITE, written(_ndtr), method=False, out=CASTABLE),
    _binary("xlog1py"),
    _binary("zeta"),
]

__all__ = install(OPS, globals(), Tensor)
