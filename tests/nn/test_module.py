"""nn.Module behaviour beyond the recorded torch parity cases (test_torch_parity.py): imports,
warnings and where they point, registration hooks, the hook-free fast path, DataParallel."""

import copy
import importlib
import os
import pickle
import warnings
from collections import OrderedDict

import pytest

import rstorch
import rstorch.nn as nn
from rstorch.nn.modules import module as module_mod


def test_import_forms():
    from rstorch import nn as nn2
    assert nn2 is nn is rstorch.nn
    assert rstorch.nn.Module is nn.modules.module.Module is nn.Module
    for name in ("Linear", "Bilinear", "Identity", "Flatten", "Unflatten", "Sequential", "ModuleList", "ModuleDict",
                 "ParameterList", "ParameterDict", "Parameter", "Buffer", "DataParallel"):
        assert hasattr(nn, name), name
    for mod in ("rstorch.nn.functional", "rstorch.nn.init", "rstorch.nn.utils", "rstorch.nn.parameter",
                "rstorch.nn.modules.linear", "rstorch.nn.modules.container", "rstorch.nn.parallel"):
        importlib.import_module(mod)
    assert nn.utils.clip_grad_norm_ is nn.utils.clip_grad.clip_grad_norm_
    assert nn.parallel.DataParallel is nn.DataParallel


def test_call_without_hooks_is_forward():
    class Probe(nn.Module):
        def forward(self, *args, **kwargs):
            return args, kwargs

    assert Probe()(1, 2, k=3) == ((1, 2), {"k": 3})


def test_forward_pre_hook_single_value_and_kwargs():
    class F(nn.Module):
        def forward(self, x, scale=1):
            return x * scale

    m = F()
    m.register_forward_pre_hook(lambda mod, args: args[0] + 1)  # a non-tuple becomes (value,)
    assert m(1, scale=3) == 6
    m2 = F()
    m2.register_forward_pre_hook(lambda mod, args, kwargs: ((args[0],), {"scale": 10}), with_kwargs=True)
    assert m2(2) == 20


def test_always_call_hook_errors_only_warn():
    class Boom(nn.Module):
        def forward(self, x):
            raise KeyError("forward")

    def bad_hook(mod, args, out):
        raise ValueError("hook")

    m = Boom()
    m.register_forward_hook(bad_hook, always_call=True)
    with pytest.warns(UserWarning, match="raised an exception that was silenced.*hook"):
        with pytest.raises(KeyError, match="forward"):
            m(1)


def test_global_hooks_and_registration_hooks():
    seen, made = [], []

    def replace(m, name, p):
        seen.append(("param", name))
        made.append(nn.Parameter(p.detach().clone()))
        return made[-1]

    handles = [
        module_mod.register_module_forward_pre_hook(lambda m, a: seen.append(("pre", type(m).__name__))),
        module_mod.register_module_parameter_registration_hook(replace),
        module_mod.register_module_buffer_registration_hook(lambda m, name, b: seen.append(("buffer", name))),
        module_mod.register_module_module_registration_hook(lambda m, name, sub: seen.append(("module", name))),
    ]
    try:
        m = nn.Linear(2, 2)
        m.register_buffer("b", rstorch.ones(1))
        m.child = nn.Identity()
        m(rstorch.ones(1, 2))
    finally:
        for h in handles:
            h.remove()
    assert seen == [("param", "weight"), ("param", "bias"), ("buffer", "b"), ("module", "child"), ("pre", "Linear")]
    assert m.weight is made[0] and m.bias is made[1]  # the hook's replacements were registered
    nn.Linear(1, 1)(rstorch.ones(1, 1))
    assert len(seen) == 5  # removed


def test_global_backward_hook_kinds_exclusive():
    h = module_mod.register_module_full_backward_hook(lambda *a: None)
    try:
        with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full backward hooks as a "
                                               "global Module hook"):
            module_mod.register_module_backward_hook(lambda *a: None)
    finally:
        h.remove()
        module_mod._global_is_full_backward_hook = None


def test_global_full_backward_hook_runs():
    seen = []
    h = module_mod.register_module_full_backward_hook(lambda m, gi, go: seen.append(type(m).__name__))
    try:
        m = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
        m(rstorch.ones(3, 2, requires_grad=True)).sum().backward()
    finally:
        h.remove()
        module_mod._global_is_full_backward_hook = None
    assert seen == ["Linear", "Linear", "Sequential"]


def test_full_backward_hook_warning_points_at_caller():
    m = nn.Linear(2, 2)
    m.register_full_backward_hook(lambda *a: None)
    out = m(rstorch.ones(1, 2))  # no input requires grad: the hook fires at the outputs
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out.sum().backward()
    assert len(w) == 1 and "Full backward hook is firing" in str(w[0].message)
    assert os.path.basename(w[0].filename) == os.path.basename(__file__)


def test_backward_hook_can_replace_grad_input():
    m = nn.Linear(2, 2)
    m.register_full_backward_hook(lambda mod, gi, go: (rstorch.zeros_like(gi[0]),))
    x = rstorch.ones(3, 2, requires_grad=True)
    m(x).sum().backward()
    assert x.grad.abs().sum().item() == 0
    assert m.weight.grad.abs().sum().item() > 0  # parameter gradients are not the hook's business


