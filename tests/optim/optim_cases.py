"""Cases for the optim parity tests, written against a `torch` module argument so the same code
runs on PyTorch (record_torch.py writes torch_expected.json) and on rstorch (test_optim.py).

Each case returns plain JSON data (floats, lists, strings). Trajectories use a fixed problem
whose gradients are elementwise (no reduction whose summation order could differ), so they test
the optimizers' update math alone; the nn cases (a Linear layer and MSELoss) and LBFGS go through
autograd and are compared with a tolerance."""

import copy
import math
import warnings

STEPS = 12


def _values(n, a, b):
    return [round(math.sin(a * i + b) * 1.5, 6) for i in range(n)]


def _params(torch):
    w = torch.tensor(_values(12, 0.7, 0.3), dtype=torch.float32).reshape(3, 4).requires_grad_()
    b = torch.tensor(_values(4, 1.3, -0.2), dtype=torch.float32).requires_grad_()
    return [w, b]


def _targets(torch):
    return [torch.tensor(_values(12, 0.37, 1.1), dtype=torch.float32).reshape(3, 4),
            torch.tensor(_values(4, 2.1, 0.5), dtype=torch.float32)]


def _set_grads(torch, params, targets):
    """g = 2 (p - t) + 0.1 p^2: elementwise, so both libraries compute it bit for bit."""
    with torch.no_grad():
        for p, t in zip(params, targets):
            p.grad = (p - t) * 2.0 + p * p * 0.1


def _flat(params):
    out = []
    for p in params:
        out.extend(float(v) for v in p.detach().reshape(-1).tolist())
    return out


def _state_data(torch, opt):
    """The state_dict with tensors as (shape, flat values) and tuples as lists."""
    def conv(v):
        if isinstance(v, torch.Tensor):
            return {"shape": list(v.shape), "dtype": str(v.dtype).split(".")[-1],
                    "values": [float(x) for x in v.reshape(-1).tolist()]}
        if isinstance(v, dict):
            return {str(k): conv(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [conv(x) for x in v]
        return v
    return conv(opt.state_dict())


def _problem(torch):
    return _params(torch), _targets(torch)


def trajectory(cls_name, kwargs, steps=STEPS, groups=False, problem=_problem, tensor_lr=False):
    def run(torch):
        params, targets = problem(torch)
        cls = getattr(torch.optim, cls_name)
        kw = dict(kwargs, lr=torch.tensor(kwargs["lr"])) if tensor_lr else kwargs
        if groups:
            opt = cls([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.03}], **kw)
        else:
            opt = cls(params, **kw)
        traj = []
        for _ in range(steps):
            opt.zero_grad()
            _set_grads(torch, params, targets)
            opt.step()
            traj.append(_flat(params))
        return {"traj": traj, "state": _state_data(torch, opt)}
    return run


OPTIM_CONFIGS = {
    "SGD": [{"lr": 0.1}, {"lr": 0.1, "momentum": 0.9},
            {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01},
            {"lr": 0.05, "momentum": 0.9, "nesterov": True},
            {"lr": 0.05, "momentum": 0.5, "maximize": True, "weight_decay": 0.1}],
    "Adam": [{}, {"lr": 0.05}, {"lr": 0.05, "amsgrad": True}, {"lr": 0.02, "weight_decay": 0.1},
             {"lr": 0.02, "maximize": True},
             {"lr": 0.02, "weight_decay": 0.1, "decoupled_weight_decay": True},
             {"lr": 0.03, "betas": (0.8, 0.9), "eps": 1e-6, "amsgrad": True}],
    "AdamW": [{"lr": 0.05}, {"lr": 0.05, "amsgrad": True, "weight_decay": 0.05}],
    "Adamax": [{}, {"lr": 0.05, "weight_decay": 0.1}, {"lr": 0.05, "maximize": True}],
    "NAdam": [{}, {"lr": 0.05, "weight_decay": 0.1},
              {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True},
              {"lr": 0.02, "momentum_decay": 0.01, "maximize": True}],
    "RAdam": [{}, {"lr": 0.05, "weight_decay": 0.1},
              {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True},
              {"lr": 0.05, "betas": (0.9, 0.9)}],
    "RMSprop": [{}, {"lr": 0.01, "centered": True}, {"lr": 0.01, "momentum": 0.9},
                {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1},
                {"lr": 0.01, "alpha": 0.9, "maximize": True}],
    "Adagrad": [{}, {"lr": 0.1, "lr_decay": 0.1},
                {"lr": 0.1, "initial_accumulator_value": 0.5, "weight_decay": 0.1},
                {"lr": 0.1, "maximize": True, "eps": 1e-6}],
    "Adadelta": [{}, {"rho": 0.5, "weight_decay": 0.1}, {"lr": 0.5, "maximize": True}],
    "ASGD": [{}, {"lr": 0.05, "t0": 3, "lambd": 1e-2},
             {"lr": 0.05, "t0": 2, "weight_decay": 0.1, "alpha": 0.5}],
    "Rprop": [{}, {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 1)},
              {"lr": 0.05, "maximize": True}],
    "Adafactor": [{}, {"lr": 0.05, "weight_decay": 0.1, "d": 2.0},
                  {"lr": 0.05, "eps": (1e-4, 1e-2), "beta2_decay": -0.5, "maximize": True}],
}


