"""`rstorch.linalg`: inverses, determinants, solves, products and norms (torch.linalg).

The kernels are `_C.linalg_*` (rust/core/src/ops/linalg/); this module adds torch's signatures,
`out=` and named results."""

import numbers

from . import _C
from ._ops.linalg import (_linalg_det, _linalg_inv, _linalg_slogdet, _linalg_vector_norm, _with_out,
                          matmul as _matmul)
from ._tensor import Tensor

LinAlgError = _C._LinAlgError  # a RuntimeError, as torch's

__all__ = ["LinAlgError", "inv", "det", "slogdet", "solve", "matmul", "vecdot", "cross", "vector_norm", "matrix_norm", "norm"]


# implemented in _ops/linalg.py, below this namespace, as torch.inverse/det/slogdet and cdist use them
inv, det, slogdet, vector_norm = _linalg_inv, _linalg_det, _linalg_slogdet, _linalg_vector_norm
for _f, _name in ((inv, "inv"), (det, "det"), (slogdet, "slogdet"), (vector_norm, "vector_norm")):
    _f.__name__ = _f.__qualname__ = _name
    _f.__module__ = __name__
del _f, _name


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
    dim = tuple(dim)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    if dtype is not None:
        if not dtype.is_floating_point:
            raise RuntimeError("linalg.matrix_norm: dtype should be floating point or complex, but got "
                               f"{dtype._scalar_type_name}")
        # an input the kernel rejects is not cast: its error comes first in torch
        if A.dtype.is_floating_point and A.dim() >= 2:
            _C._check_norm_dtype("linalg.matrix_norm", A.dtype, dtype)
            A = A.to(dtype)
    return _with_out("linalg_matrix_norm", out, lambda: _C.linalg_matrix_norm(A, ord, dim, keepdim), A,
                     check=_norm_out_dtype("linalg.matrix_norm"))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """`vector_norm` or `matrix_norm`, as torch picks: a matrix norm when `ord` is given with
    two dims (or a 2-D input and no dim), or is a string; else a vector norm (2 by default,
    which is also the Frobenius norm of a matrix)."""
    if isinstance(dim, numbers.Integral):
        dim = (dim,)
    if dim is not None:
        if len(dim) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
    elif ord is not None and A.dim() not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.dim()}D.")
    check = _norm_out_dtype("linalg.norm")
    if isinstance(ord, str) or (ord is not None and len(dim or range(A.dim())) == 2):
        return _with_out("linalg_norm", out, lambda: matrix_norm(A, ord, dim or (-2, -1), keepdim, dtype=dtype), A,
                         check=check)
    return _with_out("linalg_norm", out, lambda: vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype),
                     A, check=check)


def _norm_out_dtype(op):
    def check(out, result):
        raise RuntimeError(f"{op} expected out tensor dtype {result.dtype._scalar_type_name} but got: "
                           f"{out.dtype._scalar_type_name}")
    return check
