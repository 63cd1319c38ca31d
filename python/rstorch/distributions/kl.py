"""kl_divergence(p, q) dispatched on the pair of types (the most specific registered rule), and
the closed forms of the pairs among the families here."""

import math

import rstorch

from .continuous import Cauchy, Exponential, Laplace, Normal, Uniform
from .discrete import Bernoulli, Categorical, Geometric, OneHotCategorical
from .exp_family import ExponentialFamily
from .gamma import Beta, Binomial, Dirichlet, Gamma, Poisson
from .others import ContinuousBernoulli
from .multivariate import Independent, LowRankMultivariateNormal, MultivariateNormal, _batch_mv, _mahalanobis
from .transformed import Gumbel, HalfNormal, Pareto, TransformedDistribution
from .utils import _sum_rightmost

__all__ = ["register_kl", "kl_divergence"]

_KL_REGISTRY = {}  # (type_p, type_q) -> fn
_KL_MEMOIZE = {}


def register_kl(type_p, type_q):
    """Decorator registering `fn(p, q)` as KL(p || q) for instances of the two types."""

    def decorator(fn):
        _KL_REGISTRY[type_p, type_q] = fn
        _KL_MEMOIZE.clear()
        return fn

    return decorator


def _dispatch(type_p, type_q):
    # the registered pair nearest in both MROs (nearest for p first, then for q)
    matches = [(type_p.__mro__.index(a), type_q.__mro__.index(b), a, b) for a, b in _KL_REGISTRY
               if issubclass(type_p, a) and issubclass(type_q, b)]
    return _KL_REGISTRY[min(matches, key=lambda m: m[:2])[2:]] if matches else None


def kl_divergence(p, q):
    key = type(p), type(q)
    if key not in _KL_MEMOIZE:
        _KL_MEMOIZE[key] = _dispatch(*key)
    fn = _KL_MEMOIZE[key]
    if fn is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type {type(p).__name__} "
                                  f"and q type {type(q).__name__}")
    return fn(p, q)


def _infinite_like(t):
    return rstorch.full_like(t, math.inf)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    t = p.probs * (p.logits - q.logits)
    t[(q.probs == 0).expand_as(t)] = math.inf
    t[(p.probs == 0).expand_as(t)] = 0
    return t.sum(-1)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehot_onehot(p, q):
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    sp = rstorch.nn.functional.softplus
    t1 = p.probs * (sp(-q.logits) - sp(-p.logits))
    t1[q.probs == 0] = math.inf
    t1[p.probs == 0] = 0
    t2 = (1 - p.probs) * (sp(q.logits) - sp(p.logits))
    t2[q.probs == 1] = math.inf
    t2[p.probs == 1] = 0
    return t1 + t2


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    result = ((q.high - q.low) / (p.high - p.low)).log()
    result[(q.low > p.low) | (q.high < p.high)] = math.inf
    return result


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    ratio = q.rate / p.rate
    return -ratio.log() + ratio - 1


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    scale_ratio = p.scale / q.scale
    dist = (p.loc - q.loc).abs()
    return -scale_ratio.log() + dist / q.scale + scale_ratio * rstorch.exp(-dist / p.scale) - 1


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p, q):
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different event shapes "
                         "cannot be computed")
    Lp, Lq = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    half_term1 = Lq.diagonal(dim1=-2, dim2=-1).log().sum(-1) - Lp.diagonal(dim1=-2, dim2=-1).log().sum(-1)
    n = p.event_shape[0]
    batch = rstorch.broadcast_shapes(Lq.shape[:-2], Lp.shape[:-2])
    m = rstorch.linalg.solve_triangular(Lq.expand(batch + (n, n)), Lp.expand(batch + (n, n)), upper=False)
    term2 = m.pow(2).reshape(m.shape[:-2] + (-1,)).sum(-1)  # tr(M M^T)
    term3 = _mahalanobis(Lq, q.loc - p.loc)
    return half_term1 + 0.5 * (term2 + term3 - n)


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p, q):
    if p.transforms != q.transforms or p.event_shape != q.event_shape:
        raise NotImplementedError
    return kl_divergence(p.base_dist, q.base_dist)


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p, q):
    width = p.high - p.low
    t1 = (math.sqrt(math.pi * 2) * q.scale / width).log()
    t2 = width.pow(2) / 12
    t3 = ((p.high + p.low - 2 * q.loc) / 2).pow(2)
    return t1 + 0.5 * (t2 + t3) / q.scale.pow(2)


@register_kl(Normal, Uniform)
def _kl_normal_uniform(p, q):
    return _infinite_like(p.loc)


