"""Matrix products and small linear algebra: the op-table rows (see _table.py) of
rust/core/src/ops/linalg.rs, bound in rust/python/src/tensor/linalg.rs (the `rstorch.linalg`
namespace is rstorch/linalg.py; its functions are not rows yet).

The GEMM-backed products (matmul, mm, bmm, mv, dot, addmm...) and the kernels (tril/triu,
diag_embed, the solvers) are Rust; the ops torch itself defines as compositions (einsum,
tensordot, kron, inner, outer, trace, diag...) are compositions here too, so autograd records
their parts and needs no rule of its own.
"""

import numbers
import warnings

from .. import _C, return_types
from .._out import CASTABLE, EXACT
from .._tensor import Tensor
from ._table import COMPOSITE, FUNCTION, OWN, PROMOTE, SAME, Form, Op, call_with_out, install, written, written_back


_NAMESPACE_OPS = {}


def _with_out(op, out, compute, *inputs, check=None):
    """`compute()`, written into `out` when given (torch's `out=`, not differentiable), with the
    row's check of out's dtype (exact for the `rstorch.linalg` functions, named by a string: they
    are no rows yet) or `check` where it depends on the inputs."""
    if isinstance(op, str):
        op = _NAMESPACE_OPS.get(op) or _NAMESPACE_OPS.setdefault(op, Op(op, "(*args, out=None)", out=EXACT))
    return call_with_out(op, out, lambda *_: compute(), inputs, {}, check)


def _dot_dtype(out, result):
    raise RuntimeError(f"result dtype {out.dtype._scalar_type_name} does not match input dtype "
                       f"{result.dtype._scalar_type_name}")


def _addmv_dtype(out, result):
    # torch's mv is addmv(out, mat, vec): it lists out's dtype, then the inputs'
    r = result.dtype._scalar_type_name
    raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                       f"{out.dtype._scalar_type_name}, {r}, and {r}")


def _tensordot_dtype(out, result):
    raise RuntimeError(f"tensordot: Expected the output tensor to have dtype {result.dtype._scalar_type_name}, "
                       f"but got an output tensor with dtype {out.dtype._scalar_type_name}")


def _product(check=lambda input, other: None):
    """The form `name(input, other, *, out=None)`; `check(input, other)` picks out='s dtype error
    (None: the row's)."""
    def build(op, method):
        second = list(op.parameters())[1]  # torch's name of the other operand: other, mat2, vec, tensor

        def fn(input, other, *, out=None):
            for pos, (arg, value) in enumerate((("input", input), (second, other)), 1):
                if not isinstance(value, Tensor):
                    raise TypeError(f"{op.name}(): argument '{arg}' (position {pos}) must be Tensor, not "
                                    f"{type(value).__name__}")
            return call_with_out(op, out, method, (input, other), {}, check(input, other))
        return fn
    return Form(build)


def _matmul_check(a, b):
    # the check of the product matmul becomes: dot for two vectors, mv for a matrix and a vector
    if a.dim() == 1 and b.dim() == 1:
        return _dot_dtype
    return _addmv_dtype if a.dim() == 2 and b.dim() == 1 else None




def _addbmm_dtype(out, result):
    raise RuntimeError(f"self and mat2 must have the same dtype, but got {out.dtype._scalar_type_name} "
                       f"and {result.dtype._scalar_type_name}")




def _outer(op, input, vec2, *, out=None):
    for t, what in ((input, "self"), (vec2, "vec2")):
        if t.dim() != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {what}, but got {t.dim()}-D")
    return _with_out(op, out, lambda: input.reshape(-1, 1) * vec2, input, vec2, check=CASTABLE)


def _addr(op, input, vec1, vec2, *, beta=1, alpha=1, out=None):
    def compute():
        prod = outer(vec1, vec2)
        if alpha != 1:
            prod = prod * alpha
        if beta == 0:  # input ignored (NaN does not propagate), but must broadcast
            input.expand(prod.shape)
            return prod
        return (input if beta == 1 else input * beta) + prod
    return _with_out(op, out, compute, input, vec1, vec2, check=CASTABLE)


