"""Cases of pooling (max/avg/adaptive/lp pooling, max-unpooling: values, indices, gradients,
reprs, errors), recorded from torch like those of nn_cases.py (which imports this module, so
record_torch.py and test_torch_parity.py see them in the one CASES table). Inputs come from
seeded generators: rstorch's draws are torch's, so both libraries see the same numbers."""

from nn_cases import T, case, err
from nn_cases_layers import rnd


def _vg(torch, fn, x, seed=7):
    """[outputs..., grad of x] of `sum(out * w)` over the float outputs (w random)."""
    x = x.detach().clone().requires_grad_(True)
    out = fn(x)
    outs = list(out) if isinstance(out, tuple) else [out]
    loss = 0
    for i, o in enumerate(outs):
        if o.is_floating_point():
            loss = loss + (o * rnd(torch, *o.shape, seed=seed + i, dtype=o.dtype)).sum()
    loss.backward()
    return [T(o) for o in outs] + [T(x.grad)]


def _max_fns(torch):
    F = torch.nn.functional
    return {
        "mp1": lambda x: F.max_pool1d(x.flatten(2), 3, return_indices=True),
        "mp1_pad_dil": lambda x: F.max_pool1d(x.flatten(2), 3, 2, 1, 2, return_indices=True),
        "mp1_ceil": lambda x: F.max_pool1d(x.flatten(2), 4, 3, ceil_mode=True, return_indices=True),
        "mp2": lambda x: F.max_pool2d(x, 2, return_indices=True),
        "mp2_s1": lambda x: F.max_pool2d(x, 3, 1, return_indices=True),
        "mp2_pad": lambda x: F.max_pool2d(x, 3, 2, 1, return_indices=True),
        "mp2_dil": lambda x: F.max_pool2d(x, (2, 3), (1, 2), (1, 0), (2, 1), return_indices=True),
        "mp2_ceil": lambda x: F.max_pool2d(x, 2, 2, ceil_mode=True, return_indices=True),
        "mp2_ceil_pad": lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True),
        "mp2_unbatched": lambda x: F.max_pool2d(x[0], 2, return_indices=True),
        "mp2_noidx": lambda x: F.max_pool2d(x, (3, 2)),
        "tmp2": lambda x: torch.max_pool2d(x, 2, 1, 1, 1, True),
        "tmp1": lambda x: torch.max_pool1d(x.flatten(2), 2),
        "tmp1i": lambda x: torch.max_pool1d_with_indices(x.flatten(2), 3, 2, 1),
        "mp3": lambda x: F.max_pool3d(x.unsqueeze(1), 2, return_indices=True),
        "mp3_pad_dil_ceil": lambda x: F.max_pool3d(x.unsqueeze(1), (2, 3, 2), (1, 2, 2), (1, 1, 0), (1, 1, 2),
                                                   ceil_mode=True, return_indices=True),
        "mp3_unbatched": lambda x: F.max_pool3d(x, 2, return_indices=True),
        "tmp3": lambda x: torch.max_pool3d(x.unsqueeze(1), 2),
        "amp1": lambda x: F.adaptive_max_pool1d(x.flatten(2), 5, return_indices=True),
        "amp2": lambda x: F.adaptive_max_pool2d(x, (3, 4), return_indices=True),
        "amp2_none": lambda x: F.adaptive_max_pool2d(x, (None, 2), return_indices=True),
        "amp2_big": lambda x: F.adaptive_max_pool2d(x, 9, return_indices=True),
        "amp3": lambda x: F.adaptive_max_pool3d(x.unsqueeze(1), (2, 3, 2), return_indices=True),
        "tamp1": lambda x: torch.adaptive_max_pool1d(x.flatten(2), 4),
    }