@register_kl(Normal, Laplace)
def _kl_normal_laplace(p, q):
    d = p.loc - q.loc
    z = d / p.scale
    t2 = math.sqrt(2 / math.pi) * p.scale * rstorch.exp(-0.5 * z.pow(2))
    t3 = d * rstorch.erf(math.sqrt(0.5) * z)
    return -(p.scale / q.scale).log() + (t2 + t3) / q.scale - 0.5 * (1 + math.log(0.5 * math.pi))


@register_kl(Exponential, Normal)
def _kl_exponential_normal(p, q):
    var = q.scale.pow(2)
    rate2 = p.rate.pow(2)
    t1 = 0.5 * rstorch.log(rate2 * var * 2 * math.pi)
    return t1 - 1 + (rate2.reciprocal() - q.loc / p.rate + q.loc.pow(2) * 0.5) / var


@register_kl(Laplace, Normal)
def _kl_laplace_normal(p, q):
    var = q.scale.pow(2)
    ratio = p.scale.pow(2) / var
    t1 = 0.5 * rstorch.log(2 * ratio / math.pi)
    return -t1 + ratio + (0.5 * p.loc.pow(2) - p.loc * q.loc + 0.5 * q.loc.pow(2)) / var - 1


_EULER = 0.57721566490153286060


@register_kl(Exponential, Gamma)
def _kl_exponential_gamma(p, q):
    ratio = q.rate / p.rate
    a = q.concentration
    return -a * rstorch.log(ratio) + ratio + a.lgamma() + a * _EULER - (1 + _EULER)


@register_kl(ExponentialFamily, ExponentialFamily)
def _kl_expfamily_expfamily(p, q):
    """The Bregman divergence of the log normalizer between the natural parameters (one family)."""
    if type(p) is not type(q):
        raise NotImplementedError("The cross KL-divergence between different exponential families cannot "
                                  "                            be computed using Bregman divergences")
    p_nparams = [t.detach().requires_grad_() for t in p._natural_params]
    q_nparams = q._natural_params
    with rstorch.enable_grad():
        lg_normal = p._log_normalizer(*p_nparams)
        gradients = rstorch.autograd.grad(lg_normal.sum(), p_nparams, create_graph=True)
    result = q._log_normalizer(*q_nparams) - lg_normal
    for pnp, qnp, g in zip(p_nparams, q_nparams, gradients):
        result = result - _sum_rightmost((qnp - pnp) * g, len(q.event_shape))
    return result


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_continuous_bernoulli_continuous_bernoulli(p, q):
    return (p.mean * (p.logits - q.logits) + p._log_norm() + rstorch.log1p(-p.probs)
            - q._log_norm() - rstorch.log1p(-q.probs))


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    a, b, c, d = p.concentration, p.rate, q.concentration, q.rate
    return c * (b / d).log() + rstorch.lgamma(c) - rstorch.lgamma(a) + (a - c) * rstorch.digamma(a) + (d - b) * (a / b)


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    a, b = p.concentration, q.concentration
    a0, b0 = a.sum(-1), b.sum(-1)
    t1 = a0.lgamma() - b0.lgamma() - (a.lgamma() - b.lgamma()).sum(-1)
    return t1 + ((a - b) * (a.digamma() - a0.digamma().unsqueeze(-1))).sum(-1)


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    return _kl_dirichlet_dirichlet(p._dirichlet, q._dirichlet)


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p, q):
    ratio, q_loc, p_loc = p.scale / q.scale, q.loc / q.scale, p.loc / q.scale
    return (-ratio.log() - q_loc + p_loc + ratio * _EULER + rstorch.exp(q_loc + (1 + ratio).lgamma() - p_loc)
            - (1 + _EULER))


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal_halfnormal(p, q):
    return _kl_normal_normal(p.base_dist, q.base_dist)


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p, q):
    return -p.entropy() - rstorch.log1p(-q.probs) / p.probs - q.logits


@register_kl(Pareto, Pareto)
def _kl_pareto_pareto(p, q):
    scale_ratio, alpha_ratio = p.scale / q.scale, q.alpha / p.alpha
    result = q.alpha * scale_ratio.log() - alpha_ratio.log() + alpha_ratio - 1
    result[p.support.lower_bound < q.support.lower_bound] = math.inf
    return result


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p, q):
    if bool((p.total_count < q.total_count).any()):
        raise NotImplementedError("KL between Binomials where q.total_count > p.total_count is not implemented")
    kl = p.total_count * (p.probs * (p.logits - q.logits) + (-p.probs).log1p() - (-q.probs).log1p())
    kl[p.total_count > q.total_count] = math.inf
    return kl