def _tensordot(op, a, b, dims=2, out=None):
    """Contract `dims` (a count: a's last with b's first; or two lists of dims) as one mm."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.dim(), b.dim()):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(-dims, 0)), list(range(dims))  # as torch words them in errors
    else:
        da, db = dims
        da, db = ([da] if isinstance(da, int) else list(da)), ([db] if isinstance(db, int) else list(db))
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    if a.dtype is not b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[x]} "
                               f"in dim {x} and second has size {b.shape[y]} in dim {y}")
    da = [d % a.dim() if a.dim() else d for d in da]
    db = [d % b.dim() if b.dim() else d for d in db]
    free_a = [d for d in range(a.dim()) if d not in da]
    free_b = [d for d in range(b.dim()) if d not in db]
    k = _prod(a.shape[d] for d in da)
    sa, sb = [a.shape[d] for d in free_a], [b.shape[d] for d in free_b]
    lhs = a.permute(free_a + da).reshape(_prod(sa), k)
    rhs = b.permute(db + free_b).reshape(k, _prod(sb))
    return _with_out(op, out, lambda: lhs.mm(rhs).reshape(sa + sb), a, b, check=_tensordot_dtype)


def _prod(xs):
    p = 1
    for x in xs:
        p *= x
    return p


def _inner(op, input, other, *, out=None):
    if input.dim() == 0 or other.dim() == 0:
        return _with_out(op, out, lambda: input * other, input, other, check=CASTABLE)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    return _with_out(op, out, lambda: tensordot(input, other, ([-1], [-1])), input, other,
                     check=_tensordot_dtype)


def _kron(op, input, other, *, out=None):
    """Every product a[i] * b[j] at index i * b.shape + j: interleave the dims and multiply."""
    nd = max(input.dim(), other.dim())
    sa = [1] * (nd - input.dim()) + list(input.shape)
    sb = [1] * (nd - other.dim()) + list(other.shape)
    ea = input.reshape([s for x in sa for s in (x, 1)])
    eb = other.reshape([s for x in sb for s in (1, x)])
    return _with_out(op, out, lambda: (ea * eb).reshape([x * y for x, y in zip(sa, sb)]), input, other,
                     check=CASTABLE)


def trace(input):
    if input.dtype is _C.bool:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    if input.dim() != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.dim()}")
    return input.diagonal().sum()


def _tril(op, input, diagonal=0, *, out=None):
    return _with_out(op, out, lambda: input.tril(diagonal), input)


def _triu(op, input, diagonal=0, *, out=None):
    return _with_out(op, out, lambda: input.triu(diagonal), input)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    return input.diag_embed(offset, dim1, dim2)


def _diag(op, input, diagonal=0, *, out=None):
    if input.dim() == 1:
        return _with_out(op, out, lambda: input.diag_embed(diagonal, 0, 1), input)
    if input.dim() == 2:
        return _with_out(op, out, lambda: input.diagonal(diagonal).clone(), input)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.dim()}D")


def diagflat(input, offset=0):
    return input.reshape(-1).diag_embed(offset, 0, 1)


# ---------------------------------------------------------------------- torch.linalg's kernels
# (rstorch.linalg exports them under their names; torch.inverse/det/slogdet and cdist call them)

def _linalg_inv(A, *, out=None):
    return _with_out("linalg_inv", out, lambda: _C.linalg_inv(A), A)


def _linalg_det(A, *, out=None):
    return _with_out("linalg_det", out, lambda: _C.linalg_det(A), A)


def _linalg_slogdet(A, *, out=None):
    sign, logabsdet = _C.linalg_slogdet(A)
    if out is not None:
        sign, logabsdet = (_with_out("linalg_slogdet", o, lambda r=r: r, A) for o, r in zip(out, (sign, logabsdet)))
    return return_types.linalg_slogdet((sign, logabsdet))


def _linalg_vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The `ord`-norm of `x` over `dim` (all dims when None): any real `ord`, with 0 the count of
    non-zeros and +-inf the largest / smallest magnitude. `dtype` (float, no narrower than x's)
    is the dtype the norm is computed and returned in."""
    if isinstance(ord, Tensor) and ord.dim() == 0 and not ord.requires_grad:
        ord = ord.item()  # torch's Number arguments take 0-dim tensors
    if isinstance(ord, complex):
        raise RuntimeError("linalg.vector_norm: Expected a non-complex scalar as the order of norm.")
    if not isinstance(ord, numbers.Number):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not {type(ord).__name__}")
    return _with_out("linalg_vector_norm", out, lambda: x._vector_norm(ord, dim, keepdim, dtype=dtype), x)



