"""`rstorch.linalg`: inverses, determinants, solves, products and norms (torch.linalg).

The kernels are `_C.linalg_*` (rust/core/src/ops/linalg/); this module adds torch's signatures,
`out=` and named results."""

import math
import numbers

from . import _C, return_types
from ._creation import arange as _arange, eye as _eye, tensor as _tensor, zeros as _zeros
from ._ops.linalg import (_linalg_det, _linalg_inv, _linalg_slogdet, _linalg_vector_norm, _with_out,
                          matmul as _matmul)
from ._tensor import Tensor

LinAlgError = _C._LinAlgError  # a RuntimeError, as torch's

__all__ = ["LinAlgError", "inv", "det", "slogdet", "solve", "matmul", "vecdot", "cross", "vector_norm", "matrix_norm", "norm",
           "cholesky", "cholesky_ex", "qr", "eigh", "eigvalsh", "svd", "svdvals", "solve_triangular", "lu_factor",
           "lu_factor_ex", "lu", "lu_solve", "inv_ex", "solve_ex", "lstsq", "pinv", "matrix_rank", "matrix_power",
           "multi_dot", "cond", "matrix_exp"]


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


# ------------------------------------------------------------------ decompositions
# The kernels are _C.linalg_cholesky_ex, _qr, _eigh, _svd, _lu_factor_ex, _solve_triangular
# (rust/core/src/ops/linalg/decomp.rs); errors on values (not positive-definite, a zero pivot)
# come back as `info` and are raised here with torch's texts. The rest are compositions, as in
# torch (pinv, matrix_rank, cond, multi_dot, matrix_power, lstsq, lu_solve, matrix_exp).

def _grad_on(*ts):
    from .autograd import is_grad_enabled
    return is_grad_enabled() and any(isinstance(t, Tensor) and t.requires_grad for t in ts)


def _low_precision(A, kernel):
    """torch's error for float16/bfloat16 input: its CPU kernel `kernel` has no such dtype."""
    if isinstance(A, Tensor) and A.dim() >= 2 and A.dtype in (_C.float16, _C.bfloat16):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{A.dtype._scalar_type_name}\'')


def _first_error(info):
    """(batch index, code) of the first non-zero `info`, or None."""
    if info.device.type == "meta":  # no values: nothing to report (as torch)
        return None
    flat = info.reshape(-1).tolist()
    return next(((b, c) for b, c in enumerate(flat) if c != 0), None)


def _batch_prefix(A, b):
    return f"(Batch element {b}): " if A.dim() > 2 else ""


def _named(cls, op, out, compute, *inputs):
    return cls(tuple(_with_out(op, out, compute, *inputs)))


def _check_cholesky(op, A, info):
    err = _first_error(info)
    if err is not None:
        b, c = err
        raise LinAlgError(f"{op}: {_batch_prefix(A, b)}The factorization could not be completed because the input is "
                          f"not positive-definite (the leading minor of order {c} is not positive-definite).")


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """(L, info): the Cholesky factor of each matrix (A = L L^T, or A = U^T U when `upper`,
    reading only that triangle) and LAPACK's info (the order of the first leading minor that is
    not positive-definite, 0 when none)."""
    _low_precision(A, "cholesky_cpu")

    def compute():
        L, info = _C.linalg_cholesky_ex(A, upper)
        if check_errors:
            _check_cholesky("linalg.cholesky_ex", A, info)
        return L, info
    return _named(return_types.linalg_cholesky_ex, "linalg_cholesky_ex", out, compute, A)


def cholesky(A, *, upper=False, out=None):
    """The Cholesky factor L of symmetric positive-definite matrices (A = L L^T; U with
    A = U^T U when `upper`); torch.linalg.LinAlgError where a matrix is not positive-definite."""
    _low_precision(A, "cholesky_cpu")

    def compute():
        L, info = _C.linalg_cholesky_ex(A, upper)
        _check_cholesky("linalg.cholesky", A, info)
        return L
    return _with_out("linalg_cholesky", out, compute, A)