def test_hook_handles_prepend_and_context():
    m = nn.Identity()
    order = []
    h1 = m.register_forward_hook(lambda *a: order.append(1))
    with m.register_forward_hook(lambda *a: order.append(0), prepend=True):
        m(0)
    m(0)
    assert order == [0, 1, 1]
    h1.remove()
    assert not m._forward_hooks and not m._forward_hooks_with_kwargs and not m._forward_hooks_always_called
    h = m.register_forward_hook(lambda *a: None, with_kwargs=True, always_call=True)
    h.remove()
    assert not m._forward_hooks_with_kwargs and not m._forward_hooks_always_called
    pickle.loads(pickle.dumps(h))  # handles pickle (torch's format)


def test_state_dict_positional_args_warn():
    m = nn.Linear(1, 1)
    dest = OrderedDict()
    with pytest.warns(FutureWarning, match="Positional args are being deprecated"):
        out = m.state_dict(dest, "p.")
    assert out is dest and list(dest) == ["p.weight", "p.bias"]


def test_load_into_meta_warns():
    m = nn.Linear(2, 2, device="meta")
    with pytest.warns(UserWarning, match="copying from a non-meta parameter in the checkpoint to a meta parameter"):
        m.load_state_dict(nn.Linear(2, 2).state_dict())


def test_load_state_dict_copy_errors_are_collected():
    m = nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match=r'While copying the parameter named "weight", whose dimensions in the '
                                           r"model are rstorch.Size\(\[2, 2\]\)"):
        m.load_state_dict({"weight": rstorch.zeros(2, 2, device="meta"), "bias": rstorch.zeros(2)})


def test_parameters_follow_conversions_in_place():
    m = nn.Sequential(nn.Linear(2, 2))
    params = list(m.parameters())
    m.double()
    assert all(a is b for a, b in zip(params, m.parameters()))
    assert all(p.dtype is rstorch.float64 for p in params)
    m.float()
    m[0].weight.grad = rstorch.ones(2, 2)
    m.half()
    assert m[0].weight.grad.dtype is rstorch.float16


def test_zero_grad_keeps_tensor_when_asked():
    m = nn.Linear(2, 1)
    m(rstorch.ones(1, 2)).sum().backward()
    g = m.weight.grad
    m.zero_grad(set_to_none=False)
    assert m.weight.grad is g and g.abs().sum().item() == 0
    m.zero_grad()
    assert m.weight.grad is None


def test_deepcopy_keeps_hooks_and_sharing():
    m = nn.Linear(2, 2)
    calls = []
    m.register_forward_hook(lambda mod, a, o: calls.append(mod))
    m2 = copy.deepcopy(m)
    m2(rstorch.ones(1, 2))
    assert calls == [m2]


def test_data_parallel_single_device():
    inner = nn.Linear(3, 2)
    dp = nn.DataParallel(inner, device_ids=None, output_device=None, dim=0)
    x = rstorch.randn(4, 3)
    assert rstorch.equal(dp(x), inner(x))
    assert dp.module is inner and dp.device_ids == []
    assert list(dp.state_dict()) == ["module.weight", "module.bias"]
    assert list(dp.parameters()) == list(inner.parameters())


def test_submodule_helpers():
    m = nn.Sequential(OrderedDict(block=nn.Sequential(nn.Linear(1, 1))))
    m.set_submodule("block.0", nn.Identity())
    assert isinstance(m.block[0], nn.Identity)
    m.set_submodule("block.extra", nn.Linear(2, 2))
    assert isinstance(m.get_submodule("block.extra"), nn.Linear)
    m.register_module("more", nn.Identity())
    assert m.get_submodule("") is m and "more" in m._modules


def test_custom_register_buffer_without_persistent():
    class Old(nn.Module):
        def register_buffer(self, name, tensor):
            super().register_buffer(name, tensor)

    m = Old()
    m.b = nn.Buffer(rstorch.ones(1))
    assert "b" in m._buffers
    with pytest.raises(RuntimeError, match="Registering a non-persistent buffer on a Module subclass"):
        m.c = nn.Buffer(rstorch.ones(1), persistent=False)


def test_setstate_fills_missing_tables():
    m = nn.Linear(1, 1)
    state = m.__getstate__()
    for key in ("_forward_pre_hooks_with_kwargs", "_state_dict_pre_hooks", "_non_persistent_buffers_set",
                "_is_full_backward_hook", "_backward_pre_hooks"):
        del state[key]
    fresh = nn.Linear.__new__(nn.Linear)
    fresh.__setstate__(state)
    assert fresh._non_persistent_buffers_set == set() and fresh._is_full_backward_hook is None
    fresh(rstorch.ones(1, 1))
    fresh.state_dict()


def test_module_call_overhead_is_small():
    # a module call without hooks adds one Python frame and a few dict lookups to forward
    import timeit
    m = nn.Identity()
    x = rstorch.ones(1)
    per_call = min(timeit.repeat(lambda: m(x), number=2000, repeat=5)) / 2000
    assert per_call < 20e-6


def test_cuda_moves_parameters_in_place_to_wgpu():
    from rstorch import _wgpu
    if not _wgpu.is_available():
        pytest.skip(f"no wgpu adapter: {_wgpu.unavailable_reason()}")
    m = nn.Linear(2, 2)
    w = m.weight
    before = w.tolist()
    m.cuda()
    # the Parameter object stays (an optimizer holding it sees the move), its data moved
    assert m.weight is w and m.weight.device.type == "wgpu" and w.requires_grad
    assert m.weight.cpu().tolist() == before
