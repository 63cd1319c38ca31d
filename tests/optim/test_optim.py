"""rstorch.optim against PyTorch 2.15: trajectories, state_dicts, schedulers' lr sequences, reprs,
errors and warnings recorded from torch (record_torch.py -> torch_expected.json), plus the
behaviours of the Optimizer base class checked here directly.

Trajectories agree with torch's to float32 rounding, not bit for bit: torch's CPU kernels fuse
`add(alpha=)`, `addcmul` and `lerp` into FMAs and its float32 `sqrt` is not correctly rounded,
while rstorch's kernels round each operation (see the tolerances below)."""

import copy
import json
import math
import os
import pickle
import sys
import warnings

import pytest

import rstorch
from rstorch import nn, optim

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import optim_cases  # noqa: E402

with open(os.path.join(HERE, "torch_expected.json")) as _f:
    EXPECTED = json.load(_f)["cases"]

# float32 trajectories: each step's rounding differs in the last bit, momentum amplifies it
TRAJ_RTOL, TRAJ_ATOL = 1e-4, 1e-6


def _json(x):
    return json.loads(json.dumps(x))


def _close(got, exp, rtol, atol, path=""):
    if isinstance(exp, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(exp), f"{path}: {got} vs {exp}"
        for k in exp:
            _close(got[k], exp[k], rtol, atol, f"{path}/{k}")
    elif isinstance(exp, list):
        assert isinstance(got, list) and len(got) == len(exp), f"{path}: {got} vs {exp}"
        for i, (g, e) in enumerate(zip(got, exp)):
            _close(g, e, rtol, atol, f"{path}[{i}]")
    elif isinstance(exp, float) and not isinstance(got, str):
        assert math.isclose(got, exp, rel_tol=rtol, abs_tol=atol), f"{path}: {got} vs {exp}"
    else:
        assert got == exp, f"{path}: {got!r} vs {exp!r}"


def _run(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _json(optim_cases.CASES[name](rstorch))


def _names(prefix):
    return [n for n in optim_cases.CASES if n.startswith(prefix)]


def test_recording_covers_every_case():
    assert sorted(EXPECTED) == sorted(optim_cases.CASES)


@pytest.mark.parametrize("name", _names("traj/") + _names("resume/"))
def test_trajectory_matches_torch(name):
    _close(_run(name), EXPECTED[name], TRAJ_RTOL, TRAJ_ATOL)


@pytest.mark.parametrize("name", _names("nn/"))
def test_nn_training_matches_torch(name):
    _close(_run(name), EXPECTED[name], 3e-4, 1e-6)


@pytest.mark.parametrize("name", _names("lbfgs/"))
def test_lbfgs_rosenbrock_matches_torch(name):
    got, exp = _run(name), EXPECTED[name]
    assert got["func_evals"] == exp["func_evals"] and got["n_iter"] == exp["n_iter"]
    _close(got["points"], exp["points"], 1e-5, 1e-5)
    _close(got["losses"], exp["losses"], 2e-3, 1e-10)


@pytest.mark.parametrize("name", _names("sched/") + _names("sched_resume/"))
def test_scheduler_matches_torch(name):
    # the lr recurrences are Python float arithmetic in both: the same doubles
    assert _run(name) == EXPECTED[name]


@pytest.mark.parametrize("name", _names("swa/"))
def test_swa_utils_match_torch(name):
    _close(_run(name), EXPECTED[name], 1e-5, 1e-6)


@pytest.mark.parametrize("name", _names("repr/"))
def test_repr_matches_torch(name):
    assert _run(name) == EXPECTED[name]


def test_muon_misc_matches_torch():
    # repr, defaults, errors, a partial step, a Newton-Schulz result (bfloat16: bit for bit)
    got, exp = _run("muon/misc"), EXPECTED["muon/misc"]
    assert got["ns"] == exp["ns"] and got["errors"] == exp["errors"] and got["repr"] == exp["repr"]
    _close(got, exp, TRAJ_RTOL, TRAJ_ATOL)
    assert optim.Muon.__module__ == "rstorch.optim" and "Muon" in optim.__all__


def test_errors_match_torch():
    assert _run("errors") == EXPECTED["errors"]


def test_warnings_match_torch():
    assert _run("warnings") == EXPECTED["warnings"]


# -- the base class ---------------------------------------------------------------------------

def _model():
    rstorch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))