# --- the cross-family pairs torch registers: closed forms, and +inf where q's support misses
# part of p's (the densities' supports: Beta, ContinuousBernoulli on [0, 1]; Exponential, Gamma,
# Pareto, Poisson positive; the real line for the others)

_EULER_GAMMA = 0.57721566490153286060


def _x_log_x(t):
    return rstorch.xlogy(t, t)  # 0 at 0


def _inf_where(result, mask):
    return rstorch.where(mask, rstorch.full_like(result, math.inf), result)


def _register_infinite(pairs, param):
    def infinite(p, q):
        return _infinite_like(getattr(p, param))
    for type_q in pairs[1]:
        register_kl(pairs[0], type_q)(infinite)


_register_infinite((Exponential, (Beta, ContinuousBernoulli, Pareto, Uniform)), "rate")
_register_infinite((Gamma, (Beta, ContinuousBernoulli, Pareto, Uniform)), "concentration")
_register_infinite((Gumbel, (Beta, ContinuousBernoulli, Exponential, Gamma, Pareto, Uniform)), "loc")
_register_infinite((Laplace, (Beta, ContinuousBernoulli, Exponential, Gamma, Pareto, Uniform)), "loc")
_register_infinite((Normal, (Beta, ContinuousBernoulli, Exponential, Gamma, Pareto)), "loc")
_register_infinite((Pareto, (Beta, ContinuousBernoulli, Uniform)), "scale")
_register_infinite((Poisson, (Bernoulli, Binomial)), "rate")
_register_infinite((Beta, (Pareto,)), "concentration1")
_register_infinite((ContinuousBernoulli, (Pareto,)), "probs")


def _cross_entropy_cb(p_mean, q):
    """-E_p[log q(x)] for q a ContinuousBernoulli, given p's mean."""
    return -p_mean * q.logits - rstorch.log1p(-q.probs) - q._log_norm()


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p, q):
    return ((p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2)).log() - (4 * p.scale * q.scale).log()


@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p, q):
    return -p.entropy() - (p.probs * q.rate.log() - q.rate)


@register_kl(Beta, ContinuousBernoulli)
def _kl_beta_continuous_bernoulli(p, q):
    return -p.entropy() + _cross_entropy_cb(p.mean, q)


@register_kl(Beta, Exponential)
def _kl_beta_exponential(p, q):
    a, b = p.concentration1, p.concentration0
    return -p.entropy() - q.rate.log() + q.rate * (a / (a + b))


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p, q):
    a, b = p.concentration1, p.concentration0
    e_log_x = a.digamma() - (a + b).digamma()
    return (-p.entropy() + q.concentration.lgamma() - q.concentration * q.rate.log()
            - (q.concentration - 1) * e_log_x + q.rate * a / (a + b))


@register_kl(Beta, Normal)
def _kl_beta_normal(p, q):
    a, b = p.concentration1, p.concentration0
    mean = a / (a + b)
    second_moment = mean * (1 - mean) / (a + b + 1) + mean.pow(2)
    var = q.scale.pow(2)
    return (-p.entropy() + 0.5 * (var * 2 * math.pi).log()
            + (second_moment * 0.5 - q.loc * mean + q.loc.pow(2) * 0.5) / var)


@register_kl(Beta, Uniform)
def _kl_beta_uniform(p, q):
    result = -p.entropy() + (q.high - q.low).log()
    return _inf_where(result, (q.low > p.support.lower_bound) | (q.high < p.support.upper_bound))


@register_kl(ContinuousBernoulli, Exponential)
def _kl_continuous_bernoulli_exponential(p, q):
    return -p.entropy() - rstorch.log(q.rate) + q.rate * p.mean


@register_kl(ContinuousBernoulli, Normal)
def _kl_continuous_bernoulli_normal(p, q):
    cross = (0.5 * (math.log(2.0 * math.pi) + rstorch.square(q.loc / q.scale)) + rstorch.log(q.scale)
             + (p.variance + rstorch.square(p.mean) - 2.0 * q.loc * p.mean) / (2.0 * rstorch.square(q.scale)))
    return -p.entropy() + cross


@register_kl(ContinuousBernoulli, Uniform)
def _kl_continuous_bernoulli_uniform(p, q):
    result = -p.entropy() + (q.high - q.low).log()
    # as torch: +inf unless [0, 1] lies strictly inside q's interval
    return _inf_where(result, rstorch.max(rstorch.ge(q.low, p.support.lower_bound),
                                          rstorch.le(q.high, p.support.upper_bound)))


