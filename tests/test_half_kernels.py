"""The CPU's 16-bit float kernels (issue 24): float32 <-> bfloat16/float16 casts bit for bit
against torch's (tests/data/half_casts.json, tests/tools/record_half_casts.py) and an
independent numpy rounding; bfloat16/float16 GEMM (mm, bmm, addmm, linear) and convolution
against float64 references, within one rounding of the exact result."""
import json
import os

import numpy as np
import pytest

import rstorch as L

with open(os.path.join(os.path.dirname(__file__), "data", "half_casts.json")) as f:
    REC = json.load(f)


def _u(key, dtype):
    return np.array([int(v, 16) for v in REC[key]], dtype=dtype)


F32_IN = _u("f32_in", np.uint32)
H16_IN = _u("h16_in", np.uint16)


def bits16(t):
    return t.view(L.int16).numpy().view(np.uint16)


def f32_tensor(bits):
    return L.from_numpy(bits.view(np.float32).copy())


def bf16_reference(bits):
    """float32 bits -> bfloat16 bits, round to nearest even, in integer arithmetic."""
    u = bits.astype(np.uint64)
    hi, lo = u >> 16, u & 0xFFFF
    up = (lo > 0x8000) | ((lo == 0x8000) & (hi & 1 == 1))
    out = (hi + up).astype(np.uint16)
    return np.where(np.isnan(bits.view(np.float32)), np.uint16(0xFFFF), out)


@pytest.mark.parametrize("n", [None, 5, 17, 100_003])
def test_f32_to_bf16_and_f16_bits_match_torch(n):
    want_b, want_h = _u("to_bf16", np.uint16), _u("to_f16", np.uint16)
    src = F32_IN if n is None else np.resize(F32_IN, n)
    if n is not None:
        want_b, want_h = np.resize(want_b, n), np.resize(want_h, n)
    x = f32_tensor(src)
    got_b, got_h = bits16(x.bfloat16()), bits16(x.to(L.float16))
    bad = np.nonzero(got_b != want_b)[0]
    assert len(bad) == 0, [(hex(src[i]), hex(got_b[i]), hex(want_b[i])) for i in bad[:5]]
    bad = np.nonzero(got_h != want_h)[0]
    assert len(bad) == 0, [(hex(src[i]), hex(got_h[i]), hex(want_h[i])) for i in bad[:5]]
    # and an independent reference for bfloat16 (torch's recording could share a bug with us)
    assert np.array_equal(got_b, bf16_reference(src))


def test_f32_to_half_strided_source():
    # the per-element path: same values; NaN keeps NaN (torch's scalar path writes 0x7fc0 there)
    src = np.resize(F32_IN, 2 * len(F32_IN))
    x = f32_tensor(src)[::2]
    keep = src[::2]
    nan = np.isnan(keep.view(np.float32))
    got_b, got_h = bits16(x.bfloat16()), bits16(x.half())
    want_b, want_h = np.resize(_u("to_bf16", np.uint16), len(src))[::2], np.resize(_u("to_f16", np.uint16), len(src))[::2]
    assert np.array_equal(got_b[~nan], want_b[~nan])
    assert np.array_equal(got_h[~nan], want_h[~nan])
    assert np.isnan(x.bfloat16().float().numpy()[nan]).all() and np.isnan(x.half().float().numpy()[nan]).all()


@pytest.mark.parametrize("n", [None, 3, 100_003])
def test_half_to_f32_bits_match_torch(n):
    src = H16_IN if n is None else np.resize(H16_IN, n)
    wb, wh = _u("bf16_to_f32", np.uint32), _u("f16_to_f32", np.uint32)
    if n is not None:
        wb, wh = np.resize(wb, n), np.resize(wh, n)
    h = L.from_numpy(src.view(np.int16).copy())
    assert np.array_equal(h.view(L.bfloat16).float().numpy().view(np.uint32), wb)
    assert np.array_equal(h.view(L.float16).float().numpy().view(np.uint32), wh)
    # independent: bfloat16 is the top half of a float32
    assert np.array_equal(wb, src.astype(np.uint32) << 16)


