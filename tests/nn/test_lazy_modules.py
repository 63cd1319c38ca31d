"""Lazy convolutions and norms: uninitialised slots until the first input, then the plain
module with the shapes that input implies, initialised with torch's draws."""

import pytest

import rstorch as torch
import rstorch.nn as nn
from rstorch.nn.parameter import UninitializedParameter


@pytest.mark.parametrize("lazy, plain, x", [
    (lambda: nn.LazyConv1d(4, 3, groups=2), lambda: nn.Conv1d(6, 4, 3, groups=2), (2, 6, 9)),
    (lambda: nn.LazyConv2d(4, 3, stride=2, bias=False), lambda: nn.Conv2d(3, 4, 3, stride=2, bias=False), (2, 3, 7, 7)),
    (lambda: nn.LazyConv3d(2, 2), lambda: nn.Conv3d(3, 2, 2), (1, 3, 4, 4, 4)),
    (lambda: nn.LazyConvTranspose1d(3, 2, stride=2), lambda: nn.ConvTranspose1d(5, 3, 2, stride=2), (2, 5, 4)),
    (lambda: nn.LazyConvTranspose2d(5, 3), lambda: nn.ConvTranspose2d(2, 5, 3), (1, 2, 4, 4)),
    (lambda: nn.LazyConvTranspose3d(2, 2, groups=2), lambda: nn.ConvTranspose3d(4, 2, 2, groups=2), (1, 4, 3, 3, 3)),
    (lambda: nn.LazyBatchNorm1d(), lambda: nn.BatchNorm1d(3), (4, 3)),
    (lambda: nn.LazyBatchNorm2d(momentum=None), lambda: nn.BatchNorm2d(3, momentum=None), (2, 3, 4, 4)),
    (lambda: nn.LazyBatchNorm3d(affine=False), lambda: nn.BatchNorm3d(2, affine=False), (2, 2, 3, 3, 3)),
    (lambda: nn.LazyInstanceNorm1d(), lambda: nn.InstanceNorm1d(3, affine=True, track_running_stats=True), (2, 3, 5)),
    (lambda: nn.LazyInstanceNorm2d(), lambda: nn.InstanceNorm2d(3, affine=True, track_running_stats=True), (2, 3, 4, 4)),
    (lambda: nn.LazyInstanceNorm3d(), lambda: nn.InstanceNorm3d(2, affine=True, track_running_stats=True), (1, 2, 3, 3, 3)),
])
def test_lazy_becomes_the_plain_module(lazy, plain, x):
    torch.manual_seed(0)
    m = lazy()
    assert any(isinstance(p, UninitializedParameter) for p in m.parameters()) or not list(m.parameters())
    assert repr(m).startswith("Lazy") and "(0," in repr(m)
    inp = torch.randn(*x)
    torch.manual_seed(1)
    out = m(inp)
    torch.manual_seed(1)
    ref = plain()
    assert type(m) is type(ref) and repr(m) == repr(ref)
    for (n, p), (n2, q) in zip(m.state_dict().items(), ref.state_dict().items()):
        assert n == n2 and p.shape == q.shape
    ref.load_state_dict({k: v for k, v in m.state_dict().items() if "running" not in k and "batches" not in k},
                        strict=False)
    for (n, p), (_, q) in zip(m.named_parameters(), ref.named_parameters()):
        assert torch.equal(p, q), n
    assert out.shape == ref(inp).shape


def test_lazy_conv_weights_are_torchs():
    torch.manual_seed(0)
    c = nn.LazyConv2d(4, 3)
    c(torch.randn(2, 3, 5, 5))
    assert c.weight.shape == (4, 3, 3, 3)
    assert abs(c.weight.sum().item() - -0.46434348821640015) < 1e-6  # torch 2.15, same seed and calls


def test_lazy_errors_and_state_dict_loading():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.LazyConv1d(4, 3, groups=2)(torch.randn(1, 3, 8))
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to LazyConv2d"):
        nn.LazyConv2d(4, 3)(torch.randn(5, 5))
    net = nn.Sequential(nn.LazyConv2d(6, 3), nn.LazyBatchNorm2d(), nn.ReLU(), nn.Flatten(), nn.LazyLinear(10))
    out = net(torch.randn(2, 1, 8, 8))
    assert out.shape == (2, 10) and net[4].in_features == 216
    fresh = nn.Sequential(nn.LazyConv2d(6, 3), nn.LazyBatchNorm2d(), nn.ReLU(), nn.Flatten(), nn.LazyLinear(10))
    fresh.load_state_dict(net.state_dict())
    assert fresh[0].weight.shape == (6, 1, 3, 3) and torch.equal(fresh[1].running_mean, net[1].running_mean)
    fresh.eval(), net.eval()
    x = torch.randn(2, 1, 8, 8)
    assert torch.allclose(fresh(x), net(x))
