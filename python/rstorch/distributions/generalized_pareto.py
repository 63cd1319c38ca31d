"""torch.distributions.generalized_pareto's import path: GeneralizedPareto (defined in .others)."""

from .others import GeneralizedPareto

__all__ = ["GeneralizedPareto"]
