"""torch's top-level switches and predicates, the Tensor methods scripts ask of backends and
layouts, torch.testing, torch.version and torch.random: values as torch 2.15 gives them."""

import math

import numpy as np
import pytest

import rstorch as torch


def test_constants_and_layout():
    assert torch.pi == math.pi and torch.e == math.e and torch.inf == math.inf and math.isnan(torch.nan)
    assert torch.newaxis is None and torch.ones(2)[torch.newaxis].shape == (1, 2)
    assert repr(torch.strided) == "torch.strided" and torch.ones(2).layout is torch.strided
    assert torch.zeros(2, layout=torch.strided).tolist() == [0.0, 0.0]


def test_deterministic_switches():
    assert torch.are_deterministic_algorithms_enabled() is False
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        assert torch.are_deterministic_algorithms_enabled() and torch.is_deterministic_algorithms_warn_only_enabled()
        assert torch.get_deterministic_debug_mode() == 1
        torch.set_deterministic_debug_mode("error")
        assert torch.get_deterministic_debug_mode() == 2
        with pytest.raises(RuntimeError, match="invalid value of debug_mode"):
            torch.set_deterministic_debug_mode("loud")
        with pytest.raises(TypeError):
            torch.use_deterministic_algorithms(1)
    finally:
        torch.use_deterministic_algorithms(False)
    assert torch.get_deterministic_debug_mode() == 0


def test_matmul_precision_default_device_threads():
    assert torch.get_float32_matmul_precision() == "highest"
    torch.set_float32_matmul_precision("high")
    assert torch.get_float32_matmul_precision() == "high"
    torch.set_float32_matmul_precision("highest")
    with pytest.raises(RuntimeError, match="Invalid precision"):
        torch.set_float32_matmul_precision("low")
    assert torch.get_default_device() == torch.device("cpu")
    torch.set_default_device("cpu")
    torch.set_default_device(None)
    from rstorch import _wgpu
    if _wgpu.is_available():
        with pytest.raises(NotImplementedError, match="only 'cpu' can be the default device"):
            torch.set_default_device("cuda")
    else:
        with pytest.raises(RuntimeError, match="not available"):
            torch.set_default_device("cuda")
    assert torch.get_num_interop_threads() >= 1
    assert torch.set_flush_denormal(True) is False
    torch.set_warn_always(True)
    assert torch.is_warn_always_enabled()
    torch.set_warn_always(False)


def test_predicates():
    a = torch.ones(3)
    assert torch.typename(a) == "rstorch.FloatTensor" and torch.typename(1) == "int"
    assert torch.is_nonzero(torch.tensor([2])) and not torch.is_nonzero(torch.tensor(0.0))
    with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
        torch.is_nonzero(a)
    with pytest.raises(RuntimeError, match="no values is ambiguous"):
        torch.is_nonzero(torch.ones(0))
    assert torch.is_same_size(a, torch.zeros(3)) and not torch.is_same_size(a, torch.zeros(1, 3))
    assert torch.is_signed(a) and not torch.is_signed(torch.ones(1, dtype=torch.uint8))
    assert not torch.is_complex(a) and not torch.is_conj(a) and not torch.is_storage(a)
    assert torch.get_device(a) == -1 and a.get_device() == -1


def test_backend_and_layout_questions():
    a = torch.arange(3.)
    assert not (a.is_sparse or a.is_quantized or a.is_nested or a.is_mps or a.is_pinned())
    assert a.real is a and a.conj() is a and a.resolve_conj() is a and a.resolve_neg() is a and a.to_dense() is a
    with pytest.raises(TypeError, match="imag is not implemented for tensors with non-complex dtypes"):
        a.imag
    with pytest.raises(RuntimeError, match="accelerator"):
        a.pin_memory()
    assert torch.zeros(2, 3).t().dim_order() == (1, 0) and torch.zeros(2, 3, 4).dim_order() == (0, 1, 2)


