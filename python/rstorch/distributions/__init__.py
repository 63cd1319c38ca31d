"""rstorch.distributions: probability distributions as torch.distributions has them (the core
families, transforms, constraints and KL divergences), parameterized by rstorch tensors and drawing
from the same generator calls as torch's, so seeded samples agree.

Loaded on first use of `rstorch.distributions` (see rstorch/__init__.py)."""

from . import constraints, transforms  # noqa: F401
from .constraint_registry import biject_to, transform_to
from .continuous import Exponential, Laplace, Normal, Uniform
from .discrete import Bernoulli, Categorical, OneHotCategorical, OneHotCategoricalStraightThrough
from .distribution import Distribution
from .kl import kl_divergence, register_kl
from .multivariate import Independent, MultivariateNormal
from .transformed import LogNormal, TransformedDistribution
from .transforms import *  # noqa: F403

__all__ = [
    "Bernoulli", "Categorical", "Distribution", "Exponential", "Independent", "Laplace", "LogNormal",
    "MultivariateNormal", "Normal", "OneHotCategorical", "OneHotCategoricalStraightThrough",
    "TransformedDistribution", "Uniform", "biject_to", "kl_divergence", "register_kl", "transform_to",
]
__all__.extend(transforms.__all__)