def test_float64_to_bfloat16_rounds_through_float32():
    # c10::BFloat16 takes a float: 1 + 2^-8 + 2^-30 -> 1 + 2^-8 (float32) -> 1.0 (tie to even)
    x = L.tensor([1.0 + 2**-8 + 2**-30, -(1.0 + 2**-8 + 2**-30)], dtype=L.float64)
    assert bits16(x.bfloat16()).tolist() == [0x3F80, 0xBF80]


# ---------------------------------------------------------------- GEMM and convolution

ULP = {L.bfloat16: 2.0**-8, L.float16: 2.0**-11}
# half the smallest subnormal: the absolute rounding error near zero
TINY = {L.bfloat16: 2.0**-134, L.float16: 2.0**-25}


def rounded(t):
    """A low-precision tensor's values as float64 numpy."""
    return t.double().numpy()


def check_once_rounded(got, ref64, absprod, dtype):
    """`got` is `ref64` rounded once to `dtype` (plus float32 accumulation error)."""
    err = np.abs(rounded(got) - ref64)
    tol = ULP[dtype] * np.abs(ref64) + 2.0**-20 * absprod + TINY[dtype]
    assert (err <= tol).all(), f"max excess {np.max(err - tol)}"


def lowp(shape, dtype, seed):
    g = np.random.default_rng(seed)
    return L.from_numpy(g.standard_normal(shape).astype(np.float32)).to(dtype)


SHAPES = [(1, 1, 1), (5, 3, 7), (37, 129, 70), (64, 400, 120), (13, 2050, 33), (100, 31, 64), (256, 256, 256)]


@pytest.mark.parametrize("dtype", [L.bfloat16, L.float16])
@pytest.mark.parametrize("m,k,n", SHAPES)
@pytest.mark.parametrize("layout", ["nn", "nt", "tn", "tt"])
def test_mm_rounds_once(dtype, m, k, n, layout):
    a = lowp((m, k) if layout[0] == "n" else (k, m), dtype, 1)
    b = lowp((k, n) if layout[1] == "n" else (n, k), dtype, 2)
    a = a if layout[0] == "n" else a.t()
    b = b if layout[1] == "n" else b.t()
    out = a @ b
    assert out.dtype == dtype and out.shape == (m, n)
    a64, b64 = rounded(a), rounded(b)
    check_once_rounded(out, a64 @ b64, np.abs(a64) @ np.abs(b64), dtype)


@pytest.mark.parametrize("dtype", [L.bfloat16, L.float16])
def test_addmm_bmm_linear(dtype):
    a, b, c = lowp((3, 40, 50), dtype, 3), lowp((1, 50, 60), dtype, 4), lowp((40, 60), dtype, 5)
    out = L.bmm(a, b.expand(3, 50, 60))
    a64, b64, c64 = rounded(a), rounded(b), rounded(c)
    check_once_rounded(out, a64 @ b64, np.abs(a64) @ np.abs(b64), dtype)
    # addmm: beta * input is rounded first (torch copies it into the output), then the product
    # scaled by alpha is added and rounded once more
    got = L.addmm(c, a[0], b[0], beta=0.5, alpha=-2.0)
    base = rounded((c * 0.5))
    check_once_rounded(got, base - 2.0 * (a64[0] @ b64[0]), 2 * np.abs(a64[0]) @ np.abs(b64[0]) + np.abs(base), dtype)
    # linear: x @ w.t() + bias
    x, w, bias = lowp((64, 400), dtype, 6), lowp((120, 400), dtype, 7), lowp((120,), dtype, 8)
    y = L.nn.functional.linear(x, w, bias)
    x64, w64 = rounded(x), rounded(w)
    ref = x64 @ w64.T + rounded(bias)
    check_once_rounded(y, ref, np.abs(x64) @ np.abs(w64.T) + np.abs(rounded(bias)), dtype)
    # a strided output (out= a transposed view) and an empty inner dimension
    o = L.empty(60, 40, dtype=dtype).t()
    L.mm(a[1], b[0], out=o)
    check_once_rounded(o, a64[1] @ b64[0], np.abs(a64[1]) @ np.abs(b64[0]), dtype)
    z = L.mm(L.empty(4, 0, dtype=dtype), L.empty(0, 5, dtype=dtype))
    assert (rounded(z) == 0).all()


