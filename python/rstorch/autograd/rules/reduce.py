"""Backward rules of the reductions, scans and softmax (sum and mean are in rules/core.py).

The Rust bindings record these ops with the user's options as keywords (`dim`, `keepdim`,
`correction`, `p`/`ord`, `dtype`), so every rule reads `kwargs`. Gradients of reductions are
made broadcastable to the input by re-inserting the reduced dims (`_unsqueeze_back`); ties of
amax/amin (and max()/min() without dim) share the gradient evenly, max(dim)/min(dim) and
cummax/cummin route it to the recorded index, as torch does.
"""

import builtins

import rstorch  # the rules run at backward time, on the public namespace (fully imported by then)

from ... import _C
from ._registry import rule


def _dims(kwargs, ndim):
    """The reduced dims, sorted and non-negative (all dims when dim is None or empty)."""
    dim = kwargs.get("dim")
    if dim is None:
        return list(range(ndim))
    dims = [dim] if isinstance(dim, int) else list(dim)
    if not dims or ndim == 0:
        return list(range(ndim))
    return sorted({d % ndim for d in dims})


def _unsqueeze_back(g, x, kwargs):
    """`g` (a reduction's output or gradient) with the reduced dims back as size 1."""
    if kwargs.get("keepdim") or x.dim() == 0:
        return g
    for d in _dims(kwargs, x.dim()):
        g = g.unsqueeze(d)
    return g


def _count(x, kwargs):
    n = 1
    for d in _dims(kwargs, x.dim()):
        n *= x.shape[d]
    return n


def _sign(x):
    return (x > 0).to(x.dtype) - (x < 0).to(x.dtype)


def _where(cond, a, b):
    return rstorch.where(cond, a, b)


@rule("nansum")
def nansum(grad, args, kwargs, out):
    x = args[0]
    return (_unsqueeze_back(grad, x, kwargs) * (x == x),)


@rule("nanmean")
def nanmean(grad, args, kwargs, out):
    x = args[0]
    keep = x == x
    n = keep.sum(_dims(kwargs, x.dim()), keepdim=True)
    return (_unsqueeze_back(grad, x, kwargs) * keep / n,)


def _products_before(x, d):
    """x_0 * ... * x_{j-1} at each position j along dim d (1 at the first)."""
    one = rstorch.ones_like(x.narrow(d, 0, 1))
    return rstorch.cat([one, x.narrow(d, 0, x.shape[d] - 1)], d).cumprod(d)


def _exclusive_products(x, d):
    """For each element, the product of the others of its line along dim d: the products
    before it times the products after it. No division, so exact at zeros and differentiable
    again (torch's prod_safe_zeros_backward)."""
    if x.shape[d] == 0:
        return x
    return _products_before(x, d) * _products_before(x.flip(d), d).flip(d)


@rule("prod", node=lambda args, kwargs: "ProdBackward0" if kwargs.get("dim") is None else "ProdBackward1")
def prod(grad, args, kwargs, out):
    # d out / d x_i = the product of the other elements of x_i's slice
    x = args[0]
    if x.dim() == 0:
        return (grad,)
    if kwargs.get("dim") is None:
        return (grad * _exclusive_products(x.reshape(-1), 0).reshape(x.shape),)
    d = kwargs["dim"] % x.dim()
    return (_unsqueeze_back(grad, x, kwargs) * _exclusive_products(x, d),)


def _even_share(grad, x, out, kwargs, nan_ties=False):
    """The gradient of an extreme, shared evenly among the elements equal to it (`nan_ties`: a
    NaN extreme is shared among the NaNs, as torch's max()/min(); amax/amin give NaN there)."""
    o = _unsqueeze_back(out, x, kwargs)
    mask = x == o
    if nan_ties:
        mask = mask | (x.isnan() & o.isnan())
    mask = mask.to(grad.dtype)
    return _unsqueeze_back(grad, x, kwargs) * mask / mask.sum(_dims(kwargs, x.dim()), keepdim=True)


@rule("amax")
def amax(grad, args, kwargs, out):
    return (_even_share(grad, args[0], out, kwargs),)


