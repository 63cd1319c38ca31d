"""torch.distributions.gumbel's import path: Gumbel (defined in .transformed)."""

from .transformed import Gumbel

__all__ = ["Gumbel"]
