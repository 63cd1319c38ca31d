"""torch.distributions.logistic_normal's import path: LogisticNormal (defined in .compound)."""

from .compound import LogisticNormal

__all__ = ["LogisticNormal"]