@rule("amin")
def amin(grad, args, kwargs, out):
    return (_even_share(grad, args[0], out, kwargs),)


def _to_index(grad, x, indices, kwargs):
    """The gradient of max(dim)/min(dim): each output's gradient goes to its index."""
    if x.dim() == 0:
        return grad
    d = kwargs["dim"] % x.dim()
    g = _unsqueeze_back(grad, x, kwargs)
    idx = _unsqueeze_back(indices, x, kwargs)
    shape = [1] * x.dim()
    shape[d] = x.shape[d]
    positions = rstorch.arange(x.shape[d], device=x.device).view(shape)
    return g * (positions == idx).to(g.dtype)


def _max_rule(grad, args, kwargs, out):
    x = args[0]
    if "dim" not in kwargs:   # max()/min() of all elements: ties share
        return (_even_share(grad, x, out, {}, nan_ties=True),)
    g = grad[0]
    if g is None:
        return (None,)
    return (_to_index(g, x, out[1], kwargs),)


# torch: MaxBackward1 for the max of all elements, MaxBackward0 for (values, indices) over a dim
rule("max", node=lambda args, kwargs: "MaxBackward0" if "dim" in kwargs else "MaxBackward1")(_max_rule)
rule("min", node=lambda args, kwargs: "MinBackward0" if "dim" in kwargs else "MinBackward1")(_max_rule)


@rule("aminmax")
def aminmax(grad, args, kwargs, out):
    x = args[0]
    total = None
    for g, o in zip(grad, out):
        if g is not None:
            part = _even_share(g, x, o, kwargs)
            total = part if total is None else total + part
    return (total,)


def _moments_grad(x, kwargs, g_var=None, g_std=None, std=None, g_mean=None):
    dims = _dims(kwargs, x.dim())
    n = _count(x, kwargs)
    dof = builtins.max(n - kwargs.get("correction", 1.0), 0)
    total = None
    centered = x - x.mean(dims, keepdim=True)
    if g_var is not None:
        total = _unsqueeze_back(g_var, x, kwargs) * 2 * centered / dof
    if g_std is not None:
        # d std = d var / (2 std); torch takes it as 0 where std == 0 (constant slices)
        s = _unsqueeze_back(std, x, kwargs)
        part = _unsqueeze_back(g_std, x, kwargs) * centered / (dof * _where(s == 0, 1, s))
        total = part if total is None else total + part
    if g_mean is not None:
        part = _unsqueeze_back(g_mean, x, kwargs) / n
        total = part if total is None else total + part
    return total


@rule("var")
def var(grad, args, kwargs, out):
    return (_moments_grad(args[0], kwargs, g_var=grad),)


@rule("std")
def std(grad, args, kwargs, out):
    return (_moments_grad(args[0], kwargs, g_std=grad, std=out),)


@rule("var_mean")
def var_mean(grad, args, kwargs, out):
    return (_moments_grad(args[0], kwargs, g_var=grad[0], g_mean=grad[1]),)


@rule("std_mean")
def std_mean(grad, args, kwargs, out):
    return (_moments_grad(args[0], kwargs, g_std=grad[0], std=out[0], g_mean=grad[1]),)


def _norm_grad(grad, x, out, p, kwargs):
    g = _unsqueeze_back(grad, x, kwargs)
    o = _unsqueeze_back(out, x, kwargs)
    if p == 0:
        return None   # torch: no gradient (an undefined one) for the 0-"norm"
    if p == 1:
        return g * _sign(x)
    if p == float("inf") or p == float("-inf"):
        mask = ((x * _sign(x)) == o).to(g.dtype)
        return g * _sign(x) * mask / mask.sum(_dims(kwargs, x.dim()), keepdim=True)
    if p == 2:
        return g * x / _where(o == 0, 1, o)   # 0 at a zero norm, like torch
    a = x * _sign(x)
    if p < 1:
        # torch's norm_backward: the terms at x == 0 are 0 (not inf * 0), and all are 0 at a
        # zero norm of a negative p
        return _sign(x) * _where(x == 0, 0.0, a ** (p - 1)) * g * o ** (1 - p)
    return g * _sign(x) * a ** (p - 1) / _where(o == 0, 1, o ** (p - 1))


