"""torch.distributions.normal's import path: Normal (defined in .continuous)."""

from .continuous import Normal

__all__ = ["Normal"]
