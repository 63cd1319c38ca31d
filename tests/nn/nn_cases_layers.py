"""Cases of the layers (activations, dropout, losses, normalization, embedding, padding, shuffles,
distances), recorded from torch like those of nn_cases.py (which imports this module, so
record_torch.py and test_torch_parity.py see them in the one CASES table). Inputs come from
seeded generators: rstorch's draws are torch's, so both libraries see the same numbers."""

import inspect
import math
import warnings

from nn_cases import T, case, err, params

SPECIALS = [-30.0, -20.5, -6.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, 20.5, 30.0]


def rnd(torch, *shape, seed=0, dtype=None, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(tuple(shape), generator=g, dtype=dtype or torch.float32)
    return x * scale if scale != 1.0 else x


def act_input(torch, dtype=None):
    """(4, 6): the kinks and saturation points of the activations, then random values."""
    rest = rnd(torch, 24 - len(SPECIALS), seed=1, dtype=dtype, scale=3.0)
    return torch.cat([torch.tensor(SPECIALS, dtype=dtype or torch.float32), rest]).view(4, 6)


def value_and_grads(torch, fn, *inputs, seed=7):
    """[output, grad of each input] of `(fn(*inputs) * w).sum()` with a random w."""
    xs = [x.detach().clone().requires_grad_(True) if x.is_floating_point() else x for x in inputs]
    out = fn(*xs)
    w = rnd(torch, *out.shape, seed=seed, dtype=out.dtype)
    (out * w).sum().backward()
    return [T(out)] + [T(x.grad) if x.is_floating_point() and x.grad is not None else None for x in xs]


def warned(fn):
    """[result-or-error, warning messages] of calling fn."""
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        try:
            fn()
            res = None
        except Exception as e:  # noqa: BLE001
            res = [type(e).__name__, str(e)]
    return [res, [str(w.message) for w in ws]]


# ---------------------------------------------------------------------- activations

def _activations(torch):
    F, nn = torch.nn.functional, torch.nn
    return {
        "relu": F.relu, "relu6": F.relu6, "elu": lambda x: F.elu(x, 0.7), "selu": F.selu,
        "celu": lambda x: F.celu(x, 1.3), "gelu": F.gelu, "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
        "silu": F.silu, "mish": F.mish, "leaky_relu": lambda x: F.leaky_relu(x, 0.2), "leaky_default": F.leaky_relu,
        "rrelu_eval": F.rrelu, "hardtanh": lambda x: F.hardtanh(x, -1.0, 1.0), "hardtanh_wide": lambda x: F.hardtanh(x, -3.0, 6.0),
        "hardsigmoid": F.hardsigmoid, "hardswish": F.hardswish, "sigmoid": F.sigmoid, "tanh": F.tanh,
        "logsigmoid": F.logsigmoid, "softplus": F.softplus, "softplus_beta": lambda x: F.softplus(x, beta=2, threshold=5),
        "softsign": F.softsign, "tanhshrink": F.tanhshrink, "softshrink": F.softshrink,
        "softshrink_1": lambda x: F.softshrink(x, 1.0), "hardshrink": F.hardshrink, "hardshrink_3": lambda x: F.hardshrink(x, 3.0),
        "threshold": lambda x: F.threshold(x, 1.0, -2.0), "glu0": lambda x: F.glu(x, 0), "glu": F.glu,
        "softmax": lambda x: F.softmax(x, 1), "log_softmax": lambda x: F.log_softmax(x, 0),
        "softmin": lambda x: F.softmin(x, 1), "softmax_f64": lambda x: F.softmax(x, -1, dtype=torch.float64),
        "softmax2d": lambda x: nn.Softmax2d()(x.view(1, 2, 3, 4)), "softmax_implicit": lambda x: F.softmax(x),
        "log_softmax_implicit": lambda x: F.log_softmax(x.view(2, 3, 4)),
        "prelu": lambda x: F.prelu(x, torch.tensor([0.25])),
        "prelu_channels": lambda x: F.prelu(x, torch.arange(6, dtype=torch.float32) / 10 - 0.2),
    }


@case("approx")
def activations(torch):
    x = act_input(torch)
    return {name: value_and_grads(torch, fn, x) for name, fn in _activations(torch).items()}


@case("approx")
def activations_f64(torch):
    x = act_input(torch, torch.float64)
    acts = _activations(torch)
    return {name: value_and_grads(torch, acts[name], x) for name in
            ("elu", "selu", "gelu", "gelu_tanh", "silu", "mish", "logsigmoid", "softplus", "hardswish", "softmax")}


@case("approx")
def activation_modules(torch):
    nn = torch.nn
    x = act_input(torch)
    mods = [nn.ReLU(), nn.ReLU6(), nn.ELU(0.5), nn.CELU(2.0), nn.SELU(), nn.GELU("tanh"), nn.SiLU(), nn.Mish(),
            nn.LeakyReLU(0.3), nn.Hardtanh(-2.0, 2.0), nn.Hardsigmoid(), nn.Hardswish(), nn.Sigmoid(), nn.Tanh(),
            nn.LogSigmoid(), nn.Softplus(0.5, 10), nn.Softsign(), nn.Tanhshrink(), nn.Softshrink(0.2),
            nn.Hardshrink(0.2), nn.Threshold(0.5, 9.0), nn.GLU(1), nn.Softmax(0), nn.LogSoftmax(1), nn.Softmin(-1),
            nn.PReLU(), nn.RReLU().eval()]
    out = [value_and_grads(torch, m, x) for m in mods]
    prelu = nn.PReLU(6, init=0.1)
    y = x.detach().clone().requires_grad_(True)
    (prelu(y) * rnd(torch, 4, 6, seed=3)).sum().backward()
    out.append([T(prelu.weight.grad), T(y.grad)])
    return out


@case("approx")
def activations_inplace(torch):
    """In-place forms: the same values in the input's storage, and gradients through the write."""
    F = torch.nn.functional
    x0 = act_input(torch)
    out = {}
    for name, fn in {"relu": lambda y: F.relu(y, inplace=True), "relu_": F.relu_,
                     "elu": lambda y: F.elu(y, 0.5, inplace=True), "elu_": F.elu_, "selu": lambda y: F.selu(y, True),
                     "celu": lambda y: F.celu(y, 2.0, True), "leaky": lambda y: F.leaky_relu(y, 0.1, True),
                     "leaky_": lambda y: F.leaky_relu_(y, 0.3), "hardtanh": lambda y: F.hardtanh(y, -2.0, 2.0, True),
                     "hardtanh_": F.hardtanh_, "relu6": lambda y: F.relu6(y, True),
                     "threshold": lambda y: F.threshold(y, 0.5, 3.0, True), "threshold_": lambda y: F.threshold_(y, 0.5, 3.0),
                     "silu": lambda y: F.silu(y, True), "mish": lambda y: F.mish(y, True),
                     "hardsigmoid": lambda y: F.hardsigmoid(y, True), "hardswish": lambda y: F.hardswish(y, True),
                     "rrelu_eval": lambda y: F.rrelu(y, inplace=True), "rrelu_": F.rrelu_}.items():
        x = x0.clone().requires_grad_(True)
        y = x * 1
        r = fn(y)
        same = r.data_ptr() == y.data_ptr()
        (y * rnd(torch, 4, 6, seed=5)).sum().backward()
        out[name] = [same, T(y), T(x.grad)]
    with torch.no_grad():
        z = x0.clone()
        torch.nn.ReLU(inplace=True)(z)
        out["module_no_grad"] = T(z)
    return out


@case("text")
def activation_errors(torch):
    F, nn = torch.nn.functional, torch.nn
    x = torch.randn(2, 3, 4)
    leaf = torch.randn(3, requires_grad=True)
    return {
        "prelu_dtype": err(lambda: F.prelu(x, torch.ones(1, dtype=torch.float64))),
        "prelu_ch": err(lambda: F.prelu(x, torch.ones(4))),
        "prelu_0d": err(lambda: F.prelu(torch.tensor(1.), torch.ones(4))),
        "prelu_2d": err(lambda: F.prelu(x, torch.ones(3, 1))),
        "glu_odd": err(lambda: F.glu(x, 1)), "glu_0d": err(lambda: F.glu(torch.tensor(1.))),
        "glu_dim": err(lambda: F.glu(x, 5)),
        "gelu_bad": err(lambda: F.gelu(x, approximate="fast")),
        "softshrink_neg": err(lambda: F.softshrink(x, -1.0)),
        "softshrink_neg_f64": err(lambda: F.softshrink(x.double(), -0.25)),
        "hardtanh": err(lambda: F.hardtanh(x, 2.0, 1.0)),
        "rrelu_bounds": err(lambda: F.rrelu(x, 0.5, 0.1, training=True)),
        "rrelu_bounds_eval": err(lambda: F.rrelu(x, 0.5, 0.1)),
        "celu0": err(lambda: F.celu(x, 0.0)),
        "softmax2d": err(lambda: nn.Softmax2d()(torch.randn(2, 3))),
        "softmax_dim_type": err(lambda: nn.Softmax(dim=1.0)),
        "log_softmax_dim_type": err(lambda: nn.LogSoftmax(dim=True)),
        "hardtanh_mod": err(lambda: nn.Hardtanh(1.0, 1.0)),
        "elu_int": err(lambda: F.elu(torch.tensor([1, -2, 3]))),
        "leaky_int": err(lambda: F.leaky_relu(torch.tensor([1, -2, 3]))),
        "softmax_dim": err(lambda: F.softmax(x, 3)),
        "leaf_inplace": err(lambda: F.relu(leaf, inplace=True)),
        "leaf_inplace_elu": err(lambda: F.elu(leaf, inplace=True)),
        "implicit_dim": warned(lambda: F.softmax(x)),
        "implicit_dim_module": warned(lambda: nn.LogSoftmax()(x)),
        "hardtanh_deprecated": warned(lambda: nn.Hardtanh(min_value=-2.0, max_value=2.0)),
        "int_dtypes": [str(F.relu(torch.tensor([1, -2])).dtype), str(F.threshold(torch.tensor([1, 2, 3]), 1.5, 0.5)),
                       str(F.hardtanh(torch.tensor([1, -2, 3]))), str(F.relu6(torch.tensor([1, -2, 9])))],
    }


# ---------------------------------------------------------------------- dropout: torch's masks

@case("exact")
def dropout_masks(torch):
    F = torch.nn.functional
    torch.manual_seed(0)
    out = []
    for shape, p in (((5,), 0.5), ((3, 7), 0.2), ((1000,), 0.3), ((40, 50), 0.9), ((2, 3, 4), 0.5)):
        out.append(T(F.dropout(torch.ones(shape), p)))
    out.append(T(F.dropout(torch.ones(6, 5, dtype=torch.float64), 0.4)))
    x = rnd(torch, 4, 5, seed=2)
    out.append(T(F.dropout(x, 0.25)))
    out.append(T(F.dropout(x.t(), 0.5)))  # a transposed input: the mask follows its memory order
    out.append(T(F.dropout(rnd(torch, 3, 4, 5, seed=3).permute(2, 0, 1), 0.5)))
    out.append(T(F.dropout(rnd(torch, 6, 8, seed=4)[::2, 1::3], 0.5)))  # not dense
    y = x.clone()
    r = F.dropout(y, 0.5, inplace=True)
    out.append([T(y), r.data_ptr() == y.data_ptr()])
    out.append(T(F.dropout(x, 0.5, training=False)))
    out.append(T(F.dropout(x, 0.0)))
    out.append(T(F.dropout(x, 1.0)))
    out.append(T(F.dropout(torch.ones(0, 3), 0.5)))
    out.append([F.dropout(x, 0.5, training=False) is x, F.dropout(x, 0.0) is x])
    out.append(T(torch.rand(3)))  # the generator's state afterwards
    return out


@case("exact")
def feature_dropout_masks(torch):
    F = torch.nn.functional
    torch.manual_seed(1)
    return [T(F.dropout1d(torch.ones(2, 3, 4), 0.5)), T(F.dropout1d(torch.ones(5, 3), 0.4)),
            T(F.dropout2d(torch.ones(2, 4, 3, 3), 0.5)), T(F.dropout2d(torch.ones(2, 5, 3), 0.3)),
            T(F.dropout3d(torch.ones(2, 3, 2, 2, 2), 0.5)), T(F.dropout3d(torch.ones(3, 2, 2, 2), 0.5)),
            T(F.dropout2d(rnd(torch, 3, 6, 2, 2, seed=2), 0.5, inplace=True)),
            T(F.dropout1d(rnd(torch, 3, 2, seed=3), 0.5, inplace=True)),
            T(F.alpha_dropout(rnd(torch, 4, 6, seed=4), 0.2, training=True)),
            T(F.alpha_dropout(rnd(torch, 4, 6, seed=4), 0.2)),
            T(F.alpha_dropout(rnd(torch, 4, 6, seed=4), 1.0, training=True)),
            T(F.feature_alpha_dropout(rnd(torch, 3, 4, 2, seed=5), 0.5, training=True)),
            T(F.feature_alpha_dropout(rnd(torch, 3, 4, 2, seed=5), 0.5, training=True, inplace=True)),
            T(torch.rand(2))]


@case("exact")
def dropout_modules(torch):
    nn = torch.nn
    torch.manual_seed(2)
    x = rnd(torch, 4, 3, 5, seed=6)
    mods = [nn.Dropout(), nn.Dropout(0.2), nn.Dropout1d(0.3), nn.Dropout2d(0.5), nn.Dropout3d(0.5),
            nn.AlphaDropout(0.3), nn.FeatureAlphaDropout(0.4)]
    out = []
    for m in mods:
        xin = x.view(2, 2, 3, 5) if isinstance(m, nn.Dropout2d) else x.view(1, 4, 3, 5) if isinstance(m, nn.Dropout3d) else x
        out.append([T(m(xin)), T(m.eval()(xin))])
    y = x.clone().requires_grad_(True)
    d = nn.Dropout(0.4)(y)
    d.sum().backward()
    out.append([T(d), T(y.grad)])
    a = x.clone().requires_grad_(True)
    ad = torch.nn.functional.alpha_dropout(a, 0.3, training=True)
    (ad * 2).sum().backward()
    out.append([T(ad), T(a.grad)])
    return out


@case("exact")
def rrelu_training(torch):
    F, nn = torch.nn.functional, torch.nn
    torch.manual_seed(3)
    x = act_input(torch)
    out = [T(F.rrelu(x, training=True)), T(F.rrelu(x, 0.1, 0.9, training=True)),
           T(F.rrelu(x.double(), training=True)), T(F.rrelu(x.t(), training=True))]
    m = nn.RReLU(0.2, 0.4)
    out += [T(m(x)), T(m.eval()(x))]
    y = x.clone().requires_grad_(True)
    r = F.rrelu(y, training=True)
    r.sum().backward()
    out += [T(r), T(y.grad)]
    z = x.clone()
    F.rrelu_(z, training=True)
    out += [T(z), T(torch.rand(2))]
    return out


@case("text")
def dropout_errors(torch):
    F, nn = torch.nn.functional, torch.nn
    return {
        "p": [err(lambda: F.dropout(torch.ones(2), 1.5)), err(lambda: F.dropout(torch.ones(2), -0.1)),
              err(lambda: F.alpha_dropout(torch.ones(2), 2)), err(lambda: F.dropout2d(torch.ones(2, 2, 2), 1.1)),
              err(lambda: nn.Dropout(1.5)), err(lambda: nn.AlphaDropout(-1))],
        "dims": [err(lambda: F.dropout1d(torch.randn(2, 3, 4, 5))), err(lambda: F.dropout2d(torch.randn(4))),
                 err(lambda: F.feature_alpha_dropout(torch.randn(4), training=True))],
        "warnings": [warned(lambda: F.dropout2d(torch.ones(2, 3))), warned(lambda: F.dropout2d(torch.ones(2, 3, 4))),
                     warned(lambda: F.dropout3d(torch.ones(2, 3, 4)))],
    }


# ---------------------------------------------------------------------- losses

def _cls_data(torch, n=6, c=5, seed=11):
    x = rnd(torch, n, c, seed=seed)
    g = torch.Generator().manual_seed(seed + 1)
    t = torch.randint(0, c, (n,), generator=g)
    return x, t


@case("approx")
def cross_entropy_values(torch):
    F = torch.nn.functional
    x, t = _cls_data(torch)
    w = torch.rand(5, generator=torch.Generator().manual_seed(3)) + 0.5
    t_ign = t.clone()
    t_ign[1] = -100
    t_ign3 = t.clone()
    t_ign3[::2] = 3
    probs = torch.softmax(rnd(torch, 6, 5, seed=13), 1)
    x4 = rnd(torch, 2, 5, 3, 4, seed=14)
    t4 = torch.randint(0, 5, (2, 3, 4), generator=torch.Generator().manual_seed(15))
    x3 = rnd(torch, 2, 5, 7, seed=16)
    t3 = torch.randint(0, 5, (2, 7), generator=torch.Generator().manual_seed(17))
    x5 = rnd(torch, 2, 5, 2, 2, 3, seed=18)
    t5 = torch.randint(0, 5, (2, 2, 2, 3), generator=torch.Generator().manual_seed(19))
    out = {}
    for red in ("mean", "sum", "none"):
        out[red] = [
            value_and_grads(torch, lambda x: F.cross_entropy(x, t, reduction=red), x),
            value_and_grads(torch, lambda x: F.cross_entropy(x, t, weight=w, reduction=red), x),
            value_and_grads(torch, lambda x: F.cross_entropy(x, t_ign, reduction=red), x),
            value_and_grads(torch, lambda x: F.cross_entropy(x, t_ign3, ignore_index=3, reduction=red), x),
            value_and_grads(torch, lambda x: F.cross_entropy(x, t_ign3, w, ignore_index=3, reduction=red), x),
            value_and_grads(torch, lambda x: F.cross_entropy(x, t, label_smoothing=0.1, reduction=red), x),
            value_and_grads(torch, lambda x: F.cross_entropy(x, t_ign, w, reduction=red, label_smoothing=0.3), x),
            value_and_grads(torch, lambda x, p: F.cross_entropy(x, p, reduction=red), x, probs),
            value_and_grads(torch, lambda x, p, w: F.cross_entropy(x, p, w, reduction=red, label_smoothing=0.2),
                            x, probs, w),
            value_and_grads(torch, lambda x: F.cross_entropy(x, t4, reduction=red), x4),
            value_and_grads(torch, lambda x: F.cross_entropy(x, t3, reduction=red), x3),
            value_and_grads(torch, lambda x: F.cross_entropy(x, t5, w, reduction=red, label_smoothing=0.05), x5),
            value_and_grads(torch, lambda x: F.cross_entropy(x, t[2], reduction=red), x[2]),
            T(F.cross_entropy(x[2], t[2:3], reduction=red)),
            value_and_grads(torch, lambda x: F.cross_entropy(x, t.byte(), reduction=red), x),
            value_and_grads(torch, lambda x: F.nll_loss(x, t, reduction=red), x.log_softmax(1)),
            value_and_grads(torch, lambda x: F.nll_loss(x, t4, w, reduction=red), x4),
        ]
    # extreme logits stay finite (log_softmax)
    big = torch.tensor([[1000.0, -1000.0, 0.0], [-1e4, 1e4, 3.0]])
    out["stable"] = value_and_grads(torch, lambda x: F.cross_entropy(x, torch.tensor([1, 0])), big)
    out["empty"] = [T(F.cross_entropy(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long))),
                    T(F.cross_entropy(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long), reduction="sum")),
                    T(F.cross_entropy(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long), reduction="none")),
                    T(F.cross_entropy(torch.zeros(0, 3), torch.zeros(0, 3))),
                    T(F.nll_loss(torch.zeros(2, 3), torch.tensor([-100, -100]))),
                    T(F.cross_entropy(torch.zeros(0, 3, 2), torch.zeros(0, 2, dtype=torch.long), reduction="none"))]
    out["f64"] = value_and_grads(torch, lambda x: F.cross_entropy(x, t, label_smoothing=0.2), x.double())
    return out


