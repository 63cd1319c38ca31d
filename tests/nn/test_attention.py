"""Attention: scaled_dot_product_attention against a numpy float64 reference, gradcheck;
MultiheadAttention and the Transformer modules: parameter names and shapes, state_dict keys,
shapes over a grid of arguments, zero-size batches, need_weights / masks, pickling, training.
Values and seeded parameters against torch are in test_torch_parity.py (nn_cases_vision.py)."""

import copy
import math
import pickle

import numpy as np
import pytest

import rstorch
import rstorch.nn as nn
import rstorch.nn.functional as F
from rstorch.autograd import gradcheck, gradgradcheck

pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")


def randn(*shape, seed=0, requires_grad=False):
    g = rstorch.Generator().manual_seed(seed)
    return rstorch.randn(*shape, dtype=rstorch.float64, generator=g).requires_grad_(requires_grad)


def sdpa_ref(q, k, v, mask=None, causal=False, scale=None):
    s = (1 / math.sqrt(q.shape[-1])) if scale is None else scale
    a = q @ np.swapaxes(k, -1, -2) * s
    if causal:
        mask = np.tril(np.ones((q.shape[-2], k.shape[-2]), dtype=bool))
    if mask is not None:
        a = a + (np.where(mask, 0.0, -np.inf) if mask.dtype == bool else mask)
    a = a - a.max(-1, keepdims=True)
    e = np.exp(a)
    return (e / e.sum(-1, keepdims=True)) @ v


@pytest.mark.parametrize("kw", [{}, {"is_causal": True}, {"scale": 0.7}, {"mask": "bool"}, {"mask": "float"}])
def test_sdpa_reference(kw):
    q, k, v = randn(2, 3, 4, 5, seed=1), randn(2, 3, 6, 5, seed=2), randn(2, 3, 6, 7, seed=3)
    kw = dict(kw)
    mask = kw.pop("mask", None)
    m = None
    if mask == "bool":
        m = randn(4, 6, seed=4) > -0.3
        m[:, 0] = True
    elif mask == "float":
        m = randn(2, 1, 4, 6, seed=5)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=m, **kw)
    ref = sdpa_ref(q.numpy(), k.numpy(), v.numpy(), None if m is None else m.numpy(), kw.get("is_causal", False),
                   kw.get("scale"))
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12, atol=1e-12)


def test_sdpa_gradcheck():
    q, k, v = randn(1, 2, 3, 4, seed=1, requires_grad=True), randn(1, 2, 5, 4, seed=2, requires_grad=True), \
        randn(1, 2, 5, 3, seed=3, requires_grad=True)
    mask = randn(3, 5, seed=6) > -0.5
    mask[1] = False  # a fully masked row: zero output, zero gradient
    assert gradcheck(lambda a, b, c: F.scaled_dot_product_attention(a, b, c, attn_mask=mask), (q, k, v))
    assert gradgradcheck(lambda a, b, c: F.scaled_dot_product_attention(a, b, c, is_causal=True), (q, k, v))
    qg = randn(1, 4, 3, 4, seed=7, requires_grad=True)
    assert gradcheck(lambda a, b, c: F.scaled_dot_product_attention(a, b, c, enable_gqa=True), (qg, k, v))


def test_sdpa_masked_row_is_zero():
    q, k, v = randn(3, 4), randn(5, 4), randn(5, 2)
    mask = rstorch.ones(3, 5, dtype=rstorch.bool)
    mask[2] = False
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert out[2].abs().sum().item() == 0 and out[:2].isfinite().all()


def test_sdpa_dropout_uses_the_generator():
    q, k, v = randn(2, 4, 5), randn(2, 6, 5), randn(2, 6, 3)
    rstorch.manual_seed(0)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    rstorch.manual_seed(0)
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    assert rstorch.equal(a, b) and not rstorch.allclose(a, F.scaled_dot_product_attention(q, k, v))


