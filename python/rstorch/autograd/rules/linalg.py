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
    evenly between ties like amax's gradient."""
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
    raise NotImplementedError(f"linalg.matrix_norm backward for ord={ord!r} needs an SVD, which is not available yet")
