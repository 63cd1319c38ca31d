"""Conv1d/2d/3d, ConvTranspose1d/2d/3d, Fold/Unfold and their functional forms: output shapes
over a grid of arguments, parameters and state_dict keys, torch's errors, empty batches, the
meta device, gradients (gradcheck/gradgradcheck) and values against the numpy reference of the
OpInfo table (tests/opinfo/conv.py). The values recorded from torch are in nn_cases_conv.py."""

import itertools
import re
import sys
import pathlib
import warnings

import numpy as np
import pytest

import rstorch
import rstorch.nn as nn
import rstorch.nn.functional as F
from rstorch.autograd import gradcheck, gradgradcheck

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from opinfo.conv import np_conv, np_conv_transpose  # noqa: E402


def randn(*shape, dtype=rstorch.float64, requires_grad=False, seed=0):
    g = rstorch.Generator().manual_seed(seed)
    return rstorch.randn(*shape, dtype=dtype, generator=g).requires_grad_(requires_grad)


def _out_len(n, k, s, p, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("k,s,p,d,groups", [(1, 1, 0, 1, 1), (3, 1, 1, 1, 1), (3, 2, 0, 1, 2), (2, 3, 2, 2, 1),
                                            (3, 1, 0, 2, 4)])
def test_conv_output_shapes(dims, k, s, p, d, groups):
    cls = [nn.Conv1d, nn.Conv2d, nn.Conv3d][dims - 1]
    m = cls(4, 8, k, stride=s, padding=p, dilation=d, groups=groups, dtype=rstorch.float64)
    size = (9, 8, 7)[:dims]
    x = randn(2, 4, *size)
    y = m(x)
    assert tuple(y.shape) == (2, 8, *(_out_len(n, k, s, p, d) for n in size))
    ref = np_conv(x.numpy(), m.weight.detach().numpy(), m.bias.detach().numpy(), s, p, d, groups)
    np.testing.assert_allclose(y.detach().numpy(), ref, rtol=1e-10, atol=1e-10)
    assert m(x[0]).shape == y.shape[1:]  # unbatched


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("k,s,p,op,d,groups", [(1, 1, 0, 0, 1, 1), (3, 2, 1, 1, 1, 2), (2, 3, 0, 2, 1, 1),
                                               (3, 1, 2, 1, 2, 4)])
def test_conv_transpose_output_shapes(dims, k, s, p, op, d, groups):
    cls = [nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d][dims - 1]
    m = cls(4, 8, k, stride=s, padding=p, output_padding=op, dilation=d, groups=groups, dtype=rstorch.float64)
    size = (5, 4, 3)[:dims]
    x = randn(2, 4, *size)
    y = m(x)
    assert tuple(y.shape) == (2, 8, *((n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n in size))
    ref = np_conv_transpose(x.numpy(), m.weight.detach().numpy(), m.bias.detach().numpy(), s, p, op, groups, d)
    np.testing.assert_allclose(y.detach().numpy(), ref, rtol=1e-10, atol=1e-10)


def test_parameters_and_state_dict():
    m = nn.Conv2d(4, 6, (3, 2), groups=2)
    assert [(n, tuple(p.shape)) for n, p in m.named_parameters()] == [("weight", (6, 2, 3, 2)), ("bias", (6,))]
    assert list(m.state_dict()) == ["weight", "bias"]
    t = nn.ConvTranspose3d(4, 6, 2, groups=2, bias=False)
    assert [(n, tuple(p.shape)) for n, p in t.named_parameters()] == [("weight", (4, 3, 2, 2, 2))]
    assert t.bias is None and list(t.state_dict()) == ["weight"]
    assert nn.Conv1d(2, 3, 3, dtype=rstorch.float64).weight.dtype is rstorch.float64
    assert repr(nn.Conv2d(16, 32, 3, padding=1)) == "Conv2d(16, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert repr(nn.Unfold(2)) == "Unfold(kernel_size=2, dilation=1, padding=0, stride=1)"


def test_module_errors():
    with pytest.raises(ValueError, match=re.escape("padding_mode must be one of {") + ".*" +
                       re.escape("}, but got padding_mode='foo'")):
        nn.Conv2d(4, 6, 3, padding_mode="foo")
    with pytest.raises(ValueError, match=r"^Invalid padding string 'bad', should be one of \{'(same|valid)', "
                                         r"'(same|valid)'\}$"):
        nn.Conv2d(4, 6, 3, padding="bad")
    with pytest.raises(ValueError, match="^in_channels must be divisible by groups$"):
        nn.Conv2d(4, 6, 3, groups=3)
    with pytest.raises(ValueError, match="^groups must be a positive integer$"):
        nn.Conv1d(4, 6, 3, groups=-1)
    with pytest.raises(RuntimeError, match=re.escape("Given groups=1, weight of size [6, 3, 3, 3], expected "
                                                     "input[2, 4, 8, 8] to have 3 channels, but got 4 channels instead")):
        nn.Conv2d(3, 6, 3)(rstorch.zeros(2, 4, 8, 8))
    with pytest.raises(RuntimeError, match=re.escape("Kernel size can't be greater than actual input size")):
        nn.Conv2d(3, 6, 5, padding=1)(rstorch.zeros(1, 3, 2, 2))
    with pytest.raises(RuntimeError, match="^padding='same' is not supported for strided convolutions$"):
        F.conv1d(rstorch.zeros(1, 2, 5), rstorch.zeros(2, 2, 3), stride=2, padding="same")


def test_padding_modes_match_explicit_pad():
    x = randn(2, 2, 5, 6)
    for mode in ("reflect", "replicate", "circular"):
        m = nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode, dtype=rstorch.float64)
        want = F.conv2d(F.pad(x, (2, 2, 1, 1), mode=mode), m.weight, m.bias)
        np.testing.assert_allclose(m(x).detach().numpy(), want.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_padding_same_even_kernel_warns_and_matches():
    x, w = randn(1, 2, 5, 6), randn(3, 2, 4, 3, seed=1)
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        y = F.conv2d(x, w, padding="same")
    assert y.shape == (1, 3, 5, 6) and any("padding='same'" in str(m.message) for m in ws)
    ref = np_conv(np.pad(x.numpy(), [(0, 0), (0, 0), (1, 2), (1, 1)]), w.numpy())
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-12, atol=1e-12)


def test_empty_batch_and_channels():
    m = nn.Conv2d(3, 4, 3)
    y = m(rstorch.zeros(0, 3, 5, 5))
    assert y.shape == (0, 4, 3, 3)
    x = rstorch.zeros(0, 3, 5, 5, requires_grad=True)
    m(x).sum().backward()
    assert x.grad.shape == x.shape and m.weight.grad.abs().sum().item() == 0
    # no input channels: the output is the bias
    b = randn(2)
    y = F.conv2d(rstorch.zeros(1, 0, 4, 4, dtype=rstorch.float64), rstorch.zeros(2, 0, 3, 3, dtype=rstorch.float64), b)
    np.testing.assert_array_equal(y.numpy(), np.broadcast_to(b.numpy()[None, :, None, None], (1, 2, 2, 2)))
    # a transposed convolution may give an empty output
    assert F.conv_transpose2d(rstorch.zeros(2, 4, 8, 8), rstorch.zeros(4, 3, 3, 3), padding=5).shape == (2, 3, 0, 0)


def test_meta_device():
    x = rstorch.empty(2, 4, 8, 8, device="meta")
    w = rstorch.empty(6, 2, 3, 3, device="meta")
    y = F.conv2d(x, w, stride=2, padding=1, groups=2)
    assert y.device.type == "meta" and y.shape == (2, 6, 4, 4)
    assert F.conv_transpose2d(x, rstorch.empty(4, 3, 3, 3, device="meta"), stride=2).shape == (2, 3, 17, 17)
    assert F.unfold(x, 3).shape == (2, 36, 36) and F.fold(F.unfold(x, 3), (8, 8), 3).shape == (2, 4, 8, 8)


def test_strided_inputs():
    x = randn(2, 5, 6, 4).permute(0, 3, 1, 2)  # channels-last memory
    w = randn(3, 4, 5, 2, seed=1).transpose(2, 3)  # (3, 4, 2, 5)
    y = F.conv2d(x, w, padding=(1, 2), stride=(1, 2))
    np.testing.assert_allclose(y.numpy(), np_conv(x.numpy(), w.numpy(), None, (1, 2), (1, 2)), rtol=1e-10, atol=1e-10)


def test_integer_and_half_dtypes():
    x = rstorch.arange(2 * 3 * 5 * 5).reshape(2, 3, 5, 5) % 7
    w = rstorch.arange(4 * 3 * 2 * 2).reshape(4, 3, 2, 2) % 5 - 2
    y = F.conv2d(x, w)
    assert y.dtype is rstorch.int64
    np.testing.assert_array_equal(y.numpy(), np_conv(x.numpy(), w.numpy()).astype(np.int64))
    h = F.conv2d(x.half(), w.half())
    assert h.dtype is rstorch.float16
    np.testing.assert_allclose(h.float().numpy(), y.numpy(), rtol=1e-3)


@pytest.mark.parametrize("transposed", [False, True])
def test_gradcheck_gradgradcheck(transposed):
    x = randn(2, 4, 4, 3, requires_grad=True)
    if transposed:
        w, b = randn(4, 1, 2, 2, seed=1, requires_grad=True), randn(2, seed=2, requires_grad=True)
        fn = lambda x, w, b: F.conv_transpose2d(x, w, b, stride=(2, 1), padding=(0, 1), output_padding=(1, 0), groups=2)  # noqa: E731
    else:
        w, b = randn(4, 2, 2, 2, seed=1, requires_grad=True), randn(4, seed=2, requires_grad=True)
        fn = lambda x, w, b: F.conv2d(x, w, b, stride=(1, 2), padding=1, dilation=(2, 1), groups=2)  # noqa: E731
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


def test_fold_unfold_gradients_and_roundtrip():
    x = randn(2, 3, 5, 4, requires_grad=True)
    assert gradcheck(lambda x: F.unfold(x, (2, 3), dilation=(2, 1), padding=1, stride=(1, 2)), (x,))
    cols = randn(2, 12, 12, requires_grad=True)
    assert gradcheck(lambda c: F.fold(c, (4, 5), 2, stride=(2, 1), padding=(0, 1)), (cols,))
    assert gradgradcheck(lambda x: F.unfold(x, 2), (randn(1, 2, 3, 3, requires_grad=True),))
    # fold(unfold(x)) multiplies each element by the number of windows covering it
    ones = rstorch.ones(1, 1, 4, 4, dtype=rstorch.float64)
    counts = F.fold(F.unfold(ones, 3, padding=1), (4, 4), 3, padding=1)
    assert counts[0, 0, 0, 0].item() == 4 and counts[0, 0, 1, 1].item() == 9
    assert nn.Fold((4, 4), 3, padding=1)(nn.Unfold(3, padding=1)(ones)).equal(counts)


def test_grad_fn_name_and_functional_identity():
    y = F.conv2d(randn(1, 2, 4, 4), randn(3, 2, 3, 3, requires_grad=True))
    assert type(y.grad_fn).__name__ == "ConvolutionBackward0"
    assert F.conv2d is rstorch.conv2d and F.conv_transpose3d is rstorch.conv_transpose3d


def test_conv_transpose_output_size():
    m = nn.ConvTranspose2d(2, 3, 3, stride=2, dtype=rstorch.float64)
    x = randn(1, 2, 4, 4)
    assert m(x).shape == (1, 3, 9, 9) and m(x, output_size=[10, 10]).shape == (1, 3, 10, 10)
    assert m(x, output_size=(1, 3, 10, 9)).shape == (1, 3, 10, 9)
    with pytest.raises(ValueError, match=r"requested an output size of \[12, 12\], but valid sizes range from "
                                         r"\[9, 9\] to \[10, 10\]"):
        m(x, output_size=[12, 12])


@pytest.mark.parametrize("n", [1, 3, 8])
def test_parallel_batches_agree_with_reference(n):
    # big enough to take the threaded paths (a split over samples, or over GEMM columns)
    x, w = randn(n, 8, 20, 20, dtype=rstorch.float32), randn(16, 8, 3, 3, seed=1, dtype=rstorch.float32)
    x64, w64 = x.double().requires_grad_(True), w.double().requires_grad_(True)
    xr, wr = x.clone().requires_grad_(True), w.clone().requires_grad_(True)
    y = F.conv2d(xr, wr, padding=1)
    np.testing.assert_allclose(y.detach().numpy(), np_conv(x.numpy(), w.numpy(), None, 1, 1), rtol=1e-4, atol=1e-4)
    g = randn(*y.shape, seed=3, dtype=rstorch.float32)
    (y * g).sum().backward()
    (F.conv2d(x64, w64, padding=1) * g.double()).sum().backward()
    np.testing.assert_allclose(xr.grad.numpy(), x64.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(wr.grad.numpy(), w64.grad.numpy(), rtol=1e-4, atol=1e-3)
