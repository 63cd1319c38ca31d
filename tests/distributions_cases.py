"""The cases of tests/test_distributions.py, shared with the script that records torch's results
(tests/tools/record_distributions.py -> tests/data/distributions_expected.json).

Each case is a function of the library (`torch` or `rstorch`, called `t`) and its distributions
module `D`; it runs after `t.manual_seed(0)`, so the samples it draws are the seeded generator's.
A case returns tensors, sizes, strings, numbers or (nested) tuples/dicts of them; `encode` turns
that (or the error raised) into JSON."""

import math
import warnings


def encode(t, value):
    if isinstance(value, t.Tensor):
        return {"dtype": str(value.dtype).split(".")[-1], "shape": list(value.shape),
                "values": [v if math.isfinite(v) else repr(v) for v in value.detach().double().flatten().tolist()]}
    if isinstance(value, t.Size):
        return {"size": list(value)}
    if isinstance(value, dict):
        return {"dict": {k: encode(t, v) for k, v in value.items()}}
    if isinstance(value, (tuple, list)):
        return {"list": [encode(t, v) for v in value]}
    if isinstance(value, str):
        return {"str": value}
    if isinstance(value, (bool, int, float)) or value is None:
        return {"py": value if not isinstance(value, float) or math.isfinite(value) else repr(value)}
    return {"type": type(value).__name__}


