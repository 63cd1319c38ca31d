"""torch.distributions.relaxed_categorical's import path:
ExpRelaxedCategorical, RelaxedOneHotCategorical (defined in .compound)."""

from .compound import ExpRelaxedCategorical, RelaxedOneHotCategorical

__all__ = ["ExpRelaxedCategorical", "RelaxedOneHotCategorical"]