def _avg_fns(torch):
    F = torch.nn.functional
    return {
        "ap1": lambda x: F.avg_pool1d(x.flatten(2), 3),
        "ap1_pad": lambda x: F.avg_pool1d(x.flatten(2), 3, 2, 1),
        "ap1_nopad_count": lambda x: F.avg_pool1d(x.flatten(2), 3, 2, 1, count_include_pad=False),
        "ap1_ceil": lambda x: F.avg_pool1d(x.flatten(2), 4, 3, 2, ceil_mode=True),
        "ap2": lambda x: F.avg_pool2d(x, 2),
        "ap2_pad": lambda x: F.avg_pool2d(x, 3, 2, 1),
        "ap2_pad_nocount": lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
        "ap2_ceil": lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True),
        "ap2_ceil_nocount": lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        "ap2_div": lambda x: F.avg_pool2d(x, (2, 3), (1, 2), (1, 1), divisor_override=5),
        "ap2_unbatched": lambda x: F.avg_pool2d(x[0], 2, 1),
        "tap1": lambda x: torch.avg_pool1d(x.flatten(2), 2, 2, 1, True, False),
        "ap3": lambda x: F.avg_pool3d(x.unsqueeze(1), 2),
        "ap3_pad_ceil": lambda x: F.avg_pool3d(x.unsqueeze(1), (2, 3, 3), (1, 2, 2), (1, 1, 1), ceil_mode=True),
        "ap3_nocount_div": lambda x: F.avg_pool3d(x.unsqueeze(1), 3, 2, 1, count_include_pad=False),
        "ap3_div": lambda x: F.avg_pool3d(x.unsqueeze(1), 2, 1, divisor_override=3),
        "aap1": lambda x: F.adaptive_avg_pool1d(x.flatten(2), 5),
        "aap1_1": lambda x: F.adaptive_avg_pool1d(x.flatten(2), 1),
        "aap2": lambda x: F.adaptive_avg_pool2d(x, (3, 4)),
        "aap2_1": lambda x: F.adaptive_avg_pool2d(x, 1),
        "aap2_none": lambda x: F.adaptive_avg_pool2d(x, (None, 3)),
        "aap2_big": lambda x: F.adaptive_avg_pool2d(x, (8, 9)),
        "aap3": lambda x: F.adaptive_avg_pool3d(x.unsqueeze(1), (2, 3, 2)),
        "aap3_1": lambda x: F.adaptive_avg_pool3d(x.unsqueeze(1), 1),
        "lp1": lambda x: F.lp_pool1d(x.flatten(2).abs(), 2, 3),
        "lp2": lambda x: F.lp_pool2d(x.abs() + 0.1, 3, 2, 1),
        "lp2_ceil": lambda x: F.lp_pool2d(x.abs() + 0.1, 1.5, (2, 3), ceil_mode=True),
        "lp3": lambda x: F.lp_pool3d(x.unsqueeze(1).abs() + 0.1, 2, 2),
    }


@case("approx")
def pool_max(torch):
    x = rnd(torch, 2, 3, 7, 6, seed=1)
    return {name: _vg(torch, fn, x) for name, fn in _max_fns(torch).items()}


@case("approx")
def pool_avg(torch):
    x = rnd(torch, 2, 3, 7, 6, seed=2)
    return {name: _vg(torch, fn, x) for name, fn in _avg_fns(torch).items()}


@case("approx")
def pool_f64(torch):
    x = rnd(torch, 2, 2, 5, 6, seed=3, dtype=torch.float64)
    fns = {**_max_fns(torch), **_avg_fns(torch)}
    return {name: _vg(torch, fns[name], x) for name in ("mp2_pad", "mp3_pad_dil_ceil", "ap2_ceil_nocount", "ap3_pad_ceil",
                                                        "aap2", "amp2", "lp2")}


