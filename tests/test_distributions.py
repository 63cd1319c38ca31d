"""rstorch.distributions (torch 2.15's torch.distributions, adapted) against torch's results, recorded
by tests/tools/record_distributions.py into tests/data/distributions_expected.json (the cases:
tests/distributions_cases.py): seeded samples (the same draws from the generator as torch's),
log_prob/cdf/icdf/entropy, moments, shapes, reprs, constraint checks, transforms, kl_divergence,
and the validate_args errors with torch's messages. Then float64 closed forms, gradchecks of
rsample and log_prob, a REINFORCE loop as pytorch/examples' reinforce.py writes it, and the lazy
import."""

import json
import math
import pathlib
import subprocess
import sys
import warnings

import pytest

import distributions_cases as C
import rstorch
import rstorch.distributions as D
from rstorch.autograd import gradcheck

EXPECTED = json.loads((pathlib.Path(__file__).parent / "data" / "distributions_expected.json").read_text())["cases"]
# (rtol, atol) per result dtype: samples and scores follow torch's ops one for one; matrix inverses,
# libm's log/exp and lgamma differ from torch's in the last bits
TOL = {"float64": (1e-10, 1e-12), "float32": (2e-5, 1e-6)}


def _same(got, want, where):
    if isinstance(want, dict) and "values" in want:
        assert isinstance(got, dict) and "values" in got, (where, got, want)
        assert (got["dtype"], got["shape"]) == (want["dtype"], want["shape"]), where
        rtol, atol = TOL.get(want["dtype"], (0, 0))
        for i, (a, b) in enumerate(zip(got["values"], want["values"])):
            if isinstance(a, str) or isinstance(b, str):
                assert a == b, (where, i, a, b)
            else:
                assert abs(a - b) <= atol + rtol * abs(b), (where, i, a, b)
        return
    if isinstance(want, dict):
        assert isinstance(got, dict) and got.keys() == want.keys(), (where, got, want)
        for k in want:
            _same(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), (where, got, want)
        for i, (a, b) in enumerate(zip(got, want)):
            _same(a, b, f"{where}[{i}]")
    elif isinstance(want, str):
        # reprs and messages name rstorch's classes (rstorch.Size, rstorch.float64) where torch's do
        assert got.replace("rstorch.", "torch.") == want, where
    else:
        assert got == want, where


@pytest.mark.parametrize("name", sorted(C.CASES))
def test_matches_torch(name):
    _same(C.outcome(rstorch, C.CASES[name]), EXPECTED[name], name)


def test_seeded_samples_are_torchs_bit_for_bit():
    # the reinforce.py call: the same seed gives torch's actions, exactly
    rstorch.manual_seed(0)
    got = D.Categorical(rstorch.tensor([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])).sample((5,))
    assert got.dtype == rstorch.int64
    assert got.flatten().tolist() == EXPECTED["categorical_probs"]["dict"]["sample"]["values"]
    for case, key in (("normal", "sample"), ("normal", "rsample"), ("bernoulli_probs", "sample"),
                      ("uniform", "sample"), ("exponential", "sample"), ("onehot", "sample")):
        # (Laplace's samples are torch's draws too, through log1p, whose last bit can differ from torch's)
        got = C.outcome(rstorch, C.CASES[case])["dict"][key]
        assert got == EXPECTED[case]["dict"][key], (case, key)


# --- float64 closed forms

def _f64(*v):
    return rstorch.tensor(v[0] if len(v) == 1 else v, dtype=rstorch.float64)


def _close(a, b, tol=1e-12):
    a = a.tolist() if isinstance(a, rstorch.Tensor) else a
    b = b.tolist() if isinstance(b, rstorch.Tensor) else b
    a, b = (a if isinstance(a, list) else [a]), (b if isinstance(b, list) else [b])
    assert len(a) == len(b) and all(abs(x - y) <= tol * (1 + abs(y)) for x, y in zip(a, b)), (a, b)


def test_normal_closed_forms():
    mu, s, x = [0.5, -1.0, 2.0], [1.0, 0.3, 2.5], [0.1, -1.2, 5.0]
    d = D.Normal(_f64(mu), _f64(s))
    _close(d.log_prob(_f64(x)), [-(xi - m) ** 2 / (2 * si ** 2) - math.log(si) - 0.5 * math.log(2 * math.pi)
                                 for m, si, xi in zip(mu, s, x)])
    _close(d.entropy(), [0.5 + 0.5 * math.log(2 * math.pi * si ** 2) for si in s])
    _close(d.cdf(_f64(x)), [0.5 * (1 + math.erf((xi - m) / (si * math.sqrt(2)))) for m, si, xi in zip(mu, s, x)])
    _close(d.icdf(d.cdf(_f64(x))), x, 1e-10)
    _close(d.variance, [si ** 2 for si in s])
    kl = D.kl_divergence(d, D.Normal(_f64(0.0), _f64(1.0)))
    _close(kl, [math.log(1 / si) + (si ** 2 + m ** 2) / 2 - 0.5 for m, si in zip(mu, s)])