def outcome(t, fn):
    t.manual_seed(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return encode(t, fn(t, t.distributions))
    except Exception as e:  # noqa: BLE001 - the error is what is recorded
        return {"error": [type(e).__name__, str(e)]}


def _props(d, names=("mean", "mode", "variance", "stddev", "batch_shape", "event_shape")):
    out = {}
    for n in names:
        try:
            out[n] = getattr(d, n)
        except NotImplementedError as e:
            out[n] = "NotImplementedError: " + str(e).split(" does not ")[-1]
    out["repr"] = repr(d)
    return out


def _all(d, value, sample_shape=(3,), cdf=True):
    """Samples, then the scores and moments of `d`."""
    out = {"sample": d.sample(sample_shape), "sample0": d.sample(), "log_prob": d.log_prob(value),
           "entropy": d.entropy(), **_props(d)}
    if d.has_rsample:
        out["rsample"] = d.rsample(sample_shape)
    if cdf:
        out["cdf"] = d.cdf(value)
    return out


def _f(t, *values, dtype=None):
    return t.tensor(values if len(values) != 1 else values[0], dtype=dtype)


CASES = {
    # --- Normal
    "normal": lambda t, D: _all(D.Normal(_f(t, [0.0, 1.0]), _f(t, [1.0, 2.0])), _f(t, [0.5, -1.0])),
    "normal_icdf": lambda t, D: D.Normal(_f(t, [0.0, 1.0]), _f(t, [1.0, 2.0])).icdf(_f(t, [0.1, 0.75])),
    "normal_scalar": lambda t, D: _all(D.Normal(0.0, 1.0), _f(t, [0.3, 2.0]), (4,)),
    "normal_f64": lambda t, D: _all(D.Normal(_f(t, [0.5], dtype=t.float64), 2.0), _f(t, [[1.0], [3.0]], dtype=t.float64)),
    "normal_broadcast": lambda t, D: _all(D.Normal(_f(t, [[0.0], [1.0]]), _f(t, [1.0, 2.0, 3.0])), _f(t, 0.5), (2,)),
    "normal_expand": lambda t, D: (lambda e: (e.batch_shape, e.sample((2,)), e.log_prob(_f(t, 0.0)), repr(e)))(
        D.Normal(_f(t, [0.0]), _f(t, [1.0])).expand((3, 1))),
    "normal_sample_n": lambda t, D: D.Normal(_f(t, [0.0, 1.0]), 1.0).sample_n(3),
    "normal_bad_scale": lambda t, D: D.Normal(0.0, -1.0),
    "normal_bad_scale_tensor": lambda t, D: D.Normal(_f(t, [0.0, 0.0]), _f(t, [1.0, -1.0])),
    "normal_nan_loc": lambda t, D: D.Normal(_f(t, [math.nan]), _f(t, [1.0])),
    "normal_no_validate": lambda t, D: D.Normal(0.0, -1.0, validate_args=False).log_prob(_f(t, 0.0)),
    "normal_bad_value_shape": lambda t, D: D.Normal(_f(t, [0.0, 1.0]), 1.0).log_prob(_f(t, [0.0, 1.0, 2.0])),
    "normal_value_not_tensor": lambda t, D: D.Normal(_f(t, [0.0, 1.0]), 1.0).log_prob(0.5),
    "normal_bad_args": lambda t, D: D.Normal("a", 1.0),
    "normal_props": lambda t, D: ({k: repr(v) for k, v in D.Normal.arg_constraints.items()}, repr(D.Normal.support),
                                  D.Normal.has_rsample, D.Normal(0.0, 1.0).perplexity()),
    # --- Categorical
    "categorical_probs": lambda t, D: _all(D.Categorical(_f(t, [[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])),
                                           _f(t, [2, 0]), (5,), cdf=False),
    "categorical_unnormalized": lambda t, D: (lambda c: (c.probs, c.logits, c.sample((6,)), c.entropy()))(
        D.Categorical(_f(t, [1.0, 2.0, 3.0, 4.0]))),
    "categorical_logits": lambda t, D: (lambda c: (c.probs, c.logits, c.sample((2, 3)), c.log_prob(_f(t, [[1], [2]])),
                                                   c.entropy(), c.enumerate_support(), c.enumerate_support(False),
                                                   c.param_shape, repr(c)))(
        D.Categorical(logits=_f(t, [[0.5, -1.0, 2.0], [0.0, 0.0, 0.0]]))),
    "categorical_large": lambda t, D: D.Categorical(t.softmax(t.arange(10.0) / 3, 0)).sample((20,)),
    "categorical_expand": lambda t, D: (lambda e: (e.batch_shape, e.sample(), e.probs))(
        D.Categorical(_f(t, [0.3, 0.7])).expand((4,))),
    "categorical_both": lambda t, D: D.Categorical(probs=_f(t, [0.5, 0.5]), logits=_f(t, [0.0, 0.0])),
    "categorical_none": lambda t, D: D.Categorical(),
    "categorical_bad_probs": lambda t, D: D.Categorical(_f(t, [0.5, -0.5])),
    "categorical_0d": lambda t, D: D.Categorical(_f(t, 1.0)),
    "categorical_bad_value": lambda t, D: D.Categorical(_f(t, [0.5, 0.5])).log_prob(_f(t, [2])),
    "categorical_float_value": lambda t, D: D.Categorical(_f(t, [0.5, 0.5])).log_prob(_f(t, [0.5])),
    "categorical_zero_prob_entropy": lambda t, D: D.Categorical(_f(t, [0.0, 1.0])).entropy(),
    # --- Bernoulli
    "bernoulli_probs": lambda t, D: _all(D.Bernoulli(_f(t, [0.1, 0.5, 0.9])), _f(t, [1.0, 0.0, 1.0]), (4,), cdf=False),
    "bernoulli_logits": lambda t, D: (lambda b: (b.probs, b.logits, b.sample((3,)), b.log_prob(_f(t, [0.0, 1.0])),
                                                 b.entropy(), b.enumerate_support(), repr(b)))(
        D.Bernoulli(logits=_f(t, [-2.0, 3.0]))),
    "bernoulli_scalar": lambda t, D: (lambda b: (b.sample((5,)), b.batch_shape, b.probs, repr(b)))(D.Bernoulli(0.3)),
    "bernoulli_bad": lambda t, D: D.Bernoulli(_f(t, [1.5])),
    "bernoulli_bad_value": lambda t, D: D.Bernoulli(_f(t, [0.5])).log_prob(_f(t, [0.5])),
    # --- Uniform
    "uniform": lambda t, D: (lambda u: {**_all(u, _f(t, [0.5, 2.5])), "icdf": u.icdf(_f(t, [0.25, 0.5]))})(
        D.Uniform(_f(t, [0.0, 1.0]), _f(t, [1.0, 3.0]))),
    "uniform_scalar": lambda t, D: D.Uniform(-1.0, 1.0).sample((4,)),
    "uniform_bad": lambda t, D: D.Uniform(_f(t, [1.0]), _f(t, [0.0])),
    "uniform_outside": lambda t, D: D.Uniform(0.0, 1.0).log_prob(_f(t, [1.5])),
    "uniform_outside_novalidate": lambda t, D: D.Uniform(0.0, 1.0, validate_args=False).log_prob(_f(t, [1.5, 0.5])),
    # --- OneHotCategorical
    "onehot": lambda t, D: (lambda o: {**_all(o, _f(t, [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]), (3,), cdf=False),
                                       "support": o.enumerate_support(), "support_noexpand": o.enumerate_support(False)})(
        D.OneHotCategorical(_f(t, [[0.2, 0.3, 0.5], [0.6, 0.2, 0.2]]))),
    "onehot_st": lambda t, D: D.OneHotCategoricalStraightThrough(logits=_f(t, [0.0, 1.0, 2.0])).rsample((4,)),
    "onehot_bad_value": lambda t, D: D.OneHotCategorical(_f(t, [0.5, 0.5])).log_prob(_f(t, [1.0, 1.0])),
    # --- Independent
    "independent": lambda t, D: _all(D.Independent(D.Normal(t.zeros(3, 2), t.ones(3, 2)), 1), t.ones(2), (2,), cdf=False),
    "independent_enumerate": lambda t, D: D.Independent(D.Bernoulli(_f(t, [0.3, 0.6])), 1).enumerate_support(),
    "independent_bad": lambda t, D: D.Independent(D.Normal(t.zeros(3), t.ones(3)), 2),
    "independent_bern": lambda t, D: (lambda i: (i.sample((2,)), i.log_prob(_f(t, [1.0, 0.0])), i.entropy(), repr(i)))(
        D.Independent(D.Bernoulli(_f(t, [0.3, 0.6])), 1)),
    # --- MultivariateNormal
    "mvn_scale_tril": lambda t, D: {**_all(D.MultivariateNormal(_f(t, [0.0, 1.0]), scale_tril=_f(t, [[1.0, 0.0], [0.5, 2.0]])),
                                           _f(t, [[0.5, -1.0], [1.0, 1.0]]), (3,), cdf=False),
                                    **_mvn_params(D.MultivariateNormal(_f(t, [0.0, 1.0]),
                                                                       scale_tril=_f(t, [[1.0, 0.0], [0.5, 2.0]])))},
    "mvn_cov": lambda t, D: {**_all(D.MultivariateNormal(t.zeros(2, 3), _f(t, [[2.0, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 3.0]])),
                                    t.ones(3), (2,), cdf=False),
                             **_mvn_params(D.MultivariateNormal(t.zeros(3), _f(t, [[2.0, 0.5, 0.1], [0.5, 1.0, 0.2],
                                                                                   [0.1, 0.2, 3.0]])))},
    "mvn_precision": lambda t, D: (lambda m: (m.sample((2,)), m.log_prob(_f(t, [0.3, 0.1])), m.entropy(),
                                              _mvn_params(m)))(
        D.MultivariateNormal(_f(t, [1.0, -1.0]), precision_matrix=_f(t, [[2.0, 0.3], [0.3, 0.5]], dtype=t.float32))),
    "mvn_f64": lambda t, D: (lambda m: (m.rsample((2,)), m.log_prob(_f(t, [0.3, 0.1, 0.0], dtype=t.float64)),
                                        m.entropy(), m.variance))(
        D.MultivariateNormal(t.zeros(3, dtype=t.float64), t.eye(3, dtype=t.float64) * 2 + 0.5)),
    "mvn_expand": lambda t, D: (lambda m: (m.batch_shape, m.sample(), repr(m)))(
        D.MultivariateNormal(t.zeros(2), t.eye(2)).expand((3,))),
    "mvn_none": lambda t, D: D.MultivariateNormal(t.zeros(2)),
    "mvn_two": lambda t, D: D.MultivariateNormal(t.zeros(2), t.eye(2), scale_tril=t.eye(2)),
    "mvn_loc_0d": lambda t, D: D.MultivariateNormal(_f(t, 0.0), t.eye(2)),
    "mvn_cov_1d": lambda t, D: D.MultivariateNormal(t.zeros(2), t.ones(2)),
    "mvn_not_pd": lambda t, D: D.MultivariateNormal(t.zeros(2), _f(t, [[1.0, 2.0], [2.0, 1.0]])),
    # --- Exponential, Laplace, LogNormal
    "exponential": lambda t, D: (lambda e: {**_all(e, _f(t, [0.5, 2.0])), "icdf": e.icdf(_f(t, [0.3, 0.9]))})(
        D.Exponential(_f(t, [1.0, 0.5]))),
    "exponential_scalar": lambda t, D: (lambda e: (e.sample((3,)), e.batch_shape, repr(e)))(D.Exponential(2.0)),
    "exponential_bad": lambda t, D: D.Exponential(_f(t, [0.0])),
    "laplace": lambda t, D: (lambda e: {**_all(e, _f(t, [0.5, 2.0])), "icdf": e.icdf(_f(t, [0.3, 0.9]))})(
        D.Laplace(_f(t, [0.0, 1.0]), _f(t, [1.0, 0.5]))),
    "laplace_scalar": lambda t, D: D.Laplace(0.0, 1.0).rsample((5,)),
    "lognormal": lambda t, D: (lambda e: {**_all(e, _f(t, [0.5, 2.0])), "icdf": e.icdf(_f(t, [0.3, 0.9])),
                                          "loc": e.loc, "scale": e.scale})(
        D.LogNormal(_f(t, [0.0, 1.0]), _f(t, [1.0, 0.5]))),
    "lognormal_outside": lambda t, D: D.LogNormal(0.0, 1.0).log_prob(_f(t, [-1.0])),
    # --- TransformedDistribution and transforms
    "transformed": lambda t, D: (lambda d: (d.sample((2,)), d.rsample((2,)), d.log_prob(_f(t, [1.0, 2.0])), d.cdf(_f(t, [1.0, 2.0])),
                                            d.icdf(_f(t, [0.2, 0.7])), d.batch_shape, d.event_shape, repr(d.support)))(
        D.TransformedDistribution(D.Normal(t.zeros(2), t.ones(2)),
                                  [D.AffineTransform(1.0, 2.0), D.ExpTransform()])),
    "transformed_sigmoid": lambda t, D: (lambda d: (d.sample((3,)), d.log_prob(_f(t, [0.25, 0.5]))))(
        D.TransformedDistribution(D.Uniform(t.zeros(2), t.ones(2)), D.SigmoidTransform().inv)),
    "transforms": lambda t, D: _transforms(t, D),
    "transform_reprs": lambda t, D: [repr(x) for x in (D.ExpTransform(), D.AffineTransform(0.0, 1.0), D.SigmoidTransform().inv,
                                                       D.ComposeTransform([D.ExpTransform(), D.TanhTransform()]),
                                                       D.PowerTransform(2.0), D.SoftmaxTransform(), D.StickBreakingTransform())],
    "biject_to": lambda t, D: [type(D.biject_to(c)).__name__ for c in
                               (D.constraints.real, D.constraints.positive, D.constraints.unit_interval,
                                D.constraints.simplex, D.constraints.interval(0.0, 2.0))]
    + [D.transform_to(D.constraints.simplex)(_f(t, [0.5, -0.5, 1.0])),
       D.biject_to(D.constraints.interval(1.0, 3.0))(_f(t, [0.0, 2.0])),
       D.transform_to(D.constraints.lower_cholesky)(_f(t, [[1.0, 2.0], [3.0, -1.0]]))],
    "constraints": lambda t, D: _constraints(t, D),
    "transforms_more": lambda t, D: _transforms_more(t, D),
    "tril_vec": lambda t, D: (lambda m: [D.utils.tril_matrix_to_vec(m, d) for d in (0, -1, 1)]
                              + [D.utils.vec_to_tril_matrix(D.utils.tril_matrix_to_vec(m, d), d) for d in (0, -1, 1)])(
        t.arange(18.0).reshape(2, 3, 3)),
    # --- kl_divergence
    "kl_normal": lambda t, D: D.kl_divergence(D.Normal(_f(t, [0.0, 1.0]), _f(t, [1.0, 2.0])), D.Normal(_f(t, [1.0]), _f(t, [0.5]))),
    "kl_categorical": lambda t, D: D.kl_divergence(D.Categorical(_f(t, [[0.2, 0.8], [0.5, 0.5]])),
                                                   D.Categorical(logits=_f(t, [0.3, -0.4]))),
    "kl_categorical_zero": lambda t, D: D.kl_divergence(D.Categorical(_f(t, [0.5, 0.5])), D.Categorical(_f(t, [1.0, 0.0]))),
    "kl_bernoulli": lambda t, D: D.kl_divergence(D.Bernoulli(_f(t, [0.2, 0.0, 1.0])), D.Bernoulli(_f(t, [0.6, 0.3, 0.3]))),
    "kl_onehot": lambda t, D: D.kl_divergence(D.OneHotCategorical(_f(t, [0.2, 0.8])), D.OneHotCategorical(_f(t, [0.5, 0.5]))),
    "kl_mvn": lambda t, D: D.kl_divergence(D.MultivariateNormal(_f(t, [0.0, 1.0]), _f(t, [[2.0, 0.3], [0.3, 1.0]])),
                                           D.MultivariateNormal(t.zeros(3, 2), scale_tril=_f(t, [[1.0, 0.0], [0.2, 0.7]]))),
    "kl_uniform": lambda t, D: D.kl_divergence(D.Uniform(_f(t, [0.0, 0.0]), _f(t, [1.0, 1.0])), D.Uniform(_f(t, [-1.0, 0.5]), _f(t, [2.0, 2.0]))),
    "kl_exponential": lambda t, D: D.kl_divergence(D.Exponential(_f(t, [1.0, 2.0])), D.Exponential(_f(t, [0.5, 2.0]))),
    "kl_laplace": lambda t, D: D.kl_divergence(D.Laplace(_f(t, [0.0, 1.0]), 1.0), D.Laplace(0.5, _f(t, [2.0, 0.5]))),
    "kl_independent": lambda t, D: D.kl_divergence(D.Independent(D.Normal(t.zeros(3, 2), t.ones(3, 2)), 1),
                                                   D.Independent(D.Normal(t.ones(3, 2), 2 * t.ones(3, 2)), 1)),
    "kl_lognormal": lambda t, D: D.kl_divergence(D.LogNormal(_f(t, [0.0, 1.0]), 1.0), D.LogNormal(0.5, _f(t, [2.0, 0.5]))),
    "kl_mixed": lambda t, D: (D.kl_divergence(D.Uniform(0.0, 1.0), D.Normal(_f(t, [0.0, 1.0]), 2.0)),
                              D.kl_divergence(D.Normal(_f(t, [0.0]), 1.0), D.Uniform(0.0, 1.0)),
                              D.kl_divergence(D.Normal(_f(t, [0.0]), 1.0), D.Laplace(0.5, 2.0)),
                              D.kl_divergence(D.Exponential(_f(t, [2.0])), D.Normal(0.0, 1.0)),
                              D.kl_divergence(D.Laplace(_f(t, [0.0]), 1.0), D.Normal(0.5, 2.0)),
                              D.kl_divergence(D.Exponential(_f(t, [2.0])), D.Gamma(2.0, 1.0)),
                              D.kl_divergence(D.Gamma(_f(t, [2.0]), 3.0), D.Gamma(1.5, 1.0)),
                              D.kl_divergence(D.Beta(_f(t, [2.0]), 3.0), D.Beta(1.5, 1.0)),
                              D.kl_divergence(D.Dirichlet(_f(t, [2.0, 3.0])), D.Dirichlet(_f(t, [1.0, 1.5]))),
                              D.kl_divergence(D.Poisson(_f(t, [2.0])), D.Poisson(3.0)),
                              D.kl_divergence(D.Gumbel(_f(t, [0.0]), 1.0), D.Gumbel(0.5, 2.0)),
                              D.kl_divergence(D.HalfNormal(_f(t, [1.0])), D.HalfNormal(2.0)),
                              D.kl_divergence(D.Geometric(_f(t, [0.3])), D.Geometric(0.6)),
                              D.kl_divergence(D.Pareto(_f(t, [1.0]), 3.0), D.Pareto(0.5, 2.0)),
                              D.kl_divergence(D.Binomial(5, _f(t, [0.3])), D.Binomial(5, 0.6))),
    "kl_missing": lambda t, D: D.kl_divergence(D.Categorical(_f(t, [0.5, 0.5])), D.Normal(0.0, 1.0)),
    # --- the rest of torch's families: reparameterized ones sample; gamma-based ones score only
    "cauchy": lambda t, D: (lambda e: {**_all(e, _f(t, [0.5, 2.0])), "icdf": e.icdf(_f(t, [0.3, 0.9]))})(
        D.Cauchy(_f(t, [0.0, 1.0]), _f(t, [1.0, 0.5]))),
    "gumbel": lambda t, D: _all(D.Gumbel(_f(t, [0.0, 1.0]), _f(t, [1.0, 0.5])), _f(t, [0.5, 2.0])),
    "half_normal": lambda t, D: _all(D.HalfNormal(_f(t, [1.0, 0.5])), _f(t, [0.5, 2.0])),
    "half_cauchy": lambda t, D: _all(D.HalfCauchy(_f(t, [1.0, 0.5])), _f(t, [0.5, 2.0])),
    "pareto": lambda t, D: _all(D.Pareto(_f(t, [1.0, 0.5]), _f(t, [3.0, 2.5])), _f(t, [1.5, 2.0])),
    "weibull": lambda t, D: _all(D.Weibull(_f(t, [1.0, 0.5]), _f(t, [3.0, 2.5])), _f(t, [1.5, 2.0])),
    "geometric": lambda t, D: _all(D.Geometric(_f(t, [0.3, 0.7])), _f(t, [1.0, 4.0]), cdf=False),
    "logistic_normal": lambda t, D: (lambda d: (d.sample((2,)), d.log_prob(_f(t, [0.2, 0.3, 0.5]))))(
        D.LogisticNormal(t.zeros(2), t.ones(2))),
    "relaxed_bernoulli": lambda t, D: (lambda d: (d.rsample((3,)), d.log_prob(_f(t, [0.2, 0.9]))))(
        D.RelaxedBernoulli(_f(t, 0.5), probs=_f(t, [0.3, 0.6]))),
    "relaxed_onehot": lambda t, D: (lambda d: (d.rsample((2,)), d.log_prob(_f(t, [0.2, 0.3, 0.5]))))(
        D.RelaxedOneHotCategorical(_f(t, 0.7), logits=_f(t, [0.1, 0.5, -0.3]))),
    "multinomial": lambda t, D: (lambda d: (d.sample((3,)), d.log_prob(_f(t, [[2.0, 1.0, 2.0]])), d.mean, d.variance, repr(d)))(
        D.Multinomial(5, _f(t, [0.2, 0.3, 0.5]))),
    "lowrank_mvn": lambda t, D: (lambda d: (d.rsample((2,)), d.log_prob(_f(t, [0.3, 0.1])), d.entropy(), d.variance,
                                            d.covariance_matrix, repr(d)))(
        D.LowRankMultivariateNormal(t.zeros(2), _f(t, [[1.0], [0.5]]), _f(t, [1.0, 2.0]))),
    "mixture": lambda t, D: (lambda d: (d.sample((4,)), d.log_prob(_f(t, [0.3, 1.0])), d.mean, d.variance, d.cdf(_f(t, [0.3])),
                                        repr(d)))(
        D.MixtureSameFamily(D.Categorical(_f(t, [0.3, 0.7])), D.Normal(_f(t, [-1.0, 1.0]), _f(t, [0.5, 1.0])))),
    "continuous_bernoulli": lambda t, D: _all(D.ContinuousBernoulli(_f(t, [0.3, 0.8])), _f(t, [0.2, 0.9])),
    "kumaraswamy": lambda t, D: (lambda d: (d.rsample((2,)), d.log_prob(_f(t, [0.3, 0.6])), d.mean, d.variance, d.entropy()))(
        D.Kumaraswamy(_f(t, [2.0, 1.5]), _f(t, [3.0, 0.5]))),
    "von_mises": lambda t, D: (lambda d: (d.sample((4,)), d.log_prob(_f(t, [0.3, 1.0])), d.mean, d.variance))(
        D.VonMises(_f(t, [0.0, 1.0]), _f(t, [1.0, 4.0]))),
    "generalized_pareto": lambda t, D: _all(D.GeneralizedPareto(_f(t, [0.0, 1.0]), _f(t, [1.0, 0.5]), _f(t, [0.1, -0.2])),
                                            _f(t, [0.5, 1.5])),
    "gamma_scores": lambda t, D: (lambda d: (d.log_prob(_f(t, [0.5, 2.0])), d.entropy(), d.mean, d.variance, d.mode))(
        D.Gamma(_f(t, [2.0, 0.5]), _f(t, [1.0, 3.0]))),
    "beta_scores": lambda t, D: (lambda d: (d.log_prob(_f(t, [0.5, 0.2])), d.entropy(), d.mean, d.variance, d.mode))(
        D.Beta(_f(t, [2.0, 1.5]), _f(t, [1.0, 3.0]))),
    "dirichlet_scores": lambda t, D: (lambda d: (d.log_prob(_f(t, [0.5, 0.2, 0.3])), d.entropy(), d.mean, d.variance))(
        D.Dirichlet(_f(t, [2.0, 1.5, 3.0]))),
    "poisson_scores": lambda t, D: (lambda d: (d.log_prob(_f(t, [0.0, 2.0])), d.mean, d.variance, d.mode))(
        D.Poisson(_f(t, [2.0, 0.5]))),
    "binomial_scores": lambda t, D: (lambda d: (d.log_prob(_f(t, [0.0, 2.0])), d.mean, d.variance, d.mode, d.entropy(),
                                                d.enumerate_support()))(D.Binomial(4, _f(t, [0.2, 0.5]))),
    "student_t_scores": lambda t, D: (lambda d: (d.log_prob(_f(t, [0.5, 2.0])), d.entropy(), d.mean, d.variance))(
        D.StudentT(_f(t, [3.0, 1.5]), 0.0, 1.0)),
    "chi2_scores": lambda t, D: (lambda d: (d.log_prob(_f(t, [0.5, 2.0])), d.mean))(D.Chi2(_f(t, [3.0, 1.5]))),
    "negative_binomial_scores": lambda t, D: (lambda d: (d.log_prob(_f(t, [0.0, 3.0])), d.mean, d.variance))(
        D.NegativeBinomial(3.0, _f(t, [0.2, 0.5]))),
    "expand_all": lambda t, D: [(lambda e: (repr(e), e.batch_shape, e.sample(), e.log_prob(e.sample())))(d.expand((3, 2)))
                                for d in (D.Bernoulli(_f(t, [0.3, 0.6])), D.Uniform(0.0, _f(t, [1.0, 2.0])),
                                          D.Exponential(_f(t, [1.0, 2.0])), D.Laplace(_f(t, [0.0, 1.0]), 1.0),
                                          D.LogNormal(_f(t, [0.0, 1.0]), 1.0), D.OneHotCategorical(t.ones(2, 3) / 3),
                                          D.Independent(D.Normal(t.zeros(2, 4), 1.0), 1), D.Gumbel(_f(t, [0.0, 1.0]), 1.0),
                                          D.MultivariateNormal(t.zeros(2, 2), scale_tril=t.eye(2)))],
}


def _mvn_params(m):
    return {"scale_tril": m.scale_tril, "covariance_matrix": m.covariance_matrix, "precision_matrix": m.precision_matrix}


def _transforms(t, D):
    x = _f(t, [[0.5, -1.0, 2.0], [0.1, 0.2, -0.3]])
    out = {}
    ts = {"exp": D.ExpTransform(), "affine": D.AffineTransform(1.0, _f(t, [2.0, -1.0, 0.5])), "sigmoid": D.SigmoidTransform(),
          "tanh": D.TanhTransform(), "softplus": D.SoftplusTransform(), "abs": D.AbsTransform(),
          "power": D.PowerTransform(_f(t, 3.0)), "compose": D.ComposeTransform([D.AffineTransform(0.0, 2.0), D.ExpTransform()]),
          "softmax": D.SoftmaxTransform(), "stickbreaking": D.StickBreakingTransform(),
          "lower_cholesky": D.LowerCholeskyTransform(), "independent": D.IndependentTransform(D.ExpTransform(), 1),
          "reshape": D.ReshapeTransform((3,), (3, 1)), "cat": D.CatTransform([D.ExpTransform(), D.AffineTransform(0.0, 2.0)], 1, [1, 2]),
          "stack": D.StackTransform([D.ExpTransform(), D.TanhTransform()], 0)}
    for name, tr in ts.items():
        xi = x if name not in ("lower_cholesky",) else _f(t, [[1.0, 2.0], [3.0, -1.0]])
        if name == "power":
            xi = xi.abs()
        y = tr(xi)
        entry = {"y": y, "inv": tr.inv(y), "bijective": tr.bijective, "sign": None, "domain": repr(tr.domain),
                 "codomain": repr(tr.codomain)}
        try:
            entry["ladj"] = tr.log_abs_det_jacobian(xi, y)
        except NotImplementedError:
            entry["ladj"] = "NotImplementedError"
        try:
            entry["sign"] = tr.sign if isinstance(tr.sign, int) else tr.sign
        except NotImplementedError:
            pass
        try:
            entry["fshape"] = tr.forward_shape((2, 3)), tr.inverse_shape(tr.forward_shape((2, 3)))
        except Exception as e:  # noqa: BLE001
            entry["fshape"] = type(e).__name__
        out[name] = entry
    return out


def _constraints(t, D):
    C = D.constraints
    x = _f(t, [[0.5, -1.0, 2.0], [0.1, 0.2, 0.7]])
    cs = [C.real, C.positive, C.nonnegative, C.unit_interval, C.simplex, C.boolean, C.nonnegative_integer,
          C.positive_integer, C.integer_interval(0, 2), C.interval(0.0, 1.0), C.half_open_interval(0.0, 1.0),
          C.greater_than(0.1), C.greater_than_eq(0.1), C.less_than(1.0), C.real_vector, C.independent(C.real, 1),
          C.lower_triangular, C.lower_cholesky, C.positive_definite, C.positive_semidefinite, C.corr_cholesky,
          C.one_hot, C.square, C.symmetric, C.multinomial(3), C.cat([C.real, C.positive], 1, [2, 1]),
          C.stack([C.real, C.positive], 0)]
    out = []
    for c in cs:
        try:
            checked = c.check(x)
        except Exception as e:  # noqa: BLE001
            checked = type(e).__name__
        out.append((repr(c), c.is_discrete, c.event_dim, checked))
    m = _f(t, [[2.0, 0.5], [0.5, 1.0]])
    out.append([c.check(m) for c in (C.positive_definite, C.lower_cholesky, C.symmetric, C.corr_cholesky)])
    out.append((C.is_dependent(C.dependent), C.is_dependent(C.real), repr(C.dependent_property)))
    return out


def _transforms_more(t, D):
    C = D.constraints
    x = _f(t, [[0.5, -1.0, 2.0], [0.1, 0.2, -0.3]])
    cc = D.CorrCholeskyTransform()
    y = cc(x)
    pd = D.PositiveDefiniteTransform()
    m = pd(_f(t, [[0.3, 0.0], [0.5, -0.2]]))
    cdf = D.CumulativeDistributionTransform(D.Normal(0.0, 1.0))
    u = cdf(x)
    pairs = (C.corr_cholesky, C.cat([C.real, C.positive], 0, [1, 1]), C.stack([C.real, C.unit_interval], 0))
    return {"corr": y, "corr_inv": cc.inv(y), "corr_ladj": cc.log_abs_det_jacobian(x, y), "corr_check": C.corr_cholesky.check(y),
            "corr_shapes": (cc.forward_shape((2, 3)), cc.inverse_shape((2, 3, 3))), "pd": m, "pd_inv": pd.inv(m),
            "cdf": u, "cdf_inv": cdf.inv(u), "cdf_ladj": cdf.log_abs_det_jacobian(x, u), "cdf_domain": repr(cdf.domain),
            "registry": [type(r(c)).__name__ for r in (D.biject_to, D.transform_to) for c in pairs]
            + [type(D.transform_to(C.positive_definite)).__name__],
            "cat": D.biject_to(C.cat([C.real, C.positive], 1, [2, 1]))(x),
            "stack": D.transform_to(C.stack([C.real, C.unit_interval], 0))(x)}


# --- the families added with the per-family import paths (samplers that need a gamma kernel raise
# in rstorch, so these cases score and describe without drawing)
def _wishart(t, D):
    cov = _f(t, [[2.0, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 1.5]], dtype=t.float64)
    x = _f(t, [[3.0, 0.4, 0.0], [0.4, 2.0, -0.3], [0.0, -0.3, 1.0]], dtype=t.float64)
    w = D.Wishart(_f(t, [4.0, 6.5], dtype=t.float64), covariance_matrix=cov)
    wp = D.Wishart(5.0, precision_matrix=t.linalg.inv(cov))
    ws = D.Wishart(3.5, scale_tril=t.linalg.cholesky(cov).float())
    e = ws.expand((2,))
    return {"log_prob": w.log_prob(x), "entropy": w.entropy(), "expfamily_entropy": D.ExponentialFamily.entropy(w),
            **_props(w, ("mean", "mode", "variance", "batch_shape", "event_shape")),
            "p": (wp.log_prob(x), wp.entropy(), wp.scale_tril, wp.covariance_matrix, repr(wp)),
            "s": (ws.log_prob(x.float()), ws.entropy(), ws.precision_matrix, ws.mean, repr(ws)),
            "expand": (e.batch_shape, e.log_prob(x.float()), repr(e)),
            "arg_constraints": repr(w.arg_constraints["df"]), "support": repr(w.support)}


CASES.update({
    "fisher": lambda t, D: (lambda d: {"log_prob": d.log_prob(_f(t, [[0.5, 1.5], [2.0, 0.1]])), **_props(d),
                                       "expand": (lambda e: (e.batch_shape, e.log_prob(_f(t, 0.7)), repr(e)))(
                                           d.expand((3, 2)))})(
        D.FisherSnedecor(_f(t, [2.0, 5.0]), _f(t, [3.0, 8.0]))),
    "fisher_scalar": lambda t, D: (lambda d: (d.log_prob(_f(t, [0.5, 3.0])), d.mean, d.variance, d.batch_shape, repr(d)))(
        D.FisherSnedecor(6.0, 10.0)),
    "fisher_bad": lambda t, D: D.FisherSnedecor(_f(t, [1.0]), _f(t, [-1.0])),
    "inverse_gamma": lambda t, D: (lambda d: {"log_prob": d.log_prob(_f(t, [0.5, 1.5, 0.2])), "entropy": d.entropy(),
                                              **_props(d),
                                              "conc": (d.concentration, d.rate),
                                              "expand": (lambda e: (e.batch_shape, e.log_prob(_f(t, 0.7)), repr(e)))(
                                                  d.expand((2, 3)))})(
        D.InverseGamma(_f(t, [0.5, 1.5, 3.0]), _f(t, [1.0, 2.0, 0.5]))),
    "inverse_gamma_bad": lambda t, D: D.InverseGamma(_f(t, [-1.0]), _f(t, [1.0])),
    "inverse_gamma_support": lambda t, D: D.InverseGamma(2.0, 1.0).log_prob(_f(t, [-1.0])),
    "lkj": lambda t, D: (lambda d: {"log_prob": d.log_prob(D.CorrCholeskyTransform()(
        _f(t, [[0.3, -0.5, 0.8], [0.1, 0.2, -0.4]], dtype=t.float64)).unsqueeze(-3)),
        "batch_shape": d.batch_shape, "event_shape": d.event_shape, "repr": repr(d),
        "expand": (lambda e: (e.batch_shape, repr(e)))(d.expand((4, 2))), "support": repr(d.support)})(
        D.LKJCholesky(3, _f(t, [0.5, 2.0], dtype=t.float64))),
    "lkj_scalar": lambda t, D: (lambda d: (d.log_prob(t.eye(4)), d.batch_shape, repr(d)))(D.LKJCholesky(4, 1.5)),
    "lkj_bad_dim": lambda t, D: D.LKJCholesky(1),
    "lkj_bad_value": lambda t, D: D.LKJCholesky(2).log_prob(_f(t, [[2.0, 0.0], [0.0, 1.0]])),
    "wishart": _wishart,
    "wishart_two_params": lambda t, D: D.Wishart(3.0, covariance_matrix=t.eye(2), scale_tril=t.eye(2)),
    "wishart_df_too_small": lambda t, D: D.Wishart(_f(t, [1.5, 3.0]), covariance_matrix=t.eye(3)),
    "wishart_1d": lambda t, D: D.Wishart(3.0, covariance_matrix=t.ones(3)),
    "wishart_bad_cov": lambda t, D: D.Wishart(3.0, covariance_matrix=_f(t, [[1.0, 2.0], [2.0, 1.0]])),
    "submodules": lambda t, D: [
        (m, n, getattr(__import__(f"{t.__name__}.distributions.{m}", fromlist=[n]), n) is getattr(D, n))
        for m, n in (("normal", "Normal"), ("categorical", "Categorical"), ("kl", "kl_divergence"),
                     ("one_hot_categorical", "OneHotCategoricalStraightThrough"), ("studentT", "StudentT"),
                     ("relaxed_categorical", "RelaxedOneHotCategorical"), ("exp_family", "ExponentialFamily"),
                     ("transformed_distribution", "TransformedDistribution"), ("wishart", "Wishart"),
                     ("lkj_cholesky", "LKJCholesky"), ("inverse_gamma", "InverseGamma"),
                     ("fishersnedecor", "FisherSnedecor"), ("von_mises", "VonMises"))]
    + [issubclass(D.Wishart, D.ExponentialFamily), issubclass(D.InverseGamma, D.TransformedDistribution)],
    "mixture_constraint": lambda t, D: (lambda c: (repr(c), c.event_dim, c.is_discrete, c.check(
        _f(t, [[0.5, 1.0], [-1.0, 2.0]]))))(D.constraints.MixtureSameFamilyConstraint(D.constraints.positive)),
})


def _expfamily(t, D):
    f64 = t.float64
    w1 = D.Wishart(_f(t, 5.0, dtype=f64), covariance_matrix=_f(t, [[2.0, 0.3], [0.3, 1.0]], dtype=f64))
    w2 = D.Wishart(_f(t, 4.0, dtype=f64), covariance_matrix=_f(t, [[1.0, 0.1], [0.1, 1.5]], dtype=f64))
    out = {"wishart_kl": D.kl_divergence(w1, w2)}
    pairs = [(D.Beta(2.0, 3.0), D.Dirichlet(t.ones(2))), (D.Exponential(2.0), D.Bernoulli(0.3)),
             (D.Poisson(2.0), D.Gamma(1.0, 1.0)), (D.Dirichlet(t.ones(2)), D.Normal(0.0, 1.0)),
             (D.ContinuousBernoulli(_f(t, [0.3, 0.5])), D.ContinuousBernoulli(_f(t, [0.6, 0.2])))]
    for p, q in pairs:
        try:
            out[f"{type(p).__name__}_{type(q).__name__}"] = D.kl_divergence(p, q)
        except NotImplementedError as e:
            out[f"{type(p).__name__}_{type(q).__name__}"] = "NotImplementedError: " + str(e)
    # the entropy from the log normalizer's gradient (ExponentialFamily.entropy) of each family
    fams = [D.Normal(_f(t, [0.5, -1.0], dtype=f64), 2.0), D.Exponential(_f(t, [2.0, 0.5], dtype=f64)),
            D.Bernoulli(_f(t, [0.3, 0.9], dtype=f64)), D.Gamma(_f(t, [2.0, 0.7], dtype=f64), 3.0),
            D.ContinuousBernoulli(_f(t, [0.3, 0.5, 0.8], dtype=f64)), w1]
    out["entropy"] = [D.ExponentialFamily.entropy(d) for d in fams]
    out["isinstance"] = [isinstance(d, D.ExponentialFamily) for d in (
        D.Chi2(2.0), D.Poisson(1.0), D.Beta(1.0, 2.0), D.Dirichlet(t.ones(3)), D.Uniform(0.0, 1.0), D.Laplace(0.0, 1.0),
        D.Categorical(t.ones(2)), D.StudentT(2.0))]
    out["natural"] = [D.Normal(_f(t, [0.5]), 2.0)._natural_params, D.Gamma(2.0, 3.0)._natural_params,
                      D.Beta(_f(t, [2.0]), 3.0)._natural_params, D.Poisson(_f(t, [2.0]))._natural_params]
    return out


CASES["expfamily"] = _expfamily


def _kl_families(t):
    f = lambda *v: _f(t, *v, dtype=t.float64)  # noqa: E731
    D = t.distributions
    return {
        "Bernoulli": D.Bernoulli(f([0.3, 0.8])), "Beta": D.Beta(f([2.0, 0.7]), f([3.0, 1.5])),
        "Binomial": D.Binomial(5, f([0.3, 0.6])), "Cauchy": D.Cauchy(f([0.0, 1.0]), f([1.0, 2.0])),
        "ContinuousBernoulli": D.ContinuousBernoulli(f([0.3, 0.8])), "Exponential": D.Exponential(f([2.0, 0.5])),
        "Gamma": D.Gamma(f([2.0, 0.7]), f([3.0, 1.0])), "Gumbel": D.Gumbel(f([0.0, 1.0]), f([1.0, 2.0])),
        "Laplace": D.Laplace(f([0.0, 1.0]), f([1.0, 2.0])), "Normal": D.Normal(f([0.5, -1.0]), f([1.0, 2.0])),
        "Pareto": D.Pareto(f([1.0, 2.0]), f([3.0, 1.5])), "Poisson": D.Poisson(f([2.0, 0.5])),
        "Uniform": D.Uniform(f([0.2, -1.0]), f([0.7, 2.0])), "Uniform01": D.Uniform(f([0.0, 0.1]), f([1.0, 0.9])),
        "Geometric": D.Geometric(f([0.3, 0.6])), "HalfNormal": D.HalfNormal(f([1.0, 2.0])),
        "Wide": D.Uniform(f([-1.0, -0.5]), f([2.0, 1.5])), "Pareto3": D.Pareto(f([0.5, 1.0]), f([3.0, 4.0])),
    }


def _kl_matrix(t, D):
    fams = _kl_families(t)
    out = {}
    for a, p in fams.items():
        for b, q in fams.items():
            try:
                out[f"{a}|{b}"] = D.kl_divergence(p, q)
            except NotImplementedError as e:
                out[f"{a}|{b}"] = "NotImplementedError: " + str(e)
    return out


def _kl_lowrank(t, D):
    f = lambda *v: _f(t, *v, dtype=t.float64)  # noqa: E731
    g = t.Generator().manual_seed(3)
    W1, W2 = t.randn(2, 3, 2, generator=g, dtype=t.float64), t.randn(3, 1, generator=g, dtype=t.float64)
    lr1 = D.LowRankMultivariateNormal(f([[0.0, 1.0, -1.0], [0.5, 0.5, 0.5]]), W1, f([1.0, 2.0, 0.5]))
    lr2 = D.LowRankMultivariateNormal(f([1.0, 0.0, 0.0]), W2, f([0.7, 1.0, 1.5]))
    mvn = D.MultivariateNormal(f([0.2, -0.3, 0.1]), f([[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.5]]))
    other = D.MultivariateNormal(t.zeros(2, dtype=t.float64), t.eye(2, dtype=t.float64))
    out = {"lr_lr": D.kl_divergence(lr1, lr2), "lr2_lr1": D.kl_divergence(lr2, lr1), "mvn_lr": D.kl_divergence(mvn, lr1),
           "lr_mvn": D.kl_divergence(lr1, mvn), "lr_self": D.kl_divergence(lr1, lr1)}
    for name, (p, q) in {"shape_lr_lr": (lr1, D.LowRankMultivariateNormal(t.zeros(2), t.ones(2, 1), t.ones(2))),
                         "shape_mvn_lr": (other, lr1), "shape_lr_mvn": (lr1, other)}.items():
        try:
            D.kl_divergence(p, q)
        except ValueError as e:
            out[name] = str(e)
    return out


CASES["kl_matrix"] = _kl_matrix
CASES["kl_lowrank"] = _kl_lowrank
