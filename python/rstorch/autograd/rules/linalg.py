"""Backward rules of the linalg ops (see _registry for the contract).

The ops written as compositions in rstorch/_ops/linalg.py (einsum, tensordot, kron, inner,
outer, trace, diag, vecdot...) need no rule: autograd records their parts. Rules here are for
the Rust kernels, and are written in public ops so they work for double backward too.
"""

import math

import rstorch  # the rules run at backward time, on the public namespace (fully imported by then)

from ._registry import rule


def _needs(x):
    return getattr(x, "requires_grad", False)


def _kw(kwargs, name):
    v = (kwargs or {}).get(name, 1)
    return 1 if v is None else v


def _scale(t, s):
    return t if s == 1 else t * s


def _column_major(m):
    """Whether matrix `m` is laid out column-major (a transposed contiguous matrix, like the
    `weight.t()` of linear): torch's mm_mat1_backward/mm_mat2_backward test."""
    s = m.stride()
    return s[0] == 1 and s[1] == m.shape[0]


def _mm_mat1_grad(grad, m1, m2):
    """`grad @ m2.t()`, computed as `(m2 @ grad.t()).t()` when m1 is column-major so the
    gradient comes out in m1's layout (as torch does: a leaf reached through `.t()` then
    takes it without a copy)."""
    return m2.mm(grad.t()).t() if _column_major(m1) else grad.mm(m2.t())


def _mm_mat2_grad(grad, m1, m2):
    """`m1.t() @ grad`, computed as `(grad.t() @ m1).t()` when m2 is column-major (the
    `weight.t()` of linear: the weight's gradient then comes out contiguous)."""
    return grad.t().mm(m1).t() if _column_major(m2) else m1.t().mm(grad)


def _matmul_node(args, kwargs):
    """torch's matmul is dot, mv or mm for 1-D and 2-D operands (other cases run through views
    and bmm there; rstorch records one MatmulBackward0 node for them)."""
    return {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (2, 2): "MmBackward0"}.get(
        (args[0].dim(), args[1].dim()), "MatmulBackward0")


@rule("matmul", node=_matmul_node)
def matmul(grad, args, kwargs, out):
    """All of matmul's cases: 1-D operands get their dim back (prepended for the left operand,
    appended for the right) so the batched formula applies; the engine sums broadcast batch
    dims back to each input's shape."""
    a, b = args[0], args[1]
    if a.dim() == 2 and b.dim() == 2:  # torch's matmul is mm there, with mm's backward
        return (_mm_mat1_grad(grad, a, b) if _needs(a) else None, _mm_mat2_grad(grad, a, b) if _needs(b) else None)
    a2 = a.unsqueeze(0) if a.dim() == 1 else a
    b2 = b.unsqueeze(-1) if b.dim() == 1 else b
    g = grad.unsqueeze(-1) if b.dim() == 1 else grad
    g = g.unsqueeze(-2) if a.dim() == 1 else g
    ga = gb = None
    if _needs(a):
        ga = g.matmul(b2.mT)
        ga = ga.squeeze(-2) if a.dim() == 1 else ga
    if _needs(b):
        gb = a2.mT.matmul(g)
        gb = gb.squeeze(-1) if b.dim() == 1 else gb
    return ga, gb


@rule("mm")
def mm(grad, args, kwargs, out):
    a, b = args[0], args[1]
    return (_mm_mat1_grad(grad, a, b) if _needs(a) else None, _mm_mat2_grad(grad, a, b) if _needs(b) else None)


@rule("bmm")
def bmm(grad, args, kwargs, out):
    a, b = args[0], args[1]
    return (grad.bmm(b.mT) if _needs(a) else None, a.mT.bmm(grad) if _needs(b) else None)


@rule("mv")
def mv(grad, args, kwargs, out):
    m, v = args[0], args[1]
    return (grad.unsqueeze(-1) * v if _needs(m) else None, m.t().mv(grad) if _needs(v) else None)


@rule("dot")
def dot(grad, args, kwargs, out):
    a, b = args[0], args[1]
    return (grad * b if _needs(a) else None, grad * a if _needs(b) else None)


