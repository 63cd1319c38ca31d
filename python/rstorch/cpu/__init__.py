"""torch.cpu: the CPU device's namespace. Today: `amp` (the deprecated torch.cpu.amp.autocast)."""

from . import amp  # noqa: F401

__all__ = ["amp"]
