"""torch.distributions.transformed_distribution's import path: TransformedDistribution (defined in .transformed)."""

from .transformed import TransformedDistribution

__all__ = ["TransformedDistribution"]