@case("approx")
def pointwise_losses(torch):
    F = torch.nn.functional
    a, b = rnd(torch, 3, 4, seed=21), rnd(torch, 3, 4, seed=22)
    w = torch.rand(3, 4, generator=torch.Generator().manual_seed(23))
    p = torch.rand(3, 4, generator=torch.Generator().manual_seed(24)) * 0.98 + 0.01
    y = (torch.rand(3, 4, generator=torch.Generator().manual_seed(25)) > 0.5).float()
    sign = y * 2 - 1
    pw = torch.tensor([0.5, 1.0, 2.0, 3.0])
    out = {}
    for red in ("mean", "sum", "none"):
        out[red] = {
            "l1": value_and_grads(torch, lambda a, b: F.l1_loss(a, b, reduction=red), a, b),
            "l1_w": value_and_grads(torch, lambda a, b: F.l1_loss(a, b, reduction=red, weight=w), a, b),
            "mse": value_and_grads(torch, lambda a, b: F.mse_loss(a, b, reduction=red), a, b),
            "mse_w": value_and_grads(torch, lambda a, b: F.mse_loss(a, b, reduction=red, weight=w), a, b),
            "mse_bcast": value_and_grads(torch, lambda a, b: F.mse_loss(a, b, reduction=red), a, b[0]),
            "smooth_l1": value_and_grads(torch, lambda a, b: F.smooth_l1_loss(a, b, reduction=red), a, b),
            "smooth_l1_beta": value_and_grads(torch, lambda a, b: F.smooth_l1_loss(a, b, reduction=red, beta=0.3), a, b),
            "smooth_l1_0": value_and_grads(torch, lambda a, b: F.smooth_l1_loss(a, b, reduction=red, beta=0.0), a, b),
            "huber": value_and_grads(torch, lambda a, b: F.huber_loss(a, b, reduction=red), a, b),
            "huber_delta": value_and_grads(torch, lambda a, b: F.huber_loss(a, b, reduction=red, delta=0.4), a, b),
            "huber_w": value_and_grads(torch, lambda a, b: F.huber_loss(a, b, reduction=red, delta=0.7, weight=w),
                                       a, b),
            "bce": value_and_grads(torch, lambda p, y: F.binary_cross_entropy(p, y, reduction=red), p, y),
            "bce_soft": value_and_grads(torch, lambda p, y: F.binary_cross_entropy(p, y, reduction=red), p, w),
            "bce_w": value_and_grads(torch, lambda p, y: F.binary_cross_entropy(p, y, w[0], reduction=red), p, y),
            "bce_logits": value_and_grads(torch, lambda a, y: F.binary_cross_entropy_with_logits(a, y, reduction=red),
                                          a * 5, w),
            "bce_logits_pw": value_and_grads(
                torch, lambda a, y: F.binary_cross_entropy_with_logits(a, y, w, reduction=red, pos_weight=pw), a, y),
            "soft_margin": value_and_grads(torch, lambda a: F.soft_margin_loss(a, sign, reduction=red), a),
            "multilabel_soft_margin": value_and_grads(
                torch, lambda a: F.multilabel_soft_margin_loss(a, y, reduction=red), a),
            "multilabel_soft_margin_w": value_and_grads(
                torch, lambda a: F.multilabel_soft_margin_loss(a, y, pw, reduction=red), a),
            "kl": value_and_grads(torch, lambda a, t: F.kl_div(a, t, reduction=red), a.log_softmax(1), p),
            "kl_log": value_and_grads(torch, lambda a, t: F.kl_div(a, t, reduction=red, log_target=True),
                                      a.log_softmax(1), b.log_softmax(1)),
            "kl_zero_target": value_and_grads(torch, lambda a: F.kl_div(a, y, reduction=red), a),
            "poisson": value_and_grads(torch, lambda a: F.poisson_nll_loss(a, p * 4, reduction=red), a),
            "poisson_full": value_and_grads(
                torch, lambda a: F.poisson_nll_loss(p + a * 0.001, p * 4, log_input=False, full=True, reduction=red),
                a),
            "gaussian": value_and_grads(torch, lambda a, v: F.gaussian_nll_loss(a, b, v, reduction=red), a, p),
            "gaussian_full": value_and_grads(
                torch, lambda a, v: F.gaussian_nll_loss(a, b, v, full=True, reduction=red), a, p[:, :1]),
            "gaussian_homo": value_and_grads(torch, lambda a, v: F.gaussian_nll_loss(a, b, v, reduction=red), a, p[:, 0]),
            "gaussian_float": value_and_grads(torch, lambda a: F.gaussian_nll_loss(a, b, 0.5, reduction=red), a),
            "margin_ranking": value_and_grads(
                torch, lambda a, b: F.margin_ranking_loss(a[0], b[0], sign[0], margin=0.3, reduction=red), a, b),
            "hinge": value_and_grads(torch, lambda a: F.hinge_embedding_loss(a, sign, margin=0.5, reduction=red), a),
        }
    out["batchmean"] = value_and_grads(torch, lambda a, t: F.kl_div(a, t, reduction="batchmean"), a.log_softmax(1), p)
    out["bce_edges"] = value_and_grads(torch, lambda p, y: F.binary_cross_entropy(p, y),
                                       torch.tensor([0.0, 1.0, 0.0, 1.0, 1e-30]), torch.tensor([0.0, 1.0, 1.0, 0.0, 0.5]))
    out["legacy"] = [T(F.mse_loss(a, b, size_average=False)), T(F.l1_loss(a, b, reduce=False)),
                     T(F.cross_entropy(*_cls_data(torch), size_average=True, reduce=True)),
                     T(F.kl_div(a, p, size_average=False))]
    return out