def qr(A, mode="reduced", *, out=None):
    """(Q, R) with A = Q R: 'reduced' (Q m x k, R k x n, k = min(m, n)), 'complete' (Q m x m,
    R m x n) or 'r' (R alone; Q an empty tensor). Signs are Householder's (not unique)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    _low_precision(A, "geqrf_cpu")
    return _named(return_types.linalg_qr, "linalg_qr", out, lambda: _C.linalg_qr(A, mode), A)


def _check_uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A, UPLO="L", *, out=None):
    """(eigenvalues ascending, eigenvectors as columns) of symmetric matrices, from the lower
    (UPLO='L') or upper triangle. Eigenvector signs are not unique."""
    _check_uplo(UPLO)
    _low_precision(A, "linalg_eigh_cpu")
    return _named(return_types.linalg_eigh, "linalg_eigh", out, lambda: _C.linalg_eigh(A, UPLO, True), A)


def eigvalsh(A, UPLO="L", *, out=None):
    _check_uplo(UPLO)
    _low_precision(A, "linalg_eigh_cpu")
    # the eigenvectors are computed where the gradient needs them (as torch does)
    vectors = _grad_on(A)
    return _with_out("linalg_eigvalsh", out, lambda: _C.linalg_eigh(A, UPLO, vectors)[0], A)


def _check_driver(driver):
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
                           "cuSOLVER backend.")


def svd(A, full_matrices=True, *, driver=None, out=None):
    """(U, S, Vh) with A = U diag(S) Vh, S descending; U m x m and Vh n x n when
    `full_matrices`, else m x k and k x n. Signs of singular vectors are not unique."""
    _check_driver(driver)
    _low_precision(A, "linalg_svd_cpu")
    return _named(return_types.linalg_svd, "linalg_svd", out, lambda: _C.linalg_svd(A, full_matrices, True), A)


def svdvals(A, *, driver=None, out=None):
    _check_driver(driver)
    _low_precision(A, "linalg_svd_cpu")
    vectors = _grad_on(A)
    return _with_out("linalg_svdvals", out, lambda: _C.linalg_svd(A, False, vectors)[1], A)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with A X = B (X A = B when not `left`) for triangular A (its other triangle is not
    read; its diagonal taken as ones when `unitriangular`); batch dims broadcast."""
    def compute():
        if left:
            return _C.linalg_solve_triangular(A, B, upper, unitriangular)
        if B.dim() >= 2 and A.dim() >= 2 and B.shape[-1] != A.shape[-2] and A.shape[-1] == A.shape[-2]:
            n, r, c = A.shape[-1], B.shape[-2], B.shape[-1]
            raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation XA = B "
                               f"({n}x{n} and {r}x{c})")
        return _C.linalg_solve_triangular(A.mT, B.mT, not upper, unitriangular).mT
    return _with_out("linalg_solve_triangular", out, compute, A, B)


def _check_pivot(pivot):
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """(LU, pivots, info): LAPACK getrf's packed factors of P A = L U (L unit lower below the
    diagonal, U on and above it), 1-based int32 row swaps and the first zero pivot (0: none)."""
    _check_pivot(pivot)

    def compute():
        LU, piv, info = _C.linalg_lu_factor_ex(A)
        if check_errors:
            _check_lu("torch.linalg.lu_factor_ex", A, info)
        return LU, piv, info
    return _named(return_types.linalg_lu_factor_ex, "linalg_lu_factor_ex", out, compute, A)


def _check_lu(op, A, info):
    err = _first_error(info)
    if err is not None:
        b, c = err
        # a plain RuntimeError in torch, not its LinAlgError
        raise RuntimeError(f"{op}: {_batch_prefix(A, b)}U[{c},{c}] is zero and using it on lu_solve would result in "
                          "a division by zero. If you still want to perform the factorization, consider calling "
                          "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")


def lu_factor(A, *, pivot=True, out=None):
    _check_pivot(pivot)

    def compute():
        LU, piv, info = _C.linalg_lu_factor_ex(A)
        _check_lu("torch.linalg.lu_factor", A, info)
        return LU, piv
    return _named(return_types.linalg_lu_factor, "linalg_lu_factor", out, compute, A)


