"""torch.distributions.lowrank_multivariate_normal's import path:
LowRankMultivariateNormal (defined in .multivariate)."""

from .multivariate import LowRankMultivariateNormal

__all__ = ["LowRankMultivariateNormal"]
