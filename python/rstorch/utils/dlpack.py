"""torch.utils.dlpack: DLPack interchange with other libraries (numpy, CuPy, JAX on the CPU...)."""

from .._creation import from_dlpack, to_dlpack

__all__ = ["from_dlpack", "to_dlpack"]