def _permutation(pivots, m):
    """The row order of P^T A from getrf's swaps (`pivots`, 1-based), per matrix: row i of
    P^T A is row perm[i] of A."""
    batch = list(pivots.shape[:-1])
    rows = []
    for piv in pivots.reshape(-1, pivots.shape[-1]).tolist() if pivots.numel() else [[]] * _numel(batch):
        perm = list(range(m))
        for i, p in enumerate(piv):
            perm[i], perm[p - 1] = perm[p - 1], perm[i]
        rows.append(perm)
    return _tensor(rows, dtype=_C.int64).reshape(batch + [m]) if rows else _zeros(batch + [m], dtype=_C.int64)


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def lu(A, *, pivot=True, out=None):
    """(P, L, U) with A = P L U: P a permutation matrix, L m x k unit lower, U k x n upper."""
    _check_pivot(pivot)

    def compute():
        LU, piv, _ = _C.linalg_lu_factor_ex(A)
        m, n = A.shape[-2], A.shape[-1]
        k = min(m, n)
        L = LU[..., :, :k].tril(-1) + _eye(m, k, dtype=A.dtype, device=A.device)
        U = LU[..., :k, :].triu()
        perm = _permutation(piv, m)
        # P[perm[i], i] = 1: A = P (P^T A)
        P = (perm.unsqueeze(-2) == _arange(m).unsqueeze(-1)).to(A.dtype)
        return P, L, U
    return _named(return_types.linalg_lu, "linalg_lu", out, compute, A)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """X with A X = B (X A = B when not `left`; A^T in place of A when `adjoint`) for A given as
    lu_factor's (LU, pivots)."""
    n = LU.shape[-1]
    if not left:
        if B.shape[-1] != n:
            raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation XA = B "
                               f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
        return _with_out("linalg_lu_solve", out, lambda: lu_solve(LU, pivots, B.mT, adjoint=not adjoint).mT,
                         LU, pivots, B)
    if B.shape[-2] != n:
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")

    def compute():
        perm = _permutation(pivots, n)
        if not adjoint:  # A = P L U: X = U^-1 L^-1 P^T B
            pb = _gather_rows(B, perm)
            y = solve_triangular(LU, pb, upper=False, unitriangular=True)
            return solve_triangular(LU, y, upper=True)
        # A^T = U^T L^T P^T: X = P L^-T U^-T B
        y = solve_triangular(LU.mT, B, upper=False)
        y = solve_triangular(LU.mT, y, upper=True, unitriangular=True)
        inv = perm.argsort(-1)
        return _gather_rows(y, inv)
    return _with_out("linalg_lu_solve", out, compute, LU, pivots, B)


def _gather_rows(B, perm):
    """Rows of B (..., n, k) in the order `perm` (..., n), batch dims broadcast."""
    batch = _C.broadcast_shapes([list(B.shape[:-2]), list(perm.shape[:-1])])
    B = B.expand(batch + list(B.shape[-2:]))
    idx = perm.expand(batch + [perm.shape[-1]]).unsqueeze(-1).expand(batch + [perm.shape[-1], B.shape[-1]])
    return B.gather(-2, idx)


def inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info): info the LU's first zero pivot (the inverse then holds inf/nan)."""
    def compute():
        _, _, info = _C.linalg_lu_factor_ex(A)
        if _first_error(info) is None or check_errors:
            return _C.linalg_inv(A), info
        return lu_solve(*_C.linalg_lu_factor_ex(A)[:2], _eye(A.shape[-1], dtype=A.dtype, device=A.device).expand(A.shape)), info
    if A.dim() < 2 or A.shape[-1] != A.shape[-2] or A.dtype not in (_C.float32, _C.float64):
        _linalg_inv(A)  # raises linalg.inv's error for such input
    return _named(return_types.linalg_inv_ex, "linalg_inv_ex", out, compute, A)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """(result, info): linalg.solve's result and the LU's first zero pivot (then inf/nan)."""
    def compute():
        info = _C.linalg_lu_factor_ex(A)[2] if A.dim() >= 2 and A.dtype.is_floating_point else None
        if info is None or _first_error(info) is None or check_errors:
            x = solve(A, B, left=left)
            return x, info if info is not None else _zeros(A.shape[:-2], dtype=_C.int32, device=A.device)
        LU, piv, _ = _C.linalg_lu_factor_ex(A)
        vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
        b = B.unsqueeze(-1) if vector else B
        x = lu_solve(LU, piv, b if left else b.mT, adjoint=not left)
        x = x if left else x.mT
        return (x.squeeze(-1) if vector else x), info
    return _named(return_types.linalg_solve_ex, "linalg_solve_ex", out, compute, A, B)