def _sd_roundtrip(cls_name, kwargs, problem=_problem):
    """Steps 6, a state_dict through deepcopy into a fresh optimizer on fresh params (copied
    values), 6 more steps: the trajectory of the resumed run."""
    def run(torch):
        params, targets = problem(torch)
        cls = getattr(torch.optim, cls_name)
        opt = cls(params, **kwargs)
        for _ in range(6):
            opt.zero_grad()
            _set_grads(torch, params, targets)
            opt.step()
        sd = copy.deepcopy(opt.state_dict())
        params2 = [p.detach().clone().requires_grad_() for p in params]
        opt2 = cls(params2, **kwargs)
        opt2.load_state_dict(sd)
        traj = []
        for _ in range(6):
            opt2.zero_grad()
            _set_grads(torch, params2, targets)
            opt2.step()
            traj.append(_flat(params2))
        return {"traj": traj}
    return run


def _nn_training(cls_name, kwargs):
    """A Linear(4, 3) trained with MSELoss on fixed data (autograd gradients)."""
    def run(torch):
        lin = torch.nn.Linear(4, 3)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(_values(12, 0.9, 0.1)).reshape(3, 4) * 0.3)
            lin.bias.copy_(torch.tensor(_values(3, 0.5, 0.4)) * 0.3)
        x = torch.tensor(_values(32, 0.61, 0.2)).reshape(8, 4)
        y = torch.tensor(_values(24, 0.43, 0.9)).reshape(8, 3)
        opt = getattr(torch.optim, cls_name)(lin.parameters(), **kwargs)
        loss_fn = torch.nn.MSELoss()
        losses = []
        for _ in range(10):
            opt.zero_grad()
            loss = loss_fn(lin(x), y)
            loss.backward()
            opt.step()
            losses.append(float(loss.item()))
        return {"losses": losses, "params": _flat(list(lin.parameters()))}
    return run


