"""Launchers of the fused cross-entropy kernels (shaders/loss.wgsl): logits [N, C] and int64
targets [N] as the Rust core laid them out; the per-row losses and log-sum-exps are vectors the
core allocated (it reduces the rows itself with the sum kernel). Out-of-range targets are
recorded on the device and raised as IndexError at the next sync point (Runtime.check_errors)."""

from .device import packer

_PARAMS = packer("16I")


def _ignore_words(ignore_index):
    v = ignore_index & 0xFFFFFFFFFFFFFFFF
    return v & 0xFFFFFFFF, v >> 32


def _off(view, size):
    return view.region.offset // size + view.offset


def forward(rt, loss, lse, x, target, ignore_index):
    n, c = x.shape
    if n == 0:
        return
    lo, hi = _ignore_words(ignore_index)
    err = rt.error_region()
    params = _PARAMS.pack(n, c, lo, hi, _off(loss, 4), _off(x, 4), _off(target, 8), _off(lse, 4),
                          x.strides[0], x.strides[1], target.strides[0], 0, 0, 0, 0, 0)
    kernels = rt.kernels
    blocks = (loss.region.block, x.region.block, target.region.block, lse.region.block, loss.region.block, err.block)
    rt.dispatch(kernels.pipeline("loss", "cross_entropy_fwd"), kernels.bind_group(blocks), n, params)


def backward(rt, out, x, target, lse, g, ignore_index):
    """out = g[r] * (softmax(x)[r] - onehot(target[r])); `g` is [N] (any stride, 0 to broadcast)."""
    n, c = x.shape
    if n * c == 0:
        return
    lo, hi = _ignore_words(ignore_index)
    err = rt.error_region()
    params = _PARAMS.pack(n, c, lo, hi, _off(out, 4), _off(x, 4), _off(target, 8), _off(lse, 4),
                          x.strides[0], x.strides[1], target.strides[0], g.strides[0],
                          _off(g, 4), out.strides[0], out.strides[1], 0)
    kernels = rt.kernels
    blocks = (out.region.block, x.region.block, target.region.block, lse.region.block, g.region.block, err.block)
    rt.dispatch(kernels.pipeline("loss", "cross_entropy_bwd"), kernels.bind_group(blocks), -(-n * c // 256), params)