@case("approx")
def margin_losses(torch):
    F = torch.nn.functional
    x, t = _cls_data(torch, 4, 5, seed=31)
    w = torch.tensor([0.5, 1.0, 1.5, 2.0, 2.5])
    mt = torch.tensor([[3, 0, -1, 1, 1], [1, 2, 3, 4, 0], [-1, 1, 2, 0, 0], [4, 4, -1, 0, 0]])
    a, p, n = rnd(torch, 5, 3, seed=32), rnd(torch, 5, 3, seed=33), rnd(torch, 5, 3, seed=34)
    y = torch.tensor([1.0, -1.0, 1.0, -1.0, -1.0])
    out = {}
    for red in ("mean", "sum", "none"):
        out[red] = {
            "multi_margin": value_and_grads(torch, lambda x: F.multi_margin_loss(x, t, reduction=red), x),
            "multi_margin_p2": value_and_grads(
                torch, lambda x: F.multi_margin_loss(x, t, p=2, margin=0.7, weight=w, reduction=red), x),
            "multi_margin_1d": value_and_grads(torch, lambda x: F.multi_margin_loss(x, t[1], reduction=red), x[1]),
            "multilabel_margin": value_and_grads(torch, lambda x: F.multilabel_margin_loss(x, mt, reduction=red), x),
            "multilabel_margin_1d": value_and_grads(
                torch, lambda x: F.multilabel_margin_loss(x, mt[0], reduction=red), x[0]),
            "cosine_embedding": value_and_grads(
                torch, lambda a, b: F.cosine_embedding_loss(a, b, y, margin=0.2, reduction=red), a, p),
            "cosine_embedding_1d": value_and_grads(
                torch, lambda a, b: F.cosine_embedding_loss(a, b, y[1], reduction=red), a[0], p[0]),
            "triplet": value_and_grads(torch, lambda a, p, n: F.triplet_margin_loss(a, p, n, reduction=red), a, p, n),
            "triplet_swap": value_and_grads(
                torch, lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=2.0, p=1, swap=True, reduction=red),
                a, p, n),
            "triplet_dist": value_and_grads(
                torch, lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, reduction=red), a, p, n),
            "triplet_cos": value_and_grads(
                torch, lambda a, p, n: F.triplet_margin_with_distance_loss(
                    a, p, n, distance_function=lambda u, v: 1 - F.cosine_similarity(u, v), swap=True, margin=0.5,
                    reduction=red), a, p, n),
        }
    return out


@case("approx")
def loss_modules(torch):
    nn = torch.nn
    x, t = _cls_data(torch, 4, 3, seed=41)
    a, b = rnd(torch, 4, 3, seed=42), rnd(torch, 4, 3, seed=43)
    w = torch.tensor([1.0, 2.0, 0.5])
    p = torch.sigmoid(a)
    y = (b > 0).float()
    mods = [
        (nn.CrossEntropyLoss(), (x, t)), (nn.CrossEntropyLoss(w, ignore_index=1, label_smoothing=0.1), (x, t)),
        (nn.NLLLoss(w, reduction="sum"), (x.log_softmax(1), t)), (nn.L1Loss(), (a, b)), (nn.MSELoss(False), (a, b)),
        (nn.MSELoss(reduction="none"), (a, b)), (nn.BCELoss(w), (p, y)), (nn.BCEWithLogitsLoss(pos_weight=w), (a, y)),
        (nn.SmoothL1Loss(beta=0.5), (a, b)), (nn.HuberLoss(delta=0.5), (a, b)), (nn.SoftMarginLoss(), (a, y * 2 - 1)),
        (nn.MultiLabelSoftMarginLoss(w), (a, y)), (nn.MultiMarginLoss(2, 0.5, w), (x, t)),
        (nn.MultiLabelMarginLoss(), (x, t.view(4, 1).expand(4, 3).contiguous())),
        (nn.KLDivLoss(reduction="batchmean", log_target=True), (a.log_softmax(1), b.log_softmax(1))),
        (nn.PoissonNLLLoss(full=True), (a, p * 3)), (nn.GaussianNLLLoss(eps=1e-3), (a, b, p)),
        (nn.HingeEmbeddingLoss(0.3), (a, y * 2 - 1)), (nn.CosineEmbeddingLoss(0.1), (a, b, y[:, 0] * 2 - 1)),
        (nn.MarginRankingLoss(0.2), (a[:, 0], b[:, 0], y[:, 0] * 2 - 1)), (nn.TripletMarginLoss(0.5, 3), (a, b, x)),
        (nn.TripletMarginWithDistanceLoss(margin=0.5, swap=True), (a, b, x)),
    ]
    return [T(m(*args)) for m, args in mods]


