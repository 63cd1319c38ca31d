"""Convolution: `torch.convolution` (the Rust kernel `_C.convolution`, rust/core/src/ops/nn/conv.rs)
and the function forms torch builds on it (`conv1d/2d/3d`, `conv_transpose1d/2d/3d`, which
`torch.nn.functional` re-exports): argument normalisation, unbatched inputs, `padding='same'`."""

import warnings

import rstorch  # F.pad for padding='same', at call time

from .. import _C
from .._tensor import Tensor
from ._table import COMPOSITE, SAME, Op, install


def _list(v):
    return [v] if isinstance(v, int) else list(v)


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """`torch.convolution`: batched input `(N, C, *spatial)`, 1 to 3 spatial dims."""
    return _C.convolution(input, weight, bias, _list(stride), _list(padding), _list(dilation), bool(transposed),
                          _list(output_padding), groups)


def _batched(name, input, dims):
    """(input with a batch dim, whether one was added), or torch's error for a wrong rank."""
    if not isinstance(input, _C.TensorBase):
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, ...)")
    if input.dim() == dims + 2:
        return input, False
    if input.dim() == dims + 1:
        return input.unsqueeze(0), True
    raise RuntimeError(f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {name}, but got input "
                       f"of size: {list(input.shape)}")


def _conv(name, dims, input, weight, bias, stride, padding, dilation, groups):
    x, added = _batched(name, input, dims)
    if isinstance(padding, str):
        if padding == "valid":
            padding = [0]
        elif padding == "same":
            padding, x = _same(x, weight, _list(stride), _list(dilation), dims)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    out = _C.convolution(x, weight, bias, _list(stride), _list(padding), _list(dilation), False, [0], groups)
    return out.squeeze(0) if added else out


def _same(x, weight, stride, dilation, dims):
    """padding='same': symmetric padding where the total is even, else the extra element padded
    on the right of the input first (torch's warning says so)."""
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    dilation = dilation * dims if len(dilation) == 1 else dilation
    ks = weight.shape[2:]
    if len(dilation) != dims or len(ks) != dims:
        return [0], x  # the kernel's checks give torch's error
    pads, extra = [], []
    for d, k in zip(dilation, ks):
        total = d * (k - 1)
        left = total // 2
        pads.append(left)
        extra.append(total - 2 * left)
    if any(extra):
        warnings.warn("Using padding='same' with even kernel lengths and odd dilation may require a zero-padded copy "
                      "of the input be created", UserWarning, stacklevel=4)
        pad = []
        for e in reversed(extra):
            pad += [0, e]
        x = rstorch.nn.functional.pad(x, pad)
    return pads, x


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose(name, dims, input, weight, bias, stride, padding, output_padding, groups, dilation):
    x, added = _batched(name, input, dims)
    out = _C.convolution(x, weight, bias, _list(stride), _list(padding), _list(dilation), True,
                         _list(output_padding), groups)
    return out.squeeze(0) if added else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups, dilation)


_CONV = "(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1)"
_CONVT = "(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1)"

OPS = [
    Op("convolution", "(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups)", SAME,
       "convolution", convolution, method=False),
    *(Op(f.__name__, _CONV, SAME, COMPOSITE, f, method=False) for f in (conv1d, conv2d, conv3d)),
    *(Op(f.__name__, _CONVT, SAME, COMPOSITE, f, method=False)
      for f in (conv_transpose1d, conv_transpose2d, conv_transpose3d)),
]

__all__ = install(OPS, globals(), Tensor)