def test_bf16_mm_nan_inf_propagate():
    a = L.ones(20, 20, dtype=L.bfloat16)
    a[3, 4] = float("nan")
    a[5, 6] = float("inf")
    out = rounded(a @ L.ones(20, 33, dtype=L.bfloat16))
    assert np.isnan(out[3]).all() and np.isposinf(out[5]).all()
    assert (out[0] == 20).all()


def conv2d_ref(x, w, bias, stride, padding):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh, ow = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, o, oh, ow))
    absout = np.zeros((n, o, oh, ow))
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
            absout += np.einsum("nchw,oc->nohw", np.abs(patch), np.abs(w[:, :, i, j]))
    return out + bias[None, :, None, None], absout + np.abs(bias)[None, :, None, None]


@pytest.mark.parametrize("dtype", [L.bfloat16, L.float16])
@pytest.mark.parametrize("stride,padding", [(1, 0), (2, 1)])
def test_conv2d_rounds_once(dtype, stride, padding):
    x, w, b = lowp((4, 6, 12, 12), dtype, 9), lowp((16, 6, 5, 5), dtype, 10), lowp((16,), dtype, 11)
    y = L.nn.functional.conv2d(x, w, b, stride=stride, padding=padding)
    assert y.dtype == dtype
    ref, absref = conv2d_ref(rounded(x), rounded(w), rounded(b), stride, padding)
    check_once_rounded(y, ref, absref, dtype)


# ---------------------------------------------------------------- pooling, sums, elementwise

@pytest.mark.parametrize("dtype", [L.bfloat16, L.float16])
def test_max_pool_half_exact(dtype):
    x = lowp((3, 5, 13, 12), dtype, 12)
    x[0, 0, 0, 0] = float("nan")
    for out, idx, ref_fn in [
        (*L.nn.functional.max_pool2d(x, 2, return_indices=True), lambda t: L.nn.functional.max_pool2d(t, 2, return_indices=True)),
        (*L.nn.functional.max_pool2d(x, 3, stride=2, padding=1, return_indices=True),
         lambda t: L.nn.functional.max_pool2d(t, 3, stride=2, padding=1, return_indices=True)),
        (*L.nn.functional.adaptive_max_pool2d(x, (4, 5), return_indices=True),
         lambda t: L.nn.functional.adaptive_max_pool2d(t, (4, 5), return_indices=True)),
    ]:
        assert out.dtype == dtype
        r, ri = ref_fn(x.double())
        np.testing.assert_array_equal(rounded(out), r.numpy())
        np.testing.assert_array_equal(idx.numpy(), ri.numpy())


@pytest.mark.parametrize("dtype", [L.bfloat16, L.float16])
def test_sum_mean_half(dtype):
    x = lowp((64, 16, 8, 9), dtype, 13)
    x64 = rounded(x)
    for dims in [None, (0, 2, 3), (0,), (1, 3)]:
        s = x.sum() if dims is None else x.sum(dims)
        ref = x64.sum() if dims is None else x64.sum(axis=dims)
        assert s.dtype == dtype
        check_once_rounded(s, ref, 2.0**-16 * (np.abs(x64).sum() if dims is None else np.abs(x64).sum(axis=dims)), dtype)
        m = x.mean() if dims is None else x.mean(dims)
        mref = ref / (x64.size / np.size(ref))
        check_once_rounded(m, mref, 2.0**-16 * np.abs(mref) + 1e-6, dtype)


def test_bf16_elementwise_rounds_float32_result():
    g = np.random.default_rng(14)
    a = g.standard_normal(10_000).astype(np.float32)
    b = (g.standard_normal(10_000) * 1e-3).astype(np.float32)
    ta, tb = L.from_numpy(a).bfloat16(), L.from_numpy(b).bfloat16()
    fa, fb = ta.float().numpy(), tb.float().numpy()
    for op in ("add", "sub", "mul", "div"):
        got = bits16(getattr(L, op)(ta, tb))
        want = bf16_reference(getattr(np, {"div": "divide", "sub": "subtract", "mul": "multiply", "add": "add"}[op])(fa, fb).view(np.uint32))
        assert np.array_equal(got, want), op
