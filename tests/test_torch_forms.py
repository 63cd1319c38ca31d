"""torch's aten-level `torch.*` forms (torch.dropout(input, p, train), torch.embedding(weight,
indices), losses with aten's int reduction, the *_copy variants, logdet, angle, fill...) against
values recorded from torch 2.15 (tests/tools/record_torch_forms.py over tests/torch_forms_cases.py):
the same numbers (dropout masks from the same seed included), dtypes, shapes, identities and
errors."""

import json
import math
import pathlib
import warnings

import numpy as np
import pytest

import rstorch
from torch_forms_cases import CASES, inputs

RECORDED = json.loads((pathlib.Path(__file__).parent / "data" / "torch_forms.json").read_text())


def _compare(got, want, case):
    if "raises" in want:
        raise AssertionError(f"{case}: returned {got!r}, torch raised {want['raises']}: {want['message']}")
    if "tensor" in want:
        assert isinstance(got, rstorch.Tensor), case
        assert str(got.dtype).split(".")[1] == want["dtype"], case
        assert list(got.shape) == want["shape"], case
        ref = np.array(want["tensor"], dtype=np.float64).reshape(want["shape"])
        tol = 1e-5 if want["dtype"] in ("float32", "float64") else 0
        np.testing.assert_allclose(got.double().numpy(), ref, rtol=tol, atol=tol, equal_nan=True, err_msg=case)
    elif "dtype_value" in want:
        assert isinstance(got, rstorch.dtype) and str(got).split(".")[1] == want["dtype_value"], case
    elif "seq" in want:
        assert isinstance(got, (tuple, list)) and len(got) == len(want["seq"]), case
        for g, w in zip(got, want["seq"]):
            _compare(g, w if isinstance(w, dict) else {"value": w}, case)
    else:
        w = want["value"]
        assert got == w or (isinstance(w, float) and math.isnan(w) and math.isnan(got)), (case, got, w)


@pytest.mark.parametrize("case", CASES)
def test_matches_torch(case):
    want = RECORDED[case]
    env = dict(inputs(rstorch), T=rstorch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if "raises" in want:
            with pytest.raises(getattr(__builtins__, want["raises"], None) or Exception) as info:
                eval(case, env)
            assert type(info.value).__name__ == want["raises"], case
            assert str(info.value).split("\n")[0] == want["message"], case
            return
        got = eval(case, env)
    _compare(got, want, case)


def test_inplace_forms_write_their_input():
    x = rstorch.randn(3, 4)
    for fn, args in ((rstorch.dropout_, (0.5, True)), (rstorch.celu_, ()), (rstorch.selu_, ()),
                     (rstorch.threshold_, (0.0, 5.0)), (rstorch.feature_dropout_, (0.5, True))):
        y = x.clone()
        assert fn(y, *args) is y


def test_copies_own_their_storage():
    x = rstorch.randn(3, 4)
    for c in (rstorch.t_copy(x), rstorch.alias_copy(x), rstorch.slice_copy(x, 1, 0, 2), *rstorch.split_copy(x, 2)):
        assert c.is_contiguous() and c.untyped_storage().data_ptr() != x.untyped_storage().data_ptr()
    out = rstorch.empty(0)
    assert rstorch.t_copy(x, out=out) is out and out.shape == (4, 3)


def test_gradients_flow_through_the_forms():
    x = rstorch.randn(3, 4, dtype=rstorch.float64, requires_grad=True)
    y = rstorch.randn(3, 4, dtype=rstorch.float64)
    for fn in (lambda a: rstorch.celu(a, 0.5), lambda a: rstorch.kl_div(a, y.abs(), 2),
               lambda a: rstorch.cosine_similarity(a, y), lambda a: rstorch.group_norm(a[None], 3),
               lambda a: rstorch.logdet(a[:, :3] @ a[:, :3].t() + rstorch.eye(3, dtype=rstorch.float64)),
               lambda a: rstorch.t_copy(a), lambda a: rstorch.frobenius_norm(a, [0, 1])):
        assert rstorch.autograd.gradcheck(fn, (x,))
    a = rstorch.randn(4, requires_grad=True)
    rstorch.angle(a).sum().backward()
    assert a.grad.tolist() == [0.0] * 4  # torch's: the argument of a real number is locally constant


def test_dlpack_shares_memory_both_ways():
    x = rstorch.arange(4.0)
    y = rstorch.from_dlpack(rstorch.to_dlpack(x))  # a bare capsule, as torch.to_dlpack gives
    y[1] = 9.0
    a = np.from_dlpack(x)  # numpy reads our __dlpack__
    a[0] = 7.0
    assert x.tolist() == [7.0, 9.0, 2.0, 3.0]
    n = np.arange(6, dtype=np.int32).reshape(2, 3)[:, 1:]
    t = rstorch.utils.dlpack.from_dlpack(n)
    assert t.dtype is rstorch.int32 and t.tolist() == [[1, 2], [4, 5]] and t.stride() == (3, 1)
    assert x.__dlpack_device__() == (1, 0)
    with pytest.raises(RuntimeError, match="Can't export tensors that require gradient"):
        rstorch.ones(2, requires_grad=True).__dlpack__()


def test_build_flags_and_resize_as():
    assert rstorch.compiled_with_cxx11_abi() is True and rstorch.has_lapack is True
    assert rstorch.resize_as_(rstorch.ones(3), rstorch.ones(2, 2)).shape == (2, 2)
    x = rstorch.ones(3)
    assert x.const_data_ptr() == x.data_ptr()


def test_typed_storage():
    x = rstorch.arange(6.0).reshape(2, 3)[:, 1:]
    with pytest.warns(UserWarning, match="TypedStorage is deprecated"):
        s = x.storage()
    assert isinstance(s, rstorch.TypedStorage) and rstorch.is_storage(s) and rstorch.is_storage(x.untyped_storage())
    assert (s.size(), len(s), s.dtype, s.element_size(), s.nbytes()) == (6, 6, rstorch.float32, 4, 24)
    assert s.data_ptr() == x.untyped_storage().data_ptr() and s.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert s[2] == 2.0 and s.type() == "rstorch.FloatStorage" and x.storage_type() is rstorch.FloatStorage
    s[0] = 5.0
    assert x.tolist() == [[1.0, 2.0], [4.0, 5.0]] and s[0] == 5.0
    assert repr(s).splitlines()[0] == " 5.0" and repr(s).endswith(
        "[rstorch.storage.TypedStorage(dtype=rstorch.float32, device=cpu) of size 6]")
    with pytest.warns(UserWarning):
        assert repr(rstorch.ones(0).storage()).startswith(" \n[")
    assert rstorch.ones(2, dtype=rstorch.int64).storage_type() is rstorch.LongStorage
    with pytest.raises(IndexError):
        s[6]
