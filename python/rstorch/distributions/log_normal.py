"""torch.distributions.log_normal's import path: LogNormal (defined in .transformed)."""

from .transformed import LogNormal

__all__ = ["LogNormal"]
