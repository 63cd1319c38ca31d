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
from .exp_family import ExponentialFamily
from .fishersnedecor import FisherSnedecor
from .gamma import Beta, Binomial, Chi2, Dirichlet, Gamma, NegativeBinomial, Poisson, StudentT
from .inverse_gamma import InverseGamma
from .kl import kl_divergence, register_kl
from .lkj_cholesky import LKJCholesky
from .multivariate import Independent, LowRankMultivariateNormal, MultivariateNormal
from .others import ContinuousBernoulli, GeneralizedPareto, Kumaraswamy, VonMises
from .transformed import Gumbel, HalfCauchy, HalfNormal, LogNormal, Pareto, TransformedDistribution, Weibull
from .transforms import *  # noqa: F403
from .wishart import Wishart

__all__ = [
    "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2", "ContinuousBernoulli", "Dirichlet",
    "Distribution", "ExpRelaxedCategorical", "Exponential", "ExponentialFamily", "FisherSnedecor", "Gamma",
    "GeneralizedPareto", "Geometric", "Gumbel", "HalfCauchy", "HalfNormal", "Independent", "InverseGamma",
    "Kumaraswamy", "LKJCholesky", "Laplace", "LogNormal", "LogisticNormal", "LogitRelaxedBernoulli",
    "LowRankMultivariateNormal", "MixtureSameFamily", "Multinomial", "MultivariateNormal", "NegativeBinomial",
    "Normal", "OneHotCategorical", "OneHotCategoricalStraightThrough", "Pareto", "Poisson", "RelaxedBernoulli",
    "RelaxedOneHotCategorical", "StudentT", "TransformedDistribution", "Uniform", "VonMises", "Weibull", "Wishart",
    "biject_to", "kl_divergence", "register_kl", "transform_to",
]
__all__.extend(transforms.__all__)

# torch.distributions' per-family modules (torch.distributions.normal, .categorical, ...): thin
# modules over the files above, loaded when first named
_SUBMODULES = frozenset((
    "bernoulli", "beta", "binomial", "categorical", "cauchy", "chi2", "continuous_bernoulli", "dirichlet",
    "exponential", "generalized_pareto", "geometric", "gumbel", "half_cauchy", "half_normal", "independent",
    "kumaraswamy", "laplace", "log_normal", "logistic_normal", "lowrank_multivariate_normal", "mixture_same_family",
    "multinomial", "multivariate_normal", "negative_binomial", "normal", "one_hot_categorical", "pareto", "poisson",
    "relaxed_bernoulli", "relaxed_categorical", "studentT", "transformed_distribution", "uniform", "von_mises",
    "weibull"))


def __getattr__(name):
    if name in _SUBMODULES:
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)
