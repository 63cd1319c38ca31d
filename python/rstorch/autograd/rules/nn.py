"""Backward rules of the fused nn kernels (rust/core/src/ops/nn/, bound in
rust/python/src/tensor/nn.rs).

Each runs its fused backward kernel, except under create_graph (grad mode on during backward),
where it computes the same gradient from differentiable Tensor ops so double backward works."""

import rstorch  # the rules run at backward time, on the public namespace (fully imported by then)

from ... import _C
from ._registry import rule


def _needs(x):
    return getattr(x, "requires_grad", False)


def _composite(*args):
    """Whether the rule computes in Tensor ops: under create_graph, or when an arg was modified
    in place after the op (its stand-in raises torch's error when the Tensor ops read it)."""
    return rstorch.is_grad_enabled() or not all(a is None or isinstance(a, _C.TensorBase) for a in args)


def _ce_grad(g, input, target, weight, reduction, ignore_index, ls):
    """The cross-entropy gradient in Tensor ops (for double backward): per row
    `g * (p * ((1 - ls) w_t + ls W / C) - (1 - ls) w_t onehot - ls w / C)`."""
    x = input if input.dim() > 1 else input.unsqueeze(0)
    c = x.shape[1]
    t = target.reshape((x.shape[0],) + tuple(x.shape[2:]))
    shape = [1, c] + [1] * (x.dim() - 2)
    valid = t != ignore_index
    ts = t.masked_fill(~valid, 0)
    w = weight if weight is not None else rstorch.ones(c, dtype=x.dtype, device=x.device)
    wt = w.index_select(0, ts.reshape(-1)).view(ts.shape) * valid
    onehot = (rstorch.arange(c, device=x.device).view(shape) == ts.unsqueeze(1)).to(x.dtype)
    p = x.softmax(1)
    gi = p * ((1 - ls) * wt + (ls / c) * w.sum()).unsqueeze(1) - ((1 - ls) * wt).unsqueeze(1) * onehot
    if ls > 0:
        gi = gi - (ls / c) * w.view(shape) * valid.unsqueeze(1).to(x.dtype)
    if reduction == 0:
        gi = gi * g.reshape(ts.shape).unsqueeze(1)
    elif reduction == 1:
        gi = gi * (g / wt.sum())
    else:
        gi = gi * g
    return gi.reshape(input.shape)


@rule("_cross_entropy", node="NllLossBackward0")
def cross_entropy(grad, args, kwargs, out):
    g = grad[0]
    input, target, weight = args
    if g is None:
        return None, None, None
    red, ii, ls = kwargs["reduction"], kwargs["ignore_index"], kwargs["label_smoothing"]
    if _composite(input, weight):
        return _ce_grad(g, input, target, weight, red, ii, ls), None, None
    return _C._cross_entropy_backward(g, input, target, weight, out[1], red, ii, ls), None, None


def _bn_grads(g, input, weight, bias, out, training, eps):
    """The batch-norm gradients in Tensor ops (for double backward): the batch statistics are
    recomputed from input (so their own gradient flows); the running ones are constants."""
    nd = input.dim()
    dims = [0] + list(range(2, nd))
    shape = [1, input.shape[1]] + [1] * (nd - 2)
    if training:
        var, mean = rstorch.var_mean(input, dims, correction=0, keepdim=True)
        invstd = (var + eps).rsqrt()
    else:
        mean, invstd = out[1].view(shape), out[2].view(shape)
    xhat = (input - mean) * invstd
    gi = gw = gb = None
    if _needs(input):
        k = invstd if weight is None else invstd * weight.view(shape)
        if training:
            gi = (g - g.mean(dims, keepdim=True) - xhat * (g * xhat).mean(dims, keepdim=True)) * k
        else:
            gi = g * k
    if weight is not None and _needs(weight):
        gw = (g * xhat).sum(dims)
    if bias is not None and _needs(bias):
        gb = g.sum(dims)
    return gi, gw, gb


def _wanted(input, weight, bias):
    """Which of the (input, weight, bias) gradients a native norm backward computes."""
    return _needs(input), weight is not None and _needs(weight), bias is not None and _needs(bias)


@rule("_native_batch_norm", node="NativeBatchNormBackward0")
def native_batch_norm(grad, args, kwargs, out):
    g = grad[0]
    input, weight, bias = args
    if g is None:
        return None, None, None
    training, eps = kwargs["training"], kwargs["eps"]
    if _composite(input, weight, bias):
        return _bn_grads(g, input, weight, bias, out, training, eps)
    return tuple(_C._native_batch_norm_backward(g, input, weight, out[1], out[2], training,
                                                *_wanted(input, weight, bias)))


def _ln_grads(g, input, weight, bias, k, eps):
    """The layer-norm gradients in Tensor ops (for double backward), the statistics recomputed
    from input."""
    nd = input.dim()
    dims = list(range(nd - k, nd))
    lead = list(range(nd - k))
    var, mean = rstorch.var_mean(input, dims, correction=0, keepdim=True)
    rstd = (var + eps).rsqrt()
    xhat = (input - mean) * rstd
    gi = gw = gb = None
    if _needs(input):
        gx = g if weight is None else g * weight
        gi = rstd * (gx - gx.mean(dims, keepdim=True) - xhat * (gx * xhat).mean(dims, keepdim=True))
    if weight is not None and _needs(weight):
        gw = (g * xhat).sum(lead) if lead else g * xhat
    if bias is not None and _needs(bias):
        gb = g.sum(lead) if lead else g
    return gi, gw, gb


@rule("_native_layer_norm", node="NativeLayerNormBackward0")
def native_layer_norm(grad, args, kwargs, out):
    g = grad[0]
    input, weight, bias = args
    if g is None:
        return None, None, None
    k, eps = kwargs["normalized_ndim"], kwargs["eps"]
    if _composite(input, weight, bias):
        return _ln_grads(g, input, weight, bias, k, eps)
    return tuple(_C._native_layer_norm_backward(g, input, k, weight, out[1], out[2],
                                                *_wanted(input, weight, bias)))
