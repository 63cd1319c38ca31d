"""torch.distributions.uniform's import path: Uniform (defined in .continuous)."""

from .continuous import Uniform

__all__ = ["Uniform"]
