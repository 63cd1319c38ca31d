"""Backward rules of pooling (see _registry for the contract), with torch's node names.

The bindings (rust/python/src/tensor/pool.rs) record a pooling as `name(input, **arguments)`
and its kernel backwards as `name(grad, input[, indices], **arguments)`. Max pooling's gradient
goes to the selected elements (the backward kernel adds `grad` at the indices, plane by plane);
average pooling's is spread over each window. The backwards are recorded ops too, with rules
of their own (a gather at the indices, the forward pooling again: both are linear in `grad`),
so double backward works."""

from ... import _C
from ._registry import rule


def _gather_planes(g, indices, n):
    """`g`'s elements at `indices`, plane by plane over the last `n` dims (g and indices have
    the same leading dims)."""
    flat_g = g.flatten(g.dim() - n) if n else g
    flat_i = indices.flatten(indices.dim() - n)
    return flat_g.gather(-1, flat_i).reshape(indices.shape)


def _max_pool(n, adaptive=False):
    def backward(grad, args, kwargs, out):
        if grad[0] is None:
            return (None,)
        return (_C._max_pool_backward(grad[0], args[0], out[1], n, adaptive),)
    return backward


rule("max_pool2d_with_indices", "MaxPool2DWithIndicesBackward0")(_max_pool(2))
rule("max_pool3d_with_indices", "MaxPool3DWithIndicesBackward0")(_max_pool(3))
rule("adaptive_max_pool2d", "AdaptiveMaxPool2DBackward0")(_max_pool(2, True))
rule("adaptive_max_pool3d", "AdaptiveMaxPool3DBackward0")(_max_pool(3, True))


def _max_pool_backward_node(args, kwargs):
    n = kwargs["n"]
    return f"AdaptiveMaxPool{n}DBackwardBackward0" if kwargs.get("adaptive") else f"MaxPool{n}DWithIndicesBackwardBackward0"


@rule("max_pool_backward", _max_pool_backward_node)
def max_pool_backward(grad, args, kwargs, out):
    return (_gather_planes(grad, args[2], kwargs["n"]), None, None)


def _avg_args(kwargs):
    return (kwargs["kernel_size"], kwargs["stride"], kwargs["padding"], kwargs["ceil_mode"],
            kwargs["count_include_pad"], kwargs["divisor_override"])


def _avg_pool(grad, args, kwargs, out):
    return (_C._avg_pool_backward(grad, args[0], *_avg_args(kwargs)),)


rule("avg_pool2d", "AvgPool2DBackward0")(_avg_pool)
rule("avg_pool3d", "AvgPool3DBackward0")(_avg_pool)


@rule("avg_pool_backward", lambda args, kwargs: f"AvgPool{len(kwargs['kernel_size'])}DBackwardBackward0")
def avg_pool_backward(grad, args, kwargs, out):
    return (_C._avg_pool(grad, *_avg_args(kwargs)), None)


def _adaptive_avg(n):
    def backward(grad, args, kwargs, out):
        return (_C._adaptive_avg_pool_backward(grad, args[0], n),)
    return backward


rule("adaptive_avg_pool2d", "AdaptiveAvgPool2DBackward0")(_adaptive_avg(2))
rule("adaptive_avg_pool3d", "AdaptiveAvgPool3DBackward0")(_adaptive_avg(3))


@rule("adaptive_avg_pool_backward", lambda args, kwargs: f"AdaptiveAvgPool{kwargs['n']}DBackwardBackward0")
def adaptive_avg_pool_backward(grad, args, kwargs, out):
    n = kwargs["n"]
    return (_C._adaptive_avg_pool(grad, list(args[0].shape[args[0].dim() - n:])), None)


def _unpool(n):
    def backward(grad, args, kwargs, out):
        return (_gather_planes(grad, args[1], n), None)
    return backward


rule("max_unpool2d", "MaxUnpool2DBackward0")(_unpool(2))
rule("max_unpool3d", "MaxUnpool3DBackward0")(_unpool(3))