def test_mha_parameters_and_state_dict():
    m = nn.MultiheadAttention(8, 2)
    assert [(n, tuple(p.shape)) for n, p in m.named_parameters()] == [
        ("in_proj_weight", (24, 8)), ("in_proj_bias", (24,)), ("out_proj.weight", (8, 8)), ("out_proj.bias", (8,))]
    assert m.in_proj_bias.abs().sum().item() == 0 and m.out_proj.bias.abs().sum().item() == 0
    m2 = nn.MultiheadAttention(8, 4, kdim=5, vdim=3, add_bias_kv=True, bias=False)
    assert list(m2.state_dict()) == ["q_proj_weight", "k_proj_weight", "v_proj_weight", "bias_k", "bias_v",
                                     "out_proj.weight"]
    assert m2.in_proj_weight is None and m2.in_proj_bias is None
    assert type(m.out_proj).__name__ == "NonDynamicallyQuantizableLinear" and isinstance(m.out_proj, nn.Linear)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
def test_mha_shapes(batch_first, need_weights, average):
    e, h, L, S = 6, 3, 4, 5
    m = nn.MultiheadAttention(e, h, batch_first=batch_first, kdim=4, vdim=2)
    for n in (0, 2):
        q = rstorch.randn((n, L, e) if batch_first else (L, n, e))
        k = rstorch.randn((n, S, 4) if batch_first else (S, n, 4))
        v = rstorch.randn((n, S, 2) if batch_first else (S, n, 2))
        out, w = m(q, k, v, need_weights=need_weights, average_attn_weights=average)
        assert out.shape == q.shape
        if need_weights:
            assert w.shape == ((n, L, S) if average else (n, h, L, S))
        else:
            assert w is None
    out, w = m(rstorch.randn(L, e), rstorch.randn(S, 4), rstorch.randn(S, 2))
    assert out.shape == (L, e) and w.shape == (L, S)


def test_mha_gradcheck():
    rstorch.manual_seed(0)
    m = nn.MultiheadAttention(4, 2, dtype=rstorch.float64, add_zero_attn=True, add_bias_kv=True)
    x = randn(3, 2, 4, requires_grad=True)
    kpm = rstorch.tensor([[False, False, True], [False, False, False]])
    assert gradcheck(lambda t: m(t, t, t, key_padding_mask=kpm)[0], (x,))
    assert gradcheck(lambda t: m(t, t, t, need_weights=False)[0], (x,))


def test_mha_deepcopy_pickle():
    m = nn.MultiheadAttention(4, 2)
    x = rstorch.randn(3, 1, 4)
    for m2 in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert rstorch.allclose(m2(x, x, x)[0], m(x, x, x)[0])


def test_transformer_parameters():
    rstorch.manual_seed(0)
    t = nn.Transformer(8, 2, 1, 1, 16)
    keys = list(t.state_dict())
    assert keys[:4] == ["encoder.layers.0.self_attn.in_proj_weight", "encoder.layers.0.self_attn.in_proj_bias",
                        "encoder.layers.0.self_attn.out_proj.weight", "encoder.layers.0.self_attn.out_proj.bias"]
    assert "decoder.layers.0.multihead_attn.in_proj_weight" in keys and keys[-2:] == ["decoder.norm.weight",
                                                                                      "decoder.norm.bias"]
    assert len(keys) == 12 + 2 + 18 + 2


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_shapes_and_training(norm_first, batch_first):
    rstorch.manual_seed(1)
    t = nn.Transformer(8, 2, 2, 1, 16, dropout=0.1, batch_first=batch_first, norm_first=norm_first)
    src = rstorch.randn((2, 5, 8) if batch_first else (5, 2, 8))
    tgt = rstorch.randn((2, 4, 8) if batch_first else (4, 2, 8))
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    losses = []
    for _ in range(3):
        y = t(src, tgt, tgt_mask=mask, tgt_is_causal=True)
        assert y.shape == tgt.shape
        loss = (y ** 2).mean()
        t.zero_grad()
        loss.backward()
        with rstorch.no_grad():
            for p in t.parameters():
                p -= 0.05 * p.grad
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_transformer_encoder_zero_batch():
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2)
    assert enc(rstorch.randn(0, 3, 8)).shape == (0, 3, 8)
