"""nn.functional: pixel/channel shuffles, cosine_similarity, pairwise_distance, pdist, normalize."""

import math

import rstorch

from ...autograd.function import Function
from ._common import _scalar_name

__all__ = [
    "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle",
    "cosine_similarity", "pairwise_distance", "pdist", "normalize",
]


def _check_shuffle(name, input, factor, factor_name):
    nd = input.dim()
    if nd < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input with {nd} "
                           "dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{name} expects a positive {factor_name}, but got {factor}")
    return input.shape[-3:]


def pixel_shuffle(input, upscale_factor):
    """(*, C r^2, H, W) -> (*, C, H r, W r)."""
    r = upscale_factor
    c, h, w = _check_shuffle("pixel_shuffle", input, r, "upscale_factor")
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    lead = tuple(input.shape[:-3])
    oc = c // (r * r)
    b = len(lead)
    x = input.reshape(lead + (oc, r, r, h, w))
    x = x.permute(*range(b), b, b + 3, b + 1, b + 4, b + 2)
    return x.reshape(lead + (oc, h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H r, W r) -> (*, C r^2, H, W)."""
    r = downscale_factor
    c, h, w = _check_shuffle("pixel_unshuffle", input, r, "downscale_factor")
    if h % r:
        raise RuntimeError("pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)="
                           f"{h} is not divisible by {r}")
    if w % r:
        raise RuntimeError("pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)="
                           f"{w} is not divisible by {r}")
    lead = tuple(input.shape[:-3])
    b = len(lead)
    x = input.reshape(lead + (c, h // r, r, w // r, r))
    x = x.permute(*range(b), b, b + 2, b + 4, b + 1, b + 3)
    return x.reshape(lead + (c * r * r, h // r, w // r))


def channel_shuffle(input, groups):
    """Interleaves the channels (dim 1) of `groups` groups: (N, g * k, *) viewed (N, g, k, *)
    and transposed to (N, k, g, *)."""
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.")
    n = input.shape[0]
    rest = tuple(input.shape[2:])
    return input.reshape((n, groups, c // groups) + rest).transpose(1, 2).reshape(input.shape)


native_channel_shuffle = channel_shuffle


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """`sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps))` along `dim` (broadcasting)."""
    dtype = rstorch.result_type(x1, x2)
    if not dtype.is_floating_point:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is {_scalar_name(dtype)}")
    a, b = rstorch.broadcast_tensors(x1.to(dtype), x2.to(dtype))
    na = a.norm(2, dim, keepdim=True).clone()
    nb = b.norm(2, dim, keepdim=True).clone()
    with rstorch.no_grad():
        na.clamp_min_(eps)
        nb.clamp_min_(eps)
    return ((a / na) * (b / nb)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """`||x1 - x2 + eps||_p` over the last dim."""
    out_dim = max(x1.dim(), x2.dim())
    return (x1 - x2 + eps).norm(p, out_dim - 1, keepdim)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """`input / max(||input||_p, eps)` along `dim`."""
    if out is None:
        denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
        return input / denom
    denom = input.norm(p, dim, keepdim=True).clamp_min_(eps).expand_as(input)
    return rstorch.div(input, denom, out=out)


class _PDist(Function):
    """The p-norm distances of the row pairs i < j of a 2-D input, with torch's pdist gradient:
    0 where a distance is 0 (and, for p < 1, where a coordinate difference is), and at p = inf
    the sign on every coordinate that attains the maximum (ties are not split)."""

    @staticmethod
    def forward(ctx, input, p):
        n = input.shape[0]
        i, j = rstorch.triu_indices(n, n, 1, device=input.device)
        diff = input[i] - input[j]
        dist = rstorch.linalg.vector_norm(diff, p, dim=-1)
        ctx.save_for_backward(input, dist)
        ctx.p, ctx.pairs = p, (i, j)
        return dist

    @staticmethod
    def backward(ctx, grad):
        input, dist = ctx.saved_tensors
        p, (i, j) = ctx.p, ctx.pairs
        diff = input[i] - input[j]
        d = dist.unsqueeze(-1)
        zero = rstorch.zeros_like(diff)
        if p == 0:
            g = zero
        elif p == 1:
            g = diff.sign()
        elif math.isinf(p):
            g = diff.sign() * (diff.abs() == d).to(diff.dtype)
        elif p < 1:
            g = rstorch.where(diff == 0, zero, diff.sign() * diff.abs().pow(p - 1) * d.pow(1 - p))
        elif p == 2:
            g = rstorch.where(d == 0, zero, diff / d)
        else:
            g = rstorch.where(d == 0, zero, diff * diff.abs().pow(p - 2) / d.pow(p - 1))
        g = g * grad.unsqueeze(-1)
        out = rstorch.zeros_like(input).index_add(0, i, g).index_add(0, j, -g)
        return out, None


def pdist(input, p=2):
    """The p-norm distance between every pair of rows of the (N, M) input: the N (N - 1) / 2
    entries of cdist(input, input)'s upper triangle, row by row."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if input.dtype in (rstorch.float16, rstorch.bfloat16):
        raise NotImplementedError(f"\"pdist\" not implemented for '{_scalar_name(input.dtype)}'")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return _PDist.apply(input, p)