@rule("norm", node="LinalgVectorNormBackward0")   # torch's Tensor.norm is linalg.vector_norm
def norm(grad, args, kwargs, out):
    return (_norm_grad(grad, args[0], out, kwargs.get("p", 2.0), kwargs),)


@rule("linalg_vector_norm", node="LinalgVectorNormBackward0")
def linalg_vector_norm(grad, args, kwargs, out):
    return (_norm_grad(grad, args[0], out, kwargs.get("ord", 2.0), kwargs),)


@rule("logsumexp")
def logsumexp(grad, args, kwargs, out):
    x = args[0]
    return (_unsqueeze_back(grad, x, kwargs) * (x - _unsqueeze_back(out, x, kwargs)).exp(),)


def _rev_cumsum(g, dim):
    """Sum over positions >= k along dim (the transpose of cumsum)."""
    return g.sum(dim, keepdim=True) - g.cumsum(dim) + g


@rule("cumsum")
def cumsum(grad, args, kwargs, out):
    x = args[0]
    if x.dim() == 0:
        return (grad,)
    return (_rev_cumsum(grad, kwargs["dim"]),)


@rule("cumprod")
def cumprod(grad, args, kwargs, out):
    # d out_k / d x_j = prod_{i <= k, i != j} x_i for k >= j
    x = args[0]
    if x.dim() == 0:
        return (grad,)
    d = kwargs["dim"]
    zero = x == 0
    if not bool(zero.any()):
        return (_rev_cumsum(grad * out, d) / x,)   # = out_k / x_j
    if _C.is_grad_enabled():   # a double backward: the form without masks (as torch)
        return (_cumprod_grad_recurrence(grad, x, d % x.dim()),)
    # Before the first zero of a line the derivative is out_k / x_j; at the first zero z it is
    # out_{z-1} * x_{z+1} ... x_k, the cumprod of the line with x_z set to 1; after it every
    # product holds x_z = 0.
    zeros_so_far = zero.to(grad.dtype).cumsum(d)
    before = zeros_so_far == 0
    first_zero = zero & (zeros_so_far == 1)
    g_before = _rev_cumsum(grad * out, d) / _where(before, x, 1)
    g_first = _rev_cumsum(grad * _where(first_zero, 1, x).cumprod(d), d)
    return (_where(before, g_before, _where(first_zero, g_first, 0)),)


def _cumprod_grad_recurrence(grad, x, d):
    """cumprod's gradient as (x_0 ... x_{j-1}) * S_j with S_j = g_j + x_{j+1} * S_{j+1}: no
    division and no masks, so its own derivatives are right at zeros too (the masked form's
    zeros after a line's first zero have nonzero derivatives). One step per element of the dim,
    like torch's double-backward form."""
    n = x.shape[d]
    s = grad.select(d, n - 1)
    parts = [s]
    for j in range(n - 2, -1, -1):
        s = grad.select(d, j) + x.select(d, j + 1) * s
        parts.append(s)
    return _products_before(x, d) * rstorch.stack(parts[::-1], d)


def _cum_extreme(grad, args, kwargs, out):
    g = grad[0]
    if g is None:
        return (None,)
    x = args[0]
    if x.dim() == 0:
        return (g,)
    return (rstorch.zeros_like(g).scatter_add(kwargs["dim"], out[1], g),)


rule("cummax")(_cum_extreme)
rule("cummin")(_cum_extreme)


@rule("logcumsumexp")
def logcumsumexp(grad, args, kwargs, out):
    # d out_k / d x_j = exp(x_j - out_k) for k >= j
    x = args[0]
    if x.dim() == 0:
        return (grad,)
    return (_rev_cumsum(grad * (-out).exp(), kwargs["dim"]) * x.exp(),)


@rule("softmax")
def softmax(grad, args, kwargs, out):
    d = kwargs["dim"]
    return (out * (grad - (grad * out).sum(d, keepdim=True)),)


@rule("log_softmax")
def log_softmax(grad, args, kwargs, out):
    d = kwargs["dim"]
    return (grad - out.exp() * grad.sum(d, keepdim=True),)