@case("exact")
def pool_ties_nan(torch):
    """torch picks the first maximum of a window, except that a NaN replaces it (the last NaN)."""
    F = torch.nn.functional
    nan, inf = float("nan"), float("inf")
    ties = torch.tensor([[[[1.0, 2.0, 2.0, 0.0], [2.0, 2.0, 1.0, 2.0], [0.0, 0.0, 0.0, 0.0], [5.0, 5.0, 5.0, 5.0]]]])
    nans = torch.tensor([[[[1.0, nan, 3.0, nan], [nan, 2.0, nan, 4.0], [-inf, -inf, inf, 1.0], [-inf, -inf, nan, inf]]]])
    out = {}
    for name, x in (("ties", ties), ("nans", nans)):
        out[name] = [[T(t) for t in F.max_pool2d(x, 2, return_indices=True)],
                     [T(t) for t in F.max_pool2d(x, 3, 1, 1, return_indices=True)],
                     [T(t) for t in F.adaptive_max_pool2d(x, (3, 2), return_indices=True)],
                     [T(t) for t in F.max_pool1d(x[0], 3, 1, return_indices=True)],
                     [T(t) for t in F.max_pool3d(x, (1, 2, 2), 1, return_indices=True)]]
    out["ints"] = [T(t) for t in F.max_pool2d((ties * 3).to(torch.int32), 2, 1, return_indices=True)]
    out["long_avg"] = T(F.avg_pool2d((ties * 3).long(), 3, 1, 1))
    out["long_avg_div"] = T(F.avg_pool2d((ties * 7).long() - 9, 2, 1, divisor_override=-2))
    out["half"] = [T(t.float()) for t in F.max_pool2d(nans.half(), 2, 1, return_indices=True)]
    return out


@case("approx")
def pool_unpool(torch):
    F = torch.nn.functional
    x = rnd(torch, 2, 3, 6, 8, seed=4)
    out = {}
    v, i = F.max_pool2d(x, 2, return_indices=True)
    out["unpool2"] = _vg(torch, lambda t: F.max_unpool2d(t, i, 2), v)
    out["unpool2_size"] = _vg(torch, lambda t: F.max_unpool2d(t, i, 2, output_size=(7, 9)), v)
    out["unpool2_full_size"] = T(F.max_unpool2d(v, i, 2, output_size=[2, 3, 7, 9]))
    v1, i1 = F.max_pool1d(x.flatten(2), 3, 2, 1, return_indices=True)
    out["unpool1"] = _vg(torch, lambda t: F.max_unpool1d(t, i1, 3, 2, 1, output_size=[48]), v1)
    v3, i3 = F.max_pool3d(x.unsqueeze(1), 2, return_indices=True)
    out["unpool3"] = _vg(torch, lambda t: F.max_unpool3d(t, i3, 2), v3)
    m = torch.nn.MaxUnpool2d(2)
    out["module"] = T(m(v, i))
    out["module_size"] = T(m(v, i, output_size=x.size()))
    return out


@case("approx")
def pool_modules(torch):
    nn = torch.nn
    x = rnd(torch, 2, 3, 8, 8, seed=5)
    mods = [nn.MaxPool2d(2), nn.MaxPool2d(3, 2, 1, ceil_mode=True), nn.AvgPool2d(3, 1, 1, count_include_pad=False),
            nn.AvgPool2d(2, divisor_override=3), nn.AdaptiveAvgPool2d((2, 3)), nn.AdaptiveMaxPool2d(3),
            nn.AdaptiveAvgPool2d((None, 4)), nn.LPPool2d(2, 2)]
    out = [T(m(x)) for m in mods]
    y = x.flatten(2)
    for m in (nn.MaxPool1d(3, 2), nn.AvgPool1d(4, 2, 1), nn.AdaptiveAvgPool1d(5), nn.AdaptiveMaxPool1d(5),
              nn.LPPool1d(1.5, 3)):
        out.append(T(m(y.abs())))
    z = x.unsqueeze(1)
    for m in (nn.MaxPool3d(2), nn.AvgPool3d(2, 1), nn.AdaptiveAvgPool3d(2), nn.AdaptiveMaxPool3d((1, 2, 3)),
              nn.LPPool3d(2, 2)):
        out.append(T(m(z.abs())))
    v, i = nn.MaxPool2d(2, return_indices=True)(x)
    out.append([T(v), T(i)])
    v, i = nn.AdaptiveMaxPool1d(3, return_indices=True)(y)
    out.append([T(v), T(i)])
    return out


