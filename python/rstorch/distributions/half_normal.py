"""torch.distributions.half_normal's import path: HalfNormal (defined in .transformed)."""

from .transformed import HalfNormal

__all__ = ["HalfNormal"]