def _data():
    rstorch.manual_seed(1)
    return rstorch.randn(16, 4), rstorch.randn(16, 2)


def _train(model, opt, steps, x, y):
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()


ALL = [(optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
       (optim.Adam, {"lr": 0.01, "amsgrad": True}), (optim.AdamW, {"lr": 0.01}),
       (optim.Adamax, {}), (optim.NAdam, {}), (optim.RAdam, {}),
       (optim.RMSprop, {"centered": True, "momentum": 0.5}), (optim.Adagrad, {}),
       (optim.Adadelta, {}), (optim.ASGD, {"t0": 2}), (optim.Rprop, {})]


@pytest.mark.parametrize("cls,kw", ALL, ids=[c.__name__ for c, _ in ALL])
def test_resume_from_state_dict_continues_the_same_trajectory(cls, kw):
    x, y = _data()
    ref = _model()
    ref_opt = cls(ref.parameters(), **kw)
    _train(ref, ref_opt, 10, x, y)

    model = _model()
    opt = cls(model.parameters(), **kw)
    _train(model, opt, 5, x, y)
    saved_model = copy.deepcopy(model.state_dict())
    saved = copy.deepcopy(opt.state_dict())

    model2 = _model()
    model2.load_state_dict(saved_model)
    opt2 = cls(model2.parameters(), **kw)
    opt2.load_state_dict(saved)
    _train(model2, opt2, 5, x, y)
    for a, b in zip(ref.parameters(), model2.parameters()):
        assert rstorch.equal(a, b)


def test_state_dict_layout():
    model = _model()
    opt = optim.Adam([{"params": model[0].parameters()},
                      {"params": model[2].parameters(), "lr": 0.1}])
    x, y = _data()
    _train(model, opt, 3, x, y)
    sd = opt.state_dict()
    assert sorted(sd) == ["param_groups", "state"]
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2, 3]]
    assert sd["param_groups"][1]["lr"] == 0.1
    assert sorted(sd["state"]) == [0, 1, 2, 3]
    st = sd["state"][0]
    assert sorted(st) == ["exp_avg", "exp_avg_sq", "step"]
    assert st["step"].dtype == rstorch.float32 and st["step"].dim() == 0
    assert st["step"].item() == 3.0
    assert st["exp_avg"].shape == model[0].weight.shape
    # the state_dict holds the optimizer's own tensors (torch does not copy)
    assert st["exp_avg"] is opt.state[model[0].weight]["exp_avg"]


def test_load_state_dict_casts_to_param_dtype_and_keeps_step():
    p = nn.Parameter(rstorch.ones(3))
    opt = optim.Adam([p])
    p.grad = rstorch.ones(3)
    opt.step()
    sd = copy.deepcopy(opt.state_dict())
    sd["state"][0]["exp_avg"] = sd["state"][0]["exp_avg"].double()
    sd["state"][0]["step"] = sd["state"][0]["step"].double()
    opt.load_state_dict(sd)
    assert opt.state[p]["exp_avg"].dtype == rstorch.float32
    assert opt.state[p]["step"].dtype == rstorch.float64  # `step` is left as is (torch)


def test_load_state_dict_does_not_alias_the_loaded_dict():
    p = nn.Parameter(rstorch.ones(3))
    opt = optim.SGD([p], lr=0.1)
    sd = opt.state_dict()
    sd["param_groups"][0]["lr"] = 0.5
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["lr"] == 0.5
    sd["param_groups"][0]["lr"] = 0.7
    assert opt.param_groups[0]["lr"] == 0.5
    assert opt.param_groups[0]["params"][0] is p


def test_step_counter_is_a_float32_tensor():
    p = nn.Parameter(rstorch.ones(2))
    for cls in (optim.Adam, optim.NAdam, optim.RAdam, optim.Adamax, optim.RMSprop,
                optim.Adagrad, optim.Adadelta, optim.ASGD, optim.Rprop):
        opt = cls([p])
        p.grad = rstorch.ones(2)
        opt.step()
        opt.step()
        step = opt.state[p]["step"]
        assert isinstance(step, rstorch.Tensor) and step.dtype == rstorch.float32
        assert step.dim() == 0 and step.item() == 2.0, cls


