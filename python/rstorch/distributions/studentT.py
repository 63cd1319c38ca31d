"""torch.distributions.studentT's import path: StudentT (defined in .gamma)."""

from .gamma import StudentT

__all__ = ["StudentT"]