def _rosenbrock(torch, x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def _lbfgs(kwargs, steps=6, dtype="float64"):
    """LBFGS on Rosenbrock from (-1.5, 2): in float64 by default, where the two libraries'
    last-bit differences (autograd's pow, reductions) stay small along the curved valley."""
    def run(torch):
        x = torch.tensor([-1.5, 2.0], dtype=getattr(torch, dtype), requires_grad=True)
        opt = torch.optim.LBFGS([x], **kwargs)

        def closure():
            opt.zero_grad()
            loss = _rosenbrock(torch, x)
            loss.backward()
            return loss

        points, losses = [], []
        for _ in range(steps):
            losses.append(float(opt.step(closure).detach()))
            points.append([float(v) for v in x.detach().tolist()])
        st = opt.state[x]
        return {"points": points, "losses": losses, "func_evals": st["func_evals"],
                "n_iter": st["n_iter"]}
    return run


def _repr(cls_name):
    def run(torch):
        p = torch.zeros(2, requires_grad=True)
        if cls_name == "LBFGS":
            return repr(torch.optim.LBFGS([p]))
        return repr(getattr(torch.optim, cls_name)([p]))
    return run


def _errors(torch):
    """(exception type name, message) of torch's param-group and hyperparameter errors."""
    p = torch.zeros(2, requires_grad=True)
    q = torch.zeros(2, requires_grad=True)
    attempts = {
        "tensor_params": lambda: torch.optim.SGD(p),
        "non_tensor": lambda: torch.optim.SGD([p, 1]),
        "non_leaf": lambda: torch.optim.SGD([p * 2]),
        "empty": lambda: torch.optim.SGD([]),
        "lr": lambda: torch.optim.SGD([p], lr=-1),
        "momentum": lambda: torch.optim.SGD([p], momentum=-0.5),
        "nesterov": lambda: torch.optim.SGD([p], nesterov=True),
        "two_groups": lambda: torch.optim.SGD([{"params": [p]}, {"params": [p]}]),
        "set_group": lambda: torch.optim.SGD([{"params": {p}}]),
        "group_not_dict": lambda: torch.optim.SGD([p]).add_param_group([q]),
        "adam_lr": lambda: torch.optim.Adam([p], lr=-1),
        "adam_beta0": lambda: torch.optim.Adam([p], betas=(1.0, 0.9)),
        "adam_beta1": lambda: torch.optim.Adam([p], betas=(0.9, -0.1)),
        "adam_eps": lambda: torch.optim.Adam([p], eps=-1e-8),
        "adam_wd": lambda: torch.optim.AdamW([p], weight_decay=-1),
        "rprop_etas": lambda: torch.optim.Rprop([p], etas=(1.5, 1.2)),
        "adadelta_rho": lambda: torch.optim.Adadelta([p], rho=2.0),
        "lbfgs_groups": lambda: torch.optim.LBFGS([{"params": [p]}, {"params": [q]}]),
        "nadam_md": lambda: torch.optim.NAdam([p], momentum_decay=-1),
        "adagrad_iav": lambda: torch.optim.Adagrad([p], initial_accumulator_value=-1),
        "load_groups": lambda: torch.optim.SGD([p]).load_state_dict(
            torch.optim.SGD([{"params": [p]}, {"params": [q]}]).state_dict()),
        "load_sizes": lambda: torch.optim.SGD([p]).load_state_dict(
            torch.optim.SGD([p, q]).state_dict()),
        "names_mixed": lambda: torch.optim.SGD([("a", p), q]),
        "sparse_adam_lr": lambda: torch.optim.SparseAdam([p], lr=0),
        "sparse_adam_dense": lambda: _sparse_adam_dense_step(torch),
        **{f"capturable_cpu_{name}": _capturable_step(torch, name)
           for name in ("Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "ASGD", "Rprop",
                        "Adadelta")},
        "step_lr_opt": lambda: torch.optim.lr_scheduler.StepLR(object(), 2),
        "constant_factor": lambda: torch.optim.lr_scheduler.ConstantLR(
            torch.optim.SGD([p]), factor=2),
        "plateau_factor": lambda: torch.optim.lr_scheduler.ReduceLROnPlateau(
            torch.optim.SGD([p]), factor=1.0),
        "plateau_mode": lambda: torch.optim.lr_scheduler.ReduceLROnPlateau(
            torch.optim.SGD([p]), mode="avg"),
        "onecycle_total": lambda: torch.optim.lr_scheduler.OneCycleLR(torch.optim.SGD([p]), 0.1),
        "warm_T0": lambda: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
            torch.optim.SGD([p]), T_0=0),
        "resume_no_initial": lambda: torch.optim.lr_scheduler.StepLR(
            torch.optim.SGD([p]), 2, last_epoch=3),
    }
    out = {}
    for name, fn in attempts.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fn()
            out[name] = None
        except Exception as e:  # noqa: BLE001 - recording whatever torch raises
            msg = str(e).replace("rstorch.FloatTensor", "<FloatTensor>")
            msg = msg.replace("torch.FloatTensor", "<FloatTensor>")
            out[name] = [type(e).__name__, msg]
    return out


