"""torch.distributions.laplace's import path: Laplace (defined in .continuous)."""

from .continuous import Laplace

__all__ = ["Laplace"]