def _eps(dtype):
    from ._dtype_info import finfo
    return finfo(dtype).eps


def _positive(x):
    return bool((x > 0).all()) if isinstance(x, Tensor) else x > 0


def _tolerance(A, S, atol, rtol):
    """max(atol, rtol * largest singular value) per matrix, keepdim'd against S."""
    if rtol is None:
        rtol = 0.0 if (atol is not None and _positive(atol)) else _eps(A.dtype) * max(A.shape[-2], A.shape[-1])
    smax = S.amax(-1, keepdim=True) if S.shape[-1] else _zeros(list(S.shape[:-1]) + [1], dtype=S.dtype, device=S.device)
    tol = rtol * smax if not isinstance(rtol, Tensor) else rtol.unsqueeze(-1) * smax
    if atol is not None:
        if isinstance(atol, Tensor):
            tol = tol.maximum((atol.unsqueeze(-1) if atol.dim() else atol).to(tol.dtype))
        else:
            tol = tol.clamp_min(atol)
    return tol


def _check_pinv_input(op, A):
    if A.dim() < 2 or A.dtype not in (_C.float32, _C.float64):
        raise RuntimeError(f"{op}({A.dtype._scalar_type_name}{{{list(A.shape)}}}): expected a tensor with 2 or more "
                           "dimensions of float, double, cfloat or cdouble types")


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The Moore-Penrose pseudo-inverse from the SVD (or eigh when `hermitian`): singular values
    at or below max(atol, rtol * the largest) count as zero; rtol defaults to eps * max(m, n)
    when atol is not given (or is not positive), else to 0."""
    _check_pinv_input("linalg.pinv", A)

    def compute():
        if hermitian:
            w, V = eigh(A)
            s = w.abs()
            tol = _tolerance(A, s, atol, rtol)
            inv_w = (1 / w).masked_fill(s <= tol, 0)
            return (V * inv_w.unsqueeze(-2)).matmul(V.mT)
        U, S, Vh = svd(A, full_matrices=False)
        tol = _tolerance(A, S, atol, rtol)
        inv_s = (1 / S).masked_fill(S <= tol, 0)
        return (Vh.mT * inv_s.unsqueeze(-2)).matmul(U.mT)
    return _with_out("linalg_pinv", out, compute, A)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None, tol=None):
    """The number of singular values (eigenvalue magnitudes when `hermitian`) above
    max(atol, rtol * the largest), as int64; `tol` is torch's older name for atol (rtol 0)."""
    if not A.dtype.is_floating_point or A.dtype in (_C.float16, _C.bfloat16):
        raise RuntimeError("This function doesn't handle types other than float and double")
    if A.dim() < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    if tol is not None:
        atol, rtol = tol, 0.0

    def compute():
        S = eigvalsh(A).abs() if hermitian else svdvals(A)
        return (S > _tolerance(A, S, atol, rtol)).sum(-1)
    return _with_out("linalg_matrix_rank", out, compute, A)