def test_fill_diagonal():
    t = torch.zeros(3, 4).fill_diagonal_(5)
    np.testing.assert_array_equal(t.numpy(), np.eye(3, 4) * 5)
    w = torch.ones(7, 3).fill_diagonal_(2, wrap=True)
    want = np.ones((7, 3))
    for r, c in [(0, 0), (1, 1), (2, 2), (4, 0), (5, 1), (6, 2)]:
        want[r, c] = 2
    np.testing.assert_array_equal(w.numpy(), want)
    nowrap = torch.ones(7, 3).fill_diagonal_(2)
    assert nowrap.sum().item() == 21 + 3
    cube = torch.zeros(2, 2, 2).fill_diagonal_(1)
    assert cube[0, 0, 0] == 1 and cube[1, 1, 1] == 1 and cube.sum() == 2
    with pytest.raises(RuntimeError, match="all dimensions of input must be of equal length"):
        torch.zeros(2, 3, 2).fill_diagonal_(1)
    with pytest.raises(RuntimeError, match="dimensions must larger than 1"):
        torch.zeros(3).fill_diagonal_(1)


def test_sum_to_size_apply_map():
    x = torch.arange(6.).view(2, 3)
    assert x.sum_to_size(1, 3).tolist() == [[3., 5., 7.]]
    assert x.sum_to_size(3).tolist() == [3., 5., 7.]
    assert x.sum_to_size((2, 1)).tolist() == [[3.], [12.]]
    assert x.sum_to_size(2, 3) is x or x.sum_to_size(2, 3).tolist() == x.tolist()
    with pytest.raises(RuntimeError, match="is not expandable to size"):
        x.sum_to_size(4)
    assert torch.arange(3.).apply_(lambda v: v * 10).tolist() == [0., 10., 20.]
    assert torch.arange(3).map_(torch.tensor(2), lambda a, b: a * b).tolist() == [0, 2, 4]


def test_assert_close():
    a, b = torch.tensor([1., 2., 3.]), torch.tensor([1., 2.5, 3.])
    torch.testing.assert_close(a, a + 1e-7)
    torch.testing.assert_close(a, b, rtol=0.3, atol=0)
    torch.testing.assert_close({"x": [a]}, {"x": [a.clone()]})
    torch.testing.assert_close(torch.tensor(float("nan")), torch.tensor(float("nan")), equal_nan=True)
    with pytest.raises(AssertionError) as e:
        torch.testing.assert_close(a, b)
    assert str(e.value) == ("Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\n"
                            "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
                            "Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)")
    with pytest.raises(AssertionError, match=r"The failure occurred for item \['x'\]"):
        torch.testing.assert_close({"x": a}, {"x": b})
    with pytest.raises(AssertionError, match="^custom$"):
        torch.testing.assert_close([a], [b], msg="custom")
    with pytest.raises(AssertionError, match="attribute 'dtype' do not match"):
        torch.testing.assert_close(a, a.double())
    torch.testing.assert_close(a, a.double(), check_dtype=False)
    with pytest.raises(AssertionError, match=r"Greatest relative difference: 0.3333333432674408 at index \(1,\)"):
        torch.testing.assert_close(torch.tensor([1, 2]), torch.tensor([1, 3]))
    with pytest.raises(AssertionError, match="Expected 1.1 but got 1.0"):
        torch.testing.assert_close(1.0, 1.1)
    with pytest.raises(AssertionError, match=r"The \(d\)types do not match"):
        torch.testing.assert_close(1, 1.0)
    with pytest.raises(TypeError, match="No comparison pair"):
        torch.testing.assert_close(a, 1.0)
    with pytest.raises(ValueError, match="Both 'rtol' and 'atol'"):
        torch.testing.assert_close(a, b, rtol=0.3)


def test_make_tensor_version_random():
    t = torch.testing.make_tensor(2, 3, dtype=torch.float32, device="cpu", low=-1, high=1)
    assert t.shape == (2, 3) and t.dtype == torch.float32 and bool((t >= -1).all() and (t < 1).all())
    assert torch.testing.make_tensor((4,), dtype=torch.int64, device="cpu", low=0, high=1).tolist() == [0] * 4
    assert not torch.testing.make_tensor(3, 4, dtype=torch.float32, device="cpu", noncontiguous=True).is_contiguous()
    assert torch.version.cuda is None and torch.version.__version__ == torch.__version__
    torch.random.manual_seed(5)
    assert torch.random.initial_seed() == 5 and torch.initial_seed() == 5
