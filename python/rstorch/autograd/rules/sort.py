"""Backward rules of the sort ops (see _registry for the contract).

The bindings record these ops as `name(self, **every_argument)` (quantile and nanquantile as
`name(self, q, ...)`: q may require grad), so the rules read their arguments from kwargs. A
selection's gradient goes back to the selected elements (scattered at the returned indices);
median/nanmedian over all elements spread it evenly over the elements equal to the result, as
torch does. Index tensors are constants, so each rule is differentiable again."""

import rstorch  # the rules run at backward time, on the public namespace (fully imported by then)

from ._registry import rule


def _rs():
    return rstorch


def _wrap(dim, ndim):
    return dim % max(ndim, 1)


def _scatter_back(x, dim, indices, g, keepdim=True):
    """Zeros shaped like x with g written at `indices` along dim (g and indices shaped alike)."""
    if x.dim() == 0:
        return g.reshape(())
    dim = _wrap(dim, x.dim())
    if not keepdim:
        g, indices = g.unsqueeze(dim), indices.unsqueeze(dim)
    return _rs().zeros_like(x).scatter(dim, indices, g)


@rule("sort")
def sort(grad, args, kwargs, out):
    if grad[0] is None:
        return (None,)
    return (_scatter_back(args[0], kwargs["dim"], out[1], grad[0]),)


@rule("topk")
def topk(grad, args, kwargs, out):
    if grad[0] is None:
        return (None,)
    return (_scatter_back(args[0], kwargs["dim"], out[1], grad[0]),)


@rule("msort")
def msort(grad, args, kwargs, out):
    x = args[0]
    return (_scatter_back(x, 0, x.detach().argsort(dim=0), grad),)  # the forward's order of ties


def _reduce_select(grad, args, kwargs, out):
    """kthvalue/mode/median(dim): one element per line, maybe with the dim squeezed."""
    if grad[0] is None:
        return (None,)
    return (_scatter_back(args[0], kwargs["dim"], out[1], grad[0], kwargs["keepdim"]),)


rule("kthvalue")(_reduce_select)
rule("mode")(_reduce_select)


def _evenly(x, value, grad):
    """torch's evenly_distribute_backward: grad shared by the elements equal to the result."""
    v = value.item()
    mask = (x != x) if v != v else (x == value)
    return mask * (grad / mask.sum())


@rule("median")
def median(grad, args, kwargs, out):
    if kwargs.get("dim") is None:
        return (_evenly(args[0].detach(), out.detach(), grad),)
    return _reduce_select(grad, args, kwargs, out)


rule("nanmedian")(median)


def _quantile_terms(x, q, kwargs, ignore_nan):
    """torch's quantile as a sort followed by an interpolation between sorted neighbours, along
    the last dim of `src` (x with the reduced dim moved last, or flattened) and with a leading
    dim for the q values: returns (src, slope, terms), where the result is the sum over terms
    (pos, weight) of weight * src[pos along the last dim], pos and weight shaped
    [Q, *src.shape[:-1], 1].

    rank = q * slope, slope = count - 1 (count: the line's length, or its non-NaN count for
    nanquantile); lines with a NaN take the last rank (slope 0), nanquantile's all-NaN lines rank
    0. Linear weights are w = rank - floor(rank) (differentiable in q), midpoint 0 or 1/2, and
    lower/higher/nearest take one neighbour. Ranks are computed in the input's dtype, as the
    forward does."""
    rs = _rs()
    how = kwargs.get("interpolation", "linear")
    dim = kwargs.get("dim")
    src = x.reshape(-1) if dim is None or x.dim() == 0 else x.movedim(_wrap(dim, x.dim()), -1)
    n = src.shape[-1]
    order = src.detach().argsort(dim=-1, stable=True)   # NaN last, as the forward's sort
    nan = src.detach().isnan()
    qt = q if isinstance(q, rs.Tensor) else rs.tensor(q, dtype=src.dtype)
    nq = qt.numel()
    if ignore_nan:
        slope = (n - 1 - nan.sum(-1, keepdim=True)).to(src.dtype)
        slope = rs.where(slope < 0, 0, slope)
        last = 0
    else:
        has_nan = nan.any(-1, keepdim=True)
        slope = rs.where(has_nan, 0, n - 1).to(src.dtype)
        last = rs.where(has_nan, n - 1, 0).to(src.dtype)
    rank = qt.reshape([nq] + [1] * src.dim()) * slope + last
    r = rank.detach()
    below, above = r.floor(), r.ceil()
    if how == "lower":
        parts = [(below, 1.0)]
    elif how == "higher":
        parts = [(above, 1.0)]
    elif how == "nearest":
        parts = [(r.round(), 1.0)]  # half to even, like torch
    else:
        w = rank - below if how == "linear" else rs.where(below == r, 0.0, 0.5).to(src.dtype)
        parts = [(below, 1 - w), (above, w)]
    lines = [nq] + list(src.shape[:-1]) + [1]
    orders = order.unsqueeze(0).expand([nq] + list(order.shape))
    terms = [(orders.gather(-1, p.expand(lines).long()), w) for p, w in parts]
    return src, slope, terms


def _quantile_backward(grad, args, kwargs, ignore_nan):
    """x gets each term's weight at its element; q (linear interpolation only: the other modes
    round the rank, and torch's result does not depend on q there) gets
    (src[above] - src[below]) * slope."""
    rs = _rs()
    x, q = args[0], args[1]
    dim = kwargs.get("dim")
    src, slope, terms = _quantile_terms(x, q, kwargs, ignore_nan)
    nq = terms[0][0].shape[0]
    g = grad.reshape(terms[0][0].shape)
    g_x = None
    if getattr(x, "requires_grad", False):
        total = rs.zeros([nq] + list(src.shape), dtype=grad.dtype)
        for pos, weight in terms:
            total = total.scatter_add(-1, pos, g * weight)
        total = total.sum(0)
        g_x = total.reshape(x.shape) if dim is None or x.dim() == 0 else total.movedim(-1, _wrap(dim, x.dim()))
    g_q = None
    if kwargs.get("interpolation", "linear") == "linear" and getattr(q, "requires_grad", False):
        srcs = src.unsqueeze(0).expand([nq] + list(src.shape))
        lo, hi = (srcs.gather(-1, pos) for pos, _ in terms)
        # lines with a constant rank give q nothing (also where their values are NaN)
        step = rs.where(slope == 0, 0, g * (hi - lo) * slope)
        g_q = step.reshape(nq, -1).sum(1).reshape(q.shape)
    return g_x, g_q


@rule("quantile")
def quantile(grad, args, kwargs, out):
    return _quantile_backward(grad, args, kwargs, False)


@rule("nanquantile")
def nanquantile(grad, args, kwargs, out):
    return _quantile_backward(grad, args, kwargs, True)


@rule("cartesian_prod")
def cartesian_prod(grad, args, kwargs, out):
    sizes = [t.numel() for t in args]
    grads = []
    for i in range(len(args)):
        g = grad.select(1, i).reshape(sizes)
        others = [d for d in range(len(sizes)) if d != i]
        grads.append(g.sum(others) if others else g)
    return tuple(grads)


@rule("combinations")
def combinations(grad, args, kwargs, out):
    rs = _rs()
    x = args[0]
    if grad.numel() == 0 or grad.dim() == 1:
        return (rs.zeros_like(x),)
    idx = rs.combinations(rs.arange(x.numel()), kwargs["r"], kwargs["with_replacement"])
    return (rs.zeros_like(x).index_add(0, idx.reshape(-1), grad.reshape(-1)),)
