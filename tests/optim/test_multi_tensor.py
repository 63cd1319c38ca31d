"""The one-pass native steps of Adam, AdamW and SGD (rust/core/src/ops/optim.rs) against the
op-by-op form they replace: bit for bit, over many steps, for every option, float32 and
float64, parameters of several sizes (one bigger than a parallel chunk) and groups where the
native step must decline (non-contiguous parameters) or some parameters have no gradient.
test_optim.py holds both forms to trajectories recorded from torch."""

import pytest

import rstorch
from rstorch import nn, optim
from rstorch.optim import optimizer as optimizer_module

SHAPES = [(3,), (4, 5), (70001,), ()]


def params(dtype, seed=0):
    g = rstorch.Generator().manual_seed(seed)
    return [nn.Parameter(rstorch.randn(s, generator=g, dtype=dtype)) for s in SHAPES]


def run(make_opt, dtype, steps=6, multi=True, transform=None):
    ps = params(dtype)
    if transform:
        ps = transform(ps)
    opt = make_opt(ps)
    g = rstorch.Generator().manual_seed(1)
    old = optimizer_module._multi_tensor
    optimizer_module._multi_tensor = multi
    try:
        for k in range(steps):
            for i, p in enumerate(ps):
                # one parameter skips a step: its state must not move
                p.grad = None if (k == 2 and i == 1) else rstorch.randn(p.shape, generator=g, dtype=dtype)
            opt.step()
    finally:
        optimizer_module._multi_tensor = old
    return ps, opt


CASES = {
    "adam": lambda ps: optim.Adam(ps, lr=0.01),
    "adam_wd_amsgrad": lambda ps: optim.Adam(ps, lr=0.02, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True),
    "adam_maximize": lambda ps: optim.Adam(ps, lr=0.01, maximize=True, eps=1e-3),
    "adamw": lambda ps: optim.AdamW(ps, lr=0.01, weight_decay=0.3),
    "adamw_amsgrad": lambda ps: optim.AdamW(ps, lr=0.01, amsgrad=True, maximize=True),
    "adam_fused_flag": lambda ps: optim.Adam(ps, lr=rstorch.tensor(0.01), fused=True),
    "sgd": lambda ps: optim.SGD(ps, lr=0.1),
    "sgd_momentum": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
    "sgd_dampening_wd": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01),
    "sgd_nesterov_maximize": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, maximize=True),
    "sgd_tensor_lr": lambda ps: optim.SGD(ps, lr=rstorch.tensor(0.1), momentum=0.5),
}


def identical(x, y):
    """Bit for bit, NaN equal to NaN (float16 Adam divides 0 by 0: eps rounds to 0 there)."""
    return x.dtype == y.dtype and rstorch.allclose(x, y, rtol=0, atol=0, equal_nan=True)


def same_state(a, b):
    for (pa, pb) in zip(a[0], b[0]):
        assert identical(pa, pb)
    sa, sb = a[1].state_dict()["state"], b[1].state_dict()["state"]
    assert sa.keys() == sb.keys()
    for k in sa:
        for key, va in sa[k].items():
            vb = sb[k][key]
            assert identical(va, vb) if isinstance(va, rstorch.Tensor) else va == vb, key


@pytest.mark.parametrize("dtype", [rstorch.float32, rstorch.float64])
@pytest.mark.parametrize("case", sorted(CASES))
def test_native_step_is_the_op_by_op_step(case, dtype):
    native, reference = run(CASES[case], dtype), run(CASES[case], dtype, multi=False)
    same_state(native, reference)
    # and it moved: a broken kernel that writes nothing would also agree with a broken reference
    assert not rstorch.equal(native[0][0], params(dtype)[0])


def test_groups_the_native_step_declines_take_the_op_by_op_path():
    # transposed (non-contiguous) parameters, and float16 ones
    t = lambda ps: [nn.Parameter(p.detach().t() if p.dim() == 2 else p.detach()) for p in ps]
    for case in ("adam_wd_amsgrad", "sgd_momentum"):
        same_state(run(CASES[case], rstorch.float32, transform=t), run(CASES[case], rstorch.float32, multi=False, transform=t))
        same_state(run(CASES[case], rstorch.float16, steps=3), run(CASES[case], rstorch.float16, steps=3, multi=False))


def test_step_counter_and_versions():
    p = nn.Parameter(rstorch.ones(4))
    opt = optim.Adam([p], lr=0.1)
    v = p._version
    for _ in range(3):
        p.grad = rstorch.ones(4)
        opt.step()
    assert opt.state[p]["step"].item() == 3.0 and opt.state[p]["step"].dtype == rstorch.float32
    assert p._version > v  # in-place writes are seen by autograd's version check


def test_gradient_that_aliases_its_parameter():
    for multi in (True, False):
        p = nn.Parameter(rstorch.arange(4.))
        p.grad = p.detach()  # shares p's storage
        old = optimizer_module._multi_tensor
        optimizer_module._multi_tensor = multi
        try:
            optim.SGD([p], lr=0.5).step()
        finally:
            optimizer_module._multi_tensor = old
        assert p.tolist() == [0.0, 0.5, 1.0, 1.5]


def test_differentiable_step_still_records_its_ops():
    w = nn.Parameter(rstorch.tensor([1.0, 2.0]))
    x = w.detach().clone().requires_grad_()
    x.grad = rstorch.tensor([1.0, 1.0])
    opt = optim.SGD([x], lr=0.1, differentiable=True)
    y = x.clone()
    opt.param_groups[0]["params"] = [y]
    y.grad = rstorch.tensor([1.0, 1.0])
    assert type(y.grad_fn).__name__ == "CloneBackward0"
    opt.step()
    assert type(y.grad_fn).__name__ == "AddBackward0"
