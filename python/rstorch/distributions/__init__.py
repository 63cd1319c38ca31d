"""rstorch.distributions: probability distributions as torch.distributions has them, with their
constraints, transforms and KL divergences, parameterized by rstorch tensors. Seeded samples make
the same generator calls as torch's code, so they agree with torch's draws.

Loaded on first use of `rstorch.distributions` (see rstorch/__init__.py)."""

from . import constraints, transforms  # noqa: F401
from .compound import (ExpRelaxedCategorical, LogisticNormal, LogitRelaxedBernoulli, MixtureSameFamily, Multinomial,
                       RelaxedBernoulli, RelaxedOneHotCategorical)
from .constraint_registry import biject_to, transform_to
from .continuous import Cauchy, Exponential, Laplace, Normal, Uniform
from .discrete import Bernoulli, Categorical, Geometric, OneHotCategorical, OneHotCategoricalStraightThrough
from .distribution import Distribution
from .gamma import Beta, Binomial, Chi2, Dirichlet, Gamma, NegativeBinomial, Poisson, StudentT
from .kl import kl_divergence, register_kl
from .multivariate import Independent, LowRankMultivariateNormal, MultivariateNormal
from .others import ContinuousBernoulli, GeneralizedPareto, Kumaraswamy, VonMises
from .transformed import Gumbel, HalfCauchy, HalfNormal, LogNormal, Pareto, TransformedDistribution, Weibull
from .transforms import *  # noqa: F403

__all__ = [
    "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2", "ContinuousBernoulli", "Dirichlet",
    "Distribution", "ExpRelaxedCategorical", "Exponential", "Gamma", "GeneralizedPareto", "Geometric", "Gumbel",
    "HalfCauchy", "HalfNormal", "Independent", "Kumaraswamy", "Laplace", "LogNormal", "LogisticNormal",
    "LogitRelaxedBernoulli", "LowRankMultivariateNormal", "MixtureSameFamily", "Multinomial", "MultivariateNormal",
    "NegativeBinomial", "Normal", "OneHotCategorical", "OneHotCategoricalStraightThrough", "Pareto", "Poisson",
    "RelaxedBernoulli", "RelaxedOneHotCategorical", "StudentT", "TransformedDistribution", "Uniform", "VonMises",
    "Weibull", "biject_to", "kl_divergence", "register_kl", "transform_to",
]
__all__.extend(transforms.__all__)
