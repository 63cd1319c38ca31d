"""torch.distributions.weibull's import path: Weibull (defined in .transformed)."""

from .transformed import Weibull

__all__ = ["Weibull"]
