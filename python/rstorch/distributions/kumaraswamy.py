"""torch.distributions.kumaraswamy's import path: Kumaraswamy (defined in .others)."""

from .others import Kumaraswamy

__all__ = ["Kumaraswamy"]
