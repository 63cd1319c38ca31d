"""Cases of the fused kernels (cross_entropy, batch_norm, linear), recorded from torch like those
of nn_cases.py (which imports this module, so record_torch.py and test_torch_parity.py see them
in the one CASES table): values and gradients over the options, errors, node names."""

from nn_cases import T, case, err
from nn_cases_layers import rnd, value_and_grads


def _labels(torch, shape, c, seed=3):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, c, shape, generator=g)


@case("approx")
def fused_cross_entropy(torch):
    """Values and input gradients over reductions, weights, ignore_index, label smoothing and
    K-dimensional inputs, float32 and float64."""
    F = torch.nn.functional
    out = {}
    for dtype in (torch.float32, torch.float64):
        dn = str(dtype).rsplit(".", 1)[-1]
        for shape in [(8, 5), (4, 5, 3), (2, 5, 2, 3), (5,)]:
            c = shape[0] if len(shape) == 1 else shape[1]
            x = rnd(torch, *shape, seed=11, dtype=dtype, scale=2.0)
            t = _labels(torch, () if len(shape) == 1 else (shape[0],) + shape[2:], c)
            w = torch.linspace(0.5, 2.0, c, dtype=dtype)
            tig = t.clone()
            if tig.dim():
                tig.view(-1)[::3] = 1
            for red in ("mean", "sum", "none"):
                for name, kw, tt in [("plain", {}, t), ("weight", {"weight": w}, t),
                                     ("ignore", {"ignore_index": 1}, tig),
                                     ("smooth", {"label_smoothing": 0.15}, t),
                                     ("all", {"weight": w, "ignore_index": 1, "label_smoothing": 0.3}, tig)]:
                    key = f"{dn}_{'x'.join(map(str, shape))}_{red}_{name}"
                    out[key] = value_and_grads(torch, lambda a: F.cross_entropy(a, tt, reduction=red, **kw), x)
    # every target ignored: mean is nan (0 / 0), sum 0; empty batches
    x = rnd(torch, 3, 4, seed=2)
    out["all_ignored"] = [T(F.cross_entropy(x, torch.full((3,), -100))),
                          T(F.cross_entropy(x, torch.full((3,), -100), reduction="sum"))]
    e = torch.zeros(0, 4)
    out["empty"] = [T(F.cross_entropy(e, torch.zeros(0, dtype=torch.long), reduction=r)) for r in ("mean", "sum", "none")]
    # inf and nan logits
    xs = torch.tensor([[0.0, float("inf"), 1.0], [1.0, 2.0, float("nan")], [-float("inf"), 0.0, 1.0], [1e30, -1e30, 0.0]])
    out["specials"] = T(F.cross_entropy(xs, torch.tensor([1, 0, 2, 0]), reduction="none"))
    # uint8 targets
    out["byte_target"] = T(F.cross_entropy(x, torch.tensor([0, 3, 1], dtype=torch.uint8)))
    out["module"] = value_and_grads(torch, torch.nn.CrossEntropyLoss(label_smoothing=0.1), x, torch.tensor([0, 3, 1]))
    return out


@case("approx")
def fused_cross_entropy_errors(torch):
    F = torch.nn.functional
    x = torch.zeros(3, 4)
    return [
        err(lambda: F.cross_entropy(x, torch.tensor([1, 12, 0]))),
        err(lambda: F.cross_entropy(x, torch.tensor([1, -1, 0]))),
        err(lambda: F.cross_entropy(x, torch.tensor([-100, 4, 0]))),
        err(lambda: F.cross_entropy(x, torch.tensor([1, 7, 0]), ignore_index=7)),
        err(lambda: F.cross_entropy(torch.zeros(2, 3, 2), torch.tensor([[0, 3], [1, 1]]))),
        err(lambda: F.cross_entropy(x, torch.tensor([1, 2, 0], dtype=torch.int32))),
        err(lambda: F.cross_entropy(x, torch.tensor([1.0, 2.0, 0.0]))),
        err(lambda: F.cross_entropy(x, torch.tensor([1, 2]))),
        err(lambda: F.cross_entropy(x, torch.tensor([1, 2, 0]), torch.ones(5))),
        err(lambda: F.cross_entropy(x, torch.tensor([1, 2, 0]), torch.ones(4, dtype=torch.float64))),
        err(lambda: F.cross_entropy(x, torch.tensor([1, 2, 0]), label_smoothing=1.5)),
        err(lambda: F.cross_entropy(torch.zeros(2, 3, 4), torch.zeros(2, 3, dtype=torch.long))),
    ]