def test_zero_grad():
    p = nn.Parameter(rstorch.ones(2))
    opt = optim.SGD([p], lr=0.1)
    p.grad = rstorch.ones(2)
    opt.zero_grad(set_to_none=False)
    assert p.grad is not None and p.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_params_without_grad_are_skipped():
    p, q = nn.Parameter(rstorch.ones(2)), nn.Parameter(rstorch.ones(2))
    opt = optim.Adam([p, q], lr=0.1)
    p.grad = rstorch.ones(2)
    opt.step()
    assert q.tolist() == [1.0, 1.0] and q not in opt.state
    assert p.tolist() != [1.0, 1.0]


def test_closure_is_called_with_grad_and_its_loss_returned():
    model = _model()
    x, y = _data()
    for cls, kw in ALL:
        opt = cls(model.parameters(), **kw)
        seen = []

        def closure():
            seen.append(rstorch.is_grad_enabled())
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            return loss

        with rstorch.no_grad():
            loss = opt.step(closure)
        assert seen == [True] and isinstance(loss, rstorch.Tensor)
    assert optim.SGD(model.parameters()).step() is None


def test_step_runs_without_grad():
    p = nn.Parameter(rstorch.ones(2))
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = rstorch.ones(2)
    opt.step()
    assert p.grad_fn is None and p.is_leaf and p.requires_grad
    assert rstorch.is_grad_enabled()


def test_add_param_group_and_defaults():
    p, q = nn.Parameter(rstorch.ones(2)), nn.Parameter(rstorch.ones(2))
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": q, "lr": 0.5})
    assert len(opt.param_groups) == 2
    g = opt.param_groups[1]
    assert g["params"] == [q] and g["lr"] == 0.5 and g["momentum"] == 0.9
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [p]})
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors"):
        opt.add_param_group({"params": ["x"]})


def test_required_parameter():
    from rstorch.optim.optimizer import required

    class Opt(optim.Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, {"lr": lr})

    with pytest.raises(ValueError, match="didn't specify a value of required optimization "
                                         "parameter lr"):
        Opt([nn.Parameter(rstorch.ones(1))])
    assert repr(required) == "<required parameter>"


def test_named_parameters():
    model = _model()
    opt = optim.SGD(model.named_parameters(), lr=0.1)
    sd = opt.state_dict()
    assert sd["param_groups"][0]["param_names"] == [n for n, _ in model.named_parameters()]
    assert opt.param_groups[0]["params"] == list(model.parameters())


def test_set_of_params_warns():
    with pytest.warns(FutureWarning, match="ordered collections"):
        optim.SGD({nn.Parameter(rstorch.ones(1))})


def test_lr_must_be_nonnegative():
    with pytest.raises(ValueError, match="^Invalid learning rate: -1$"):
        optim.SGD([nn.Parameter(rstorch.ones(1))], lr=-1)
    for cls, _ in ALL:
        with pytest.raises(ValueError, match="Invalid learning rate: -0.5"):
            cls([nn.Parameter(rstorch.ones(1))], lr=-0.5)


