"""Backward rules of the sort ops (see _registry for the contract).

The bindings record these ops as `name(self, **every_argument)`, so the rules read their
arguments from kwargs. A selection's gradient goes back to the selected elements (scattered at
the returned indices); median/nanmedian over all elements spread it evenly over the elements
equal to the result, as torch does. Index and weight tensors are constants, so each rule is
linear in `grad` and differentiable again."""

import numpy as np

from ._registry import rule


def _rs():
    import rstorch
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


def _quantile_terms(x, kwargs, ignore_nan):
    """(src, dim, q count or None, terms): `src` is x as the op reduced it; each term is
    (index, weight) arrays shaped [Q, *src.shape with dim -> 1]: the result is the sum over terms
    of weight * src[index along dim] (the interpolation between sorted neighbours)."""
    rs = _rs()
    q, dim, how = kwargs["q"], kwargs.get("dim"), kwargs.get("interpolation", "linear")
    if dim is None or x.dim() == 0:
        src, d = x.reshape(-1), 0
    else:
        src, d = x, _wrap(dim, x.dim())
    values, idx = src.detach().sort(dim=d)
    s = np.moveaxis(values.numpy(), d, -1)
    order = np.moveaxis(idx.numpy(), d, -1)
    scalar_q = not isinstance(q, rs.Tensor) or q.dim() == 0
    qv = np.asarray(q.tolist() if isinstance(q, rs.Tensor) else q, dtype=s.dtype).reshape(-1)
    qv = qv.reshape((-1,) + (1,) * (s.ndim - 1))
    n = s.shape[-1]
    nan = np.isnan(s)
    # ranks in the input's precision, as the forward computes them
    if ignore_nan:
        rank = np.maximum(qv * (n - nan.sum(-1) - 1).astype(s.dtype), 0)
    else:
        rank = np.where(nan.any(-1), s.dtype.type(n - 1), qv * s.dtype.type(n - 1))
    below, above = np.floor(rank), np.ceil(rank)
    if how == "lower":
        parts = [(below, 1.0)]
    elif how == "higher":
        parts = [(above, 1.0)]
    elif how == "nearest":
        parts = [(np.round(rank), 1.0)]  # numpy rounds half to even, like torch
    else:
        w = rank - below if how == "linear" else np.where(below == rank, 0.0, 0.5)
        parts = [(below, 1.0 - w), (above, w)]
    terms = []
    for pos, w in parts:
        pos = np.broadcast_to(pos, rank.shape).astype(np.int64)
        orig = np.take_along_axis(order[None], pos[..., None], axis=-1)  # [Q, lines..., 1]
        weight = np.broadcast_to(np.asarray(w, dtype=s.dtype), rank.shape)[..., None]
        terms.append((np.moveaxis(orig, -1, d + 1), np.moveaxis(weight, -1, d + 1)))
    return src, d, (None if scalar_q else qv.size), terms


def _quantile_backward(grad, args, kwargs, ignore_nan):
    rs = _rs()
    x = args[0]
    src, d, nq, terms = _quantile_terms(x, kwargs, ignore_nan)
    kshape = list(src.shape)
    kshape[d] = 1
    g = grad.reshape([nq or 1] + kshape)
    total = rs.zeros_like(src)
    for index, weight in terms:
        for j in range(index.shape[0]):
            w = rs.tensor(np.ascontiguousarray(weight[j]), dtype=src.dtype)
            total = total.scatter_add(d, rs.tensor(np.ascontiguousarray(index[j])), g[j] * w)
    return (total.reshape(x.shape),)


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