def _inverse(op, input, *, out=None):
    return _linalg_inv(input, out=out)


def det(input):
    return _linalg_det(input)


def slogdet(input):
    """torch.slogdet: linalg.slogdet's values as a `torch.return_types.slogdet`."""
    return return_types.slogdet(tuple(_linalg_slogdet(input)))


def _cross(op, input, other, dim=None, *, out=None):
    """torch.cross: like linalg.cross, but `dim=None` means the first dim of size 3."""
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass "
                      "the dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will "
                      "change to agree with that of linalg.cross in a future release.", UserWarning,
                      stacklevel=2)
        # torch's default: the first dim of size 3 of input's own shape
        dim = next((d for d, s in enumerate(input.shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return _with_out(op, out, lambda: _C.linalg_cross(input, other, dim), input, other)


# ------------------------------------------------------ torch.* forms of the decompositions
# (rstorch/linalg.py has the torch.linalg functions; these are torch's older names over them)

def _la():
    from .. import linalg
    return linalg


_CHOLESKY_REMOVED = (
    "This function was deprecated since version 1.9 and is now removed. `torch.cholesky` is deprecated in favor of "
    "`torch.linalg.cholesky`.\nL = torch.cholesky(A) should be replaced with:\nL = torch.linalg.cholesky(A)\n"
    "U = torch.cholesky(A, upper=True) should be replaced with:\nU = torch.linalg.cholesky(A).mH")


def cholesky(input, upper=False, *, out=None):
    """Removed from torch (2.x raises this); torch.linalg.cholesky replaces it."""
    raise RuntimeError(_CHOLESKY_REMOVED)


def qr(input, some=True, *, out=None):
    """Removed from torch (2.x raises this); torch.linalg.qr replaces it."""
    raise RuntimeError(
        "This function was deprecated since version 1.9 and is now removed. `torch.qr` is deprecated in favor of "
        "`torch.linalg.qr` and the boolean parameter `some` has been replaced with a string parameter `mode`.\n\n"
        "Q, R = torch.qr(A) should be replaced with:\nQ, R = torch.linalg.qr(A, mode='reduced')\n\nand\n\n"
        "Q, R = torch.qr(A, some=False) should be replaced with:\nQ, R = torch.linalg.qr(A, mode='complete')\n\n"
        f"Since `some` was set to {some}, use mode='{'reduced' if some else 'complete'}'.")


_REMOVED = {  # torch 2.x's messages for the functions torch.linalg replaced
    "matrix_rank": "This function was deprecated since version 1.9 and is now removed.\nPlease use the "
                   "`torch.linalg.matrix_rank` function instead. The parameter 'symmetric' was renamed in "
                   "`torch.linalg.matrix_rank()` to 'hermitian'.",
    "eig": "This function was deprecated since version 1.9 and is now removed. `torch.linalg.eig` returns complex "
           "tensors of dtype `cfloat` or `cdouble` rather than real tensors mimicking complex tensors.\n\nL, _ = "
           "torch.eig(A) should be replaced with:\nL_complex = torch.linalg.eigvals(A)\n\nand\n\nL, V = "
           "torch.eig(A, eigenvectors=True) should be replaced with:\nL_complex, V_complex = torch.linalg.eig(A)",
    "lstsq": "This function was deprecated since version 1.9 and is now removed. `torch.lstsq` is deprecated in "
             "favor of `torch.linalg.lstsq`.\n`torch.linalg.lstsq` has reversed arguments and does not return the "
             "QR decomposition in the returned tuple (although it returns other information about the problem)."
             "\n\nTo get the QR decomposition consider using `torch.linalg.qr`.\n\nThe returned solution in "
             "`torch.lstsq` stored the residuals of the solution in the last m - n columns of the returned value "
             "whenever m > n. In torch.linalg.lstsq, the residuals are in the field 'residuals' of the returned "
             "named tuple.\n\nThe unpacking of the solution, as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]"
             "\nshould be replaced with:\nX = torch.linalg.lstsq(A, B).solution",
    "symeig": "This function was deprecated since version 1.9 and is now removed. The default behavior has changed "
              "from using the upper triangular portion of the matrix by default to using the lower triangular "
              "portion.\n\nL, _ = torch.symeig(A, upper=upper) should be replaced with:\nL = "
              "torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\nL, V = torch.symeig(A, "
              "eigenvectors=True) should be replaced with:\nL, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')",
    "solve": "This function was deprecated since version 1.9 and is now removed. `torch.solve` is deprecated in "
             "favor of `torch.linalg.solve`. `torch.linalg.solve` has its arguments reversed and does not return the "
             "LU factorization.\n\nTo get the LU factorization see `torch.lu`, which can be used with "
             "`torch.lu_solve` or `torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced with:\nX = "
             "torch.linalg.solve(A, B)",
}


def matrix_rank(input, tol=None, symmetric=False, *, out=None):
    raise RuntimeError(_REMOVED["matrix_rank"])


def eig(input, eigenvectors=False, *, out=None):
    raise RuntimeError(_REMOVED["eig"])


def lstsq(input, A, *, out=None):
    raise RuntimeError(_REMOVED["lstsq"])


def symeig(input, eigenvectors=False, upper=True, *, out=None):
    raise RuntimeError(_REMOVED["symeig"])


def solve(input, A, *, out=None):
    raise RuntimeError(_REMOVED["solve"])


_LU_DEPRECATED = (
    "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and will be removed in a "
    "future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\nshould be replaced with\nLU, pivots = "
    "torch.linalg.lu_factor(A, compute_pivots)\nand\nLU, pivots, info = torch.lu(A, compute_pivots, "
    "get_infos=True)\nshould be replaced with\nLU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)")
_LU_SOLVE_DEPRECATED = (
    "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a future PyTorch release."
    "\nNote that torch.linalg.lu_solve has its arguments reversed.\nX = torch.lu_solve(B, LU, pivots)\nshould be "
    "replaced with\nX = torch.linalg.lu_solve(LU, pivots, B)")
_warned = set()


def _warn_once(message):
    if message not in _warned:  # torch's TORCH_WARN_ONCE
        _warned.add(message)
        warnings.warn(message, UserWarning, stacklevel=3)


def lu(A, pivot=True, get_infos=False, out=None):
    """torch.lu (deprecated): `(LU, pivots)`, with the per-matrix `infos` when `get_infos`
    (else a singular matrix raises, as lu_factor does)."""
    _warn_once(_LU_DEPRECATED)
    la = _la()
    if get_infos:
        LU, piv, info = la.lu_factor_ex(A, pivot=pivot)
        result = return_types._lu_with_info((LU, piv, info))
    else:
        result = tuple(la.lu_factor(A, pivot=pivot))
    if out is None:
        return result
    from .._out import write_outs
    return write_outs("lu", out, result, [None] * len(result))


def lu_solve(b, LU_data, LU_pivots, *, out=None):
    """torch.lu_solve (deprecated): linalg.lu_solve with the right-hand side first."""
    _warn_once(_LU_SOLVE_DEPRECATED)
    return _la().lu_solve(LU_data, LU_pivots, b, out=out)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """`(P, L, U)` from lu_factor's `(LU, pivots)`; P, or L and U, are empty when not asked for."""
    la = _la()
    if LU_pivots.dtype is not _C.int32:
        raise RuntimeError("torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype.\n"
                           "Note: this function is intended to be used with the output produced by torch.linalg.lu_factor")
    m, n = LU_data.shape[-2], LU_data.shape[-1]
    k = min(m, n)
    empty = LU_data.new_empty((0,))
    if unpack_data:
        eye = la._eye(m, k, dtype=LU_data.dtype, device=LU_data.device)
        L, U = LU_data[..., :, :k].tril(-1) + eye, LU_data[..., :k, :].triu()
    else:
        L = U = empty
    if unpack_pivots:
        perm = la._permutation(LU_pivots, m)
        P = (perm.unsqueeze(-2) == la._arange(m).unsqueeze(-1)).to(LU_data.dtype)
    else:
        P = empty
    result = return_types.lu_unpack((P, L, U))
    if out is None:
        return result
    from .._out import write_outs
    return write_outs("lu_unpack", out, result, [None] * 3)


def _svd(op, input, some=True, compute_uv=True, *, out=None):
    """torch.svd: (U, S, V) (V, not Vh), reduced unless `some=False`; without `compute_uv`, U
    and V are zero m x m and n x n matrices."""
    la = _la()

    def compute():
        if not compute_uv:
            S = la.svdvals(input)
            m, n = input.shape[-2], input.shape[-1]
            batch = list(input.shape[:-2])
            from .._creation import zeros
            return (zeros(batch + [m, m], dtype=input.dtype), S, zeros(batch + [n, n], dtype=input.dtype))
        U, S, Vh = la.svd(input, full_matrices=not some)
        return U, S, Vh.mT
    return return_types.svd(tuple(_with_out(op, out, compute, input)))


def pinverse(input, rcond=1e-15):
    return _la().pinv(input, rtol=rcond)


def _matrix_power(op, input, n, *, out=None):
    return _with_out(op, out, lambda: _la().matrix_power(input, n), input)


def _cholesky_solve(op, input, input2, upper=False, *, out=None):
    """X with A X = B for A = L L^T (U^T U when `upper`) given its factor `input2`."""
    la = _la()

    def compute():
        L = input2.mT if upper else input2
        y = la.solve_triangular(L, input, upper=False)
        return la.solve_triangular(L.mT, y, upper=True)
    return _with_out(op, out, compute, input, input2)


def _cholesky_inverse(op, input, upper=False, *, out=None):
    from .._creation import eye
    if input.dim() < 2:
        raise RuntimeError("cholesky_inverse: The input tensor A must have at least 2 dimensions.")
    if input.shape[-2] != input.shape[-1]:
        raise RuntimeError(f"cholesky_inverse: A must be batches of square matrices, but they are {input.shape[-2]} "
                           f"by {input.shape[-1]} matrices")
    if input.dtype not in (_C.float32, _C.float64):
        raise NotImplementedError(f"\"cholesky_inverse_out_cpu\" not implemented for '{input.dtype._scalar_type_name}'")
    n = input.shape[-1]
    return _with_out(op, out, lambda: _cholesky_solve(op, eye(n, dtype=input.dtype, device=input.device).expand(input.shape), input, upper),
                     input)


def _triangular_solve(op, input, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """torch.triangular_solve (deprecated): (solution of A X = input, or A^T X = input when
    `transpose`; a copy of A)."""
    warnings.warn("torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will be removed "
                  "in a future PyTorch release.\ntorch.linalg.solve_triangular has its arguments reversed and does "
                  "not return a copy of one of the inputs.\nX = torch.triangular_solve(B, A).solution\nshould be "
                  "replaced with\nX = torch.linalg.solve_triangular(A, B).", UserWarning, stacklevel=2)
    if A.dim() >= 2 and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"A must be batches of square matrices, but they are {A.shape[-2]} by {A.shape[-1]} matrices")
    la = _la()

    def compute():
        a = A.mT if transpose else A
        x = la.solve_triangular(a, input, upper=upper != transpose, unitriangular=unitriangular)
        return x, A.clone()
    return return_types.triangular_solve(tuple(_with_out(op, out, compute, input, A)))


def matrix_exp(input):
    return _la().matrix_exp(input)


# ---------------------------------------------------------------------------------- einsum


def _parse_term(start, term, ndim, index):
    """Labels of one operand: letters as themselves, '...' dims as -1, -2... counted from the
    right (so operands' ellipses broadcast together)."""
    labels, ell, i = [], None, 0
    while i < len(term):
        c = term[i]
        if term.startswith("...", i):
            if ell is not None:
                raise RuntimeError("einsum(): found '.' for operand %d for which an ellipsis was already found" % index)
            ell = len(labels)
            i += 3
            continue
        if not c.isalpha() or not c.isascii():
            raise RuntimeError(f"einsum(): invalid subscript given at index {start + i} in the equation "
                               "string, subscripts must be in [a-zA-Z]")
        labels.append(c)
        i += 1
    if ell is None:
        if len(labels) != ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(labels)}) does not match "
                               f"the number of dimensions ({ndim}) for operand {index} and no ellipsis was given")
        return labels
    n_ell = ndim - len(labels)
    if n_ell < 0:
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(labels)}) is more than "
                           f"the number of dimensions ({ndim}) for operand {index}")
    return labels[:ell] + [-(n_ell - j) for j in range(n_ell)] + labels[ell:]


