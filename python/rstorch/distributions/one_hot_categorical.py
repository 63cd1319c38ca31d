"""torch.distributions.one_hot_categorical's import path:
OneHotCategorical, OneHotCategoricalStraightThrough (defined in .discrete)."""

from .discrete import OneHotCategorical, OneHotCategoricalStraightThrough

__all__ = ["OneHotCategorical", "OneHotCategoricalStraightThrough"]
