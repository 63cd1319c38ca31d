"""Kernel-level differences from PyTorch 2.15 that issue 19 lists, each checked against what
torch 2.15.0 gives (values and messages written in; no torch needed): any/all with dim=(),
nansum(dtype=), roll's shift range, overlapping copy_, integer clamp with out-of-range bounds,
half-type mul/div with a Python scalar (float32 "opmath"), pow's specialized exponents (0.5 is
sqrt, -0.5 rsqrt, 2/3/-2 products), and elementwise outputs laid out in their inputs' memory
order (TensorIterator's)."""

import math
import re

import numpy as np
import pytest

import rstorch as torch

inf, nan = float("inf"), float("nan")


def raises(exc, msg):
    return pytest.raises(exc, match="^" + re.escape(msg) + "$")


# ------------------------------------------------------------------ reductions, roll, copy_


def test_any_all_with_empty_dim_reduce_nothing():
    x = torch.tensor([[True, False]])
    for r in (x.any(dim=()), x.all(dim=()), torch.any(x, dim=()), x.any(dim=(), keepdim=True)):
        assert r.dtype is torch.bool and r.tolist() == [[True, False]]
    assert torch.tensor([[1, 0]]).any(dim=()).tolist() == [[True, False]]
    assert torch.tensor([1.0, 0.0]).all(dim=[]).tolist() == [True, False]
    u = torch.tensor([3, 0], dtype=torch.uint8).any(dim=())
    assert u.dtype is torch.uint8 and u.tolist() == [1, 0]
    assert x.any().tolist() is True and x.all().tolist() is False


def test_nansum_keeps_integer_dtype():
    assert torch.tensor([1, 2]).nansum(dtype=torch.int16).dtype is torch.int16
    assert torch.tensor([1, 2]).nansum(0, dtype=torch.int16).dtype is torch.int16
    assert torch.nansum(torch.tensor([1, 2]), dtype=torch.int16).item() == 3
    assert torch.tensor([1.0, 2.0]).nansum(dtype=torch.float64).dtype is torch.float64
    assert torch.tensor([1, 2]).nansum().dtype is torch.int64


def test_roll_shift_beyond_symint_range():
    msg = ("SymIntArrayRef expected to contain only concrete integers that are stored inline and can be "
           "viewed as an IntArrayRef. Found heap-allocated concrete SymInt at index 0: -9223372036854775808 in "
           "SymIntArrayRef [-9223372036854775808]. This value is concrete, but the non-owning IntArrayRef "
           "conversion used here cannot represent heap-allocated SymInt values. Use an owning conversion such "
           "as asIntArrayRefSlowAlloc to materialize the values into a DimVector before this call.")
    with raises(RuntimeError, msg):
        torch.arange(3).roll(-2**63)
    with pytest.raises(RuntimeError, match="at index 0: -4611686018427387905 in"):
        torch.arange(3).roll(-2**62 - 1)
    assert torch.arange(3).roll(-2**62).tolist() == [1, 2, 0]   # -2**62 % 3 == 2
    assert torch.arange(3).roll(2**63 - 1).tolist() == [2, 0, 1]


OVERLAP = ("unsupported operation: some elements of the input tensor and the written-to tensor refer to a single "
           "memory location. Please clone() the tensor before performing the operation.")


def test_copy_into_a_partially_overlapping_view_raises():
    x = torch.arange(4.)
    with raises(RuntimeError, OVERLAP):
        x[1:].copy_(x[:-1])
    with raises(RuntimeError, OVERLAP):
        x[:-1].copy_(x[1:])
    m = torch.arange(9.).reshape(3, 3)
    with raises(RuntimeError, OVERLAP):
        m.copy_(m.t())   # same memory, other strides
    y = torch.arange(4.)
    y.copy_(y)   # the same view: a no-op, as in torch
    y[:2].copy_(y[2:])   # disjoint parts of one storage
    assert y.tolist() == [2.0, 3.0, 2.0, 3.0]
    z = torch.arange(4.)
    z[1:].copy_(z[:-1].clone())
    assert z.tolist() == [0.0, 0.0, 1.0, 2.0]


# ------------------------------------------------------------------ kernels at the edges