def _loss_errors(torch):
    F = torch.nn.functional
    x = torch.randn(3, 5)
    t = torch.tensor([1, 0, 4])
    return {
        "ce_float_target": lambda: F.cross_entropy(x, t.float()),
        "ce_int32_target": lambda: F.cross_entropy(x, t.int()),
        "ce_oob": lambda: F.cross_entropy(x, torch.tensor([1, 12, 4])),
        "ce_neg": lambda: F.cross_entropy(x, torch.tensor([1, -3, 4])),
        "ce_oob_ignore_other": lambda: F.cross_entropy(x, torch.tensor([-100, 7, 4])),
        "ce_oob_smoothing": lambda: F.cross_entropy(x, torch.tensor([1, 5, 4]), label_smoothing=0.1),
        "ce_oob_4d": lambda: F.cross_entropy(torch.randn(1, 3, 2, 2), torch.tensor([[[0, 1], [3, 0]]])),
        "ce_batch": lambda: F.cross_entropy(x, torch.tensor([1, 2])),
        "ce_2dtarget": lambda: F.cross_entropy(x, torch.tensor([[1, 2, 3]])),
        "ce_3d_target_wrong": lambda: F.cross_entropy(torch.randn(2, 3, 4), torch.zeros(2, 5, dtype=torch.long)),
        "ce_4d_target_wrong": lambda: F.cross_entropy(torch.randn(2, 3, 4, 4), torch.zeros(2, 4, dtype=torch.long)),
        "ce_4d_target_wrong2": lambda: F.cross_entropy(torch.randn(2, 3, 4, 4), torch.zeros(2, 4, 5, dtype=torch.long)),
        "ce_5d_target_wrong": lambda: F.cross_entropy(torch.randn(2, 3, 4, 4, 2),
                                                      torch.zeros(2, 4, 5, 2, dtype=torch.long)),
        "ce_weight": lambda: F.cross_entropy(x, t, weight=torch.ones(4)),
        "ce_weight_2d": lambda: F.cross_entropy(x, t, weight=torch.ones(5, 1)),
        "ce_weight_dtype": lambda: F.cross_entropy(x, t, weight=torch.ones(5, dtype=torch.float64)),
        "ce_weight_grad": lambda: F.cross_entropy(x, t, weight=torch.ones(5, requires_grad=True)),
        "ce_prob_int": lambda: F.cross_entropy(x, torch.zeros(3, 5, dtype=torch.long)),
        "ce_prob_ignore": lambda: F.cross_entropy(x, torch.zeros(3, 5), ignore_index=1),
        "ce_prob_weight": lambda: F.cross_entropy(x, torch.zeros(3, 5), weight=torch.ones(4)),
        "ce_smooth": lambda: F.cross_entropy(x, t, label_smoothing=1.5),
        "ce_smooth_prob": lambda: F.cross_entropy(x, torch.zeros(3, 5), label_smoothing=1.5),
        "ce_0d": lambda: F.cross_entropy(torch.tensor(1.0), torch.tensor(0)),
        "ce_1d_2t": lambda: F.cross_entropy(torch.randn(5), torch.tensor([2, 1])),
        "ce_red": lambda: F.cross_entropy(x, t, reduction="avg"),
        "ce_int_input": lambda: F.cross_entropy(t.view(3, 1).expand(3, 5).contiguous(), t),
        "nll_0d": lambda: F.nll_loss(torch.tensor(1.0), torch.tensor(0)),
        "nll_target_0d": lambda: F.nll_loss(x, torch.tensor(0)),
        "bce_range": lambda: F.binary_cross_entropy(torch.tensor([0.5, 1.5]), torch.tensor([0., 1.])),
        "bce_trange": lambda: F.binary_cross_entropy(torch.tensor([0.5, 0.5]), torch.tensor([0., 2.])),
        "bce_nan": lambda: F.binary_cross_entropy(torch.tensor([0.5, float("nan")]), torch.tensor([0., 1.])),
        "bce_size": lambda: F.binary_cross_entropy(torch.tensor([0.5, 0.5]), torch.tensor([[0., 1.]])),
        "bcel_size": lambda: F.binary_cross_entropy_with_logits(torch.tensor([0.5, 0.5]), torch.tensor([[0., 1.]])),
        "bce_long_target": lambda: F.binary_cross_entropy(torch.tensor([0.5, 0.5]), torch.tensor([0, 1])),
        "bcel_long_target": lambda: F.binary_cross_entropy_with_logits(torch.tensor([0.5, 0.5]), torch.tensor([0, 1])),
        "mse_bcast": lambda: F.mse_loss(torch.randn(3, 4), torch.randn(3, 5)),
        "l1_long": lambda: F.l1_loss(torch.tensor([0, 1]), torch.tensor([0, 1])),
        "mse_long": lambda: F.mse_loss(torch.tensor([0, 1]), torch.tensor([0, 1])),
        "mse_weight": lambda: F.mse_loss(x, x, weight=torch.ones(5)),
        "mse_weight_red": lambda: F.mse_loss(x, x, reduction="avg", weight=torch.ones(3, 5)),
        "smooth_neg": lambda: F.smooth_l1_loss(x, x, beta=-1.0),
        "huber_neg": lambda: F.huber_loss(x, x, delta=0.0),
        "huber_type": lambda: torch.nn.HuberLoss(delta="1"),
        "mm_target": lambda: F.multi_margin_loss(x, torch.tensor([1, 0])),
        "mm_oob": lambda: F.multi_margin_loss(x, torch.tensor([1, 0, 5])),
        "mm_weight": lambda: F.multi_margin_loss(x, t, weight=torch.ones(4)),
        "mm_weight_2d": lambda: F.multi_margin_loss(x, t, weight=torch.ones(5, 1)),
        "mm_module_weight": lambda: torch.nn.MultiMarginLoss(weight=torch.ones(5, 1)),
        "mm_p": lambda: F.multi_margin_loss(x, t, p=3),
        "mm_empty": lambda: F.multi_margin_loss(torch.randn(3, 0), t),
        "mm_float_t": lambda: F.multi_margin_loss(x, t.float()),
        "mlm_target": lambda: F.multilabel_margin_loss(x, torch.tensor([1, 0])),
        "mlm_oob": lambda: F.multilabel_margin_loss(x, torch.tensor([[1, 7, -1, 0, 0]] * 3)),
        "mlm_float_t": lambda: F.multilabel_margin_loss(x, torch.zeros(3, 5)),
        "cel_target": lambda: F.cosine_embedding_loss(x, x, torch.ones(3, 1)),
        "cel_dims": lambda: F.cosine_embedding_loss(x, x, torch.tensor(1.)),
        "cel_dims2": lambda: F.cosine_embedding_loss(x[0], x[0], torch.ones(3)),
        "mrl_dims": lambda: F.margin_ranking_loss(x, x, torch.ones(3)),
        "trip_dims": lambda: F.triplet_margin_loss(x, x, x[0]),
        "trip_margin": lambda: F.triplet_margin_loss(x, x, x, margin=0),
        "trip_dist_dims": lambda: F.triplet_margin_with_distance_loss(x, x, x[0]),
        "trip_module_margin": lambda: torch.nn.TripletMarginLoss(margin=-1),
        "tripd_module_margin": lambda: torch.nn.TripletMarginWithDistanceLoss(margin=0),
        "gnll_var": lambda: F.gaussian_nll_loss(x, x, torch.ones(3, 4)),
        "gnll_neg": lambda: F.gaussian_nll_loss(x, x, -torch.ones(3, 5)),
        "gnll_neg_float": lambda: F.gaussian_nll_loss(x, x, -1.0),
        "gnll_red": lambda: F.gaussian_nll_loss(x, x, torch.ones(3, 5), reduction="x"),
        "pnll_red": lambda: F.poisson_nll_loss(x, x, reduction="x"),
        "mlsm_red": lambda: F.multilabel_soft_margin_loss(x, x, reduction="x"),
        "twd_red": lambda: F.triplet_margin_with_distance_loss(x, x, x, reduction="x"),
        "l1_red": lambda: F.l1_loss(x, x, reduction="x"),
        "kl_red": lambda: F.kl_div(x, x, reduction="x"),
    }


@case("text")
def loss_errors(torch):
    return {name: err(fn) for name, fn in _loss_errors(torch).items()}


@case("text")
def loss_warnings(torch):
    F, nn = torch.nn.functional, torch.nn
    x = torch.randn(3, 5)
    return {
        "size": warned(lambda: F.mse_loss(x, x[0])), "size_l1": warned(lambda: F.l1_loss(x, x[:, :1])),
        "size_huber": warned(lambda: F.huber_loss(x, x[0])), "size_smooth": warned(lambda: F.smooth_l1_loss(x, x[0])),
        "legacy": warned(lambda: F.mse_loss(x, x, size_average=False)),
        "legacy_reduce": warned(lambda: F.cross_entropy(x, torch.tensor([0, 1, 2]), reduce=False)),
        "legacy_module": warned(lambda: nn.L1Loss(size_average=True)),
        "legacy_module_reduction": [nn.L1Loss(size_average=False).reduction, nn.MSELoss(reduce=False).reduction,
                                    nn.NLLLoss(None, True, -100, True).reduction],
        "kl_mean": warned(lambda: F.kl_div(x, x)),
        "elementwise_mean": warned(lambda: F.hinge_embedding_loss(x, x, reduction="elementwise_mean")),
        "nll2d": warned(lambda: nn.NLLLoss2d()),
    }


# ---------------------------------------------------------------------- normalization

@case("approx")
def batch_norm_values(torch):
    F, nn = torch.nn.functional, torch.nn
    x = rnd(torch, 4, 3, 5, seed=51) * 2 + 1
    x4 = rnd(torch, 3, 2, 4, 4, seed=52)
    w, b = rnd(torch, 3, seed=53), rnd(torch, 3, seed=54)
    out = {}
    rm, rv = torch.zeros(3), torch.ones(3)
    out["train"] = value_and_grads(torch, lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.3),
                                   x, w, b) + [T(rm), T(rv)]
    out["eval"] = value_and_grads(torch, lambda x, w, b: F.batch_norm(x, rm, rv, w, b), x, w, b)
    out["no_affine"] = value_and_grads(torch, lambda x: F.batch_norm(x, None, None, training=True, eps=1e-3), x[:, :, 0])
    out["f64"] = value_and_grads(torch, lambda x: F.batch_norm(x, None, None, training=True), x.double())
    modules = {}
    for name, m, inp in (("bn1d", nn.BatchNorm1d(3), x), ("bn1d_2d", nn.BatchNorm1d(3, momentum=0.5), x[:, :, 1]),
                         ("bn2d", nn.BatchNorm2d(2), x4), ("bn3d", nn.BatchNorm3d(2, affine=False), x4.unsqueeze(2)),
                         ("cumulative", nn.BatchNorm1d(3, momentum=None), x),
                         ("no_track", nn.BatchNorm1d(3, track_running_stats=False), x),
                         ("no_bias", nn.BatchNorm2d(2, bias=False), x4)):
        steps = []
        for k in range(3):
            y = inp.detach().clone().requires_grad_(True) * (k + 1)
            o = m(y)
            (o * rnd(torch, *o.shape, seed=60 + k)).sum().backward()
            steps.append(T(o))
        m.eval()
        steps.append(T(m(inp)))
        steps.append({n: T(t) for n, t in m.state_dict().items()})
        steps.append({n: T(p.grad) for n, p in m.named_parameters()})
        modules[name] = steps
    out["modules"] = modules
    out["empty"] = [T(nn.BatchNorm1d(3)(torch.zeros(0, 3))), T(nn.BatchNorm2d(2)(torch.zeros(0, 2, 3, 3)))]
    return out


