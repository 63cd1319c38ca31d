"""torch.distributions.binomial's import path: Binomial (defined in .gamma)."""

from .gamma import Binomial

__all__ = ["Binomial"]
