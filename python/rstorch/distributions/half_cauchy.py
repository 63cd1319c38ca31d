"""torch.distributions.half_cauchy's import path: HalfCauchy (defined in .transformed)."""

from .transformed import HalfCauchy

__all__ = ["HalfCauchy"]
