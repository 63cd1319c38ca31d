"""torch.distributions.continuous_bernoulli's import path: ContinuousBernoulli (defined in .others)."""

from .others import ContinuousBernoulli

__all__ = ["ContinuousBernoulli"]