def _capturable_step(torch, name):
    def run():
        p = torch.zeros(2, requires_grad=True)
        p.grad = torch.ones(2)
        getattr(torch.optim, name)([p], capturable=True).step()
    return run


def _sparse_adam_dense_step(torch):
    p = torch.zeros(2, requires_grad=True)
    p.grad = torch.ones(2)
    torch.optim.SparseAdam([p]).step()


def _warnings(torch):
    """Messages of the warnings: duplicate params, scheduler stepped before the optimizer."""
    p = torch.zeros(2, requires_grad=True)
    out = {}
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        torch.optim.SGD([p, p])
    out["duplicate"] = [str(x.message) for x in w]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        opt = torch.optim.SGD([p], lr=0.1)
        sched = torch.optim.lr_scheduler.StepLR(opt, 2)
        sched.step()
    out["order"] = [[x.category.__name__, str(x.message)] for x in w]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        opt = torch.optim.SGD([p], lr=0.1)
        sched = torch.optim.lr_scheduler.StepLR(opt, 2)
        opt.step()
        sched.step()
    out["good_order"] = [str(x.message) for x in w]
    return out


# -- schedulers ---------------------------------------------------------------------------------

def _sched(make, steps=30, opt_name="SGD", opt_kwargs=None, groups=1, metrics=None):
    """The lr (and momentum/beta1) of every group after construction and after each step."""
    def run(torch):
        params = [torch.zeros(2, requires_grad=True) for _ in range(groups)]
        kw = {"lr": 0.1, "momentum": 0.9} if opt_kwargs is None else opt_kwargs
        if groups == 1:
            opt = getattr(torch.optim, opt_name)(params, **kw)
        else:
            opt = getattr(torch.optim, opt_name)(
                [{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(params)], **kw)
        sched = make(torch, opt)
        lrs, moms = [list(map(float, sched.get_last_lr()))], []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i in range(steps):
                opt.step()
                if metrics is not None:
                    sched.step(metrics[i % len(metrics)])
                else:
                    sched.step()
                lrs.append([float(v) for v in sched.get_last_lr()])
                g = opt.param_groups[0]
                moms.append(float(g["betas"][0] if "betas" in g else g.get("momentum", 0)))
        return {"lrs": lrs, "moms": moms}
    return run


def _sched_resume(make, steps=10):
    """state_dict of a scheduler mid-way into a fresh one (on an optimizer with the loaded
    state), then both step on: the lrs of the resumed one."""
    def run(torch):
        p = torch.zeros(2, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
        sched = make(torch, opt)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(steps):
                opt.step()
                sched.step()
            sd = copy.deepcopy(sched.state_dict())
            osd = copy.deepcopy(opt.state_dict())
            p2 = torch.zeros(2, requires_grad=True)
            opt2 = torch.optim.SGD([p2], lr=0.1, momentum=0.9)
            sched2 = make(torch, opt2)
            opt2.load_state_dict(osd)
            sched2.load_state_dict(sd)
            lrs = []
            for _ in range(steps):
                opt2.step()
                sched2.step()
                lrs.append([float(v) for v in sched2.get_last_lr()])
        return {"lrs": lrs}
    return run


def _lrs(torch):
    return torch.optim.lr_scheduler


SCHEDULERS = {
    "LambdaLR": lambda t, o: _lrs(t).LambdaLR(o, lambda e: 0.95 ** e),
    "MultiplicativeLR": lambda t, o: _lrs(t).MultiplicativeLR(o, lambda e: 0.9),
    "StepLR": lambda t, o: _lrs(t).StepLR(o, step_size=4, gamma=0.5),
    "MultiStepLR": lambda t, o: _lrs(t).MultiStepLR(o, milestones=[3, 7, 7, 15], gamma=0.3),
    "ConstantLR": lambda t, o: _lrs(t).ConstantLR(o, factor=0.25, total_iters=6),
    "LinearLR": lambda t, o: _lrs(t).LinearLR(o, start_factor=0.2, end_factor=0.9,
                                              total_iters=8),
    "ExponentialLR": lambda t, o: _lrs(t).ExponentialLR(o, gamma=0.87),
    "PolynomialLR": lambda t, o: _lrs(t).PolynomialLR(o, total_iters=12, power=2.0),
    "CosineAnnealingLR": lambda t, o: _lrs(t).CosineAnnealingLR(o, T_max=7, eta_min=0.001),
    "CosineAnnealingWarmRestarts": lambda t, o: _lrs(t).CosineAnnealingWarmRestarts(
        o, T_0=5, T_mult=2, eta_min=0.002),
    "CyclicLR": lambda t, o: _lrs(t).CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4,
                                              step_size_down=3),
    "CyclicLR_tri2": lambda t, o: _lrs(t).CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3,
                                                   mode="triangular2"),
    "CyclicLR_exp": lambda t, o: _lrs(t).CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3,
                                                  mode="exp_range", gamma=0.9,
                                                  cycle_momentum=False),
    "OneCycleLR": lambda t, o: _lrs(t).OneCycleLR(o, max_lr=0.5, total_steps=31),
    "OneCycleLR_linear3": lambda t, o: _lrs(t).OneCycleLR(
        o, max_lr=0.5, epochs=4, steps_per_epoch=8, anneal_strategy="linear", three_phase=True),
    "SequentialLR": lambda t, o: _lrs(t).SequentialLR(
        o, [_lrs(t).LinearLR(o, start_factor=0.1, total_iters=5),
            _lrs(t).ExponentialLR(o, gamma=0.9)], milestones=[5]),
    "ChainedScheduler": lambda t, o: _lrs(t).ChainedScheduler(
        [_lrs(t).ConstantLR(o, factor=0.5, total_iters=4), _lrs(t).ExponentialLR(o, gamma=0.9)]),
}

PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9]


def _swa(kind):
    """AveragedModel (SWA or EMA) of a Linear trained by SGD, then update_bn on a BatchNorm net."""
    def run(torch):
        swa_utils = torch.optim.swa_utils
        lin = torch.nn.Linear(4, 3)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(_values(12, 0.9, 0.1)).reshape(3, 4))
            lin.bias.copy_(torch.tensor(_values(3, 0.5, 0.4)))
        if kind == "swa":
            avg = swa_utils.AveragedModel(lin)
        elif kind == "ema":
            avg = swa_utils.AveragedModel(lin, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.9))
        else:
            avg = swa_utils.AveragedModel(lin, avg_fn=swa_utils.get_ema_avg_fn(0.8))
        opt = torch.optim.SGD(lin.parameters(), lr=0.1)
        sched = swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=3,
                                anneal_strategy="cos" if kind == "swa" else "linear")
        x = torch.tensor(_values(32, 0.61, 0.2)).reshape(8, 4)
        lrs = []
        for _ in range(6):
            opt.zero_grad()
            lin(x).pow(2).mean().backward()
            opt.step()
            sched.step()
            avg.update_parameters(lin)
            lrs.append(sched.get_last_lr())
        net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
        with torch.no_grad():
            net[0].weight.copy_(torch.tensor(_values(12, 0.3, 0.2)).reshape(3, 4))
            net[0].bias.zero_()
        loader = [(x[:4], 0), (x[4:], 1)]
        swa_utils.update_bn(loader, net)
        return {"avg": _flat(list(avg.parameters())), "n": int(avg.n_averaged),
                "lrs": lrs, "mean": _flat([net[1].running_mean]),
                "var": _flat([net[1].running_var]), "momentum": net[1].momentum,
                "training": net.training}
    return run


# -- Muon (2D parameters only) -----------------------------------------------------------------

def _muon_problem(dtype="float32"):
    """A wide (3, 4) and a tall (5, 3) matrix: small enough that torch's float32 products (in
    its bfloat16 Newton-Schulz steps) and rstorch's sum in the same order."""
    def make(torch):
        dt = getattr(torch, dtype)
        params = [torch.tensor(_values(12, 0.7, 0.3), dtype=dt).reshape(3, 4).requires_grad_(),
                  torch.tensor(_values(15, 1.1, -0.4), dtype=dt).reshape(5, 3).requires_grad_()]
        targets = [torch.tensor(_values(12, 0.37, 1.1), dtype=dt).reshape(3, 4),
                   torch.tensor(_values(15, 0.53, 0.2), dtype=dt).reshape(5, 3)]
        return params, targets
    return make


