"""torch.distributions.beta's import path: Beta (defined in .gamma)."""

from .gamma import Beta

__all__ = ["Beta"]
