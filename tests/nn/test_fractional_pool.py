"""Fractional max pooling: torch 2.15's windows, values and indices from the same seed (values
recorded from torch), its NaN rule, gradients, and errors."""

import pytest

import rstorch as torch
import rstorch.nn as nn
import rstorch.nn.functional as F
from rstorch.autograd import gradcheck, gradgradcheck


def test_2d_from_seed_matches_torch():
    torch.manual_seed(0)
    x = torch.randn(2, 3, 9, 8)
    y, i = F.fractional_max_pool2d(x, 3, output_size=(4, 5), return_indices=True)
    assert y.shape == (2, 3, 4, 5) and i.dtype == torch.int64
    assert abs(y.sum().item() - 194.30941772460938) < 1e-4
    assert i.reshape(-1)[:20].tolist() == [18, 19, 4, 13, 23, 24, 19, 28, 29, 23, 50, 50, 50, 45, 45, 58, 59, 59, 59, 69]
    assert torch.equal(y, x.flatten(2).gather(2, i.flatten(2)).view_as(y))
    y2 = F.fractional_max_pool2d(x[0], (2, 3), output_ratio=(0.5, 0.5))  # unbatched, ratio
    assert y2.shape == (3, 4, 4) and abs(y2.sum().item() - 58.85514831542969) < 1e-4


def test_3d_samples_order_matches_torch():
    torch.manual_seed(0)
    torch.randn(2, 3, 9, 8)  # the draws of the 2-d test before it, as recorded
    torch.rand(2, 3, 2)
    torch.rand(1, 3, 2)
    s = torch.rand(1, 2, 3)
    x3 = torch.randn(1, 2, 7, 6, 8)
    y3, i3 = F.fractional_max_pool3d(x3, 2, output_size=(3, 4, 5), return_indices=True, _random_samples=s)
    assert abs(y3.sum().item() - 178.6964874267578) < 1e-4
    assert i3.reshape(-1)[:20].tolist() == [56, 57, 60, 60, 63, 56, 66, 60, 21, 70, 24, 66, 67, 21, 70, 32, 34, 36,
                                            36, 86]


def test_nan_wins_the_window_last_one_seen():
    x = torch.arange(25.).view(1, 1, 5, 5).flip(-1)
    x[0, 0, 0, 1] = float("nan")
    x[0, 0, 1, 0] = float("nan")
    y, i = F.fractional_max_pool2d(x, 2, output_size=2, return_indices=True,
                                   _random_samples=torch.full((1, 1, 2), 0.3))
    assert i.tolist() == [[[[5, 8], [20, 23]]]]  # torch 2.15's: the NaN at 5 is seen after the one at 1
    assert y[0, 0, 0, 0].isnan() and y[0, 0, 1].tolist() == [24., 21.]


def test_gradients():
    x = torch.randn(1, 2, 6, 6, dtype=torch.float64, requires_grad=True)
    s = torch.full((1, 2, 2), 0.6, dtype=torch.float64)
    assert gradcheck(lambda t: F.fractional_max_pool2d(t, 2, output_size=3, _random_samples=s), (x,))
    assert gradgradcheck(lambda t: F.fractional_max_pool2d(t, 2, output_size=3, _random_samples=s), (x,))
    xg = torch.randn(1, 2, 6, 6, requires_grad=True)
    F.fractional_max_pool2d(xg, 2, output_size=3, _random_samples=torch.full((1, 2, 2), 0.6)).sum().backward()
    assert xg.grad.sum().item() == 18.0


def test_modules_and_errors():
    m = nn.FractionalMaxPool2d(2, output_ratio=(0.5, 0.5))
    assert repr(m) == "FractionalMaxPool2d()" and m(torch.randn(1, 1, 6, 6)).shape == (1, 1, 3, 3)
    assert nn.FractionalMaxPool3d(2, output_size=2, return_indices=True)(torch.randn(1, 4, 4, 4))[1].shape == (1, 2, 2, 2)
    x = torch.randn(2, 3, 9, 8)
    with pytest.raises(ValueError, match="requires specifying either an output_size or an output_ratio"):
        F.fractional_max_pool2d(x, 3)
    with pytest.raises(RuntimeError, match="pool height 3 too large relative to input height 9"):
        F.fractional_max_pool2d(x, 3, output_size=8)
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.fractional_max_pool2d(torch.randn(3, 3), 2, output_size=1)
    with pytest.raises(ValueError, match=r"output_ratio must be between 0 and 1 \(got 1.5\)"):
        nn.FractionalMaxPool2d(2, output_ratio=1.5)
    with pytest.raises(ValueError, match="only one of output_size and output_ratio"):
        nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5)
    with pytest.raises(ValueError, match="requires specifying either an output size, or a pooling ratio"):
        nn.FractionalMaxPool2d(2)
    with pytest.raises(RuntimeError, match="Expected _random_samples to have size"):
        F.fractional_max_pool2d(x, 2, output_size=3, _random_samples=torch.rand(1, 3, 2))
