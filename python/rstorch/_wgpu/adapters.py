"""Enumerating and ranking wgpu adapters (see the package docstring for the order and the
RSTORCH_WGPU_ADAPTER / RSTORCH_WGPU_BACKEND overrides)."""

import os
from dataclasses import dataclass

import wgpu

TYPE_RANK = {"DiscreteGPU": 0, "IntegratedGPU": 1, "VirtualGPU": 2, "CPU": 3}
BACKEND_RANK = {"Vulkan": 0, "Metal": 1, "D3D12": 2, "OpenGL": 3}
# RSTORCH_WGPU_BACKEND's spellings -> wgpu-native's backend_type and its instance backend flag
BACKENDS = {"vulkan": ("Vulkan", "Vulkan"), "metal": ("Metal", "Metal"), "dx12": ("D3D12", "DX12"),
            "d3d12": ("D3D12", "DX12"), "gl": ("OpenGL", "GL"), "opengl": ("OpenGL", "GL")}


@dataclass
class AdapterEntry:
    adapter: object  # wgpu.GPUAdapter
    name: str
    adapter_type: str
    backend: str
    description: str

    @property
    def is_software(self):
        return self.adapter_type == "CPU"

    def __repr__(self):
        return f"<{self.name} ({self.adapter_type}, {self.backend})>"


def _enumerate(instance_backends):
    """Adapters of the given instance backends ("Primary" = Vulkan|Metal|DX12, "GL"). Uses
    wgpu-native's backend filter (enumerating GL costs ~0.3 s and probes EGL) when wgpu-py's
    internals are as expected, else wgpu-py's public enumeration filtered afterwards."""
    try:
        from wgpu.backends.wgpu_native import ffi, lib
        from wgpu.backends.wgpu_native._helpers import get_wgpu_instance
        from wgpu.backends.wgpu_native._mappings import native_flags
        instance = get_wgpu_instance()
        options = ffi.new("WGPUInstanceEnumerateAdapterOptions *")
        options.backends = native_flags["InstanceBackend." + instance_backends]
        count = lib.wgpuInstanceEnumerateAdapters(instance, options, ffi.NULL)
        handles = ffi.new("WGPUAdapter[]", count)
        lib.wgpuInstanceEnumerateAdapters(instance, options, handles)
        return [wgpu.gpu._create_adapter(h) for h in handles]
    except (ImportError, AttributeError, KeyError):
        wanted = {"Primary": {"Vulkan", "Metal", "D3D12"}, "GL": {"OpenGL"}}[instance_backends]
        return [a for a in wgpu.gpu.enumerate_adapters_sync() if a.info["backend_type"] in wanted]


def _entry(adapter):
    info = adapter.info
    return AdapterEntry(adapter, info.get("device") or info.get("description") or "unknown adapter",
                        info.get("adapter_type", "Unknown"), info.get("backend_type", "Unknown"),
                        info.get("description", ""))


def rank(entries):
    """Best first; one entry per physical device (its best backend)."""
    entries = sorted(entries, key=lambda e: (TYPE_RANK.get(e.adapter_type, 4), BACKEND_RANK.get(e.backend, 4)))
    seen, out = set(), []
    for e in entries:
        info = e.adapter.info
        key = (info.get("vendor_id"), info.get("device_id"), e.name)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def select(entries, adapter_env):
    """Apply RSTORCH_WGPU_ADAPTER (an index into the ranked list, or a name substring)."""
    if adapter_env is None or adapter_env.strip() == "":
        return entries
    text = adapter_env.strip()
    if text.isdigit():
        i = int(text)
        return entries[i:i + 1]
    low = text.lower()
    return [e for e in entries if low in e.name.lower() or low in e.description.lower()]


def backend_choice():
    value = os.environ.get("RSTORCH_WGPU_BACKEND", "").strip().lower()
    if not value:
        return None
    if value not in BACKENDS:
        raise ValueError(f"RSTORCH_WGPU_BACKEND={value!r} is not one of vulkan, metal, dx12, gl")
    return BACKENDS[value]


def enumerate_ranked():
    backend = backend_choice()
    if backend is None:
        found = _enumerate("Primary") or _enumerate("GL")
    else:
        found = [a for a in _enumerate("GL" if backend[1] == "GL" else "Primary")
                 if a.info["backend_type"] == backend[0]]
    return select(rank([_entry(a) for a in found]), os.environ.get("RSTORCH_WGPU_ADAPTER"))


def no_adapter_reason():
    parts = ["wgpu-native found no adapter"]
    for var in ("RSTORCH_WGPU_BACKEND", "RSTORCH_WGPU_ADAPTER"):
        if os.environ.get(var):
            parts.append(f"{var}={os.environ[var]!r}")
    return ", ".join(parts) + " (install a Vulkan/Metal/DX12 driver; mesa-vulkan-drivers gives lavapipe)"