@case("approx")
def norm_values(torch):
    F, nn = torch.nn.functional, torch.nn
    x = rnd(torch, 2, 6, 5, seed=71) * 3 + 2
    w6, b6 = rnd(torch, 6, seed=72), rnd(torch, 6, seed=73)
    w5, b5 = rnd(torch, 5, seed=74), rnd(torch, 5, seed=75)
    w65 = rnd(torch, 6, 5, seed=76)
    out = {
        "layer": value_and_grads(torch, lambda x, w, b: F.layer_norm(x, (5,), w, b), x, w5, b5),
        "layer2": value_and_grads(torch, lambda x, w: F.layer_norm(x, [6, 5], w, eps=1e-2), x, w65),
        "layer_plain": value_and_grads(torch, lambda x: F.layer_norm(x, torch.Size([5])), x),
        "rms": value_and_grads(torch, lambda x, w: F.rms_norm(x, [5], w), x, w5),
        "rms2": value_and_grads(torch, lambda x: F.rms_norm(x, (6, 5), eps=0.1), x),
        "rms_f64": value_and_grads(torch, lambda x: F.rms_norm(x, (5,)), x.double()),
        "group": value_and_grads(torch, lambda x, w, b: F.group_norm(x, 3, w, b), x, w6, b6),
        "group1": value_and_grads(torch, lambda x: F.group_norm(x, 1, eps=0.1), x),
        "group6": value_and_grads(torch, lambda x: F.group_norm(x.view(2, 6, 5, 1), 6), x),
        "instance": value_and_grads(torch, lambda x, w, b: F.instance_norm(x, weight=w, bias=b), x, w6, b6),
        "lrn": value_and_grads(torch, lambda x: F.local_response_norm(x, 3), x),
        "lrn4": value_and_grads(torch, lambda x: F.local_response_norm(x.view(2, 6, 5, 1), 4, 0.1, 0.5, 2.0), x),
        "lrn5d": value_and_grads(torch, lambda x: F.local_response_norm(x.view(2, 6, 1, 5, 1), 2), x),
    }
    rm, rv = torch.zeros(6), torch.ones(6)
    out["instance_running"] = value_and_grads(torch, lambda x: F.instance_norm(x, rm, rv, momentum=0.4), x) + [
        T(rm), T(rv)]
    out["instance_eval"] = value_and_grads(torch, lambda x: F.instance_norm(x, rm, rv, use_input_stats=False), x)
    mods = [nn.LayerNorm(5), nn.LayerNorm([6, 5], elementwise_affine=False), nn.LayerNorm(5, bias=False),
            nn.GroupNorm(2, 6), nn.GroupNorm(3, 6, affine=False), nn.RMSNorm(5), nn.RMSNorm([6, 5], eps=1e-3),
            nn.LocalResponseNorm(2), nn.InstanceNorm1d(6), nn.InstanceNorm1d(6, affine=True, track_running_stats=True)]
    mo = []
    for m in mods:
        mo.append(value_and_grads(torch, m, x) + [{n: T(t) for n, t in m.state_dict().items()}])
    inorm = nn.InstanceNorm2d(6, track_running_stats=True)
    mo.append([T(inorm(x.view(2, 6, 5, 1))), T(inorm.eval()(x.view(2, 6, 5, 1))), T(inorm(x[0].view(6, 5, 1)))])
    mo.append(T(nn.InstanceNorm1d(6)(x[0])))
    mo.append(T(nn.InstanceNorm3d(6, affine=True)(x.view(2, 6, 5, 1, 1).expand(2, 6, 5, 2, 1))))
    out["modules"] = mo
    return out


@case("text")
def norm_errors(torch):
    F, nn = torch.nn.functional, torch.nn
    x = torch.randn(2, 3, 4)
    return {
        "bn_rm": err(lambda: F.batch_norm(x, torch.zeros(4), torch.ones(3))),
        "bn_rv": err(lambda: F.batch_norm(x, torch.zeros(3), torch.ones(4))),
        "bn_w": err(lambda: F.batch_norm(x, torch.zeros(3), torch.ones(3), torch.ones(2))),
        "bn_b": err(lambda: F.batch_norm(x, torch.zeros(3), torch.ones(3), None, torch.ones(2))),
        "bn_eval_none": err(lambda: F.batch_norm(x, None, None)),
        "bn_eval_none_var": err(lambda: F.batch_norm(x, torch.zeros(3), None)),
        "bn_1d": err(lambda: F.batch_norm(torch.randn(4), None, None, training=True)),
        "bn_1val": err(lambda: F.batch_norm(torch.randn(1, 3), None, None, training=True)),
        "bn_eps": err(lambda: F.batch_norm(x, None, None, training=True, eps=0)),
        "bn_eps2": err(lambda: F.batch_norm(x, torch.zeros(3), torch.ones(3), eps=-1)),
        "bn_rm_dtype": err(lambda: F.batch_norm(x, torch.zeros(3, dtype=torch.float64),
                                                torch.ones(3, dtype=torch.float64), training=True)),
        "bn_w_dtype": err(lambda: F.batch_norm(x, torch.zeros(3), torch.ones(3), torch.ones(3, dtype=torch.float64),
                                               training=True)),
        "bn_module_dims": [err(lambda: nn.BatchNorm1d(3)(torch.randn(2, 3, 4, 5))),
                           err(lambda: nn.BatchNorm2d(3)(x)), err(lambda: nn.BatchNorm3d(3)(x)),
                           err(lambda: nn.BatchNorm1d(3)(torch.randn(1, 3))),
                           err(lambda: nn.BatchNorm1d(4)(x))],
        "ln_shape": err(lambda: F.layer_norm(x, [3])),
        "ln_shape2": err(lambda: F.layer_norm(x, [5, 3, 4])),
        "ln_w": err(lambda: F.layer_norm(x, [4], torch.ones(3))),
        "ln_b": err(lambda: F.layer_norm(x, [4], None, torch.ones(3))),
        "ln_empty": err(lambda: F.layer_norm(x, [])),
        "ln_int": err(lambda: F.layer_norm(x, 4)),
        "ln_module": err(lambda: nn.LayerNorm(3)(x)),
        "gn_div": err(lambda: F.group_norm(torch.randn(2, 6, 4), 4)),
        "gn_w": err(lambda: F.group_norm(torch.randn(2, 6, 4), 3, torch.ones(3))),
        "gn_b": err(lambda: F.group_norm(torch.randn(2, 6, 4), 3, None, torch.ones(3))),
        "gn_1d": err(lambda: F.group_norm(torch.randn(6), 3)),
        "gn_1val": err(lambda: F.group_norm(torch.randn(1, 3), 3)),
        "gn_0": err(lambda: F.group_norm(torch.randn(2, 6), 0)),
        "gn_module": err(lambda: nn.GroupNorm(4, 6)),
        "in_spatial": err(lambda: F.instance_norm(torch.randn(2, 3, 1))),
        "in_no_running": err(lambda: F.instance_norm(x, use_input_stats=False)),
        "in_rm": err(lambda: F.instance_norm(x, torch.zeros(4), torch.ones(4))),
        "in_module_dims": [err(lambda: nn.InstanceNorm1d(3)(torch.randn(2, 3, 4, 5))),
                           err(lambda: nn.InstanceNorm2d(3)(x[0])), err(lambda: nn.InstanceNorm3d(3)(x)),
                           err(lambda: nn.InstanceNorm1d(4, affine=True)(x))],
        "in_module_warn": warned(lambda: nn.InstanceNorm1d(4)(x)),
        "lrn_dim": err(lambda: F.local_response_norm(torch.randn(2, 3), 2)),
        "rms_shape": err(lambda: F.rms_norm(x, [3])),
        "rms_shape2": err(lambda: F.rms_norm(x, [2, 4])),
        "rms_w": err(lambda: F.rms_norm(x, [4], torch.ones(3))),
    }


@case("text")
def norm_state(torch):
    """state_dict keys, the _metadata versions, num_batches_tracked added to version-1
    checkpoints, InstanceNorm's message on old running-stats keys."""
    nn = torch.nn
    torch.manual_seed(0)
    m = nn.Sequential(nn.BatchNorm1d(3), nn.BatchNorm2d(2, affine=False), nn.BatchNorm1d(2, track_running_stats=False),
                      nn.InstanceNorm1d(3), nn.InstanceNorm1d(3, affine=True, track_running_stats=True),
                      nn.LayerNorm(3), nn.GroupNorm(1, 2), nn.RMSNorm(3), nn.Embedding(3, 2), nn.PReLU(2))
    sd = m.state_dict()
    out = {"keys": [[k, list(v.shape), str(v.dtype)] for k, v in sd.items()],
           "metadata": [[k, v] for k, v in sd._metadata.items()],
           "params": [[n, list(p.shape)] for n, p in m.named_parameters()],
           "buffers": [n for n, _ in m.named_buffers()]}
    bn = nn.BatchNorm1d(3)
    old = {k: v for k, v in bn.state_dict().items() if k != "num_batches_tracked"}
    import collections
    old = collections.OrderedDict(old)
    old._metadata = collections.OrderedDict([("", {"version": 1})])
    fresh = nn.BatchNorm1d(3)
    fresh.num_batches_tracked.fill_(5)
    res = fresh.load_state_dict(old)
    out["old_checkpoint"] = [repr(res), fresh.num_batches_tracked.item()]
    out["missing_new"] = repr(nn.BatchNorm1d(3).load_state_dict(
        {k: v for k, v in bn.state_dict().items() if k != "num_batches_tracked"}, strict=False))
    inorm = nn.InstanceNorm1d(3)
    legacy = collections.OrderedDict([("running_mean", torch.zeros(3)), ("running_var", torch.ones(3))])
    legacy._metadata = collections.OrderedDict([("", {})])
    out["instance_legacy"] = err(lambda: inorm.load_state_dict(legacy))
    bn2 = nn.BatchNorm1d(3)
    bn2.reset_running_stats()
    bn2.running_mean.fill_(2)
    bn2.reset_parameters()
    out["reset"] = [bn2.running_mean.tolist(), bn2.weight.tolist(), bn2.num_batches_tracked.item()]
    return out