MUON_CONFIGS = [{}, {"lr": 0.02}, {"lr": 0.02, "nesterov": False},
                {"lr": 0.02, "momentum": 0.8, "weight_decay": 0.0},
                {"lr": 0.01, "adjust_lr_fn": "match_rms_adamw"},
                {"lr": 0.01, "adjust_lr_fn": "spectral_unclamped", "ns_steps": 3,
                 "ns_coefficients": (2.0, -1.5, 0.5)},
                {"lr": 0.02, "adjust_lr_fn": "original", "eps": 1e-3, "momentum": 0.0}]


def _muon_misc(torch):
    """repr, defaults, the errors (sizes spelled without the library's name), the partial
    steps (a parameter without a gradient), the Newton-Schulz result's dtype."""
    p = torch.zeros(2, 3, requires_grad=True)
    q = torch.zeros(4, 2, requires_grad=True)
    out = {"repr": repr(torch.optim.Muon([p])),
           "defaults": {k: list(v) if isinstance(v, tuple) else v
                        for k, v in torch.optim.Muon([p]).defaults.items()}}

    def step_with(**kw):
        def run():
            r = torch.zeros(3, 3, requires_grad=True)
            r.grad = torch.ones(3, 3)
            torch.optim.Muon([r], **kw).step()
        return run

    def functional_foreach():
        r = torch.zeros(3, 3)
        torch.optim._muon.muon([r], [torch.ones(3, 3)], [torch.zeros(3, 3)], foreach=True, lr=0.1,
                               weight_decay=0.0, momentum=0.9, nesterov=True, ns_coefficients=(3.4, -4.7, 2.0),
                               ns_steps=5, eps=1e-7, adjust_lr_fn=None, has_complex=False)

    attempts = {
        "vector": lambda: torch.optim.Muon([torch.zeros(3, requires_grad=True)]),
        "tensor3d": lambda: torch.optim.Muon([p, torch.zeros(2, 2, 2, requires_grad=True)]),
        "scalar": lambda: torch.optim.Muon([torch.zeros((), requires_grad=True)]),
        "lr": lambda: torch.optim.Muon([p], lr=-0.1),
        "tensor_lr": lambda: torch.optim.Muon([p], lr=torch.tensor([0.1, 0.2])),
        "momentum": lambda: torch.optim.Muon([p], momentum=-0.5),
        "weight_decay": lambda: torch.optim.Muon([p], weight_decay=-1),
        "adjust": lambda: torch.optim.Muon([p], adjust_lr_fn="adam"),
        "ns_steps": step_with(ns_steps=100),
        "ns_coefficients": step_with(ns_coefficients=(1.0, 2.0)),
        "foreach": functional_foreach,
        "add_group": lambda: torch.optim.Muon([p]).add_param_group({"params": [torch.zeros(5, requires_grad=True)]}),
    }
    errs = {}
    for name, fn in attempts.items():
        try:
            fn()
            errs[name] = None
        except Exception as e:  # noqa: BLE001 - recording whatever torch raises
            errs[name] = [type(e).__name__, str(e).replace("rstorch.Size", "Size").replace("torch.Size", "Size")]
    out["errors"] = errs
    opt = torch.optim.Muon([p, q], lr=0.1)
    p.grad = torch.tensor(_values(6, 0.3, 0.1)).reshape(2, 3)
    opt.step()
    out["partial"] = {"params": _flat([p, q]), "state": _state_data(torch, opt)}
    ns = torch.optim._muon._zeropower_via_newtonschulz(torch.tensor(_values(12, 0.9, 0.2)).reshape(4, 3),
                                                       (3.4445, -4.7750, 2.0315), 5, 1e-7)
    out["ns"] = {"dtype": str(ns.dtype).split(".")[-1], "shape": list(ns.shape), "values": _flat([ns.float()])}
    return out


