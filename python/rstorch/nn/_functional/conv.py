"""Convolution in `rstorch.nn.functional`: the conv/conv_transpose function forms (the same
objects as `rstorch.conv2d`..., as in torch) and `unfold`/`fold` (torch's im2col/col2im)."""

from ... import _C
from ..._ops.conv import conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "unfold", "fold"]


def _pair(v):
    return [v, v] if isinstance(v, int) else list(v)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding local blocks: `(N, C, H, W)` -> `(N, C * prod(kernel_size), L)` (or the
    unbatched `(C, H, W)` -> `(C * prod(kernel_size), L)`)."""
    return _C.im2col(input, _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride))


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding local blocks into a tensor, summing overlaps: `(N, C * prod(kernel_size), L)`
    -> `(N, C, *output_size)`."""
    return _C.col2im(input, _pair(output_size), _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride))