@rule("addmm")
def addmm(grad, args, kwargs, out):
    inp, m1, m2 = args[0], args[1], args[2]
    beta, alpha = _kw(kwargs, "beta"), _kw(kwargs, "alpha")
    return (_scale(grad, beta) if _needs(inp) else None,
            _scale(_mm_mat1_grad(grad, m1, m2), alpha) if _needs(m1) else None,
            _scale(_mm_mat2_grad(grad, m1, m2), alpha) if _needs(m2) else None)


@rule("addmv")
def addmv(grad, args, kwargs, out):
    inp, m, v = args[0], args[1], args[2]
    beta, alpha = _kw(kwargs, "beta"), _kw(kwargs, "alpha")
    return (_scale(grad, beta) if _needs(inp) else None,
            _scale(grad.unsqueeze(-1) * v, alpha) if _needs(m) else None,
            _scale(m.t().mv(grad), alpha) if _needs(v) else None)


@rule("baddbmm")
def baddbmm(grad, args, kwargs, out):
    inp, b1, b2 = args[0], args[1], args[2]
    beta, alpha = _kw(kwargs, "beta"), _kw(kwargs, "alpha")
    return (_scale(grad, beta) if _needs(inp) else None,
            _scale(grad.bmm(b2.mT), alpha) if _needs(b1) else None,
            _scale(b1.mT.bmm(grad), alpha) if _needs(b2) else None)


@rule("addbmm")
def addbmm(grad, args, kwargs, out):
    inp, b1, b2 = args[0], args[1], args[2]
    beta, alpha = _kw(kwargs, "beta"), _kw(kwargs, "alpha")
    g = grad.unsqueeze(0)
    return (_scale(grad, beta) if _needs(inp) else None,
            _scale(g.matmul(b2.mT), alpha) if _needs(b1) else None,
            _scale(b1.mT.matmul(g), alpha) if _needs(b2) else None)


def _tri(upper):
    def fn(grad, args, kwargs, out):
        k = args[1] if len(args) > 1 else (kwargs or {}).get("diagonal", 0)
        return (grad.triu(k) if upper else grad.tril(k),) + (None,) * (len(args) - 1)
    return fn


rule("tril")(_tri(False))
rule("triu")(_tri(True))
rule("tril_", "TrilBackward0")(_tri(False))
rule("triu_", "TriuBackward0")(_tri(True))


@rule("diag_embed")
def diag_embed(grad, args, kwargs, out):
    offset, d1, d2 = (list(args[1:]) + [0, -2, -1][len(args) - 1:])[:3]
    return (grad.diagonal(offset, d1, d2),) + (None,) * (len(args) - 1)


@rule("linalg_inv", "LinalgInvExBackward0")
def linalg_inv(grad, args, kwargs, out):
    inv_t = out.mT
    return (-(inv_t.matmul(grad).matmul(inv_t)),)


def _inv(a):
    return rstorch.linalg.inv(a)


@rule("linalg_det")
def linalg_det(grad, args, kwargs, out):
    a = args[0]
    return ((grad * out).unsqueeze(-1).unsqueeze(-1) * _inv(a).mT,)


@rule("linalg_slogdet")
def linalg_slogdet(grad, args, kwargs, out):
    a = args[0]
    g_logabs = grad[1]
    if g_logabs is None:  # the sign is piecewise constant
        return (None,)
    return (g_logabs.unsqueeze(-1).unsqueeze(-1) * _inv(a).mT,)


@rule("linalg_solve", "LinalgSolveExBackward0")
def linalg_solve(grad, args, kwargs, out):
    """X = A^-1 B: gB = A^-T G, gA = -gB X^T (B a vector, or batch of vectors, as in the op)."""
    linalg = rstorch.linalg
    a, b = args[0], args[1]
    vector = b.dim() == 1 or (b.dim() == a.dim() - 1 and tuple(b.shape) == tuple(a.shape[:-1]))
    gb = linalg.solve(a.mT, grad)
    if vector:
        ga = -(gb.unsqueeze(-1) * out.unsqueeze(-2))
    else:
        ga = -gb.matmul(out.mT)
    return (ga if _needs(a) else None, gb if _needs(b) else None)


@rule("linalg_cross")
def linalg_cross(grad, args, kwargs, out):
    linalg = rstorch.linalg
    a, b = args[0], args[1]
    dim = args[2] if len(args) > 2 else (kwargs or {}).get("dim", -1)
    return (linalg.cross(b, grad, dim=dim) if _needs(a) else None,
            linalg.cross(grad, a, dim=dim) if _needs(b) else None) + (None,) * (len(args) - 2)


