"""Launcher of the tiled matrix product (shaders/matmul.wgsl): `out (+)= alpha * a @ b` on
`batch + [M, K] @ batch + [K, N]` views whose batch dims the Rust core already broadcast (and
whose output it laid out). Batch dims are merged where contiguous in all three operands."""

import struct

from .device import packer
from .elementwise import coalesce, numel

BM = BN = 64
MAX_BATCH_DIMS = 4
_PARAMS = packer("36I")
_F32 = struct.Struct("<f")


def matmul(rt, out, a, b, alpha=1.0, accumulate=False):
    nd = len(out.shape)
    M, N = out.shape[-2], out.shape[-1]
    K = a.shape[-1]
    batch, (bsa, bsb, bso) = coalesce(list(out.shape[:-2]), [list(a.strides[:-2]), list(b.strides[:-2]), list(out.strides[:-2])])
    if len(batch) > MAX_BATCH_DIMS:
        raise NotImplementedError(f"the wgpu matmul takes at most {MAX_BATCH_DIMS} non-mergeable batch dimensions, got {len(batch)}")
    nb = numel(batch)
    if M == 0 or N == 0 or nb == 0:
        return
    pad = lambda v: list(v) + [0] * (MAX_BATCH_DIMS - len(v))  # noqa: E731
    tm, tn = -(-M // BM), -(-N // BN)
    (alpha_bits,) = struct.unpack("<I", _F32.pack(alpha))
    params = _PARAMS.pack(
        M, N, K, nb, tm, tn, len(batch), 1 if accumulate else 0,
        out.region.offset // 4 + out.offset, a.region.offset // 4 + a.offset, b.region.offset // 4 + b.offset, alpha_bits,
        a.strides[nd - 2], a.strides[nd - 1], b.strides[nd - 2], b.strides[nd - 1],
        out.strides[nd - 2], out.strides[nd - 1], 0, 0,
        *pad(batch), *pad(bsa), *pad(bsb), *pad(bso))
    kernels = rt.kernels
    pipe = kernels.pipeline("matmul", "matmul")
    rt.dispatch(pipe, kernels.bind_group((out.region.block, a.region.block, b.region.block)), tm * tn * nb, params)