def test_discrete_closed_forms():
    p = [0.1, 0.2, 0.7]
    c = D.Categorical(_f64(p))
    _close(c.log_prob(_f64(0, 1, 2).long()), [math.log(v) for v in p])
    _close(c.entropy(), -sum(v * math.log(v) for v in p))
    q = [0.3, 0.3, 0.4]
    _close(D.kl_divergence(c, D.Categorical(_f64(q))), sum(a * math.log(a / b) for a, b in zip(p, q)))
    b = D.Bernoulli(_f64(0.25, 0.9))
    _close(b.log_prob(_f64(1.0, 0.0)), [math.log(0.25), math.log(0.1)])
    _close(b.entropy(), [-(v * math.log(v) + (1 - v) * math.log(1 - v)) for v in (0.25, 0.9)])
    _close(b.variance, [0.25 * 0.75, 0.9 * 0.1])


def test_continuous_closed_forms():
    u = D.Uniform(_f64(-1.0), _f64(3.0))
    _close(u.log_prob(_f64(0.5)), -math.log(4))
    _close(u.entropy(), math.log(4))
    _close(u.cdf(_f64(0.0)), 0.25)
    e = D.Exponential(_f64(2.0))
    _close(e.log_prob(_f64(0.7)), math.log(2) - 1.4)
    _close(e.cdf(_f64(0.7)), 1 - math.exp(-1.4))
    _close(e.entropy(), 1 - math.log(2))
    lap = D.Laplace(_f64(1.0), _f64(0.5))
    _close(lap.log_prob(_f64(2.0)), -math.log(1.0) - 2.0)
    _close(lap.entropy(), 1 + math.log(1.0))
    ln = D.LogNormal(_f64(0.2), _f64(0.7))
    x = 1.5
    _close(ln.log_prob(_f64(x)), -math.log(x) - math.log(0.7) - 0.5 * math.log(2 * math.pi)
           - (math.log(x) - 0.2) ** 2 / (2 * 0.49))
    _close(ln.mean, math.exp(0.2 + 0.49 / 2))


def test_mvn_closed_forms():
    cov = [[2.0, 0.6], [0.6, 1.0]]
    det = 2.0 - 0.36
    inv = [[1.0 / det, -0.6 / det], [-0.6 / det, 2.0 / det]]
    mu, x = [0.5, -1.0], [1.0, 0.0]
    dx = [x[0] - mu[0], x[1] - mu[1]]
    maha = sum(dx[i] * inv[i][j] * dx[j] for i in range(2) for j in range(2))
    want = -0.5 * maha - 0.5 * math.log(det) - math.log(2 * math.pi)
    for kw in ({"covariance_matrix": _f64(cov)}, {"precision_matrix": _f64(inv)},
               {"scale_tril": rstorch.linalg.cholesky(_f64(cov))}):
        m = D.MultivariateNormal(_f64(mu), **kw)
        _close(m.log_prob(_f64(x)), want, 1e-10)
        _close(m.entropy(), 1 + math.log(2 * math.pi) + 0.5 * math.log(det), 1e-10)
        _close(m.covariance_matrix.flatten(), [v for r in cov for v in r], 1e-10)
    # KL to the standard normal: (tr(S) + mu'mu - k - log det S) / 2
    kl = D.kl_divergence(D.MultivariateNormal(_f64(mu), _f64(cov)),
                         D.MultivariateNormal(rstorch.zeros(2, dtype=rstorch.float64), rstorch.eye(2, dtype=rstorch.float64)))
    _close(kl, 0.5 * (3.0 + 0.25 + 1.0 - 2 - math.log(det)), 1e-10)


# --- gradients

def _leaf(*v):
    return _f64(*v).requires_grad_()


