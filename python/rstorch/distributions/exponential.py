"""torch.distributions.exponential's import path: Exponential (defined in .continuous)."""

from .continuous import Exponential

__all__ = ["Exponential"]