@pytest.mark.parametrize("call, want", [
    (lambda u: u.clamp(min=-3), [0, 83, 255]),
    (lambda u: u.clamp(max=300), [0, 83, 255]),
    (lambda u: u.clamp(-3, 300), [0, 83, 255]),
    (lambda u: u.clamp(100, 300), [100, 100, 255]),
    (lambda u: u.clip(-3, 300), [0, 83, 255]),
    (lambda u: torch.clamp_min(u, -3), [0, 83, 255]),
    (lambda u: torch.clamp_max(u, 300), [0, 83, 255]),
    (lambda u: u.clone().clamp_(min=-3), [0, 83, 255]),
])
def test_uint8_clamp_with_out_of_range_bounds(call, want):
    r = call(torch.tensor([0, 83, 255], dtype=torch.uint8))
    assert r.dtype is torch.uint8 and r.tolist() == want


@pytest.mark.parametrize("call, msg", [
    (lambda: torch.tensor([1], dtype=torch.uint8).clamp(max=-3), "Clamp max value -3 is outside the representable range of Byte"),
    (lambda: torch.tensor([1], dtype=torch.uint8).clamp(min=300), "Clamp min value 300 is outside the representable range of Byte"),
    (lambda: torch.tensor([1], dtype=torch.uint8).clamp(-3, -1), "Clamp max value -1 is outside the representable range of Byte"),
    (lambda: torch.tensor([1], dtype=torch.uint8).clamp(256, 300), "Clamp min value 256 is outside the representable range of Byte"),
    (lambda: torch.tensor([1], dtype=torch.uint8).clamp_(max=-3), "Clamp max value -3 is outside the representable range of Byte"),
    (lambda: torch.tensor([1], dtype=torch.int32).clamp(min=2**31), "Clamp min value 2.14748e+09 is outside the representable range of Int"),
    (lambda: torch.tensor([1], dtype=torch.int8).clamp(max=-200), "Clamp max value -200 is outside the representable range of Char"),
    (lambda: torch.tensor([1.0]).clamp(max=1e300), "value cannot be converted to type float without overflow"),
    (lambda: torch.tensor([1.0], dtype=torch.float16).clamp(max=65519.0), "value cannot be converted to type c10::Half without overflow"),
    (lambda: torch.clamp_min(torch.tensor([1.0], dtype=torch.float16), 1e6), "value cannot be converted to type c10::Half without overflow"),
    (lambda: torch.tensor([1.0], dtype=torch.bfloat16).clamp(max=1e39), "value cannot be converted to type c10::BFloat16 without overflow"),
])
def test_clamp_bound_outside_the_dtype(call, msg):
    with raises(RuntimeError, msg):
        call()


def test_int_clamp_compares_bounds_wide():
    i = torch.tensor([-5, 7, 2**31 - 1], dtype=torch.int32)
    assert i.clamp(max=2**31).tolist() == [-5, 7, 2**31 - 1]
    assert i.clamp(min=-2**40).tolist() == [-5, 7, 2**31 - 1]
    i8 = torch.tensor([-100, 5], dtype=torch.int8)
    assert i8.clamp(min=-200).tolist() == [-100, 5] and i8.clamp(max=200).tolist() == [-100, 5]
    assert torch.tensor([5]).clamp(max=2**63 - 1).tolist() == [5]
    assert torch.tensor([1.0]).clamp(max=inf).tolist() == [1.0]
    assert torch.tensor([1.0], dtype=torch.float64).clamp(max=1e300).tolist() == [1.0]
    assert torch.tensor([1.0], dtype=torch.bfloat16).clamp(max=1e38).tolist() == [1.0]
    assert torch.tensor([1.0], dtype=torch.float16).clamp(max=torch.tensor(1e6)).tolist() == [1.0]
    # a tensor bound is converted to the result dtype first, as in torch
    assert torch.tensor([1, 2], dtype=torch.int16).clamp(min=torch.tensor(-40000)).tolist() == [25536, 25536]
    assert torch.tensor([1, 2], dtype=torch.uint8).clamp(1.5).tolist() == [1.5, 2.0]


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_ops_keep_a_python_scalar_in_float32(dtype):
    x = lambda *v: torch.tensor(list(v), dtype=dtype)
    assert (x(inf, 1.0) / 1e10).tolist()[0] == inf
    assert x(inf).div_(1e10).tolist() == [inf]
    assert (x(inf) / torch.tensor(1e10)).tolist() == [inf]                       # a 0-dim float32 tensor
    assert (x(inf) / torch.tensor(1e10, dtype=torch.float64)).tolist() == [inf]
    big = 1000.5 if dtype is torch.float16 else 1000.0
    assert (x(1000.0) * 1.0003).tolist() == [big]
    assert (1.0003 * x(1000.0)).tolist() == [big]
    assert x(1000.0).mul_(1.0003).tolist() == [big]
    assert (x(1000.0) * torch.tensor(1.0003)).tolist() == [big]
    assert (x(1000.0) * torch.tensor(1.0003, dtype=dtype)).tolist() == [1000.0]  # already rounded
    assert torch.mul(1.0003, x(1000.0)).tolist() == [1000.0]   # a scalar first operand is rounded
    assert (x(1000.0) + 0.2501).tolist() == [1000.0]           # add rounds its scalar, as torch's


