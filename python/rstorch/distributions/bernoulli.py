"""torch.distributions.bernoulli's import path: Bernoulli (defined in .discrete)."""

from .discrete import Bernoulli

__all__ = ["Bernoulli"]
