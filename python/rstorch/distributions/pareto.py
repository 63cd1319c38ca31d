"""torch.distributions.pareto's import path: Pareto (defined in .transformed)."""

from .transformed import Pareto

__all__ = ["Pareto"]