def _cases():
    cases = {}
    for name, configs in OPTIM_CONFIGS.items():
        for i, kw in enumerate(configs):
            cases[f"traj/{name}/{i}"] = trajectory(name, kw)
        cases[f"repr/{name}"] = _repr(name)
    cases["repr/LBFGS"] = _repr("LBFGS")
    cases["repr/SparseAdam"] = _repr("SparseAdam")
    cases["traj/SGD/groups"] = trajectory("SGD", {"lr": 0.1, "momentum": 0.9}, groups=True)
    cases["traj/Adam/groups"] = trajectory("Adam", {"lr": 0.05}, groups=True)
    for name, kw in [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 0.05, "amsgrad": True}),
                     ("NAdam", {"lr": 0.05}), ("ASGD", {"lr": 0.05, "t0": 2}),
                     ("Rprop", {"lr": 0.05}), ("Adagrad", {"lr": 0.1}),
                     ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
                     ("Adafactor", {"lr": 0.05})]:
        cases[f"resume/{name}"] = _sd_roundtrip(name, kw)
    for name, kw in [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 0.05}),
                     ("AdamW", {"lr": 0.05}), ("RMSprop", {"lr": 0.01}),
                     ("Adagrad", {"lr": 0.1}), ("RAdam", {"lr": 0.05})]:
        cases[f"nn/{name}"] = _nn_training(name, kw)
    cases["lbfgs/plain"] = _lbfgs({"lr": 0.5, "max_iter": 10})
    cases["lbfgs/wolfe"] = _lbfgs({"line_search_fn": "strong_wolfe", "max_iter": 10})
    cases["lbfgs/wolfe_hist"] = _lbfgs({"line_search_fn": "strong_wolfe", "history_size": 3,
                                        "max_iter": 8, "tolerance_change": 1e-12}, steps=8)
    cases["lbfgs/float32"] = _lbfgs({"line_search_fn": "strong_wolfe", "max_iter": 3}, steps=1,
                                    dtype="float32")
    for name, make in SCHEDULERS.items():
        cases[f"sched/{name}"] = _sched(make)
    cases["sched/StepLR_groups"] = _sched(SCHEDULERS["StepLR"], groups=2)
    cases["sched/CosineAnnealingLR_groups"] = _sched(SCHEDULERS["CosineAnnealingLR"], groups=2)
    cases["sched/OneCycleLR_adam"] = _sched(SCHEDULERS["OneCycleLR"], opt_name="Adam",
                                            opt_kwargs={"lr": 0.1})
    cases["sched/ReduceLROnPlateau"] = _sched(
        lambda t, o: _lrs(t).ReduceLROnPlateau(o, patience=2, factor=0.5, cooldown=1),
        metrics=PLATEAU_METRICS)
    cases["sched/ReduceLROnPlateau_max_abs"] = _sched(
        lambda t, o: _lrs(t).ReduceLROnPlateau(o, mode="max", threshold_mode="abs",
                                               threshold=0.01, patience=1, min_lr=0.02),
        metrics=PLATEAU_METRICS)
    for name in ("StepLR", "CosineAnnealingLR", "OneCycleLR", "CyclicLR", "SequentialLR",
                 "CosineAnnealingWarmRestarts", "LinearLR"):
        cases[f"sched_resume/{name}"] = _sched_resume(SCHEDULERS[name])
    for kind in ("swa", "ema", "ema_fn"):
        cases[f"swa/{kind}"] = _swa(kind)
    for i, kw in enumerate(MUON_CONFIGS):
        cases[f"traj/Muon/{i}"] = trajectory("Muon", kw, problem=_muon_problem())
    cases["traj/Muon/float64"] = trajectory("Muon", {"lr": 0.02}, problem=_muon_problem("float64"))
    cases["traj/Muon/groups"] = trajectory("Muon", {"lr": 0.02}, groups=True, problem=_muon_problem())
    cases["traj/Muon/tensor_lr"] = trajectory("Muon", {"lr": 0.02}, tensor_lr=True, problem=_muon_problem())
    cases["resume/Muon"] = _sd_roundtrip("Muon", {"lr": 0.02}, problem=_muon_problem())
    cases["muon/misc"] = _muon_misc
    cases["errors"] = _errors
    cases["warnings"] = _warnings
    return cases


CASES = _cases()
