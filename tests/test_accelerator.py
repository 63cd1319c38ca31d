"""rstorch.accelerator: torch.accelerator's namespace. Without a GPU backend it behaves like a
CPU-only torch build: no accelerator, nothing available, device calls raise RuntimeError."""

import pytest

import rstorch as torch


def test_no_accelerator_yet():
    assert torch.accelerator.current_accelerator() is None
    assert torch.accelerator.current_accelerator(check_available=True) is None
    assert torch.accelerator.is_available() is False
    assert torch.accelerator.device_count() == 0
    torch.accelerator.empty_cache()  # a no-op, as torch's without an initialized device


def test_the_everyday_device_line_picks_the_cpu():
    device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else torch.device("cpu")
    assert torch.ones(2, device=device).device == torch.device("cpu")


@pytest.mark.parametrize("call", [
    lambda: torch.accelerator.current_device_index(),
    lambda: torch.accelerator.set_device_index(0),
    lambda: torch.accelerator.synchronize(),
    lambda: torch.accelerator.memory_allocated(),
    lambda: torch.accelerator.device_index(0).__enter__(),
])
def test_device_calls_raise(call):
    with pytest.raises(RuntimeError, match="No accelerator is available"):
        call()


def test_deprecated_aliases_warn():
    with pytest.warns(FutureWarning, match="current_device_index"), pytest.raises(RuntimeError):
        torch.accelerator.current_device_idx()
    with torch.accelerator.device_index(None):  # None: no switch, no device needed
        pass


def test_all_names_exist():
    for name in torch.accelerator.__all__:
        assert callable(getattr(torch.accelerator, name)), name


def test_backends_submodules_import():
    # `import torch.backends.cudnn as cudnn` is how many scripts spell it (dcgan, imagenet)
    import importlib
    for name in ("cudnn", "mps", "mkldnn", "cuda"):
        m = importlib.import_module(f"rstorch.backends.{name}")
        assert m is getattr(torch.backends, name)
        assert m.is_available() is False


def test_onnx_imports_and_export_raises():
    import rstorch.onnx
    assert rstorch.onnx.is_in_onnx_export() is False
    with pytest.raises(NotImplementedError, match="ONNX"):
        rstorch.onnx.export(torch.nn.Linear(2, 2), (torch.ones(1, 2),), "model.onnx")