def _sublist_subscript(n):
    if n is Ellipsis:
        return "..."
    if 0 <= n < 26:
        return chr(ord("A") + n)
    if 26 <= n < 52:
        return chr(ord("a") + n - 26)
    raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")


def _sublist_equation(args):
    """einsum's sublist form, `einsum(a, [0, 1], b, [1, 2], [0, 2])` (operands interleaved with
    their subscript lists, an optional output list last), as torch turns it into an equation:
    0-25 are 'A'-'Z', 26-51 'a'-'z', Ellipsis '...'."""
    equation = ",".join("".join(_sublist_subscript(s) for s in sub) for sub in args[1::2])
    if len(args) % 2 == 1:
        return equation + "->" + "".join(_sublist_subscript(s) for s in args[-1]), list(args[:-1:2])
    return equation, list(args[::2])


def einsum(*args):
    """`einsum(equation, *operands)`: repeated labels within an operand become diagonals,
    labels used nowhere else are summed, and each pair of operands is contracted with one bmm
    (batch labels x kept labels x contracted labels) after permute/reshape, or, when that would
    not be a matrix product, with a broadcast multiply (and a sum over the contracted labels)."""
    if len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one operand, or at least one "
                         "operand and its subscripts list")
    if isinstance(args[0], _C.TensorBase):
        equation, operands = _sublist_equation(args)
    else:
        equation, operands = args[0], list(args[1:])
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = list(operands[0])
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms, labels, pos = lhs.split(","), [], 0
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    for i, (term, t) in enumerate(zip(terms, operands)):
        labels.append(_parse_term(pos, term, t.dim(), i))
        pos += len(term) + 1
    n_ell = max([-min([l for l in ls if isinstance(l, int)], default=0) for ls in labels], default=0)
    if arrow:
        out_labels, i = [], 0
        while i < len(rhs):
            if rhs.startswith("...", i):
                out_labels += [-(n_ell - j) for j in range(n_ell)]
                i += 3
                continue
            c = rhs[i]
            if not (c.isalpha() and c.isascii()):
                raise RuntimeError(f"einsum(): invalid subscript given at index {len(lhs) + 2 + i} in the "
                                   "equation string, subscripts must be in [a-zA-Z]")
            if c in out_labels:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
            if not any(c in ls for ls in labels):
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input operand")
            out_labels.append(c)
            i += 1
    else:
        counts = {}
        for ls in labels:
            for c in ls:
                if isinstance(c, str):
                    counts[c] = counts.get(c, 0) + 1
        out_labels = [-(n_ell - j) for j in range(n_ell)] + sorted(c for c, n in counts.items() if n == 1)

    # sizes: each label one size (size 1 broadcasts)
    sizes = {}
    ops = []
    for i, (t, ls) in enumerate(zip(operands, labels)):
        t, ls = _diagonals(t, ls, i)
        for c, s in zip(ls, t.shape):
            seen = sizes.get(c, 1)
            if s != 1 and seen != 1 and s != seen:
                name = c if isinstance(c, str) else "..."
                raise RuntimeError(f"einsum(): subscript {name} has size {s} for operand {i} which does not "
                                   f"broadcast with previously seen size {seen}")
            if c not in sizes or seen == 1:
                sizes[c] = s
        ops.append((t, ls))

    def needed_after(k):
        need = set(out_labels)
        for _, ls in ops[k:]:
            need.update(ls)
        return need

    # sum labels no other operand and not the output uses
    for k, (t, ls) in enumerate(ops):
        others = set(out_labels)
        for j, (_, ls2) in enumerate(ops):
            if j != k:
                others.update(ls2)
        drop = [d for d, c in enumerate(ls) if c not in others]
        if drop:
            t = t.sum(drop, dtype=t.dtype)  # einsum keeps integer dtypes
            ls = [c for c in ls if c in others]
        ops[k] = (t, ls)

    t, ls = ops[0]
    for k in range(1, len(ops)):
        t, ls = _contract(t, ls, ops[k][0], ops[k][1], needed_after(k + 1), sizes)
    # labels the output never names were summed above; order (and broadcast) as the output asks
    perm = [ls.index(c) for c in out_labels]
    t = t.permute(perm)
    return t.expand([sizes[c] for c in out_labels]) if list(t.shape) != [sizes[c] for c in out_labels] else t