GRADCHECKS = {
    "normal_rsample": (lambda loc, scale: D.Normal(loc, scale).rsample((3,)), lambda: (_leaf(0.5, -1.0), _leaf(1.0, 2.0))),
    "normal_log_prob": (lambda loc, scale: D.Normal(loc, scale).log_prob(_f64(0.3, 1.0)), lambda: (_leaf(0.5, -1.0), _leaf(1.0, 2.0))),
    "normal_entropy": (lambda scale: D.Normal(0.0, scale).entropy(), lambda: (_leaf(1.0, 2.0),)),
    "uniform_rsample": (lambda lo, hi: D.Uniform(lo, hi).rsample((2,)), lambda: (_leaf(0.0, 1.0), _leaf(2.0, 3.0))),
    "exponential_rsample": (lambda rate: D.Exponential(rate).rsample((3,)), lambda: (_leaf(0.5, 2.0),)),
    "laplace_rsample": (lambda loc, scale: D.Laplace(loc, scale).rsample((3,)), lambda: (_leaf(0.5, -1.0), _leaf(1.0, 2.0))),
    "lognormal_rsample": (lambda loc, scale: D.LogNormal(loc, scale).rsample((2,)), lambda: (_leaf(0.1, -0.3), _leaf(0.5, 0.8))),
    "lognormal_log_prob": (lambda loc, scale: D.LogNormal(loc, scale).log_prob(_f64(0.7, 2.0)), lambda: (_leaf(0.1, -0.3), _leaf(0.5, 0.8))),
    "categorical_log_prob": (lambda logits: D.Categorical(logits=logits).log_prob(_f64(0, 2).long()),
                             lambda: (_leaf([[0.1, 0.5, -0.3], [1.0, 0.0, 2.0]]),)),
    "categorical_entropy": (lambda logits: D.Categorical(logits=logits).entropy(), lambda: (_leaf([0.1, 0.5, -0.3]),)),
    "bernoulli_log_prob": (lambda logits: D.Bernoulli(logits=logits).log_prob(_f64(1.0, 0.0)), lambda: (_leaf(0.3, -2.0),)),
    "mvn_rsample": (lambda loc, l: D.MultivariateNormal(loc, scale_tril=l.tril()).rsample((2,)),
                    lambda: (_leaf(0.5, -1.0), _leaf([[1.0, 0.0], [0.3, 0.8]]))),
    "mvn_log_prob": (lambda loc, cov: D.MultivariateNormal(loc, (cov + cov.mT) / 2).log_prob(_f64(0.2, 0.4)),
                     lambda: (_leaf(0.5, -1.0), _leaf([[2.0, 0.3], [0.3, 1.0]]))),
    "kl_normal": (lambda a, b: D.kl_divergence(D.Normal(a, b), D.Normal(0.2, 1.5)), lambda: (_leaf(0.5, -1.0), _leaf(1.0, 2.0))),
}


@pytest.mark.parametrize("name", sorted(GRADCHECKS))
def test_gradcheck(name):
    fn, make = GRADCHECKS[name]
    inputs = make()

    def seeded(*args):  # the same noise on every call of the finite differences
        rstorch.manual_seed(3)
        return fn(*args)

    assert gradcheck(seeded, inputs)


def test_sample_does_not_track_gradients():
    loc = rstorch.zeros(2, requires_grad=True)
    d = D.Normal(loc, 1.0)
    assert not d.sample().requires_grad and d.rsample().requires_grad
    assert D.Categorical(logits=loc).sample((3,)).requires_grad is False


# --- validation switches

def test_set_default_validate_args():
    try:
        D.Distribution.set_default_validate_args(False)
        D.Normal(0.0, -1.0)  # no check
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError, match="Expected parameter scale"):
        D.Normal(0.0, -1.0)
    with pytest.raises(ValueError):
        D.Distribution.set_default_validate_args("yes")


def test_sample_n_warns_as_torch():
    with pytest.warns(FutureWarning, match=r"`sample_n\(n\)` will be deprecated"):
        assert D.Normal(0.0, 1.0).sample_n(2).shape == (2,)


def test_samplers_without_kernels_say_so():
    # torch draws these with ATen kernels rstorch lacks (_standard_gamma, _sample_dirichlet, poisson,
    # binomial): their scores work (the parity cases), their samplers raise rather than draw other numbers
    for d in (D.Gamma(2.0, 1.0), D.Beta(2.0, 3.0), D.Dirichlet(rstorch.ones(3)), D.Poisson(2.0),
              D.Binomial(3, 0.5), D.Chi2(3.0), D.StudentT(3.0), D.FisherSnedecor(2.0, 3.0),
              D.InverseGamma(2.0, 1.0), D.LKJCholesky(3), D.Wishart(3.0, covariance_matrix=rstorch.eye(2))):
        with pytest.raises(NotImplementedError, match="rstorch has no torch"):
            d.sample()