@case("approx")
def fused_batch_norm(torch):
    """BatchNorm forward and backward (input, weight, bias) in training and evaluation mode,
    running statistics after each step (momentum, momentum=None), affine=False, no running
    statistics, float64."""
    nn = torch.nn
    out = {}
    for cls, shape in [(nn.BatchNorm1d, (8, 3)), (nn.BatchNorm1d, (4, 3, 5)), (nn.BatchNorm2d, (4, 3, 5, 6)),
                       (nn.BatchNorm3d, (2, 3, 2, 3, 4))]:
        for kw in ({}, {"momentum": None}, {"affine": False}, {"track_running_stats": False}, {"momentum": 0.3}):
            torch.manual_seed(0)
            m = cls(3, **kw)
            if m.weight is not None:
                with torch.no_grad():
                    m.weight.copy_(torch.linspace(0.5, 1.5, 3))
                    m.bias.copy_(torch.linspace(-0.2, 0.3, 3))
            key = f"{cls.__name__}_{'x'.join(map(str, shape))}_{'_'.join(f'{k}={v}' for k, v in kw.items()) or 'default'}"
            steps = []
            for s in range(2):
                x = rnd(torch, *shape, seed=20 + s, scale=1.5) + 0.5
                xr = x.clone().requires_grad_(True)
                y = m(xr)
                w = rnd(torch, *shape, seed=30 + s)
                (y * w).sum().backward()
                steps.append([T(y), T(xr.grad)] + ([T(m.weight.grad), T(m.bias.grad)] if m.weight is not None else []))
                m.zero_grad()
            state = {k: T(v) for k, v in m.state_dict().items()}
            m.eval()
            x = rnd(torch, *shape, seed=40).requires_grad_(True)
            y = m(x)
            y.sum().backward()
            out[key] = {"steps": steps, "state": state, "eval": [T(y), T(x.grad)], "grad_fn": type(y.grad_fn).__name__}
    x = rnd(torch, 6, 4, 3, seed=5, dtype=torch.float64)
    rm, rv = torch.zeros(4, dtype=torch.float64), torch.ones(4, dtype=torch.float64)
    out["float64"] = value_and_grads(torch, lambda a, w, b: torch.nn.functional.batch_norm(a, rm, rv, w, b, True, 0.2),
                                     x, torch.linspace(1, 2, 4, dtype=torch.float64),
                                     torch.linspace(0, 1, 4, dtype=torch.float64))
    out["float64_running"] = [T(rm), T(rv)]
    r = torch.native_batch_norm(x, None, None, None, None, True, 0.1, 1e-5)
    out["native"] = [T(t) for t in r]
    r = torch.native_batch_norm(x, None, None, rm, rv, False, 0.1, 1e-5)
    out["native_eval"] = [T(t) for t in r]
    out["torch_batch_norm"] = T(torch.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, False))
    return out


@case("approx")
def fused_node_names(torch):
    F = torch.nn.functional
    x = rnd(torch, 4, 5).requires_grad_(True)
    t = torch.tensor([0, 1, 4, 2])
    lin = torch.nn.Linear(5, 3)
    nolin = torch.nn.Linear(5, 3, bias=False)
    bn = torch.nn.BatchNorm1d(5)
    names = {
        "cross_entropy": F.cross_entropy(x, t).grad_fn,
        "cross_entropy_none": F.cross_entropy(x, t, reduction="none").grad_fn,
        "linear": lin(x).grad_fn,
        "linear_no_bias": nolin(x).grad_fn,
        "batch_norm_train": bn(x).grad_fn,
        "batch_norm_eval": bn.eval()(x).grad_fn,
    }
    return {k: type(v).__name__ for k, v in names.items()}


@case("approx")
def fused_linear(torch):
    """linear on 1-D, 2-D and 3-D inputs, with and without bias: values and gradients."""
    F = torch.nn.functional
    w = rnd(torch, 3, 5, seed=1)
    b = rnd(torch, 3, seed=2)
    out = {}
    for shape in [(5,), (4, 5), (2, 4, 5)]:
        x = rnd(torch, *shape, seed=3)
        out[f"bias_{len(shape)}d"] = value_and_grads(torch, F.linear, x, w, b)
        out[f"nobias_{len(shape)}d"] = value_and_grads(torch, F.linear, x, w)
    out["errors"] = [err(lambda: F.linear(torch.zeros(2, 4), w, b)), err(lambda: F.linear(torch.zeros(2, 4), w))]
    return out


@case("approx")
def fused_layer_norm(torch):
    """LayerNorm forward and backward (input, weight, bias) over 1 and 2 normalized dims, without
    affine, float64, and torch.native_layer_norm's statistics."""
    nn = torch.nn
    out = {}
    for shape, ns, kw in [((4, 6), (6,), {}), ((2, 3, 5), (3, 5), {}), ((3, 4, 5), (5,), {"elementwise_affine": False}),
                          ((2, 3, 4), (4,), {"bias": False})]:
        torch.manual_seed(0)
        m = nn.LayerNorm(ns, **kw)
        if m.weight is not None:
            with torch.no_grad():
                m.weight.copy_(torch.linspace(0.5, 1.5, m.weight.numel()).view(m.weight.shape))
                if m.bias is not None:
                    m.bias.copy_(torch.linspace(-0.3, 0.2, m.bias.numel()).view(m.bias.shape))
        x = rnd(torch, *shape, seed=50, scale=2.0).requires_grad_(True)
        y = m(x)
        (y * rnd(torch, *shape, seed=51)).sum().backward()
        key = f"{'x'.join(map(str, shape))}_{'_'.join(f'{k}={v}' for k, v in kw.items()) or 'default'}"
        out[key] = [T(y), T(x.grad)] + [T(p.grad) for p in m.parameters()] + [type(y.grad_fn).__name__]
    x = rnd(torch, 3, 4, seed=5, dtype=torch.float64)
    out["native"] = [T(t) for t in torch.native_layer_norm(x, [4], None, None, 1e-5)]
    return out