@rule("linalg_matrix_norm", "LinalgMatrixNormBackward0")
def linalg_matrix_norm(grad, args, kwargs, out):
    """fro: A / |A|; +-1 and +-inf: sign(A) on the column (row) attaining the max/min, split
    evenly between ties like amax's gradient; 'nuc' and +-2 through the SVD."""
    a, ord, dim, keepdim = args[0], args[1], args[2], args[3]
    d0, d1 = sorted(d % a.dim() for d in dim)
    if not keepdim:
        grad, out = grad.unsqueeze(d0).unsqueeze(d1), out.unsqueeze(d0).unsqueeze(d1)
    r0, r1 = dim[0] % a.dim(), dim[1] % a.dim()
    if ord == "fro":
        scale = rstorch.where(out == 0, rstorch.zeros_like(out), grad / out)
        return (a * scale,) + (None,) * 3
    if ord in (1, -1, math.inf, -math.inf):
        summed, other = (r0, r1) if ord in (1, -1) else (r1, r0)
        s = a.abs().sum(summed, keepdim=True)
        # compare with s's own extreme, not with `out`: the forward may have summed in another
        # order (another layout), and one ulp of difference would lose every tie
        ext = s.amax(other, keepdim=True) if ord > 0 else s.amin(other, keepdim=True)
        mask = (s == ext).to(a.dtype)
        mask = mask / mask.sum(other, keepdim=True)
        return (a.sign() * mask * grad,) + (None,) * 3
    # 'nuc', 2, -2: functions of the singular values (the sum, the largest, the smallest), whose
    # gradient is U diag(g_S) Vh (as torch's svdvals-based composite gives)
    m = a.movedim((r0, r1), (-2, -1))
    U, S, Vh = rstorch.linalg.svd(m, full_matrices=False)
    g = grad.movedim((r0, r1), (-2, -1)).squeeze(-1)  # (..., 1) against S's (..., k)
    if ord == "nuc":
        gS = g.expand(S.shape)
    else:
        ext = S.amax(-1, keepdim=True) if ord > 0 else S.amin(-1, keepdim=True)
        mask = (S == ext).to(a.dtype)
        gS = g * mask / mask.sum(-1, keepdim=True)
    gA = (U * gS.unsqueeze(-2)).matmul(Vh)
    return (gA.movedim((-2, -1), (r0, r1)),) + (None,) * 3


# ------------------------------------------------------------------ decompositions
# torch's formulas (FunctionsManual.cpp: cholesky_backward, linalg_qr_backward,
# linalg_eig_backward for hermitian input, svd_backward, linalg_solve_triangular_backward),
# real dtypes only.

def _solve_tri(a, b, upper, left=True, unitriangular=False):
    return rstorch.linalg.solve_triangular(a, b, upper=upper, left=left, unitriangular=unitriangular)


@rule("linalg_cholesky_ex")
def linalg_cholesky_ex(grad, args, kwargs, out):
    """A = L L^T: gA = L^-T Phi(L^T gL) L^-1, Phi taking the lower triangle with its diagonal
    halved, symmetrized (Murray 2016)."""
    gL = grad[0]
    if gL is None:
        return (None, None)
    upper = args[1]
    L = out[0]
    if upper:
        L, gL = L.mT, gL.mT
    gA = L.mT.matmul(gL).tril()
    gA = 0.5 * (gA + gA.tril(-1).mT)
    gA = _solve_tri(L.mT, gA, upper=True, left=True)
    gA = _solve_tri(L, gA, upper=False, left=False)
    return (gA, None)


@rule("linalg_qr")
def linalg_qr(grad, args, kwargs, out):
    gQ, gR = grad[0], grad[1]
    mode = args[1]
    Q, R = out
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use "
                           "linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
    m, n = Q.shape[-2], R.shape[-1]
    if mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
    if gQ is None and gR is None:
        return (None, None)
    if gQ is not None:
        gA = gR.matmul(R.mT) - Q.mT.matmul(gQ) if gR is not None else -Q.mT.matmul(gQ)
    else:
        gA = gR.matmul(R.mT)
    if m >= n:
        sym = gA.triu()
        sym = sym + sym.mT
        sym = sym - 0.5 * sym.diagonal(0, -2, -1).diag_embed()
        gA = Q.matmul(sym)
        if gQ is not None:
            gA = gA + gQ
        return (_solve_tri(R.mT, gA, upper=False, left=False), None)
    X = -gA
    skew = (X - X.mT).tril()
    gA = Q.matmul(skew)
    gA = _solve_tri(R[..., :, :m].mT, gA, upper=False, left=False)
    gA = rstorch.cat([gA, rstorch.zeros(list(R.shape[:-1]) + [n - m], dtype=gA.dtype)], -1)
    if gR is not None:
        gA = gA + Q.matmul(gR)
    return (gA, None)


