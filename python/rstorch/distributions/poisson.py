"""torch.distributions.poisson's import path: Poisson (defined in .gamma)."""

from .gamma import Poisson

__all__ = ["Poisson"]