# ---------------------------------------------------------------------- embedding

@case("exact")
def embedding_init(torch):
    nn = torch.nn
    torch.manual_seed(0)
    mods = [nn.Embedding(5, 3), nn.Embedding(4, 2, padding_idx=1), nn.Embedding(4, 2, padding_idx=-1),
            nn.Embedding(3, 4, dtype=torch.float64), nn.EmbeddingBag(4, 3), nn.EmbeddingBag(4, 2, padding_idx=0),
            nn.PReLU(3, 0.1)]
    return [params(m) for m in mods] + [T(torch.rand(2))]


@case("approx")
def embedding_values(torch):
    F, nn = torch.nn.functional, torch.nn
    w = rnd(torch, 6, 3, seed=81)
    idx = torch.tensor([[0, 2, 2], [5, 1, 2]])
    out = {
        "plain": value_and_grads(torch, lambda w: F.embedding(idx, w), w),
        "int32": value_and_grads(torch, lambda w: F.embedding(idx.int(), w), w),
        "padding": value_and_grads(torch, lambda w: F.embedding(idx, w, padding_idx=2), w),
        "padding_neg": value_and_grads(torch, lambda w: F.embedding(idx, w, padding_idx=-1), w),
        "freq": value_and_grads(torch, lambda w: F.embedding(idx, w, scale_grad_by_freq=True), w),
        "freq_padding": value_and_grads(torch, lambda w: F.embedding(idx, w, padding_idx=0, scale_grad_by_freq=True), w),
        "0d": value_and_grads(torch, lambda w: F.embedding(torch.tensor(4), w), w),
        "empty": value_and_grads(torch, lambda w: F.embedding(torch.zeros(0, 2, dtype=torch.long), w), w),
    }
    big = w * 3
    F.embedding(idx, big, max_norm=1.5)
    out["max_norm"] = T(big)
    big2 = w * 3
    F.embedding(torch.tensor([1, 3, 3]), big2, max_norm=2.0, norm_type=1.0)
    out["max_norm_l1"] = T(big2)
    torch.manual_seed(4)
    emb = nn.Embedding(6, 3, padding_idx=0, max_norm=1.0)
    o = emb(idx)
    o.sum().backward()
    out["module"] = [T(o), T(emb.weight), T(emb.weight.grad)]
    pre = nn.Embedding.from_pretrained(w, padding_idx=1)
    out["pretrained"] = [T(pre(idx)), pre.weight.requires_grad,
                         nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad]
    return out


@case("approx")
def embedding_bag_values(torch):
    F, nn = torch.nn.functional, torch.nn
    w = rnd(torch, 6, 3, seed=82)
    inp = torch.tensor([1, 2, 4, 5, 4, 3, 2, 0])
    offsets = torch.tensor([0, 3, 3, 6])
    psw = rnd(torch, 8, seed=83)
    out = {}
    for mode in ("sum", "mean", "max"):
        out[mode] = [
            value_and_grads(torch, lambda w: F.embedding_bag(inp, w, offsets, mode=mode), w),
            value_and_grads(torch, lambda w: F.embedding_bag(inp.view(2, 4), w, mode=mode), w),
            value_and_grads(torch, lambda w: F.embedding_bag(inp, w, torch.tensor([0, 3, 3, 8]), mode=mode,
                                                             include_last_offset=True), w),
            value_and_grads(torch, lambda w: F.embedding_bag(inp, w, offsets, mode=mode, padding_idx=2), w),
        ]
    out["psw"] = value_and_grads(torch, lambda w, p: F.embedding_bag(inp, w, offsets, mode="sum",
                                                                     per_sample_weights=p), w, psw)
    out["freq"] = value_and_grads(torch, lambda w: F.embedding_bag(inp, w, offsets, scale_grad_by_freq=True), w)
    torch.manual_seed(5)
    bag = nn.EmbeddingBag(6, 3, mode="sum", padding_idx=4)
    out["module"] = [T(bag(inp, offsets)), T(bag(inp.view(4, 2)))]
    return out


@case("text")
def embedding_errors(torch):
    F, nn = torch.nn.functional, torch.nn
    w = torch.randn(3, 2)
    return {
        "dtype": err(lambda: F.embedding(torch.tensor([1.0]), w)),
        "oob": err(lambda: F.embedding(torch.tensor([5]), w)),
        "neg": err(lambda: F.embedding(torch.tensor([-1]), w)),
        "w1d": err(lambda: F.embedding(torch.tensor([1]), torch.randn(3))),
        "pad": err(lambda: F.embedding(torch.tensor([1]), w, padding_idx=3)),
        "pad_neg": err(lambda: F.embedding(torch.tensor([1]), w, padding_idx=-4)),
        "module_pad": [err(lambda: nn.Embedding(3, 2, padding_idx=3)), err(lambda: nn.Embedding(3, 2, padding_idx=-4)),
                       err(lambda: nn.EmbeddingBag(3, 2, padding_idx=5))],
        "weight_shape": err(lambda: nn.Embedding(3, 2, _weight=torch.zeros(2, 2))),
        "pretrained_dim": err(lambda: nn.Embedding.from_pretrained(torch.zeros(3))),
        "bag_mode": err(lambda: F.embedding_bag(torch.tensor([1]), w, torch.tensor([0]), mode="min")),
        # (the message ends with the offsets' type: torch.Tensor there, rstorch's Tensor here)
        "bag_2d_offsets": err(lambda: F.embedding_bag(torch.tensor([[1]]), w, torch.tensor([0])))[1].split(" of type")[0],
        "bag_no_offsets": err(lambda: F.embedding_bag(torch.tensor([1]), w)),
        "bag_offsets_2d": err(lambda: F.embedding_bag(torch.tensor([1]), w, torch.tensor([[0]]))),
        "bag_3d": err(lambda: F.embedding_bag(torch.zeros(1, 1, 1, dtype=torch.long), w)),
        "bag_w": err(lambda: F.embedding_bag(torch.tensor([1]), torch.randn(3), torch.tensor([0]))),
        "bag_psw_shape": err(lambda: F.embedding_bag(torch.tensor([1, 2]), w, torch.tensor([0]),
                                                     per_sample_weights=torch.ones(3))),
        "bag_psw_mode": err(lambda: F.embedding_bag(torch.tensor([1, 2]), w, torch.tensor([0]),
                                                    per_sample_weights=torch.ones(2))),
        "bag_max_freq": err(lambda: F.embedding_bag(torch.tensor([1, 2]), w, torch.tensor([0]), mode="max",
                                                    scale_grad_by_freq=True)),
        "bag_offset0": err(lambda: F.embedding_bag(torch.tensor([1, 2]), w, torch.tensor([1]))),
        "bag_offset_last": err(lambda: F.embedding_bag(torch.tensor([1, 2]), w, torch.tensor([0, 3]))),
        "reprs": [repr(nn.Embedding(3, 2)), repr(nn.Embedding(3, 2, padding_idx=1, max_norm=2.0, norm_type=1.0,
                                                              scale_grad_by_freq=True, sparse=True)),
                  repr(nn.EmbeddingBag(3, 2)), repr(nn.EmbeddingBag(3, 2, max_norm=1.0, mode="max", padding_idx=0))],
    }


# ---------------------------------------------------------------------- padding, shuffles, distances

@case("approx")
def pad_values(torch):
    F = torch.nn.functional
    x1 = rnd(torch, 2, 3, 5, seed=91)
    x2 = rnd(torch, 2, 2, 4, 5, seed=92)
    x3 = rnd(torch, 1, 2, 3, 4, 5, seed=93)
    out = {}
    for mode in ("constant", "reflect", "replicate", "circular"):
        cases = [(x1, (2, 3)), (x1, (-1, 2)), (x1, (0, 4)), (x1[0], (1, 1)), (x2, (1, 2, 3, 0)), (x2, (-1, 3, 2, -2)),
                 (x2[0], (2, 2, 1, 1)), (x3, (1, 0, 2, 1, 1, 2)), (x3[0], (3, 1, 0, 2, 2, -1))]
        if mode == "replicate":
            cases.append((x1, (7, 9)))
        if mode == "circular":
            cases += [(x1, (5, 5)), (x1, (3, -2))]
        out[mode] = [value_and_grads(torch, lambda x: F.pad(x, p, mode=mode), x) for x, p in cases]
    out["constant_more"] = [
        value_and_grads(torch, lambda x: F.pad(x, (1, 1, 2, 0, 1, 1), value=2.5), x1),
        value_and_grads(torch, lambda x: F.pad(x, [-1, -2, 0, 0, -1, 0]), x1),
        value_and_grads(torch, lambda x: F.pad(x, ()), x1),
        value_and_grads(torch, lambda x: F.pad(x, (1, 2), value=-1.0), x1[0, 0]),
    ]
    out["int"] = [T(F.pad(torch.tensor([1, 2]), (1, 1), value=2.5)),
                  T(F.pad(torch.tensor([[[1, 2, 3]]]), (1, 2), mode="reflect")),
                  T(F.pad(torch.arange(5.).view(1, 1, 5), (-2, 2), mode="replicate"))]
    return out


