"""torch.distributions.cauchy's import path: Cauchy (defined in .continuous)."""

from .continuous import Cauchy

__all__ = ["Cauchy"]
