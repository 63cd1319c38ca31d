"""torch.distributions.mixture_same_family's import path: MixtureSameFamily (defined in .compound)."""

from .compound import MixtureSameFamily

__all__ = ["MixtureSameFamily"]