@case("text")
def pad_errors(torch):
    F = torch.nn.functional
    x = torch.randn(1, 2, 4)
    x4 = torch.randn(1, 2, 4, 3)
    x5 = torch.randn(1, 2, 4, 3, 5)
    cases = {
        "odd": lambda: F.pad(x, (1,)), "long": lambda: F.pad(x, (1, 1, 1, 1, 1, 1, 1, 1)),
        "mode": lambda: F.pad(x, (1, 1), mode="foo"), "value": lambda: F.pad(x, (1, 1), mode="reflect", value=1.0),
        "neg_const": lambda: F.pad(x, (-3, -2)), "refl_big": lambda: F.pad(x, (4, 1), mode="reflect"),
        "refl_big_r": lambda: F.pad(x, (1, 4), mode="reflect"), "refl_neg_big": lambda: F.pad(x, (-3, -2), mode="reflect"),
        "refl_2d_big": lambda: F.pad(x4, (1, 1, 4, 0), mode="reflect"),
        "refl_2d_bigw": lambda: F.pad(x4, (3, 1, 1, 0), mode="reflect"),
        "refl3d_bigD": lambda: F.pad(x5, (1, 1, 1, 1, 4, 1), mode="reflect"),
        "refl3d_bigH": lambda: F.pad(x5, (1, 1, 3, 1, 1, 1), mode="reflect"),
        "refl_1d_in": lambda: F.pad(torch.randn(4), (1, 1), mode="reflect"),
        "refl_4d_1pad": lambda: F.pad(x4, (1, 1), mode="reflect"),
        "refl_2d_on_2d": lambda: F.pad(torch.randn(3, 3), (1, 1, 1, 1), mode="circular"),
        "refl_empty2": lambda: F.pad(torch.randn(1, 0, 4), (1, 1), mode="reflect"),
        "rep_empty3": lambda: F.pad(torch.randn(1, 2, 0), (1, 1), mode="replicate"),
        "rep_empty_unb": lambda: F.pad(torch.randn(0, 3, 3), (1, 1, 1, 1), mode="replicate"),
        "rep_neg_big": lambda: F.pad(x, (-3, -2), mode="replicate"),
        "rep_2d_neg": lambda: F.pad(x4, (1, 1, -3, -2), mode="replicate"),
        "refl_2d_negW": lambda: F.pad(x4, (-3, -2, 1, 1), mode="reflect"),
        "rep_3d_neg": lambda: F.pad(x5, (1, 1, 1, 1, -3, -2), mode="replicate"),
        "circ_big": lambda: F.pad(x, (5, 1), mode="circular"), "circ_big_r": lambda: F.pad(x, (1, 5), mode="circular"),
        "circ_neg_big": lambda: F.pad(x, (-3, -2), mode="circular"),
        "circ_2d_big": lambda: F.pad(x4, (1, 1, 5, 0), mode="circular"),
        "circ_empty_dim": lambda: F.pad(torch.randn(1, 2, 0), (1, 1), mode="circular"),
        "pad_float": lambda: F.pad(torch.randn(2, 4), (1.5, 1)),
        "pad_tensor": lambda: F.pad(torch.randn(2, 4), torch.tensor([1, 1])),
        "module_circ": lambda: torch.nn.CircularPad2d(1)(torch.randn(3, 3)),
        "module_circ3": lambda: torch.nn.CircularPad3d(1)(torch.randn(3, 3, 3)),
    }
    out = {k: err(f) for k, f in cases.items()}
    out["ok_shapes"] = [list(F.pad(torch.randn(0, 2, 4), (1, 1), mode="reflect").shape),
                        list(F.pad(torch.randn(0, 2, 4), (1, 1), mode="circular").shape),
                        list(F.pad(torch.randn(1, 2, 0), (0, 0), mode="circular").shape),
                        list(F.pad(torch.randn(1, 2, 4), (-2, -2)).shape)]
    return out


@case("approx")
def pad_modules(torch):
    nn = torch.nn
    x1 = rnd(torch, 2, 3, 5, seed=94)
    x2 = rnd(torch, 1, 2, 4, 5, seed=95)
    x3 = rnd(torch, 1, 2, 3, 4, 5, seed=96)
    mods = [(nn.ZeroPad1d(2), x1), (nn.ZeroPad1d((1, 3)), x1), (nn.ZeroPad2d(1), x2), (nn.ZeroPad2d((1, 0, 2, 1)), x2),
            (nn.ZeroPad3d(1), x3), (nn.ConstantPad1d(2, 3.5), x1), (nn.ConstantPad2d((1, 1, 0, 2), -1.0), x2),
            (nn.ConstantPad3d((1, 0, 0, 1, 1, 0), 2.0), x3), (nn.ReflectionPad1d(2), x1), (nn.ReflectionPad2d(1), x2),
            (nn.ReflectionPad2d((2, 1, 0, 3)), x2), (nn.ReflectionPad3d(1), x3), (nn.ReplicationPad1d((3, 1)), x1),
            (nn.ReplicationPad2d(2), x2), (nn.ReplicationPad3d((1, 2, 0, 1, 2, 0)), x3), (nn.CircularPad1d(2), x1),
            (nn.CircularPad2d((1, 2, 3, 0)), x2), (nn.CircularPad3d(1), x3)]
    return [value_and_grads(torch, m, x) for m, x in mods]


@case("approx")
def shuffle_distance_values(torch):
    F, nn = torch.nn.functional, torch.nn
    x = rnd(torch, 2, 8, 3, 2, seed=101)
    a, b = rnd(torch, 4, 5, seed=102), rnd(torch, 4, 5, seed=103)
    return {
        "pixel_shuffle": value_and_grads(torch, lambda x: F.pixel_shuffle(x, 2), x),
        "pixel_shuffle_5d": value_and_grads(torch, lambda x: F.pixel_shuffle(x.view(1, 2, 8, 3, 2), 2), x),
        "pixel_shuffle_3d": value_and_grads(torch, lambda x: F.pixel_shuffle(x[0], 2), x),
        "pixel_unshuffle": value_and_grads(torch, lambda x: F.pixel_unshuffle(x.view(2, 2, 6, 4), 2), x),
        "roundtrip": T(F.pixel_unshuffle(F.pixel_shuffle(x, 2), 2) - x),
        "modules": [T(nn.PixelShuffle(2)(x)), T(nn.PixelUnshuffle(1)(x)), T(nn.ChannelShuffle(4)(x))],
        "channel_shuffle": value_and_grads(torch, lambda x: F.channel_shuffle(x, 2), x),
        "native_channel_shuffle": T(F.native_channel_shuffle(x, 4)),
        "cosine": value_and_grads(torch, lambda a, b: F.cosine_similarity(a, b), a, b),
        "cosine_dim0": value_and_grads(torch, lambda a, b: F.cosine_similarity(a, b, 0, 1e-3), a, b),
        "cosine_bcast": value_and_grads(torch, lambda a, b: F.cosine_similarity(a, b[:1], dim=-1), a, b),
        "cosine_zero": value_and_grads(torch, lambda a, b: F.cosine_similarity(a * 0, b), a, b),
        "pairwise": value_and_grads(torch, lambda a, b: F.pairwise_distance(a, b), a, b),
        "pairwise_p1": value_and_grads(torch, lambda a, b: F.pairwise_distance(a, b, 1.0, 0.1, True), a, b),
        "pairwise_inf": value_and_grads(torch, lambda a, b: F.pairwise_distance(a, b, math.inf), a, b),
        "pairwise_bcast": value_and_grads(torch, lambda a, b: F.pairwise_distance(a, b[0]), a, b),
        "pairwise_1d": T(F.pairwise_distance(a[0], b[0])),
        "distance_modules": [T(nn.PairwiseDistance(3.0)(a, b)), T(nn.PairwiseDistance(keepdim=True)(a, b)),
                             T(nn.CosineSimilarity(0)(a, b)), T(nn.CosineSimilarity(eps=0.5)(a * 0.01, b))],
        "normalize": value_and_grads(torch, lambda a: F.normalize(a), a),
        "normalize_p1_dim0": value_and_grads(torch, lambda a: F.normalize(a, 1.0, 0), a),
        "normalize_zero": T(F.normalize(torch.zeros(2, 3))),
        "one_hot": [T(F.one_hot(torch.tensor([3, 0, 1]))), T(F.one_hot(torch.tensor([[1, 0], [2, 2]]), 4)),
                    T(F.one_hot(torch.tensor([], dtype=torch.long), 3)), T(F.one_hot(torch.tensor(2), 3))],
    }


@case("text")
def misc_errors(torch):
    F = torch.nn.functional
    cases = {
        "one_hot_neg": lambda: F.one_hot(torch.tensor([1, -1])),
        "one_hot_big": lambda: F.one_hot(torch.tensor([1, 3]), 3),
        "one_hot_dtype": lambda: F.one_hot(torch.tensor([1., 3.])),
        "one_hot_int32": lambda: F.one_hot(torch.tensor([1, 3], dtype=torch.int32)),
        "one_hot_empty": lambda: F.one_hot(torch.tensor([], dtype=torch.long)),
        "one_hot_m2": lambda: F.one_hot(torch.tensor([1]), -2),
        "ps_dim": lambda: F.pixel_shuffle(torch.randn(4, 4), 2),
        "ps_div": lambda: F.pixel_shuffle(torch.randn(1, 6, 2, 2), 2),
        "ps_neg": lambda: F.pixel_shuffle(torch.randn(1, 4, 2, 2), 0),
        "pu_dim": lambda: F.pixel_unshuffle(torch.randn(4, 4), 2),
        "pu_h": lambda: F.pixel_unshuffle(torch.randn(1, 1, 5, 4), 2),
        "pu_w": lambda: F.pixel_unshuffle(torch.randn(1, 1, 4, 5), 2),
        "pu_neg": lambda: F.pixel_unshuffle(torch.randn(1, 1, 4, 4), 0),
        "cs_dim": lambda: F.channel_shuffle(torch.randn(4, 4), 2),
        "cs_div": lambda: F.channel_shuffle(torch.randn(1, 5, 2), 2),
        "cs_neg": lambda: F.channel_shuffle(torch.randn(1, 4, 2), 0),
        "cos_int": lambda: F.cosine_similarity(torch.tensor([[1, 2]]), torch.tensor([[1, 2]])),
        "cos_bcast": lambda: F.cosine_similarity(torch.randn(2, 3), torch.randn(4, 3)),
        "cos_dim": lambda: F.cosine_similarity(torch.randn(3), torch.randn(3)),
        "pd_bcast": lambda: F.pairwise_distance(torch.randn(2, 3), torch.randn(4, 3)),
    }
    return {k: err(f) for k, f in cases.items()}


# ---------------------------------------------------------------------- reprs and signatures