def matrix_power(A, n, *, out=None):
    """A^n by repeated squaring (torch's order of products); n < 0 inverts first; n = 0 gives
    identities."""
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if not isinstance(n, numbers.Integral) or isinstance(n, bool):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {type(n).__name__}")

    def compute():
        if n == 0:
            return _eye(A.shape[-1], dtype=A.dtype, device=A.device).expand(A.shape).contiguous()
        a, k = (inv(A), -n) if n < 0 else (A, n)
        if k == 1:
            return a.clone()
        if k == 2:
            return a.matmul(a)
        if k == 3:
            return a.matmul(a).matmul(a)
        z = result = None
        while k > 0:
            bit, k = k % 2, k // 2
            z = a if z is None else z.matmul(z)
            if bit:
                result = z if result is None else result.matmul(z)
        return result
    return _with_out("linalg_matrix_power", out, compute, A)


def multi_dot(tensors, *, out=None):
    """The product of the matrices `tensors` (the first may be a row vector, the last a column
    vector), multiplied in the order of fewest flops (the matrix-chain order)."""
    tensors = list(tensors)
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    for i, t in enumerate(tensors):
        d = t.dim()
        if i == 0 and d not in (1, 2):
            raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {d}D")
        if i == n - 1 and i != 0 and d not in (1, 2):
            raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {d}D")
        if 0 < i < n - 1 and d != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {d}D")
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                               f"{tensors[0].dtype._cpp_name} and tensor {i} {t.dtype._cpp_name}")
    first_vec, last_vec = tensors[0].dim() == 1, tensors[-1].dim() == 1
    mats = [tensors[0].unsqueeze(0) if first_vec else tensors[0]] + tensors[1:-1] + \
        [tensors[-1].unsqueeze(-1) if last_vec else tensors[-1]]
    for i in range(n - 1):
        if mats[i].shape[-1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                               f"{list(tensors[i + 1].shape)} cannot be multiplied")

    def compute():
        if n == 2:
            r = mats[0].mm(mats[1])
        else:
            dims = [mats[0].shape[0]] + [m.shape[1] for m in mats]
            cost = [[0] * n for _ in range(n)]
            split = [[0] * n for _ in range(n)]
            for length in range(1, n):
                for i in range(n - length):
                    j = i + length
                    cost[i][j] = math.inf
                    for k in range(i, j):
                        c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                        if c < cost[i][j]:
                            cost[i][j], split[i][j] = c, k

            def chain(i, j):
                if i == j:
                    return mats[i]
                k = split[i][j]
                return chain(i, k).mm(chain(k + 1, j))
            r = chain(0, n - 1)
        if first_vec and last_vec:
            return r.reshape(())
        if first_vec:
            return r.squeeze(0)
        return r.squeeze(-1) if last_vec else r
    return _with_out("linalg_multi_dot", out, compute, *tensors)


_COND_ORDS = (None, 2, -2, 1, -1, math.inf, -math.inf, "fro", "nuc")


def cond(A, p=None, *, out=None):
    """The condition number in norm `p`: for None/2/-2 the ratio of the extreme singular values
    (any shape); else |A|_p |A^-1|_p (square matrices; inf where A is singular)."""
    if p not in _COND_ORDS:
        raise ValueError(f"linalg.cond got an invalid norm type: {p}")
    if A.dim() < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")

    def compute():
        if p in (None, 2, -2):
            S = svdvals(A)
            return S[..., 0] / S[..., -1] if p != -2 else S[..., -1] / S[..., 0]
        if A.shape[-1] != A.shape[-2]:
            raise RuntimeError(f"linalg.cond(ord={p}): A must be batches of square matrices, but they are "
                               f"{A.shape[-2]} by {A.shape[-1]} matrices")
        inverse, info = inv_ex(A)
        c = matrix_norm(A, p) * matrix_norm(inverse, p)
        return c.masked_fill(info > 0, math.inf) if _first_error(info) is not None else c
    return _with_out("linalg_cond", out, compute, A)


# Pade 13 coefficients (Higham 2005, scaling and squaring)
_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000.,
           10559470521600., 670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.)


