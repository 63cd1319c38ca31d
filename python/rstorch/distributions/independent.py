"""torch.distributions.independent's import path: Independent (defined in .multivariate)."""

from .multivariate import Independent

__all__ = ["Independent"]