@case("text")
def layer_reprs(torch):
    nn = torch.nn
    torch.manual_seed(0)
    mods = [
        nn.ReLU(), nn.ReLU(inplace=True), nn.ReLU6(True), nn.ELU(), nn.ELU(0.5, True), nn.CELU(2.0), nn.SELU(True),
        nn.GELU(), nn.GELU("tanh"), nn.SiLU(True), nn.Mish(), nn.LeakyReLU(), nn.LeakyReLU(0.2, True), nn.PReLU(),
        nn.PReLU(3, 0.1), nn.RReLU(), nn.RReLU(0.1, 0.3, True), nn.Threshold(0.1, 20), nn.Threshold(0.5, -1.0, True),
        nn.Hardtanh(), nn.Hardtanh(-2, 2, True), nn.Hardsigmoid(True), nn.Hardswish(), nn.Sigmoid(), nn.Tanh(),
        nn.LogSigmoid(), nn.Softplus(), nn.Softplus(2, 10), nn.Softsign(), nn.Softmax(), nn.Softmax(1),
        nn.LogSoftmax(-1), nn.Softmin(0), nn.Softmax2d(), nn.Tanhshrink(), nn.Softshrink(), nn.Hardshrink(0.2),
        nn.GLU(), nn.Dropout(), nn.Dropout(0.2, True), nn.Dropout1d(0.1), nn.Dropout2d(), nn.Dropout3d(0.3),
        nn.AlphaDropout(0.2), nn.FeatureAlphaDropout(), nn.L1Loss(), nn.MSELoss(reduction="sum"),
        nn.CrossEntropyLoss(), nn.CrossEntropyLoss(torch.ones(3), label_smoothing=0.1), nn.NLLLoss(), nn.BCELoss(),
        nn.BCEWithLogitsLoss(pos_weight=torch.ones(2)), nn.SmoothL1Loss(), nn.HuberLoss(), nn.SoftMarginLoss(),
        nn.MultiLabelSoftMarginLoss(), nn.MultiLabelMarginLoss(), nn.MultiMarginLoss(), nn.MarginRankingLoss(),
        nn.HingeEmbeddingLoss(), nn.CosineEmbeddingLoss(), nn.KLDivLoss(), nn.PoissonNLLLoss(), nn.GaussianNLLLoss(),
        nn.TripletMarginLoss(), nn.TripletMarginWithDistanceLoss(), nn.BatchNorm1d(3), nn.BatchNorm2d(4, 1e-3, None),
        nn.BatchNorm3d(2, affine=False, track_running_stats=False), nn.BatchNorm1d(3, bias=False),
        nn.InstanceNorm1d(3), nn.InstanceNorm2d(3, affine=True), nn.InstanceNorm3d(2, track_running_stats=True),
        nn.LayerNorm(4), nn.LayerNorm([2, 3], 1e-6, False), nn.LayerNorm(4, bias=False), nn.GroupNorm(2, 4),
        nn.GroupNorm(1, 3, affine=False), nn.LocalResponseNorm(2), nn.LocalResponseNorm(3, 1e-3, 0.5, 2.0),
        nn.RMSNorm(4), nn.RMSNorm([2, 3], eps=1e-5, elementwise_affine=False), nn.Embedding(4, 3),
        nn.EmbeddingBag(4, 3, mode="sum"), nn.ZeroPad1d(1), nn.ZeroPad2d((1, 2, 3, 4)), nn.ZeroPad3d(2),
        nn.ConstantPad1d(2, 3.5), nn.ConstantPad2d(1, 0), nn.ConstantPad3d((1, 2, 3, 4, 5, 6), -1.0),
        nn.ReflectionPad1d(2), nn.ReflectionPad2d((1, 0, 1, 0)), nn.ReflectionPad3d(1), nn.ReplicationPad1d((1, 2)),
        nn.ReplicationPad2d(3), nn.ReplicationPad3d(1), nn.CircularPad1d(1), nn.CircularPad2d((1, 1, 2, 2)),
        nn.CircularPad3d(3), nn.PixelShuffle(2), nn.PixelUnshuffle(3), nn.ChannelShuffle(2), nn.PairwiseDistance(),
        nn.CosineSimilarity(),
    ]
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(True), nn.Dropout(0.25), nn.Linear(8, 3),
                          nn.LogSoftmax(1))
    return [repr(m) for m in mods] + [repr(model), [type(m).__module__ for m in (mods[0], mods[40], mods[50], mods[65])]]


def _sig(obj):
    """A signature without annotations (torch annotates, rstorch does not)."""
    try:
        s = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    parts, star = [], False
    for p in s.parameters.values():
        if p.kind is p.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        if p.kind is p.VAR_POSITIONAL:
            parts.append("*" + p.name)
            star = True
        elif p.kind is p.VAR_KEYWORD:
            parts.append("**" + p.name)
        elif p.default is p.empty:
            parts.append(p.name)
        else:
            parts.append(f"{p.name}={p.default!r}")
    return "(" + ", ".join(parts) + ")"


# the functions torch implements in C++ (no Python signature): their documented signatures
_BUILTIN_SIGS = {
    "threshold_": "(input, threshold, value)", "relu_": "(input)", "elu_": "(input, alpha=1.0)", "selu_": "(input)",
    "celu_": "(input, alpha=1.0)", "gelu": "(input, approximate='none')", "prelu": "(input, weight)",
    "leaky_relu_": "(input, negative_slope=0.01)", "rrelu_": "(input, lower=0.125, upper=0.3333333333333333, training=False)",
    "hardtanh_": "(input, min_val=-1.0, max_val=1.0)", "logsigmoid": "(input)",
    "softplus": "(input, beta=1.0, threshold=20.0)", "softshrink": "(input, lambd=0.5)",
    "hardshrink": "(input, lambd=0.5)", "pixel_shuffle": "(input, upscale_factor)",
    "pixel_unshuffle": "(input, downscale_factor)", "channel_shuffle": "(input, groups)",
    "native_channel_shuffle": "(input, groups)", "cosine_similarity": "(x1, x2, dim=1, eps=1e-08)",
    "pairwise_distance": "(x1, x2, p=2.0, eps=1e-06, keepdim=False)", "one_hot": "(tensor, num_classes=-1)",
}

FUNCTIONS = ["threshold", "threshold_", "relu", "relu_", "relu6", "elu", "elu_", "selu", "selu_", "celu", "celu_",
             "gelu", "silu", "mish", "prelu", "leaky_relu", "leaky_relu_", "rrelu", "rrelu_", "hardtanh", "hardtanh_",
             "hardsigmoid", "hardswish", "sigmoid", "tanh", "logsigmoid", "softplus", "softsign", "softmax",
             "log_softmax", "softmin", "gumbel_softmax", "tanhshrink", "softshrink", "hardshrink", "glu", "dropout",
             "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout", "l1_loss", "mse_loss",
             "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
             "smooth_l1_loss", "huber_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
             "multilabel_margin_loss", "multi_margin_loss", "margin_ranking_loss", "hinge_embedding_loss",
             "cosine_embedding_loss", "kl_div", "poisson_nll_loss", "gaussian_nll_loss", "triplet_margin_loss",
             "triplet_margin_with_distance_loss", "batch_norm", "instance_norm", "layer_norm", "group_norm",
             "local_response_norm", "rms_norm", "embedding", "embedding_bag", "one_hot", "pad", "pixel_shuffle",
             "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle", "cosine_similarity",
             "pairwise_distance", "normalize"]

LAYERS = ["Threshold", "ReLU", "RReLU", "Hardtanh", "ReLU6", "Sigmoid", "Hardsigmoid", "Tanh", "SiLU", "Mish",
          "Hardswish", "ELU", "CELU", "SELU", "GLU", "GELU", "Hardshrink", "LeakyReLU", "LogSigmoid", "Softplus",
          "Softshrink", "PReLU", "Softsign", "Tanhshrink", "Softmin", "Softmax", "Softmax2d", "LogSoftmax",
          "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout",
          "L1Loss", "NLLLoss", "NLLLoss2d", "PoissonNLLLoss", "GaussianNLLLoss", "KLDivLoss", "MSELoss", "BCELoss",
          "BCEWithLogitsLoss", "HingeEmbeddingLoss", "MultiLabelMarginLoss", "SmoothL1Loss", "HuberLoss",
          "SoftMarginLoss", "CrossEntropyLoss", "MultiLabelSoftMarginLoss", "CosineEmbeddingLoss", "MarginRankingLoss",
          "MultiMarginLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss", "BatchNorm1d", "BatchNorm2d",
          "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LayerNorm", "GroupNorm",
          "LocalResponseNorm", "RMSNorm", "Embedding", "EmbeddingBag", "CircularPad1d", "CircularPad2d",
          "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d",
          "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d",
          "ZeroPad3d", "PixelShuffle", "PixelUnshuffle", "ChannelShuffle", "PairwiseDistance", "CosineSimilarity"]


@case("text")
def signatures(torch):
    F, nn = torch.nn.functional, torch.nn
    funcs = {}
    for name in FUNCTIONS:
        s = _sig(getattr(F, name))
        funcs[name] = s if s is not None else _BUILTIN_SIGS[name]
    layers = {}
    for name in LAYERS:
        cls = getattr(nn, name)
        layers[name] = [_sig(cls.__init__), _sig(cls.forward), list(getattr(cls, "__constants__", []))]
    extra = {"Embedding.from_pretrained": _sig(nn.Embedding.from_pretrained),
             "EmbeddingBag.from_pretrained": _sig(nn.EmbeddingBag.from_pretrained)}
    return {"functions": funcs, "layers": layers, "extra": extra}


# ---------------------------------------------------------------------- training with BatchNorm and Dropout

def bn_model(torch):
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(8, 16)
            self.bn1 = nn.BatchNorm1d(16)
            self.drop = nn.Dropout(0.3)
            self.bn2 = nn.BatchNorm2d(4, momentum=None)
            self.drop2 = nn.Dropout2d(0.25)
            self.fc2 = nn.Linear(16, 12)
            self.ln = nn.LayerNorm(12)
            self.head = nn.Sequential(nn.GELU(), nn.Linear(12, 3))

        def forward(self, x):
            x = self.drop(torch.nn.functional.relu(self.bn1(self.fc1(x))))
            x = self.drop2(self.bn2(x.view(-1, 4, 2, 2))).flatten(1)
            return self.head(self.ln(self.fc2(x)))

    return Net()


@case("approx")
def bn_dropout_training(torch):
    """A model with BatchNorm and Dropout: manual SGD steps in train mode (dropout masks from the
    generator, batch statistics), then eval mode (running statistics, no dropout)."""
    torch.manual_seed(0)
    model = bn_model(torch)
    x = torch.randn(32, 8)
    y = torch.randint(0, 3, (32,))
    crit = torch.nn.CrossEntropyLoss(label_smoothing=0.05)
    train_losses = []
    for _ in range(6):
        loss = crit(model(x), y)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
        train_losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        eval_losses = [crit(model(x), y).item(), crit(model(x * 0.5), y).item()]
    return {"train": train_losses, "eval": eval_losses, "repr": repr(model),
            "state": {k: T(v) for k, v in model.state_dict().items()}}
