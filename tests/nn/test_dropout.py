"""Dropout: the masks (what they zero, how they scale, per channel for the feature variants),
training vs eval, in-place forms, gradients, and the generator they draw from. (Bit-identity
with torch's masks is checked against the recording in test_torch_parity.)"""

import math

import numpy as np
import pytest

import rstorch
import rstorch.nn as nn
import rstorch.nn.functional as F


def ones(*shape, dtype=rstorch.float32):
    return rstorch.ones(*shape, dtype=dtype)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("dtype", [rstorch.float32, rstorch.float64])
def test_dropout_scale_and_rate(p, dtype):
    rstorch.manual_seed(0)
    out = F.dropout(ones(20000, dtype=dtype), p)
    assert len(set(out.tolist())) == 2
    kept = (out != 0).double().mean().item()
    assert abs(kept - (1 - p)) < 0.02
    assert abs(out.double().mean().item() - 1) < 0.05
    nz = out[out != 0]
    np.testing.assert_allclose(nz.numpy(), np.full(nz.numel(), 1 / (1 - p)), rtol=1e-6)


def test_dropout_training_flags_and_edges():
    x = rstorch.randn(4, 5)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert rstorch.equal(F.dropout(x, 1.0), rstorch.zeros(4, 5))
    e = rstorch.zeros(0, 3)
    assert F.dropout(e, 0.5) is e
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        F.dropout(x, 1.5)
    # alpha dropout is off unless training=True
    assert F.alpha_dropout(x, 0.5) is x and F.feature_alpha_dropout(x, 0.5) is x


def test_dropout_gradient_is_the_mask():
    rstorch.manual_seed(1)
    x = rstorch.randn(6, 7, requires_grad=True)
    out = F.dropout(x, 0.3)
    out.sum().backward()
    mask = (out / x).detach()
    np.testing.assert_allclose(x.grad.numpy(), np.where(out.detach().numpy() != 0, 1 / 0.7, 0), rtol=1e-6)
    assert bool(((mask == 0) | ((mask - 1 / 0.7).abs() < 1e-5)).all())


def test_dropout_inplace():
    rstorch.manual_seed(2)
    x = rstorch.randn(5, 6)
    y = x.clone()
    r = F.dropout(y, 0.5, inplace=True)
    assert r.data_ptr() == y.data_ptr()
    rstorch.manual_seed(2)
    rstorch.randn(5, 6)
    assert rstorch.equal(y, F.dropout(x, 0.5))
    leaf = rstorch.randn(3, requires_grad=True)
    z = leaf * 1
    F.dropout(z, 0.5, inplace=True)
    z.sum().backward()
    assert leaf.grad is not None


@pytest.mark.parametrize("fn,shape,batched", [(F.dropout1d, (3, 8, 5), True), (F.dropout1d, (8, 5), False),
                                              (F.dropout2d, (3, 8, 4, 4), True), (F.dropout3d, (3, 8, 2, 2, 3), True),
                                              (F.dropout3d, (8, 2, 2, 3), False)])
def test_feature_dropout_zeroes_whole_channels(fn, shape, batched):
    rstorch.manual_seed(3)
    out = fn(ones(*shape), 0.5)
    assert out.shape == shape
    flat = out.reshape(shape[0] * shape[1], -1) if batched else out.reshape(shape[0], -1)
    for row in flat:
        assert len(set(row.tolist())) == 1 and row[0].item() in (0.0, 2.0)


def test_feature_dropout_warnings():
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        F.dropout2d(ones(2, 3, 4), 0.5)
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
        F.dropout2d(ones(2, 3), 0.5)
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a 4D input"):
        F.dropout1d(ones(1, 2, 3, 4))


def test_alpha_dropout_keeps_mean_and_variance():
    rstorch.manual_seed(4)
    x = rstorch.randn(200000)
    out = F.alpha_dropout(x, 0.2, training=True)
    assert abs(out.mean().item()) < 0.02 and abs(out.std().item() - 1) < 0.02
    # dropped elements take the value -alpha' (the SELU saturation, scaled and shifted)
    alpha = 1.7580993408473766
    a = 1 / math.sqrt((alpha ** 2 * 0.2 + 1) * 0.8)
    dropped = out[(out - (-alpha * a + alpha * a * 0.2)).abs() < 1e-6]
    assert abs(dropped.numel() / 200000 - 0.2) < 0.01
    fo = F.feature_alpha_dropout(rstorch.zeros(4, 6, 3), 0.5, training=True)
    for row in fo.reshape(24, 3):
        assert len(set(row.tolist())) == 1


def test_same_seed_same_masks():
    for fn in (lambda: F.dropout(ones(50), 0.5), lambda: F.dropout2d(ones(2, 6, 2, 2), 0.5),
               lambda: F.alpha_dropout(ones(30), 0.4, True), lambda: F.rrelu(-ones(20), training=True)):
        rstorch.manual_seed(7)
        a = fn()
        rstorch.manual_seed(7)
        assert rstorch.equal(a, fn())


def test_dropout_modules():
    rstorch.manual_seed(5)
    x = ones(4, 6, 2, 2)
    for m in (nn.Dropout(0.3), nn.Dropout1d(0.3), nn.Dropout2d(0.3), nn.Dropout3d(0.3), nn.AlphaDropout(0.3),
              nn.FeatureAlphaDropout(0.3)):
        xin = x.view(4, 6, 4) if isinstance(m, nn.Dropout1d) else x.unsqueeze(2) if isinstance(m, nn.Dropout3d) else x
        assert not rstorch.equal(m(xin), xin)
        m.eval()
        assert rstorch.equal(m(xin), xin)
        assert list(m.state_dict()) == [] and list(m.parameters()) == []
    assert repr(nn.Dropout(0.2, inplace=True)) == "Dropout(p=0.2, inplace=True)"
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got -0.5"):
        nn.Dropout2d(-0.5)
    m = nn.Dropout(0.5, inplace=True)
    y = ones(10)
    m(y)
    assert (y == 0).any()


def test_dropout_on_strided_inputs():
    """A mask with the input's layout: dropout of a transposed input is the transpose of the
    dropout of the same memory (torch draws in memory order)."""
    x = rstorch.randn(5, 7)
    rstorch.manual_seed(6)
    a = F.dropout(x.t(), 0.5)
    rstorch.manual_seed(6)
    b = F.dropout(x, 0.5)
    assert rstorch.equal(a, b.t())
