"""torch.distributions.geometric's import path: Geometric (defined in .discrete)."""

from .discrete import Geometric

__all__ = ["Geometric"]