def matrix_exp(A):
    """exp(A) by scaling and squaring with the degree-13 Pade approximant (Higham 2005); composite,
    so autograd differentiates it through its products and solve."""
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_exp: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_exp: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if not A.dtype.is_floating_point:
        raise NotImplementedError(f"linalg.matrix_exp: Expected a floating point or complex tensor as input. "
                                  f"Got {A.dtype._scalar_type_name}")
    n = A.shape[-1]
    if A.numel() == 0 or A.device.type == "meta":  # (the degree of squaring depends on the values)
        return A.contiguous() if not A.is_contiguous() else A.clone()
    norm1 = float(A.detach().abs().sum(-2).amax()) if n else 0.0
    theta13 = 5.371920351148152
    s = max(0, int(math.ceil(math.log2(norm1 / theta13)))) if norm1 > theta13 else 0
    X = A / (2 ** s) if s else A
    b = _PADE13
    ident = _eye(n, dtype=A.dtype, device=A.device)
    X2 = X.matmul(X)
    X4 = X2.matmul(X2)
    X6 = X4.matmul(X2)
    U = X.matmul(X6.matmul(b[13] * X6 + b[11] * X4 + b[9] * X2) + b[7] * X6 + b[5] * X4 + b[3] * X2 + b[1] * ident)
    V = X6.matmul(b[12] * X6 + b[10] * X4 + b[8] * X2) + b[6] * X6 + b[4] * X4 + b[2] * X2 + b[0] * ident
    R = solve(V - U, V + U)
    for _ in range(s):
        R = R.matmul(R)
    return R


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution of A X = B (minimum norm where A is rank deficient), from the
    SVD with singular values at or below rcond * the largest dropped (rcond default eps *
    max(m, n)). As torch's default driver ('gelsy' on CPU): rank is filled in, residuals and
    singular_values are empty; 'gelsd'/'gelss' also return the singular values, and the
    squared residuals where m > n and every matrix has full rank."""
    if driver is not None and driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    if not A.dtype.is_floating_point or A.dtype in (_C.float16, _C.bfloat16) or \
            not B.dtype.is_floating_point or B.dtype in (_C.float16, _C.bfloat16):
        raise RuntimeError("This function doesn't handle types other than float and double")
    if A.dtype is not B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's "
                           f"dtype {A.dtype._scalar_type_name} and other's dtype {B.dtype._scalar_type_name}")
    if A.dim() < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    vector = B.dim() == A.dim() - 1
    b = B.unsqueeze(-1) if vector else B
    if b.shape[-2] != A.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    driver = driver or "gelsy"
    m, n = A.shape[-2], A.shape[-1]
    if rcond is None:
        rcond = _eps(A.dtype) * max(m, n)
    U, S, Vh = svd(A, full_matrices=False)
    smax = S.amax(-1, keepdim=True) if S.shape[-1] else S.sum(-1, keepdim=True)
    keep = S > rcond * smax
    inv_s = (1 / S).masked_fill(~keep, 0)
    X = (Vh.mT * inv_s.unsqueeze(-2)).matmul(U.mT.matmul(b))
    rank = keep.sum(-1)
    empty = _zeros((0,), dtype=A.dtype, device=A.device)
    residuals = empty
    if driver != "gelsy" and m > n and bool((rank == n).all()):
        residuals = (A.matmul(X) - b).pow(2).sum(-2)
    if driver == "gels":
        rank = _zeros((0,), dtype=_C.int64, device=A.device)
    sv = S if driver in ("gelsd", "gelss") else empty
    return return_types.linalg_lstsq((X.squeeze(-1) if vector else X, residuals, rank, sv))


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of the matrices in A (torch.diagonal with the last two dims as default)."""
    return A.diagonal(offset=offset, dim1=dim1, dim2=dim2)


def vander(x, *, N=None):
    """The Vandermonde matrices of the vectors in x (*, n): powers x**0 .. x**(N-1), increasing,
    in the last dim (*, n, N); N defaults to n. Built as torch builds it (a running product), so
    the values and the gradient at 0 are its."""
    if x.dtype is _C.bool:
        raise NotImplementedError("linalg.vander supports floating point, complex, and integer tensors, but got Bool")
    n = x.shape[-1] if x.dim() else 1
    N = n if N is None else N
    if N <= 1:
        raise RuntimeError("N must be greater than 1.")
    x = x.to(_C.promote_types(x.dtype, _C.int64)) if not x.dtype.is_floating_point else x
    col = x.unsqueeze(-1)
    powers = col.expand(tuple(col.shape[:-1]) + (N - 1,)).cumprod(-1)
    return _cat([col.new_ones(tuple(col.shape)), powers], -1)