def _diagonals(t, ls, index):
    """Take the diagonal of every label repeated within one operand."""
    ls = list(ls)
    while True:
        dup = next((c for c in ls if ls.count(c) > 1), None)
        if dup is None:
            return t, ls
        d1 = ls.index(dup)
        d2 = ls.index(dup, d1 + 1)
        if t.shape[d1] != t.shape[d2]:
            raise RuntimeError(f"einsum(): subscript {dup} is repeated for operand {index} but the sizes "
                               f"don't match, {t.shape[d2]} != {t.shape[d1]}")
        t = t.diagonal(0, d1, d2)
        ls = [c for j, c in enumerate(ls) if j not in (d1, d2)] + [dup]


def _contract(a, la, b, lb, keep, sizes):
    """a (labels la) times b (labels lb): labels in both and still needed are batch dims,
    labels in both and not needed are summed (contracted), the rest stay: one bmm, unless
    that bmm would not be a matrix product (see below)."""
    batch = [c for c in la if c in lb and c in keep]
    contr = [c for c in la if c in lb and c not in keep]
    only_a = [c for c in la if c not in lb]
    only_b = [c for c in lb if c not in la]
    out = batch + only_a + only_b
    # With nothing contracted ('ij,ij->ij', 'i,j->ij') the bmm would multiply 1-wide matrices,
    # and with no free labels on either side ('bij,bij->bi') it would be a batch of 1 x 1
    # products: both are elementwise work, so broadcast-multiply instead (torch multiplies too
    # when nothing is summed). A bool contraction keeps the bmm, whose error torch raises.
    if not contr or (batch and not only_a and not only_b and a.dtype is not _C.bool):
        prod = _aligned(a, la, out + contr) * _aligned(b, lb, out + contr)
        if contr:
            prod = prod.sum(list(range(len(out), len(out) + len(contr))), dtype=prod.dtype)
        return prod, out

    def arrange(t, ls, groups):
        order = [ls.index(c) for g in groups for c in g]
        t = t.permute(order)
        full = [sizes[c] for g in groups for c in g]
        if list(t.shape) != full:
            t = t.expand(full)
        return t.reshape([_prod(sizes[c] for c in g) for g in groups])

    lhs = arrange(a, la, (batch, only_a, contr))
    rhs = arrange(b, lb, (batch, contr, only_b))
    return lhs.bmm(rhs).reshape([sizes[c] for c in out]), out