@register_kl(Exponential, Gumbel)
def _kl_exponential_gumbel(p, q):
    k = p.rate * q.scale
    r = q.loc / q.scale
    return k.log() - 1 - r + rstorch.exp(r) * k / (k + 1) + k.reciprocal()


@register_kl(Gamma, Exponential)
def _kl_gamma_exponential(p, q):
    return -p.entropy() - q.rate.log() + q.rate * p.concentration / p.rate


@register_kl(Gamma, Gumbel)
def _kl_gamma_gumbel(p, q):
    a = p.concentration
    k = p.rate * q.scale
    r = q.loc / q.scale
    return ((a - 1) * a.digamma() - a.lgamma() - a + k.log() + a / k
            + rstorch.exp(r) * (1 + k.reciprocal()).pow(-a) - r)


@register_kl(Gamma, Normal)
def _kl_gamma_normal(p, q):
    a, rate2, var = p.concentration, p.rate.pow(2), q.scale.pow(2)
    t1 = 0.5 * rstorch.log(rate2 * var * 2 * math.pi) - a - a.lgamma()
    quad = 0.5 * (a.pow(2) + a) / rate2 - q.loc * a / p.rate + 0.5 * q.loc.pow(2)
    return t1 + (a - 1) * a.digamma() + quad / var


@register_kl(Gumbel, Normal)
def _kl_gumbel_normal(p, q):
    ratio = p.scale / q.scale
    t1 = (ratio / math.sqrt(2 * math.pi)).log()
    t2 = (math.pi * ratio * 0.5).pow(2) / 3
    t3 = ((p.loc + p.scale * _EULER_GAMMA - q.loc) / q.scale).pow(2) * 0.5
    return -t1 + t2 + t3 - (_EULER_GAMMA + 1)


@register_kl(Normal, Gumbel)
def _kl_normal_gumbel(p, q):
    m = p.loc / q.scale
    v = (p.scale / q.scale).pow(2)
    r = q.loc / q.scale
    return -v.log() * 0.5 + m - r + rstorch.exp(-m + 0.5 * v + r) - 0.5 * (1 + math.log(2 * math.pi))


@register_kl(Pareto, Exponential)
def _kl_pareto_exponential(p, q):
    k = p.scale * q.rate
    result = (p.alpha / k).log() - p.alpha.reciprocal() + p.alpha * k / (p.alpha - 1) - 1
    return _inf_where(result, p.alpha <= 1)


@register_kl(Pareto, Gamma)
def _kl_pareto_gamma(p, q):
    e_log_x = p.scale.log() + p.alpha.reciprocal()
    result = (p.alpha.log() - e_log_x + q.concentration.lgamma() - q.concentration * q.rate.log()
              + (1 - q.concentration) * e_log_x + q.rate * p.alpha * p.scale / (p.alpha - 1) - 1)
    return _inf_where(result, p.alpha <= 1)


