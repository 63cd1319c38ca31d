"""torch.distributions.negative_binomial's import path: NegativeBinomial (defined in .gamma)."""

from .gamma import NegativeBinomial

__all__ = ["NegativeBinomial"]
