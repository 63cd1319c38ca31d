"""rstorch.distributions: probability distributions as torch.distributions has them (the core
families, transforms, constraints and KL divergences), parameterized by rstorch tensors and drawing
from the same generator calls as torch's, so seeded samples agree.

Loaded on first use of `rstorch.distributions` (see rstorch/__init__.py)."""

from . import constraints, transforms  # noqa: F401
from .constraint_registry import biject_to, transform_to
from .compound import (ExpRelaxedCategorical, LogisticNormal, LogitRelaxedBernoulli, MixtureSameFamily, Multinomial,
                       RelaxedBernoulli, RelaxedOneHotCategorical)
from .continuous import Cauchy, Exponential, Laplace, Normal, Uniform
from .discrete import Bernoulli, Categorical, Geometric, OneHotCategorical, OneHotCategoricalStraightThrough
from .distribution import Distribution
from .gamma import Beta, Binomial, Chi2, Dirichlet, Gamma, NegativeBinomial, Poisson, StudentT
from .kl import kl_divergence, register_kl
from .others import ContinuousBernoulli, GeneralizedPareto, Kumaraswamy, VonMises
from .multivariate import Independent, MultivariateNormal
from .transformed import Gumbel, HalfCauchy, HalfNormal, LogNormal, Pareto, TransformedDistribution, Weibull
from .transforms import *  # noqa: F403

__all__ = [
    "Beta", "Binomial", "Chi2", "Dirichlet", "Gamma", "NegativeBinomial", "Poisson", "StudentT",
    "ExpRelaxedCategorical", "LogisticNormal", "LogitRelaxedBernoulli", "MixtureSameFamily", "Multinomial",
    "RelaxedBernoulli", "RelaxedOneHotCategorical",
    "ContinuousBernoulli", "GeneralizedPareto", "Kumaraswamy", "VonMises",
    "Bernoulli", "Categorical", "Cauchy", "Geometric", "Gumbel", "HalfCauchy", "HalfNormal", "Pareto", "Weibull", "Distribution", "Exponential", "Independent", "Laplace", "LogNormal",
    "MultivariateNormal", "Normal", "OneHotCategorical", "OneHotCategoricalStraightThrough",
    "TransformedDistribution", "Uniform", "biject_to", "kl_divergence", "register_kl", "transform_to",
]
__all__.extend(transforms.__all__)
