"""torch.distributions.dirichlet's import path: Dirichlet (defined in .gamma)."""

from .gamma import Dirichlet

__all__ = ["Dirichlet"]
