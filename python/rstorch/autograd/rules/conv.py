"""Backward rules of the convolution kernels (rust/core/src/ops/nn/conv.rs; see _registry for
the contract).

With F(x, w) the convolution, Bi(gy, w) its input gradient (the transposed convolution) and
Bw(x, gy) its weight gradient, all three are bilinear and each one's adjoints are the other
two, so every rule here is written in the same three kernels and double backward works:
- F: d/dx = Bi(g, w), d/dw = Bw(x, g)
- Bi (a transposed convolution): d/dgy = F(g, w), d/dw = Bw(g, gy)
- Bw: d/dx = Bi(gy, g), d/dgy = F(x, g)
"""

from ... import _C
from ._registry import rule


def _needs(x):
    return getattr(x, "requires_grad", False)


def _expand(v, n):
    v = list(v)
    return v * n if len(v) == 1 else v


def _output_padding(x_shape, y_shape, k_shape, stride, padding, dilation):
    """The output_padding that makes the transposed convolution of `y` give `x`'s spatial size."""
    n = len(k_shape)
    stride, padding, dilation = _expand(stride, n), _expand(padding, n), _expand(dilation, n)
    return [x_shape[i] - ((y_shape[i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (k_shape[i] - 1) + 1)
            for i in range(n)]


def _input_grad(g, weight, x_shape, stride, padding, dilation, groups):
    """Bi(g, weight) with the spatial size of `x_shape`."""
    op = _output_padding(x_shape[2:], g.shape[2:], weight.shape[2:], stride, padding, dilation)
    return _C.convolution(g, weight, None, stride, padding, dilation, True, op, groups)


@rule("convolution")
def convolution(grad, args, kwargs, out):
    input, weight, bias, stride, padding, dilation, transposed, output_padding, groups = args
    gi = gw = gb = None
    if not transposed:
        if _needs(input):
            gi = _input_grad(grad, weight, input.shape, stride, padding, dilation, groups)
        if _needs(weight):
            gw = _C._convolution_backward_weight(input, grad, list(weight.shape), stride, padding, dilation, groups)
    else:
        if _needs(input):
            gi = _C.convolution(grad, weight, None, stride, padding, dilation, False, [0], groups)
        if _needs(weight):
            gw = _C._convolution_backward_weight(grad, input, list(weight.shape), stride, padding, dilation, groups)
    if _needs(bias):
        gb = grad.sum([0] + list(range(2, grad.dim())))
    return (gi, gw, gb, None, None, None, None, None, None)


@rule("_convolution_backward_weight", node="ConvolutionBackwardBackward0")
def convolution_backward_weight(grad, args, kwargs, out):
    input, grad_output, weight_size, stride, padding, dilation, groups = args
    gi = ggo = None
    if _needs(input):
        gi = _input_grad(grad_output, grad, input.shape, stride, padding, dilation, groups)
    if _needs(grad_output):
        ggo = _C.convolution(input, grad, None, stride, padding, dilation, False, [0], groups)
    return (gi, ggo, None, None, None, None, None)


@rule("im2col", node="Im2ColBackward0")
def im2col(grad, args, kwargs, out):
    input, kernel_size, dilation, padding, stride = args
    if not _needs(input):
        return (None,) * 5
    return (_C.col2im(grad, list(input.shape[-2:]), kernel_size, dilation, padding, stride), None, None, None, None)


@rule("col2im", node="Col2ImBackward0")
def col2im(grad, args, kwargs, out):
    input, output_size, kernel_size, dilation, padding, stride = args
    if not _needs(input):
        return (None,) * 6
    return (_C.im2col(grad, kernel_size, dilation, padding, stride), None, None, None, None, None)