def _cat(parts, dim):
    from . import cat  # the package's op (defined after this module is imported)
    return cat(parts, dim)


def _prod(shape):
    p = 1
    for s in shape:
        p *= s
    return p


def tensorinv(A, ind=2, *, out=None):
    """The inverse of A seen as a linear map from its first `ind` dims to its others: A.reshape(
    prod(A.shape[:ind]), -1) inverted, shaped A.shape[ind:] + A.shape[:ind]."""
    if not isinstance(ind, numbers.Integral) or ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    head, tail = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    if _prod(tail) != _prod(head):
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {_prod(tail)} != {_prod(head)}")

    def compute():
        try:
            return inv(A.reshape(_prod(head), _prod(tail))).reshape(tail + head)
        except LinAlgError as e:  # torch's tensorinv goes through torch.inverse, which names itself so
            raise LinAlgError(str(e).replace("linalg.inv:", "inv:", 1)) from None
    return _with_out("linalg_tensorinv", out, compute, A)


def tensorsolve(A, B, dims=None, *, out=None):
    """X with tensordot(A, X, X.ndim) = B: A's leading B.ndim dims (after moving `dims` to the
    end) against its others, solved as one square system."""
    if dims is not None:
        nd = A.dim()
        dims = tuple(dims)
        A = A.movedim(dims, tuple(range(nd - len(dims), nd)))
    tail = tuple(A.shape[B.dim():])
    if _prod(tail) != B.numel():
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {_prod(tail)} != {B.numel()}")

    def compute():
        return solve(A.reshape(B.numel(), B.numel()), B.reshape(-1)).reshape(tail)
    return _with_out("linalg_tensorsolve", out, compute, A, B)


def householder_product(A, tau, *, out=None):
    """The first n columns of the product H_1 ... H_k of the Householder reflectors
    H_i = I - tau_i v_i v_i^H, v_i being column i of A below the diagonal with a 1 on it (as
    geqrf leaves them; LAPACK's orgqr). Applied right to left to the identity's columns, from
    differentiable ops, so the gradient flows to A and tau."""
    op = "torch.linalg.householder_product"
    if A.dim() < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    if tau.dim() != A.dim() - 1:
        raise RuntimeError(f"{op}: Expected tau to have one dimension less than input, but got tau.ndim equal to "
                           f"{tau.dim()} and input.ndim is equal to {A.dim()}")
    m, n = A.shape[-2], A.shape[-1]
    if m < n:
        raise RuntimeError(f"{op}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    k = tau.shape[-1]
    if n < k:
        raise RuntimeError(f"{op}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{op}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
                           f"{list(tau.shape[:-1])}")
    if tau.dtype is not A.dtype:
        raise RuntimeError(f"{op}: tau dtype {tau.dtype._scalar_type_name} does not match input dtype "
                           f"{A.dtype._scalar_type_name}")
    if A.dtype not in (_C.float32, _C.float64):
        raise NotImplementedError(f"\"orgqr_cpu\" not implemented for '{A.dtype._scalar_type_name}'")

    def compute():
        batch = tuple(A.shape[:-2])
        Q = _eye(m, n, dtype=A.dtype, device=A.device).expand(batch + (m, n))
        for i in range(k - 1, -1, -1):
            head = _zeros(batch + (i, 1), dtype=A.dtype, device=A.device)
            one = head.new_ones(batch + (1, 1))
            v = _cat([head, one, A[..., i + 1:, i:i + 1]], -2)  # (*, m, 1)
            Q = Q - tau[..., i:i + 1].unsqueeze(-1) * v.matmul(v.mT.matmul(Q))
        return Q.contiguous()
    return _with_out("linalg_householder_product", out, compute, A, tau)


__all__ += ["diagonal", "vander", "tensorinv", "tensorsolve", "householder_product"]
