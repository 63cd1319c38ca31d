"""torch.distributions.multinomial's import path: Multinomial (defined in .compound)."""

from .compound import Multinomial

__all__ = ["Multinomial"]