@register_kl(Pareto, Normal)
def _kl_pareto_normal(p, q):
    two_var = 2 * q.scale.pow(2)
    c = p.scale / (p.alpha - 1)
    t1 = (math.sqrt(2 * math.pi) * q.scale * p.alpha / p.scale).log()
    second = p.alpha * c.pow(2) / (p.alpha - 2) + (p.alpha * c - q.loc).pow(2)
    result = t1 - p.alpha.reciprocal() + second / two_var - 1
    return _inf_where(result, p.alpha <= 2)


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p, q):
    width = p.high - p.low
    a, b = q.concentration1, q.concentration0
    e_log_x = (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    e_log_1mx = (_x_log_x(1 - p.high) - _x_log_x(1 - p.low) + width) / width
    log_beta = a.lgamma() + b.lgamma() - (a + b).lgamma()
    result = (b - 1) * e_log_1mx + log_beta - rstorch.log(width) - (a - 1) * e_log_x
    return _inf_where(result, (p.high > q.support.upper_bound) | (p.low < q.support.lower_bound))


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_continuous_bernoulli(p, q):
    result = -p.entropy() + _cross_entropy_cb(p.mean, q)
    return _inf_where(result, rstorch.max(rstorch.ge(p.high, q.support.upper_bound),
                                          rstorch.le(p.low, q.support.lower_bound)))


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p, q):
    result = q.rate * (p.high + p.low) / 2 - ((p.high - p.low) * q.rate).log()
    return _inf_where(result, p.low < q.support.lower_bound)


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p, q):
    width = p.high - p.low
    e_log_x = (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    result = (-width.log() + q.concentration.lgamma() - q.concentration * q.rate.log()
              + (1 - q.concentration) * e_log_x + q.rate * (p.high + p.low) / 2)
    return _inf_where(result, p.low < q.support.lower_bound)


@register_kl(Uniform, Gumbel)
def _kl_uniform_gumbel(p, q):
    c = q.scale / (p.high - p.low)
    hi = (p.high - q.loc) / q.scale
    lo = (p.low - q.loc) / q.scale
    return c.log() + 0.5 * (hi + lo) - c * (rstorch.exp(-hi) - rstorch.exp(-lo))


@register_kl(Uniform, Pareto)
def _kl_uniform_pareto(p, q):
    width = p.high - p.low
    t1 = (q.alpha * q.scale.pow(q.alpha) * width).log()
    e_log_x = (_x_log_x(p.high) - _x_log_x(p.low) - width) / width
    result = e_log_x * (q.alpha + 1) - t1
    return _inf_where(result, p.low < q.support.lower_bound)


# --- the low-rank multivariate normals (covariance W W^T + diag(D), scored through the
# capacitance C = chol(I + W^T D^-1 W))

def _lowrank_mahalanobis(q, x):
    """x^T (W W^T + D)^-1 x by Woodbury."""
    W, D = q._unbroadcasted_cov_factor, q._unbroadcasted_cov_diag
    return (x.pow(2) / D).sum(-1) - _mahalanobis(q._capacitance_tril, _batch_mv(W.mT / D.unsqueeze(-2), x))


def _trace_xxt(m):
    """tr(M M^T) of each matrix in the batch."""
    return m.pow(2).reshape(m.shape[:-2] + (-1,)).sum(-1)


def _woodbury_factor(q):
    """A with (W W^T + D)^-1 = D^-1 - A^T A."""
    W, D = q._unbroadcasted_cov_factor, q._unbroadcasted_cov_diag
    return rstorch.linalg.solve_triangular(q._capacitance_tril, W.mT / D.unsqueeze(-2), upper=False)


def _check_events(p, q, what):
    if p.event_shape != q.event_shape:
        raise ValueError(f"KL-divergence between two {what} with                          different event shapes "
                         "cannot be computed")


@register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)
def _kl_lowrank_lowrank(p, q):
    _check_events(p, q, "Low Rank Multivariate Normals")
    A = _woodbury_factor(q)
    Wp, Dp, Dq = p._unbroadcasted_cov_factor, p._unbroadcasted_cov_diag, q._unbroadcasted_cov_diag
    trace = ((Dp / Dq).sum(-1) + _trace_xxt(Wp * Dq.rsqrt().unsqueeze(-1))
             - _trace_xxt(A * Dp.sqrt().unsqueeze(-2)) - _trace_xxt(A.matmul(Wp)))
    return 0.5 * (q._log_det() - p._log_det() + trace + _lowrank_mahalanobis(q, q.loc - p.loc) - p.event_shape[0])


@register_kl(MultivariateNormal, LowRankMultivariateNormal)
def _kl_mvn_lowrank(p, q):
    _check_events(p, q, "(Low Rank) Multivariate Normals")
    Lp = p._unbroadcasted_scale_tril
    A = _woodbury_factor(q)
    log_det_p = 2 * Lp.diagonal(dim1=-2, dim2=-1).log().sum(-1)
    trace = _trace_xxt(Lp * q._unbroadcasted_cov_diag.rsqrt().unsqueeze(-1)) - _trace_xxt(A.matmul(Lp))
    return 0.5 * (q._log_det() - log_det_p + trace + _lowrank_mahalanobis(q, q.loc - p.loc) - p.event_shape[0])


@register_kl(LowRankMultivariateNormal, MultivariateNormal)
def _kl_lowrank_mvn(p, q):
    _check_events(p, q, "(Low Rank) Multivariate Normals")
    Lq = q._unbroadcasted_scale_tril
    n = p.event_shape[0]
    batch = rstorch.broadcast_shapes(Lq.shape[:-2], p._unbroadcasted_cov_factor.shape[:-2])
    Lq_b = Lq.expand(batch + (n, n))
    Wp = p._unbroadcasted_cov_factor.expand(batch + (n, p.cov_factor.size(-1)))
    Dp_sqrt = rstorch.diag_embed(p._unbroadcasted_cov_diag.sqrt()).expand(batch + (n, n))
    trace = (_trace_xxt(rstorch.linalg.solve_triangular(Lq_b, Wp, upper=False))
             + _trace_xxt(rstorch.linalg.solve_triangular(Lq_b, Dp_sqrt, upper=False)))
    log_det_q = 2 * Lq.diagonal(dim1=-2, dim2=-1).log().sum(-1)
    return 0.5 * (log_det_q - p._log_det() + trace + _mahalanobis(Lq, q.loc - p.loc) - n)
