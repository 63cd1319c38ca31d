"""The WGSL shaders ship inside the package and compile on a wgpu adapter (lavapipe in CI)."""

import importlib.resources
import pathlib

import pytest

import rstorch


def _shader_files():
    root = importlib.resources.files(rstorch) / "shaders"
    return sorted(p for p in root.iterdir() if p.name.endswith(".wgsl"))


def _adapter():
    try:
        import wgpu
        return wgpu.gpu.request_adapter_sync(power_preference="high-performance")
    except Exception:  # no Vulkan/Metal/DX12 driver at all
        return None


def test_shaders_are_packaged():
    names = [p.name for p in _shader_files()]
    assert "fill.wgsl" in names


def test_shaders_are_real_package_data():
    # the shaders are plain files inside the package (no symlink, which Windows checkouts lack),
    # so the wheel ships them as rstorch/shaders/*.wgsl without an extra include rule
    root = pathlib.Path(rstorch.__file__).parent / "shaders"
    assert root.is_dir() and not root.is_symlink()
    assert all(not p.is_symlink() for p in root.iterdir())
    repo = pathlib.Path(__file__).resolve().parent.parent
    if (repo / "pyproject.toml").exists():
        assert not (repo / "shaders").exists(), "the shaders live in python/rstorch/shaders"


def test_shaders_compile_on_adapter():
    adapter = _adapter()
    if adapter is None:
        pytest.skip("no wgpu adapter on this machine (install mesa-vulkan-drivers for lavapipe)")
    device = adapter.request_device_sync()
    for path in _shader_files():
        module = device.create_shader_module(code=path.read_text())
        info = module.get_compilation_info()
        errors = [m for m in info if getattr(m, "type", "error") == "error"]
        assert not errors, (path.name, errors)
