"""torch.distributions.categorical's import path: Categorical (defined in .discrete)."""

from .discrete import Categorical

__all__ = ["Categorical"]