def _aligned(t, ls, labels):
    """`t` (dims labelled `ls`) with its dims in the order of `labels`, size 1 where it lacks
    one, so that operands aligned the same way broadcast together."""
    present = [c for c in labels if c in ls]
    t = t.permute([ls.index(c) for c in present])
    size = dict(zip(present, t.shape))
    return t.reshape([size.get(c, 1) for c in labels])


# ------------------------------------------------------------------ the rows

def _add_product(name, signature, check=EXACT):
    """addmm-like: `beta * input + alpha * (a @ b)`, a kernel; the in-place form writes it back."""
    return Op(name, signature, PROMOTE, name, inplace=written_back(getattr(Tensor, name)), out=check)


_BINARY = "(input, other, *, out=None)"
_SCALED = ", *, beta=1, alpha=1, out=None)"

OPS = [
    Op("matmul", _BINARY, PROMOTE, "matmul", _product(_matmul_check), out=EXACT),
    Op("mm", "(input, mat2, *, out=None)", PROMOTE, "mm", _product(), out=EXACT),
    Op("bmm", "(input, mat2, *, out=None)", PROMOTE, "bmm", _product(), out=EXACT),
    Op("mv", "(input, vec, *, out=None)", PROMOTE, "mv", _product(lambda input, other: _addmv_dtype), out=EXACT),
    Op("dot", "(input, tensor, *, out=None)", PROMOTE, "dot", _product(lambda input, other: _dot_dtype), out=EXACT),
    Op("vdot", _BINARY, PROMOTE, "dot", _product(lambda input, other: _dot_dtype), out=EXACT),
    _add_product("addmm", "(input, mat1, mat2" + _SCALED),
    Op("addmv", "(input, mat, vec" + _SCALED, PROMOTE, "addmv", inplace=written_back(Tensor.addmv),
       inplace_function=True, out=EXACT),
    _add_product("baddbmm", "(input, batch1, batch2" + _SCALED),
    _add_product("addbmm", "(input, batch1, batch2" + _SCALED, _addbmm_dtype),
    Op("outer", "(input, vec2, *, out=None)", PROMOTE, COMPOSITE, written(_outer), FUNCTION, aliases=("ger",),
       out=CASTABLE),
    Op("addr", "(input, vec1, vec2" + _SCALED, PROMOTE, COMPOSITE, written(_addr), FUNCTION,
       written_back(lambda self, *a, **k: addr(self, *a, **k)), out=CASTABLE),
    Op("tensordot", "(a, b, dims=2, out=None)", PROMOTE, COMPOSITE, written(_tensordot), False,
       out=_tensordot_dtype),
    Op("inner", _BINARY, PROMOTE, COMPOSITE, written(_inner), FUNCTION, out=_tensordot_dtype),
    Op("kron", _BINARY, PROMOTE, COMPOSITE, written(_kron), FUNCTION, out=CASTABLE),
    Op("einsum", "(*args)", OWN, COMPOSITE, einsum, False),
    Op("trace", "(input)", OWN, COMPOSITE, trace, trace),
    Op("tril", "(input, diagonal=0, *, out=None)", SAME, "tril", written(_tril), inplace=True, out=EXACT),
    Op("triu", "(input, diagonal=0, *, out=None)", SAME, "triu", written(_triu), inplace=True, out=EXACT),
    Op("diag", "(input, diagonal=0, *, out=None)", SAME, COMPOSITE, written(_diag), FUNCTION, out=EXACT),
    Op("diag_embed", "(input, offset=0, dim1=-2, dim2=-1)", SAME, "diag_embed"),
    Op("diagflat", "(input, offset=0)", SAME, COMPOSITE, diagflat, diagflat),
    Op("inverse", "(input, *, out=None)", SAME, "linalg_inv", written(_inverse), FUNCTION, out=EXACT),
    Op("det", "(input)", SAME, "linalg_det", det, det),
    Op("slogdet", "(input)", OWN, "linalg_slogdet", slogdet, slogdet),
    Op("cross", "(input, other, dim=None, *, out=None)", PROMOTE, "linalg_cross", written(_cross), FUNCTION,
       out=EXACT),
    Op("cholesky", "(input, upper=False, *, out=None)", SAME, COMPOSITE, cholesky, cholesky),
    Op("qr", "(input, some=True, *, out=None)", OWN, COMPOSITE, qr, qr),
    Op("svd", "(input, some=True, compute_uv=True, *, out=None)", OWN, COMPOSITE, written(_svd), FUNCTION),
    Op("pinverse", "(input, rcond=1e-15)", SAME, COMPOSITE, pinverse, pinverse),
    Op("matrix_power", "(input, n, *, out=None)", SAME, COMPOSITE, written(_matrix_power), FUNCTION, out=EXACT),
    Op("cholesky_solve", "(input, input2, upper=False, *, out=None)", SAME, COMPOSITE, written(_cholesky_solve),
       FUNCTION, out=EXACT),
    Op("cholesky_inverse", "(input, upper=False, *, out=None)", SAME, COMPOSITE, written(_cholesky_inverse),
       FUNCTION, out=EXACT),
    Op("triangular_solve", "(input, A, upper=True, transpose=False, unitriangular=False, *, out=None)", OWN,
       COMPOSITE, written(_triangular_solve), FUNCTION),
    Op("matrix_exp", "(input)", SAME, COMPOSITE, matrix_exp, matrix_exp),
    # removed from torch 2.x (they raise its message)
    Op("matrix_rank", "(input, tol=None, symmetric=False, *, out=None)", OWN, None, matrix_rank, False),
    Op("eig", "(input, eigenvectors=False, *, out=None)", OWN, None, eig, eig),
    Op("lstsq", "(input, A, *, out=None)", OWN, None, lstsq, lstsq),
    Op("symeig", "(input, eigenvectors=False, upper=True, *, out=None)", OWN, None, symeig, symeig),
    Op("solve", "(input, A, *, out=None)", OWN, None, solve, solve),
    Op("lu", "(A, pivot=True, get_infos=False, out=None)", OWN, COMPOSITE, lu, lu),
    Op("lu_solve", "(b, LU_data, LU_pivots, *, out=None)", SAME, COMPOSITE, lu_solve, lu_solve),
    Op("lu_unpack", "(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None)", OWN, COMPOSITE,
       lu_unpack, False),
]

__all__ = install(OPS, globals(), Tensor)
