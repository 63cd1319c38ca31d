"""torch.set_default_dtype / get_default_dtype: the default lives in the core, so promotion
(`int_tensor + 1.5`, `int_tensor / 2`, `int_tensor.exp()`) follows it as well as creation."""

import math

import numpy as np
import pytest

import rstorch as torch
from rstorch import _C


@pytest.fixture
def default_dtype():
    """Run a test with a changed default dtype, restoring float32 afterwards."""
    before = torch.get_default_dtype()
    yield torch.set_default_dtype
    torch.set_default_dtype(before)
    assert torch.get_default_dtype() is torch.float32


def test_starts_float32_and_round_trips(default_dtype):
    assert torch.get_default_dtype() is torch.float32
    assert _C.get_default_dtype() is torch.float32
    for d in (torch.float64, torch.float16, torch.bfloat16, torch.float32):
        default_dtype(d)
        assert torch.get_default_dtype() is d
        assert _C.get_default_dtype() is d


@pytest.mark.parametrize("bad", [torch.int64, torch.int32, torch.bool, torch.uint8])
def test_only_floating_types(default_dtype, bad):
    with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
        torch.set_default_dtype(bad)
    with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
        _C._set_default_dtype(bad)
    assert torch.get_default_dtype() is torch.float32


def test_float64_creation(default_dtype):
    default_dtype(torch.float64)
    assert torch.tensor(1.5).dtype == torch.float64
    assert torch.tensor([1.0, 2.0]).dtype == torch.float64
    assert torch.tensor([1, 2]).dtype == torch.int64
    assert torch.arange(3.0).dtype == torch.float64
    assert torch.arange(3).dtype == torch.int64
    assert torch.zeros(2).dtype == torch.float64
    assert torch.ones(2, 3).dtype == torch.float64
    assert torch.full((2,), 1.5).dtype == torch.float64
    assert torch.linspace(0, 1, 5).dtype == torch.float64
    assert torch.rand(3).dtype == torch.float64
    assert torch.randn(3).dtype == torch.float64
    # a value float32 cannot hold keeps its precision
    assert torch.tensor(0.1).item() == 0.1


def test_float64_promotion(default_dtype):
    default_dtype(torch.float64)
    i = torch.tensor([1, 2, 3])
    r = i + 1.5
    assert r.dtype == torch.float64 and r.tolist() == [2.5, 3.5, 4.5]
    r = i / 3
    assert r.dtype == torch.float64
    np.testing.assert_array_equal(np.asarray(r.tolist()), np.array([1, 2, 3]) / 3)  # exact in float64
    r = i.exp()
    assert r.dtype == torch.float64
    np.testing.assert_allclose(np.asarray(r.tolist()), np.exp([1.0, 2.0, 3.0]), rtol=1e-15)
    assert i.sqrt().dtype == torch.float64
    assert i.sigmoid().dtype == torch.float64
    assert torch.atan2(i, i).dtype == torch.float64
    assert (i * 0.5).dtype == torch.float64
    assert torch.result_type(i, 1.0) == torch.float64
    assert i.logsumexp(0).dtype == torch.float64
    # a float32 tensor is not upcast by a Python float
    f = torch.tensor([1.0, 2.0], dtype=torch.float32)
    assert (f + 1.5).dtype == torch.float32
    assert (f / 2).dtype == torch.float32
    # in place: the promoted dtype's name appears in the cast error
    with pytest.raises(RuntimeError, match="result type Double can't be cast to the desired output type Long"):
        i.div_(2)
    # mean of an integer tensor errors either way
    with pytest.raises(RuntimeError):
        i.mean()


def test_float16_default(default_dtype):
    default_dtype(torch.float16)
    assert torch.tensor(1.5).dtype == torch.float16
    assert (torch.tensor([1, 2]) / 2).dtype == torch.float16
    assert torch.tensor([1, 2]).exp().dtype == torch.float16
    assert math.isclose(torch.tensor([1]).exp().item(), 2.71875)  # e rounded to float16


def test_back_to_float32(default_dtype):
    default_dtype(torch.float64)
    default_dtype(torch.float32)
    assert (torch.tensor([1, 2]) / 2).dtype == torch.float32
    assert torch.tensor(1.5).dtype == torch.float32