def test_half_division_rounding_modes_with_scalar():
    x = torch.tensor([0.001], dtype=torch.float16)
    # 1e-7 rounds to 1.19e-7 in float16; torch divides by the float32 value
    want = [float(np.float16(np.trunc(np.float32(np.float16(0.001)) / np.float32(1e-7))))]
    assert torch.div(x, 1e-7, rounding_mode="trunc").tolist() == want
    assert torch.div(x, 1e-7, rounding_mode="floor").tolist() == want
    assert (x // 1e-7).tolist() == want
    assert x.clone().div_(1e-7, rounding_mode="trunc").tolist() == want


POW = {  # torch 2.15.0: tensor([-inf, -0., 0., inf, -2., 2.]).pow(e)
    0.5: [nan, -0.0, 0.0, inf, nan],
    -0.5: [nan, -inf, inf, 0.0, nan],
}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
@pytest.mark.parametrize("e", [0.5, -0.5])
def test_pow_half_exponents_are_sqrt_and_rsqrt(dtype, e):
    x = torch.tensor([-inf, -0.0, 0.0, inf, -2.0], dtype=dtype)
    for r in (x.pow(e), x ** e, torch.pow(x, e), x.clone().pow_(e)):
        got = r.tolist()
        for g, w in zip(got, POW[e]):
            assert (math.isnan(g) and math.isnan(w)) or (g == w and math.copysign(1, g) == math.copysign(1, w)), (got, e)
    assert x.pow(e).tolist()[1:2] == (x.sqrt() if e == 0.5 else x.rsqrt()).tolist()[1:2]


def test_pow_specializations_match_torch_bits():
    d = torch.tensor([1.1, 3.7, 1e-3, 12345.678], dtype=torch.float64)
    assert [v.hex() for v in d.pow(-2.0).tolist()][3] == "0x1.c2de5a0046197p-28"
    assert [v.hex() for v in d.pow(-0.5).tolist()][2] == "0x1.f9f6e4990f228p+4"
    f = torch.tensor([3.3, 12345.678])
    assert f.pow(3.0).tolist() == [35.93699645996094, 1881675792384.0]      # x * x * x in float32
    assert f.pow(3.0).tolist() == (f * f * f).tolist()
    assert torch.tensor([12345.678]).pow(-0.5).tolist() == [0.009000000543892384]
    b = torch.tensor([1e-3], dtype=torch.bfloat16)
    assert b.pow(-2.0).tolist() == [1003520.0]
    # float16 runs plain pow (no sqrt specialization in torch), the -0. and -inf cases included
    h = torch.tensor([-inf, -0.0], dtype=torch.float16)
    assert h.pow(0.5).tolist() == [inf, 0.0]
    # a 0-dim tensor exponent is pow of two tensors: no specialization
    assert torch.tensor([-inf]).pow(torch.tensor(0.5)).tolist() == [inf]
    assert torch.tensor([2, 3]).pow(2).tolist() == [4, 9]


# ------------------------------------------------------------------ output layouts


def _layout_cases():
    x = torch.arange(12.).reshape(3, 4)
    xt = x.t()
    p = torch.arange(24.).reshape(2, 3, 4).permute(2, 0, 1)
    e = torch.zeros(3, 1, 4).expand(3, 2, 4)
    s = torch.zeros(3, 4)[:, ::2]
    return {
     "xt+1": lambda: xt + 1, "xt*xt": lambda: xt * xt, "xt+x.t().contiguous()": lambda: xt + xt.contiguous(),
     "contig+xt": lambda: xt.contiguous() + xt, "xt>0": lambda: xt > 0, "xt.exp": lambda: xt.exp(),
     "xt.neg": lambda: -xt, "xt.abs": lambda: xt.abs(), "xt.sqrt": lambda: xt.sqrt(),
     "int xt.exp": lambda: xt.long().exp(), "xt.clone": lambda: xt.clone(), "xt.double": lambda: xt.double(),
     "p+1": lambda: p + 1, "p.sin": lambda: p.sin(), "p+p": lambda: p * 2 + p,
     "e.exp": lambda: e.exp(), "e+1": lambda: e + 1, "s.exp": lambda: s.exp(), "s+s": lambda: s + s,
     "xt+row": lambda: xt + torch.ones(3), "col+xt": lambda: torch.ones(4, 1) + xt,
     "xt+bcast3d": lambda: xt + torch.ones(2, 4, 3), "zeros_like p": lambda: torch.zeros_like(p),
     "ones_like s": lambda: torch.ones_like(s), "full_like xt": lambda: torch.full_like(xt, 3.),
     "empty_like xt": lambda: torch.empty_like(xt), "xt.sigmoid": lambda: xt.sigmoid(),
     "xt.relu": lambda: torch.relu(xt), "pow": lambda: xt ** 2, "where": lambda: torch.where(xt > 1, xt, 0.),
     "maximum": lambda: torch.maximum(xt, xt), "xt/2": lambda: xt / 2, "2-xt": lambda: 2 - xt,
     "x[:, :1].t()+1": lambda: x[:, :1].t() + 1, "xt.isnan": lambda: xt.isnan(),
     "unsq": lambda: x.unsqueeze(1).transpose(0, 2) + 1,
    }


LAYOUTS = {  # torch 2.15.0: name -> (shape, stride) of the result
    'xt+1': ((4, 3), (1, 4)),
    'xt*xt': ((4, 3), (1, 4)),
    'xt+x.t().contiguous()': ((4, 3), (1, 4)),
    'contig+xt': ((4, 3), (3, 1)),
    'xt>0': ((4, 3), (1, 4)),
    'xt.exp': ((4, 3), (1, 4)),
    'xt.neg': ((4, 3), (1, 4)),
    'xt.abs': ((4, 3), (1, 4)),
    'xt.sqrt': ((4, 3), (1, 4)),
    'int xt.exp': ((4, 3), (1, 4)),
    'xt.clone': ((4, 3), (1, 4)),
    'xt.double': ((4, 3), (1, 4)),
    'p+1': ((4, 2, 3), (1, 12, 4)),
    'p.sin': ((4, 2, 3), (1, 12, 4)),
    'p+p': ((4, 2, 3), (1, 12, 4)),
    'e.exp': ((3, 2, 4), (8, 4, 1)),
    'e+1': ((3, 2, 4), (8, 4, 1)),
    's.exp': ((3, 2), (2, 1)),
    's+s': ((3, 2), (2, 1)),
    'xt+row': ((4, 3), (1, 4)),
    'col+xt': ((4, 3), (1, 4)),
    'xt+bcast3d': ((2, 4, 3), (12, 1, 4)),
    'zeros_like p': ((4, 2, 3), (1, 12, 4)),
    'ones_like s': ((3, 2), (2, 1)),
    'full_like xt': ((4, 3), (1, 4)),
    'empty_like xt': ((4, 3), (1, 4)),
    'xt.sigmoid': ((4, 3), (1, 4)),
    'xt.relu': ((4, 3), (1, 4)),
    'pow': ((4, 3), (1, 4)),
    'where': ((4, 3), (1, 4)),
    'maximum': ((4, 3), (1, 4)),
    'xt/2': ((4, 3), (1, 4)),
    '2-xt': ((4, 3), (1, 4)),
    'x[:, :1].t()+1': ((1, 3), (1, 1)),
    'xt.isnan': ((4, 3), (1, 4)),
    'unsq': ((4, 1, 3), (1, 4, 4)),
}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_elementwise_output_follows_input_memory_order(name):
    r = _layout_cases()[name]()
    assert (tuple(r.shape), r.stride()) == LAYOUTS[name]


def test_output_layout_keeps_values():
    x = torch.arange(12.).reshape(3, 4)
    assert (x.t() + 1).tolist() == [[v + 1 for v in row] for row in x.t().tolist()]
    assert (x.t() * x.t().contiguous()).tolist() == (x.t().contiguous() ** 2).tolist()
    assert x.t().exp().contiguous().tolist() == x.t().contiguous().exp().tolist()
    y = (x.t() + 1).reshape(-1)   # a transposed result reshapes by copying
    assert y.tolist() == [v + 1 for v in x.t().contiguous().reshape(-1).tolist()]
    assert (x.t() + 1).is_contiguous() is False and (x + 1).is_contiguous()