def test_step_hooks():
    p = nn.Parameter(rstorch.ones(2))
    opt = optim.SGD([p], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre", o is opt)))
    h2 = opt.register_step_post_hook(lambda o, a, k: calls.append(("post", o is opt)))
    g = optim.optimizer.register_optimizer_step_pre_hook(lambda o, a, k: calls.append("global"))
    p.grad = rstorch.ones(2)
    opt.step()
    assert calls == ["global", ("pre", True), ("post", True)]
    h1.remove()
    h2.remove()
    g.remove()
    opt.step()
    assert len(calls) == 3


def test_step_pre_hook_can_replace_args():
    p = nn.Parameter(rstorch.ones(2))
    opt = optim.SGD([p], lr=0.1)
    opt.register_step_pre_hook(lambda o, a, k: (a, {"closure": lambda: 42}))
    assert opt.step() == 42
    opt2 = optim.Adam([p])
    opt2.register_step_pre_hook(lambda o, a, k: 5)
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        opt2.step()


def test_state_dict_hooks():
    p = nn.Parameter(rstorch.ones(2))
    opt = optim.SGD([p], lr=0.1)
    order = []
    opt.register_state_dict_pre_hook(lambda o: order.append("pre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    sd = opt.state_dict()
    assert order == ["pre"] and sd["extra"] == 1

    def load_pre(o, sd):
        sd = dict(sd)
        sd["param_groups"] = copy.deepcopy(sd["param_groups"])
        sd["param_groups"][0]["lr"] = 0.25
        return sd

    opt.register_load_state_dict_pre_hook(load_pre)
    opt.register_load_state_dict_post_hook(lambda o: order.append("loaded"), prepend=True)
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["lr"] == 0.25 and order == ["pre", "loaded"]


def test_pickle_round_trip():
    p = nn.Parameter(rstorch.ones(2))
    opt = optim.Adam([p], lr=0.1)
    p.grad = rstorch.ones(2)
    opt.step()
    state = opt.__getstate__()
    assert sorted(state) == ["defaults", "param_groups", "state"]
    opt2 = pickle.loads(pickle.dumps(opt))
    assert opt2.param_groups[0]["lr"] == 0.1
    assert repr(opt2) == repr(opt)


def test_sgd_momentum_buffer_in_state():
    p = nn.Parameter(rstorch.ones(2))
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = rstorch.full((2,), 2.0)
    opt.step()
    assert opt.state[p]["momentum_buffer"].tolist() == [2.0, 2.0]
    assert optim.SGD([p], lr=0.1).state_dict()["state"] == {}


def test_flags_are_accepted():
    p = nn.Parameter(rstorch.ones(2))
    for cls, kw in [(optim.SGD, {"foreach": True}), (optim.SGD, {"fused": True}),
                    (optim.Adam, {"foreach": False, "fused": True}),
                    (optim.AdamW, {"fused": True}), (optim.Adagrad, {"foreach": True})]:
        opt = cls([p], **kw)
        p.grad = rstorch.ones(2)
        opt.step()
    with pytest.raises(RuntimeError, match="`fused` and `foreach` cannot be `True` together."):
        optim.SGD([p], fused=True, foreach=True)
    # capturable is accepted by the constructor; torch's step refuses it on the CPU
    opt = optim.Adam([p], capturable=True)
    assert opt.param_groups[0]["capturable"] is True
    with pytest.raises(AssertionError, match="If capturable=True"):
        opt.step()


def test_lbfgs_needs_closure_state():
    x = rstorch.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.LBFGS([x], max_iter=3)

    def closure():
        opt.zero_grad()
        loss = (x * x).sum()
        loss.backward()
        return loss

    opt.step(closure)
    st = opt.state_dict()["state"][0]
    assert st["func_evals"] >= 1 and st["n_iter"] >= 1
    x.data = rstorch.tensor([1.0, 2.0])
    opt = optim.LBFGS([x], line_search_fn="armijo")
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


# -- schedulers ---------------------------------------------------------------------------------

def test_scheduler_state_dict_excludes_optimizer():
    p = nn.Parameter(rstorch.ones(1))
    opt = optim.SGD([p], lr=0.1)
    sched = optim.lr_scheduler.StepLR(opt, 3)
    sd = sched.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 0 and sd["base_lrs"] == [0.1]
    assert opt.param_groups[0]["initial_lr"] == 0.1


def test_get_lr_outside_step_warns():
    opt = optim.SGD([nn.Parameter(rstorch.ones(1))], lr=0.1)
    sched = optim.lr_scheduler.ExponentialLR(opt, 0.5)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()


def test_scheduler_step_before_optimizer_step_warns():
    opt = optim.SGD([nn.Parameter(rstorch.ones(1))], lr=0.1)
    sched = optim.lr_scheduler.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before "
                                         "`optimizer.step\\(\\)`"):
        sched.step()


def test_scheduler_accepts_tensor_lr():
    p = nn.Parameter(rstorch.ones(1))
    opt = optim.SGD([p], lr=rstorch.tensor(0.1))
    sched = optim.lr_scheduler.StepLR(opt, 1, gamma=0.5)
    p.grad = rstorch.ones(1)
    opt.step()
    sched.step()
    assert isinstance(opt.param_groups[0]["lr"], rstorch.Tensor)
    assert abs(opt.param_groups[0]["lr"].item() - 0.05) < 1e-8