@case("text")
def pool_reprs(torch):
    nn = torch.nn
    mods = [nn.MaxPool1d(3), nn.MaxPool1d(3, 2, 1, 2, True, True), nn.MaxPool2d(2), nn.MaxPool2d((3, 2), (2, 1), 1),
            nn.MaxPool3d(2, ceil_mode=True), nn.MaxUnpool1d(2), nn.MaxUnpool2d(2, 1), nn.MaxUnpool3d((2, 2, 1), padding=1),
            nn.AvgPool1d(3), nn.AvgPool1d(3, 2, 1, True, False), nn.AvgPool2d(2), nn.AvgPool2d((2, 3), 1, 1, divisor_override=2),
            nn.AvgPool3d(2), nn.AdaptiveMaxPool1d(3), nn.AdaptiveMaxPool2d((None, 3), True), nn.AdaptiveMaxPool3d(2),
            nn.AdaptiveAvgPool1d(4), nn.AdaptiveAvgPool2d((2, None)), nn.AdaptiveAvgPool3d(1), nn.LPPool1d(2, 3),
            nn.LPPool2d(1.5, (2, 3), 2, True), nn.LPPool3d(2, 2)]
    return [repr(m) for m in mods] + [repr(nn.Sequential(nn.MaxPool2d(2), nn.AdaptiveAvgPool2d(1)))]