@rule("linalg_eigh")
def linalg_eigh(grad, args, kwargs, out):
    """A = V diag(L) V^T: gA = V (skew(V^T gV) / E + diag(gL)) V^T, E_ij = L_j - L_i."""
    gL, gV = grad[0], grad[1]
    L, V = out
    if gL is None and gV is None:
        return (None,) * len(args)
    if gV is None:
        return ((V * gL.unsqueeze(-2)).matmul(V.mT),) + (None,) * (len(args) - 1)
    VhgV = V.mT.matmul(gV)
    VhgV = 0.5 * (VhgV - VhgV.mT)
    E = L.unsqueeze(-2) - L.unsqueeze(-1)
    E = E + rstorch.ones_like(L).diag_embed()  # the diagonal of VhgV is zero: divide it by one
    gA = VhgV / E
    if gL is not None:
        gA = gA + gL.diag_embed()
    return (V.matmul(gA.matmul(V.mT)),) + (None,) * (len(args) - 1)


@rule("linalg_svd")
def linalg_svd(grad, args, kwargs, out):
    gU, gS, gVh = grad
    U, S, Vh = out
    full = args[1]
    none = (None,) * (len(args) - 1)
    if gU is None and gS is None and gVh is None:
        return (None,) + none
    k = S.shape[-1]
    if full:
        U, Vh = U[..., :, :k], Vh[..., :k, :]
        gU = gU[..., :, :k] if gU is not None else None
        gVh = gVh[..., :k, :] if gVh is not None else None
    m, n = U.shape[-2], Vh.shape[-1]
    if gU is None and gVh is None:
        return ((U * gS.unsqueeze(-2)).matmul(Vh) if m < n else U.matmul(gS.unsqueeze(-1) * Vh),) + none
    UhgU = U.mT.matmul(gU) if gU is not None else None
    VhgV = Vh.matmul(gVh.mT) if gVh is not None else None
    UhgU = UhgU - UhgU.mT if UhgU is not None else None
    VhgV = VhgV - VhgV.mT if VhgV is not None else None
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1)
    E = E + rstorch.ones_like(S).diag_embed()
    if gU is not None and gVh is not None:
        gA = (UhgU * S.unsqueeze(-2) + S.unsqueeze(-1) * VhgV) / E
    elif gU is None:
        gA = S.unsqueeze(-1) * VhgV / E
    else:
        gA = UhgU * S.unsqueeze(-2) / E
    if gS is not None:
        gA = gA + gS.diag_embed()
    if m > n and gU is not None:
        gA = U.matmul(gA)
        gUSinv = gU / S.unsqueeze(-2)
        gA = gA + gUSinv - U.matmul(U.mT.matmul(gUSinv))
        gA = gA.matmul(Vh)
    elif m < n and gVh is not None:
        gA = gA.matmul(Vh)
        SinvgVh = gVh / S.unsqueeze(-1)
        gA = gA + SinvgVh - SinvgVh.matmul(Vh.mT).matmul(Vh)
        gA = U.matmul(gA)
    else:
        gA = U.matmul(gA.matmul(Vh)) if m >= n else U.matmul(gA).matmul(Vh)
    return (gA,) + none


@rule("linalg_solve_triangular")
def linalg_solve_triangular(grad, args, kwargs, out):
    """X = A^-1 B: gB = A^-T gX, gA = -gB X^T on A's triangle (its diagonal too unless unit)."""
    a, b, upper, unit = args[0], args[1], args[2], args[3]
    gB = _solve_tri(a.mT, grad, upper=not upper, unitriangular=unit)
    gA = None
    if _needs(a):
        gA = -gB.matmul(out.mT)
        gA = gA.triu(int(unit)) if upper else gA.tril(-int(unit))
    return (gA, gB if _needs(b) else None, None, None)
