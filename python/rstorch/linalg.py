"""`rstorch.linalg`: inverses, determinants, solves, products and norms (torch.linalg).

The kernels are `_C.linalg_*` (rust/core/src/ops/linalg/); this module adds torch's signatures,
`out=` and named results."""

import collections

from . import _C
from ._ops.linalg import _with_out, matmul as _matmul

__all__ = ["inv", "det", "slogdet", "solve", "matmul", "vecdot", "cross", "matrix_norm"]


def _namedtuple(name, fields):
    cls = collections.namedtuple(name, fields)
    cls.__module__ = "rstorch.return_types"
    cls.__repr__ = lambda self: f"rstorch.return_types.{name}(\n" + ",\n".join(
        f"{f}={v!r}" for f, v in zip(fields, self)) + ")"
    return cls


_SlogdetResult = _namedtuple("linalg_slogdet", ["sign", "logabsdet"])


def inv(A, *, out=None):
    return _with_out("linalg_inv", out, lambda: _C.linalg_inv(A), A)


def det(A, *, out=None):
    return _with_out("linalg_det", out, lambda: _C.linalg_det(A), A)


def slogdet(A, *, out=None):
    sign, logabsdet = _C.linalg_slogdet(A)
    if out is not None:
        sign, logabsdet = (_with_out("linalg_slogdet", o, lambda r=r: r, A) for o, r in zip(out, (sign, logabsdet)))
    return _SlogdetResult(sign, logabsdet)


def solve(A, B, *, left=True, out=None):
    """X with A X = B (or X A = B when `left=False`, solved as A^T X^T = B^T)."""
    if left:
        return _with_out("linalg_solve", out, lambda: _C.linalg_solve(A, B), A, B)
    return _with_out("linalg_solve", out, lambda: _C.linalg_solve(A.mT, B.mT).mT, A, B)


def matmul(input, other, *, out=None):
    return _matmul(input, other, out=out)


def vecdot(x, y, *, dim=-1, out=None):
    for t in (x, y):
        if not t.dtype.is_floating_point:
            raise NotImplementedError("linalg.vecdot: Expected a floating point or complex tensor as input. "
                                      f"Got {t.dtype._scalar_type_name}")
    if x.dtype is not y.dtype:
        raise RuntimeError("linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
                           f"{x.dtype._scalar_type_name} and y of type {y.dtype._scalar_type_name} instead")
    return _with_out("linalg_vecdot", out, lambda: (x * y).sum(dim), x, y, check=_vecdot_dtype)


def _vecdot_dtype(out, result):
    raise RuntimeError(f"linalg.vecdot: Expected out of dtype{result.dtype._scalar_type_name} but found "
                       f"{out.dtype._scalar_type_name}")  # sic: no space after "dtype"


def cross(input, other, *, dim=-1, out=None):
    return _with_out("linalg_cross", out, lambda: _C.linalg_cross(input, other, dim), input, other)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """'fro', 'nuc', 1, -1, 2, -2, inf or -inf norms of the matrices on `dim`."""
    if dtype is not None:
        if not dtype.is_floating_point:
            raise RuntimeError("linalg.matrix_norm: dtype should be floating point or complex, but got "
                               f"{dtype._scalar_type_name}")
        A = A.to(dtype)
    return _with_out("linalg_matrix_norm", out, lambda: _C.linalg_matrix_norm(A, ord, tuple(dim), keepdim), A,
                     check=_matrix_norm_dtype)


def _matrix_norm_dtype(out, result):
    raise RuntimeError(f"linalg.matrix_norm expected out tensor dtype {result.dtype._scalar_type_name} but got: "
                       f"{out.dtype._scalar_type_name}")

