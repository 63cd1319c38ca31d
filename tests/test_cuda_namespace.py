"""torch.cuda / torch.backends / torch.compile as scripts use them on a machine without a hardware
GPU (lavapipe, a software adapter, at most): the device-selection idiom picks the CPU, the
switches are accepted, the torch.cuda device calls raise; an explicit `.cuda()` moves to the wgpu
device when any adapter exists (tests/test_wgpu_tensor.py), else raises."""

import pytest

import rstorch as torch
import rstorch.nn as nn


def test_device_selection_idiom_picks_cpu():
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    assert device == torch.device("cpu")
    assert torch.cuda.device_count() == 0 and not torch.cuda.is_initialized()
    model = nn.Linear(3, 2).to(device)
    x = torch.ones(4, 3).to(device)
    assert model(x).shape == (4, 2) and model(x).device == device


def test_no_device_calls_raise_runtime_error():
    for call in (torch.cuda.current_device, torch.cuda.synchronize, torch.cuda.get_device_name,
                 torch.cuda.memory_allocated, torch.cuda.get_rng_state, lambda: torch.cuda.set_device(0)):
        with pytest.raises(RuntimeError, match="No CUDA GPUs are available"):
            call()
    from rstorch import _wgpu
    if _wgpu.is_available():
        # no hardware adapter, but an explicit .cuda() is honoured on the software one
        assert not torch.cuda.is_available()
        assert torch.ones(2).cuda().device.type == "wgpu"
        assert torch.ones(2).cuda(0).device == torch.device("wgpu", 0)
        assert nn.Linear(2, 2).cuda().weight.device.type == "wgpu"
    else:
        with pytest.raises(RuntimeError, match="not available"):
            torch.ones(2).cuda()
        with pytest.raises(RuntimeError, match="not available"):
            torch.ones(2).cuda(0)
        with pytest.raises(RuntimeError, match="not available"):
            nn.Linear(2, 2).cuda()
    with pytest.raises(RuntimeError):
        with torch.cuda.device(0):
            pass


def test_seeding_and_cache_are_noops_without_a_device():
    torch.manual_seed(3)
    a = torch.rand(3)
    torch.manual_seed(3)
    torch.cuda.manual_seed(7)
    torch.cuda.manual_seed_all(7)
    torch.cuda.empty_cache()
    assert torch.equal(torch.rand(3), a)  # the CPU stream is untouched
    assert torch.cuda.is_bf16_supported() is False


def test_backends_switches_are_accepted():
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.deterministic = True
    torch.backends.cuda.matmul.allow_tf32 = True
    assert torch.backends.cudnn.benchmark and torch.backends.cudnn.deterministic
    assert torch.backends.mps.is_available() is False and torch.backends.mps.is_built() is False
    assert torch.backends.cudnn.is_available() is False
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = False
    torch.backends.cuda.matmul.allow_tf32 = False


def test_compile_returns_the_model_in_every_form():
    model = nn.Linear(2, 2)
    assert torch.compile(model) is model
    assert torch.compile(model, mode="reduce-overhead") is model

    @torch.compile
    def f(x):
        return x + 1

    @torch.compile(fullgraph=True)
    def g(x):
        return x * 2

    assert f(torch.ones(1)).item() == 2.0 and g(torch.ones(1)).item() == 2.0
    with pytest.raises(RuntimeError, match="Either mode or options"):
        torch.compile(model, mode="default", options={})


def test_cuda_namespace_maps_onto_a_hardware_wgpu_adapter(monkeypatch):
    # with a hardware adapter (faked here: the first wgpu adapter counts as one) torch.cuda's
    # calls act on the wgpu device
    from rstorch import _wgpu
    import rstorch.cuda as cuda
    if not _wgpu.is_available():
        pytest.skip(f"no wgpu adapter: {_wgpu.unavailable_reason()}")
    monkeypatch.setattr(cuda, "_hardware_count", lambda: 1)
    assert torch.cuda.is_available() and torch.cuda.device_count() == 1
    assert torch.cuda.current_device() == 0
    assert torch.cuda.get_device_name() == torch.wgpu.get_device_name(0) == torch.cuda.get_device_name(0)
    props = torch.cuda.get_device_properties(0)
    assert props.name == torch.cuda.get_device_name() and props.total_memory > 0
    x = torch.ones(1000, device="cuda")
    torch.cuda.synchronize()
    assert torch.cuda.memory_allocated() == torch.wgpu.memory_allocated() >= 4000
    assert torch.cuda.max_memory_allocated() >= torch.cuda.memory_allocated()
    assert torch.cuda.memory_reserved() >= torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    torch.cuda.set_device(0)
    with torch.cuda.device(0):
        assert torch.cuda.current_device() == 0
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        torch.cuda.set_device(1)
    with pytest.raises(NotImplementedError, match="no GPU random stream"):
        torch.cuda.get_rng_state()
    torch.cuda.manual_seed_all(1)
    torch.cuda.empty_cache()
    assert x.sum().item() == 1000.0
