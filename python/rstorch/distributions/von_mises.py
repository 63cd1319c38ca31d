"""torch.distributions.von_mises's import path: VonMises (defined in .others)."""

from .others import VonMises

__all__ = ["VonMises"]
