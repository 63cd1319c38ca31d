"""torch.distributions.multivariate_normal's import path: MultivariateNormal (defined in .multivariate)."""

from .multivariate import MultivariateNormal

__all__ = ["MultivariateNormal"]