@case("text")
def pool_shapes(torch):
    """Output shapes over a grid of arguments (values are checked elsewhere)."""
    F = torch.nn.functional
    out = []
    for size in (5, 6, 7):
        x = torch.zeros(1, 2, size, size + 1)
        for k in (1, 2, 3):
            for s in (1, 2, 3):
                for p in range(k // 2 + 1):
                    for d in (1, 2):
                        for ceil in (False, True):
                            r = err(lambda: F.max_pool2d(x, k, s, p, d, ceil))
                            shape = list(F.max_pool2d(x, k, s, p, d, ceil).shape) if r is None else r
                            r = err(lambda: F.avg_pool2d(x, k, s, p, ceil))
                            ashape = list(F.avg_pool2d(x, k, s, p, ceil).shape) if r is None else r
                            out.append([size, k, s, p, d, ceil, shape, ashape])
    out.append(list(F.max_pool2d(torch.zeros(0, 3, 5, 5), 2).shape))
    out.append(list(F.avg_pool2d(torch.zeros(0, 3, 5, 5), 2).shape))
    out.append(list(F.adaptive_avg_pool2d(torch.zeros(0, 3, 5, 5), 2).shape))
    out.append(list(F.adaptive_max_pool2d(torch.zeros(0, 3, 5, 5), 2).shape))
    out.append(list(F.max_pool3d(torch.zeros(0, 3, 4, 4, 4), 2).shape))
    out.append(list(F.adaptive_avg_pool2d(torch.zeros(1, 3, 5, 5), (0, 2)).shape))
    return out


@case("text")
def pool_errors(torch):
    F = torch.nn.functional
    y = torch.randn(1, 1, 4, 4)
    idx = torch.zeros(1, 1, 4, 4, dtype=torch.long)
    calls = [
        lambda: F.max_pool2d(y, 2, padding=2), lambda: F.max_pool2d(y, 5), lambda: F.max_pool2d(y, 2, stride=0),
        lambda: F.max_pool2d(y, 0), lambda: F.max_pool2d(y, 2, dilation=0), lambda: F.max_pool2d(y, (2, 2, 2)),
        lambda: F.max_pool2d(y, 2, (1, 1, 1)), lambda: F.max_pool2d(y, 2, 1, (1, 1, 1)),
        lambda: F.max_pool2d(y, 2, 1, 0, (1, 1, 1)), lambda: F.max_pool2d(y, 2, -1), lambda: F.max_pool2d(y, 2, 1, -1),
        lambda: F.max_pool2d(y, 2, 1, 2, 3),
        lambda: F.max_pool2d(torch.randn(4, 4), 2), lambda: F.max_pool2d(torch.randn(1, 0, 4, 4), 2),
        lambda: F.max_pool2d(torch.randn(1, 1, 0, 4), 2), lambda: F.max_pool2d(y.bool(), 2),
        lambda: F.max_pool1d(y[0], 5), lambda: F.max_pool1d(y[0], 2, padding=2), lambda: F.max_pool1d(y, 2),
        lambda: F.max_pool1d(y[0], 0), lambda: F.max_pool1d(y[0], 2, 0),
        lambda: F.max_pool1d(y[0].requires_grad_(), 5), lambda: F.max_pool1d(y[0], (2, 2)),
        lambda: F.max_pool1d(y[0], 2, return_indices=True, padding=2),
        lambda: F.max_pool1d(y, 2, return_indices=True),
        lambda: F.max_pool3d(y, 5), lambda: F.max_pool3d(y, 2, padding=2), lambda: F.max_pool3d(y[0], 2),
        lambda: F.max_pool3d(y, (2, 2)), lambda: F.max_pool3d(torch.randn(1, 1, 0, 4, 4), 2),
        lambda: F.avg_pool2d(y, 2, padding=2), lambda: F.avg_pool2d(y, 5), lambda: F.avg_pool2d(y, 2, stride=0),
        lambda: F.avg_pool2d(y, 2, divisor_override=0), lambda: F.avg_pool2d(y.int(), 2),
        lambda: F.avg_pool2d(y, (2, 2, 2)), lambda: F.avg_pool2d(torch.randn(1, 0, 4, 4), 2),
        lambda: F.avg_pool1d(y[0], 2, padding=2), lambda: F.avg_pool1d(y[0], 5), lambda: F.avg_pool1d(y, 2),
        lambda: F.avg_pool1d(y[0], (2, 2)),
        lambda: F.avg_pool3d(y, 5), lambda: F.avg_pool3d(y, 2, padding=2), lambda: F.avg_pool3d(y, (2, 2)),
        lambda: F.avg_pool3d(y[0], 2), lambda: F.avg_pool3d(y, 2, divisor_override=0),
        lambda: F.adaptive_avg_pool2d(torch.randn(1, 1, 0, 4), 2), lambda: F.adaptive_max_pool2d(torch.randn(1, 1, 0, 4), 2),
        lambda: F.adaptive_max_pool2d(y.long(), 2), lambda: F.adaptive_avg_pool2d(y.long(), 2),
        lambda: F.adaptive_avg_pool2d(y, (2, 2, 2)), lambda: F.adaptive_avg_pool2d(y, (-1, 2)),
        lambda: F.adaptive_avg_pool2d(y[0, 0], 2), lambda: F.adaptive_max_pool2d(y[0, 0], 2),
        lambda: F.adaptive_avg_pool3d(y[0], 2), lambda: F.adaptive_max_pool3d(y[0], 2),
        lambda: F.adaptive_avg_pool1d(y, 2), lambda: F.adaptive_max_pool1d(y, 2), lambda: F.adaptive_avg_pool1d(y[0], (2, 2)),
        lambda: F.adaptive_max_pool1d(torch.randn(1, 0, 4), 2), lambda: F.adaptive_avg_pool2d(y, (None, None, 2)),
        lambda: F.max_unpool2d(y, idx + 100, 2), lambda: F.max_unpool2d(y, idx - 1, 2),
        lambda: F.max_unpool2d(y, idx, 2, output_size=(3, 3)), lambda: F.max_unpool2d(y, idx.int(), 2),
        lambda: F.max_unpool2d(y, idx[..., :2], 2), lambda: F.max_unpool2d(y, idx, 2, output_size=(8, 8, 8)),
        lambda: F.max_unpool2d(y[0, 0], idx[0, 0], 2),
        lambda: F.max_unpool3d(y.unsqueeze(0), idx.unsqueeze(0) + 1000, 2),
        lambda: F.max_unpool1d(y[0], idx[0] + 100, 2),
    ]
    return [err(c) for c in calls]
