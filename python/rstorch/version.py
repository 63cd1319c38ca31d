"""`torch.version`: what this build is. No CUDA or ROCm: the GPU path is wgpu (Vulkan, Metal,
DX12), so `cuda` and `hip` are None as in torch's CPU builds."""

__version__ = "0.1.0"
cuda = None
hip = None
xpu = None
git_version = "unknown"
debug = False

__all__ = ["__version__", "cuda", "hip", "xpu", "git_version", "debug"]