def test_register_kl_and_kl_dispatch():
    class MyNormal(D.Normal):
        pass

    @D.register_kl(MyNormal, D.Normal)
    def _kl(p, q):
        return rstorch.tensor(42.0)

    assert D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 42.0
    # a subclass pair without its own rule uses the most specific registered one
    assert D.kl_divergence(D.Normal(0.0, 1.0), MyNormal(0.0, 1.0)).item() == 0.0


# --- reinforce.py / actor_critic.py usage

def test_reinforce_loop_learns():
    import rstorch as torch
    import rstorch.nn as nn
    import rstorch.nn.functional as F
    import rstorch.optim as optim
    from rstorch.distributions import Categorical

    torch.manual_seed(0)

    class Policy(nn.Module):
        def __init__(self):
            super().__init__()
            self.affine1 = nn.Linear(4, 32)
            self.affine2 = nn.Linear(32, 2)

        def forward(self, x):
            return F.softmax(self.affine2(F.relu(self.affine1(x))), dim=1)

    policy = Policy()
    optimizer = optim.Adam(policy.parameters(), lr=1e-2)
    hits = []
    for episode in range(60):
        states = torch.randn(16, 4)
        probs = policy(states)
        m = Categorical(probs)
        action = m.sample()
        # the rewarded action: 1 when the state's first coordinate is positive
        reward = (action == (states[:, 0] > 0).long()).float()
        loss = (-m.log_prob(action) * (reward - reward.mean())).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        hits.append(reward.mean().item())
    assert sum(hits[-10:]) / 10 > sum(hits[:10]) / 10 + 0.2, hits


def test_actor_critic_step_runs():
    # actor_critic.py's select_action / finish_episode, on a synthetic episode
    import rstorch as torch
    import rstorch.nn as nn
    import rstorch.nn.functional as F
    from rstorch.distributions import Categorical

    torch.manual_seed(1)

    class Policy(nn.Module):
        def __init__(self):
            super().__init__()
            self.affine1 = nn.Linear(4, 16)
            self.action_head = nn.Linear(16, 2)
            self.value_head = nn.Linear(16, 1)

        def forward(self, x):
            x = F.relu(self.affine1(x))
            return F.softmax(self.action_head(x), dim=-1), self.value_head(x)

    model = Policy()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-2)
    saved, rewards = [], []
    for _ in range(8):
        state = torch.randn(4)
        probs, state_value = model(state.unsqueeze(0))
        m = Categorical(probs)
        action = m.sample()
        saved.append((m.log_prob(action), state_value))
        rewards.append(float(action.item() == 1))
    R, returns = 0, []
    for r in rewards[::-1]:
        R = r + 0.99 * R
        returns.insert(0, R)
    returns = torch.tensor(returns)
    returns = (returns - returns.mean()) / (returns.std() + 1e-8)
    policy_losses, value_losses = [], []
    for (log_prob, value), R in zip(saved, returns):
        policy_losses.append(-log_prob * (R - value.item()))
        value_losses.append(F.smooth_l1_loss(value, torch.tensor([[R.item()]])))
    optimizer.zero_grad()
    loss = torch.stack(policy_losses).sum() + torch.stack(value_losses).sum()
    loss.backward()
    optimizer.step()
    assert model.action_head.weight.grad is not None and model.value_head.weight.grad.abs().sum() > 0


def test_lazy_import():
    # torch imports torch.distributions with torch; rstorch loads it on first use (it would add a
    # quarter to `import rstorch`), through the attribute or an import, and without numpy
    code = ("import sys, rstorch; assert 'rstorch.distributions' not in sys.modules;"
            "d = rstorch.distributions.Normal(0.0, 1.0); from rstorch.distributions import Categorical;"
            "import rstorch.distributions.constraints as c; assert c.real.check(rstorch.zeros(1)).all();"
            "from rstorch.distributions.normal import Normal; assert Normal is type(d);"
            "assert rstorch.distributions.categorical.Categorical is Categorical;"
            "assert {'normal', 'studentT', 'wishart', 'Wishart'} <= set(dir(rstorch.distributions));"
            "assert 'numpy' not in sys.modules; assert 'distributions' in dir(rstorch)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(pathlib.Path(rstorch.__file__).resolve().parent.parent)})
    assert proc.returncode == 0, proc.stderr


def test_no_warnings_in_everyday_use():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = D.Categorical(rstorch.tensor([0.2, 0.8]))
        m.log_prob(m.sample())
        D.Normal(rstorch.zeros(2), rstorch.ones(2)).rsample((3,))
