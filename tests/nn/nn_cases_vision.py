"""Cases of resampling (interpolate, upsample modules, grid_sample, affine_grid), attention
(scaled_dot_product_attention, MultiheadAttention, Transformer layers), lazy modules and the
weight/spectral norm reparametrisations, recorded from torch like those of nn_cases_layers.py
(nn_cases.py imports this module, so record_torch.py and test_torch_parity.py see them)."""

from nn_cases import T, case, err, params
from nn_cases_layers import _sig, rnd, value_and_grads, warned

# (input shape, mode, kwargs) for interpolate; values and gradients compared to float32 rounding
INTERP = [
    ((2, 3, 5), "nearest", {"size": 8}), ((2, 3, 5), "nearest", {"size": 3}),
    ((2, 3, 5), "nearest", {"scale_factor": 2.5}), ((2, 3, 5), "nearest", {"scale_factor": 0.7}),
    ((1, 2, 4, 5), "nearest", {"size": (7, 3)}), ((1, 2, 4, 5), "nearest", {"scale_factor": (1.7, 2)}),
    ((1, 2, 4, 5), "nearest", {"scale_factor": 1.3, "recompute_scale_factor": True}),
    ((1, 2, 3, 4, 5), "nearest", {"size": (5, 3, 6)}),
    ((2, 3, 5), "nearest-exact", {"size": 8}), ((2, 3, 5), "nearest-exact", {"size": 3}),
    ((1, 2, 4, 5), "nearest-exact", {"scale_factor": 1.7}), ((1, 2, 3, 4, 5), "nearest-exact", {"size": 2}),
    ((2, 3, 5), "linear", {"size": 8}), ((2, 3, 5), "linear", {"size": 3}),
    ((2, 3, 5), "linear", {"size": 8, "align_corners": True}), ((2, 3, 5), "linear", {"size": 1}),
    ((2, 3, 5), "linear", {"size": 1, "align_corners": True}), ((2, 3, 5), "linear", {"size": 5}),
    ((2, 3, 5), "linear", {"scale_factor": 1.6}),
    ((2, 3, 5), "linear", {"scale_factor": 1.6, "recompute_scale_factor": True}),
    ((1, 2, 4, 5), "bilinear", {"size": (7, 3)}), ((1, 2, 4, 5), "bilinear", {"size": (7, 3), "align_corners": True}),
    ((1, 2, 4, 5), "bilinear", {"scale_factor": 0.6}), ((1, 2, 4, 5), "bilinear", {"scale_factor": (2, 3)}),
    ((1, 2, 3, 4, 5), "trilinear", {"size": (5, 3, 6)}),
    ((1, 2, 3, 4, 5), "trilinear", {"scale_factor": 1.5, "align_corners": True}),
    ((1, 2, 4, 5), "bicubic", {"size": (7, 3)}), ((1, 2, 4, 5), "bicubic", {"size": (9, 11), "align_corners": True}),
    ((1, 2, 4, 5), "bicubic", {"scale_factor": 0.6}), ((1, 2, 6, 6), "bicubic", {"scale_factor": 2.5}),
    ((2, 3, 7), "area", {"size": 3}), ((2, 3, 5), "area", {"size": 8}), ((1, 2, 5, 7), "area", {"size": (2, 3)}),
    ((1, 2, 5, 7), "area", {"scale_factor": 0.5}), ((1, 2, 3, 5, 7), "area", {"size": (2, 4, 3)}),
    ((0, 2, 4, 5), "bilinear", {"size": (3, 3)}), ((0, 2, 4, 5), "nearest", {"size": 3}),
]


@case("approx")
def interpolate_values(torch):
    F = torch.nn.functional
    out = []
    for shape, mode, kw in INTERP:
        x = rnd(torch, *shape, seed=3)
        out.append(T(F.interpolate(x, mode=mode, **kw)))
    return out


@case("approx")
def interpolate_f64(torch):
    F = torch.nn.functional
    out = []
    for shape, mode, kw in INTERP:
        x = rnd(torch, *shape, seed=4, dtype=torch.float64)
        out.append(value_and_grads(torch, lambda y: F.interpolate(y, mode=mode, **kw), x))
    return out


@case("approx")
def interpolate_nonfinite(torch):
    """inf and nan reach only the outputs whose taps read them (the matmul path would spread them)."""
    F = torch.nn.functional
    x = rnd(torch, 1, 2, 5, 6, seed=7)
    x[0, 0, 1, 2] = float("inf")
    x[0, 1, 3, 4] = float("nan")
    x[0, 1, 0, 0] = -float("inf")
    return [T(F.interpolate(x, size=(9, 11), mode=m)) for m in ("bilinear", "bicubic", "area", "nearest")] + \
        [T(F.interpolate(x[:, :, 1], size=13, mode="linear")), T(F.interpolate(x, size=(3, 4), mode="area"))]


@case("exact")
def interpolate_nearest_exact_values(torch):
    """Nearest gathers copy values: bit for bit, also for uint8 and odd scales."""
    F = torch.nn.functional
    x = rnd(torch, 1, 2, 13, 17, seed=5)
    u = torch.arange(2 * 13 * 17).view(1, 2, 13, 17).remainder(251).to(torch.uint8)
    out = []
    for kw in ({"size": (29, 5)}, {"scale_factor": 1.37}, {"scale_factor": (0.31, 2.9)}, {"size": (13, 34)},
               {"size": (26, 17)}, {"scale_factor": 3.0}):
        for mode in ("nearest", "nearest-exact"):
            out.append([T(F.interpolate(x, mode=mode, **kw)), T(F.interpolate(u, mode=mode, **kw))])
    return out


@case("text")
def interpolate_errors(torch):
    F = torch.nn.functional
    x3, x4 = torch.randn(1, 2, 4), torch.randn(1, 2, 4, 4)
    return {
        "align_nearest": err(lambda: F.interpolate(x4, size=2, align_corners=True)),
        "both": err(lambda: F.interpolate(x4, size=2, scale_factor=2)),
        "neither": err(lambda: F.interpolate(x4)),
        "size_len": err(lambda: F.interpolate(x4, size=(2, 2, 2))),
        "size_type": err(lambda: F.interpolate(x4, size=(2, 2.0))),
        "scale_len": err(lambda: F.interpolate(x4, scale_factor=(2, 2, 2))),
        "recompute_size": err(lambda: F.interpolate(x4, size=2, recompute_scale_factor=True)),
        "antialias_mode": err(lambda: F.interpolate(x4, size=2, antialias=True)),
        "zero_out": err(lambda: F.interpolate(x4, scale_factor=0.1)),
        "zero_out_1d": err(lambda: F.interpolate(x3, size=0)),
        "zero_out_3d": err(lambda: F.interpolate(torch.randn(1, 1, 2, 2, 2), size=(1, 0, 1))),
        "negative": err(lambda: F.interpolate(x4, scale_factor=-1.0)),
        "empty_channels": err(lambda: F.interpolate(torch.randn(1, 0, 4, 4), size=2)),
        "bicubic_3d": err(lambda: F.interpolate(x3, size=3, mode="bicubic")),
        "bilinear_3d": err(lambda: F.interpolate(x3, size=3, mode="bilinear")),
        "linear_4d": err(lambda: F.interpolate(x4, size=3, mode="linear")),
        "trilinear_4d": err(lambda: F.interpolate(x4, size=3, mode="trilinear")),
        "1d": err(lambda: F.interpolate(torch.randn(3), size=3)),
        "bad_mode": err(lambda: F.interpolate(x4, size=3, mode="cubic")),
        "long_linear": err(lambda: F.interpolate(torch.ones(1, 1, 4, dtype=torch.int64), size=3, mode="linear")),
        "long_nearest": err(lambda: F.interpolate(torch.ones(1, 1, 4, dtype=torch.int64), size=3)),
        "lanczos_align": err(lambda: F.interpolate(x4, size=3, mode="lanczos", align_corners=True)),
        "lanczos_no_aa": err(lambda: F.interpolate(x4, size=3, mode="lanczos")),
        "upsample_warn": warned(lambda: F.upsample(x4, size=3)),
        "upsample_nearest_warn": warned(lambda: F.upsample_nearest(x4, size=3)),
        "upsample_bilinear_warn": warned(lambda: F.upsample_bilinear(x4, size=3)),
    }


@case("approx")
def upsample_modules(torch):
    nn = torch.nn
    x = rnd(torch, 1, 2, 3, 4, seed=6)
    mods = [nn.Upsample(scale_factor=2), nn.Upsample(size=(5, 7), mode="bilinear"),
            nn.Upsample(scale_factor=1.5, mode="bicubic", align_corners=True), nn.UpsamplingNearest2d(size=5),
            nn.UpsamplingNearest2d(scale_factor=2), nn.UpsamplingBilinear2d(scale_factor=2),
            nn.UpsamplingBilinear2d(size=(4, 4)),
            nn.Upsample(scale_factor=0.5, mode="nearest-exact", recompute_scale_factor=True)]
    return [[repr(m)] + value_and_grads(torch, m, x) for m in mods]


# ---------------------------------------------------------------------- grid_sample, affine_grid

def _grid(torch, *shape, seed, dtype):
    return rnd(torch, *shape, seed=seed, dtype=dtype) * 0.7


def _grid_inputs(torch, dtype):
    x = rnd(torch, 2, 3, 5, 6, seed=8, dtype=dtype)
    g = _grid(torch, 2, 4, 7, 2, seed=9, dtype=dtype)
    g.view(-1)[:6] = torch.tensor([1.5, -1.3, 3.2, 0.999, -1.0, 1.0])  # outside, on and near the borders
    x3 = rnd(torch, 1, 2, 3, 4, 5, seed=10, dtype=dtype)
    g3 = _grid(torch, 1, 2, 3, 4, 3, seed=11, dtype=dtype) * 1.2
    return x, g, x3, g3


@case("approx")
def grid_sample_f32(torch):
    F = torch.nn.functional
    x, g, x3, g3 = _grid_inputs(torch, torch.float32)
    out = {}
    for mode in ("bilinear", "nearest", "bicubic"):
        for pad in ("zeros", "border", "reflection"):
            for ac in (False, True):
                out[f"{mode}_{pad}_{ac}"] = [T(F.grid_sample(x, g, mode, pad, ac)), T(F.grid_sample(x3, g3, mode, pad, ac))]
    return out


@case("approx")
def grid_sample_values(torch):
    """Values and gradients in float64 (torch's bicubic grid gradient is an analytic formula whose
    float32 rounding differs from autograd's through the cubic polynomials)."""
    F = torch.nn.functional
    x, g, x3, g3 = _grid_inputs(torch, torch.float64)
    out = {}
    for mode in ("bilinear", "nearest", "bicubic"):
        for pad in ("zeros", "border", "reflection"):
            for ac in (False, True):
                key = f"{mode}_{pad}_{ac}"
                out[key] = value_and_grads(torch, lambda a, b: F.grid_sample(a, b, mode, pad, ac), x, g)
                if mode == "nearest":
                    out[key][2] = None  # the grid's gradient of nearest is 0 (torch) / undefined
                if mode != "bicubic" or ac:
                    r = value_and_grads(torch, lambda a, b: F.grid_sample(a, b, mode, pad, ac), x3, g3)
                    if mode == "nearest":
                        r[2] = None
                    out[key + "_3d"] = r
    return out


@case("approx")
def affine_grid_values(torch):
    F = torch.nn.functional
    th = rnd(torch, 2, 2, 3, seed=12)
    th3 = rnd(torch, 2, 3, 4, seed=13)
    out = []
    for ac in (False, True):
        out.append(value_and_grads(torch, lambda t: F.affine_grid(t, [2, 3, 4, 5], ac), th))
        out.append(value_and_grads(torch, lambda t: F.affine_grid(t, (2, 1, 3, 4, 2), ac), th3))
        out.append(value_and_grads(torch, lambda t: F.affine_grid(t, [2, 3, 1, 5], ac), th))
    x = rnd(torch, 2, 3, 5, 6, seed=14)
    grid = F.affine_grid(th * 0.5, [2, 3, 4, 4], align_corners=False)
    out.append(value_and_grads(torch, lambda a, t: F.grid_sample(a, F.affine_grid(t, [2, 3, 4, 4], False),
                                                                  align_corners=False), x, th))
    out.append(T(grid))
    return out


@case("text")
def grid_sample_errors(torch):
    F = torch.nn.functional
    x, g = torch.randn(1, 2, 3, 3), torch.randn(1, 2, 2, 2)
    return {
        "mode": err(lambda: F.grid_sample(x, g, mode="linear", align_corners=False)),
        "padding": err(lambda: F.grid_sample(x, g, padding_mode="wrap", align_corners=False)),
        "warn": warned(lambda: F.grid_sample(x, g)),
        "dims": err(lambda: F.grid_sample(x, torch.randn(1, 2, 2, 2, 3), align_corners=False)),
        "batch": err(lambda: F.grid_sample(x, torch.randn(2, 2, 2, 2), align_corners=False)),
        "last": err(lambda: F.grid_sample(x, torch.randn(1, 2, 2, 3), align_corners=False)),
        "dtype": err(lambda: F.grid_sample(x, g.double(), align_corners=False)),
        "empty": err(lambda: F.grid_sample(torch.randn(1, 2, 0, 3), g, align_corners=False)),
        "3d_input": err(lambda: F.grid_sample(torch.randn(2, 3, 3), torch.randn(2, 3, 1), align_corners=False)),
        "affine_warn": warned(lambda: F.affine_grid(torch.randn(1, 2, 3), [1, 1, 2, 2])),
        "affine_int": err(lambda: F.affine_grid(torch.ones(1, 2, 3, dtype=torch.int64), [1, 1, 2, 2], False)),
        "affine_shape": err(lambda: F.affine_grid(torch.randn(1, 3, 3), [1, 1, 2, 2], False)),
        "affine_shape3": err(lambda: F.affine_grid(torch.randn(1, 2, 3), [1, 1, 2, 2, 2], False)),
        "affine_size": err(lambda: F.affine_grid(torch.randn(1, 2, 3), [1, 2, 2], False)),
        "affine_zero": err(lambda: F.affine_grid(torch.randn(1, 2, 3), [1, 1, 0, 2], False)),
        "affine_unit": warned(lambda: F.affine_grid(torch.randn(1, 2, 3), [1, 1, 1, 2], True)),
        "zero_batch": list(F.grid_sample(torch.randn(0, 2, 3, 3), torch.randn(0, 4, 5, 2), align_corners=False).shape),
    }


# ---------------------------------------------------------------------- attention

def _qkv(torch, dtype=None, hq=3, hk=3):
    return (rnd(torch, 2, hq, 4, 5, seed=20, dtype=dtype), rnd(torch, 2, hk, 6, 5, seed=21, dtype=dtype),
            rnd(torch, 2, hk, 6, 7, seed=22, dtype=dtype))


@case("approx")
def sdpa_values(torch):
    F = torch.nn.functional
    q, k, v = _qkv(torch)
    bool_mask = rnd(torch, 4, 6, seed=23) > -0.5
    bool_mask[1] = False  # a row masked everywhere: 0 output (torch's safe softmax)
    float_mask = rnd(torch, 2, 1, 4, 6, seed=24)
    sd = F.scaled_dot_product_attention
    out = {
        "plain": value_and_grads(torch, sd, q, k, v),
        "scale": value_and_grads(torch, lambda a, b, c: sd(a, b, c, scale=0.3), q, k, v),
        "neg_scale": value_and_grads(torch, lambda a, b, c: sd(a, b, c, scale=-0.3), q, k, v),
        "bool_mask": [T(sd(q, k, v, attn_mask=bool_mask))],
        "float_mask": value_and_grads(torch, lambda a, b, c: sd(a, b, c, attn_mask=float_mask), q, k, v),
        "causal": value_and_grads(torch, lambda a, b, c: sd(a, b, c, is_causal=True), q, k, v),
        "unbatched": [T(sd(q[0, 0], k[0, 0], v[0, 0]))],
        "broadcast_heads": [T(sd(q, k[:, :1], v[:, :1]))],
    }
    qg, kg, vg = _qkv(torch, hq=4, hk=2)
    out["gqa"] = value_and_grads(torch, lambda a, b, c: sd(a, b, c, enable_gqa=True), qg, kg, vg)
    q64, k64, v64 = _qkv(torch, torch.float64)
    out["f64_mask_grads"] = value_and_grads(torch, lambda a, b, c: sd(a, b, c, attn_mask=bool_mask), q64, k64, v64)
    torch.manual_seed(3)
    out["dropout"] = value_and_grads(torch, lambda a, b, c: sd(a, b, c, dropout_p=0.4), q64, k64, v64)
    return out


@case("text")
def sdpa_errors(torch):
    F = torch.nn.functional
    q, k, v = _qkv(torch)
    sd = F.scaled_dot_product_attention
    return {
        "mask_causal": err(lambda: sd(q, k, v, attn_mask=torch.ones(4, 6, dtype=torch.bool), is_causal=True)),
        "dtype": err(lambda: sd(q, k, v.double())),
        "gqa": err(lambda: sd(q, k[:, :2], v[:, :2], enable_gqa=True)),
        "mask_dtype": err(lambda: sd(q, k, v, attn_mask=torch.zeros(4, 6, dtype=torch.int64))),
    }


@case("exact")
def mha_init(torch):
    nn = torch.nn
    torch.manual_seed(0)
    mods = [nn.MultiheadAttention(8, 2), nn.MultiheadAttention(6, 3, bias=False),
            nn.MultiheadAttention(8, 4, kdim=5, vdim=3), nn.MultiheadAttention(4, 1, add_bias_kv=True),
            nn.MultiheadAttention(4, 2, dtype=torch.float64)]
    return [params(m) for m in mods] + [[repr(m), list(m.state_dict())] for m in mods]


@case("approx")
def mha_forward(torch):
    nn = torch.nn
    torch.manual_seed(1)
    m = nn.MultiheadAttention(8, 2)
    x = rnd(torch, 5, 3, 8, seed=30)
    kv = rnd(torch, 4, 3, 8, seed=31)
    kpm = torch.tensor([[False, False, True, False], [False, False, False, False], [True, False, False, True]])
    amask = rnd(torch, 5, 4, seed=32)
    bmask = rnd(torch, 5, 4, seed=33) > 0.8
    out = {}

    def run(name, *args, **kw):
        res = m(*args, **kw)
        out[name] = [T(res[0]), None if res[1] is None else T(res[1])]

    run("self", x, x, x)
    run("cross", x, kv, kv)
    run("cross_kpm", x, kv, kv, key_padding_mask=kpm)
    run("float_mask", x, kv, kv, attn_mask=amask)
    run("bool_mask", x, kv, kv, attn_mask=bmask)
    run("no_weights", x, kv, kv, attn_mask=amask, need_weights=False)
    run("per_head", x, kv, kv, average_attn_weights=False)
    run("unbatched", x[:, 0], kv[:, 0], kv[:, 0])
    causal = torch.full((5, 5), float("-inf")).triu(1)
    run("causal", x, x, x, attn_mask=causal, is_causal=True, need_weights=False)
    run("causal_weights", x, x, x, attn_mask=causal, is_causal=True)
    xx = x.detach().clone().requires_grad_(True)
    y, _ = m(xx, xx, xx)
    (y * rnd(torch, 5, 3, 8, seed=34)).sum().backward()
    out["grads"] = [T(xx.grad)] + [T(p.grad) for p in m.parameters()]

    torch.manual_seed(2)
    m2 = nn.MultiheadAttention(8, 4, kdim=5, vdim=3, batch_first=True, add_bias_kv=True, add_zero_attn=True)
    q = rnd(torch, 3, 5, 8, seed=35)
    k, v = rnd(torch, 3, 4, 5, seed=36), rnd(torch, 3, 4, 3, seed=37)
    r = m2(q, k, v, key_padding_mask=kpm)
    out["separate"] = [T(r[0]), T(r[1])]
    r = m2(q, k, v, need_weights=False, attn_mask=amask)
    out["separate_sdpa"] = [T(r[0]), r[1]]
    torch.manual_seed(3)
    m3 = nn.MultiheadAttention(8, 2, dropout=0.5)
    torch.manual_seed(4)
    r = m3(x.double(), x.double(), x.double()) if False else m3(x, x, x)
    out["dropout_train_weights"] = [T(r[1])]
    m3.eval()
    r = m3(x, x, x)
    out["dropout_eval"] = [T(r[0]), T(r[1])]
    return out


@case("text")
def mha_errors(torch):
    nn = torch.nn
    m = nn.MultiheadAttention(8, 2)
    x = torch.randn(5, 3, 8)
    return {
        "zero": err(lambda: nn.MultiheadAttention(0, 2)),
        "divisible": err(lambda: nn.MultiheadAttention(8, 3)),
        "query_4d": err(lambda: m(x[None], x[None], x[None])),
        "key_2d": err(lambda: m(x, x[0], x[0])),
        "kpm_dim": err(lambda: m(x, x, x, key_padding_mask=torch.zeros(3, dtype=torch.bool))),
        "mask_dim": err(lambda: m(x, x, x, attn_mask=torch.zeros(5, dtype=torch.bool))),
        "mask_shape": err(lambda: m(x, x, x, attn_mask=torch.zeros(4, 5))),
        "mask_3d_shape": err(lambda: m(x, x, x, attn_mask=torch.zeros(2, 5, 5))),
        "mask_int": err(lambda: m(x, x, x, attn_mask=torch.zeros(5, 5, dtype=torch.int64))),
        "embed": err(lambda: m(x[..., :4], x[..., :4], x[..., :4])),
        "kv_shape": err(lambda: m(x, x, x[:4])),
        "kpm_shape": err(lambda: m(x, x, x, key_padding_mask=torch.zeros(3, 4, dtype=torch.bool))),
        "causal_no_mask": err(lambda: m(x, x, x, is_causal=True)),
        "mismatch_warn": warned(lambda: m(x, x, x, key_padding_mask=torch.zeros(3, 5, dtype=torch.bool),
                                          attn_mask=torch.zeros(5, 5))),
    }


# ---------------------------------------------------------------------- lazy modules

@case("exact")
def lazy_linear(torch):
    nn = torch.nn
    torch.manual_seed(0)
    m = nn.LazyLinear(3)
    before = [repr(m), repr(m.weight), repr(m.bias), type(m.weight).__name__, m.has_uninitialized_params(),
              list(m.state_dict()), [n for n, _ in m.named_parameters()], err(lambda: m.weight.shape),
              nn.parameter.is_lazy(m.weight)]
    x = rnd(torch, 2, 5, seed=40)
    y = m(x)
    after = [repr(m), type(m).__name__, type(m.weight).__name__, m.in_features, params(m), list(y.shape),
             nn.parameter.is_lazy(m.weight)]
    torch.manual_seed(0)
    ref = nn.Linear(5, 3)
    m2 = nn.LazyLinear(4, bias=False, dtype=torch.float64)
    m2(rnd(torch, 3, 2, 6, seed=41, dtype=torch.float64))
    m3 = nn.LazyLinear(3)
    res = m3.load_state_dict(m.state_dict())
    loaded = [type(m3).__name__, list(m3.weight.shape), T(m3.weight), str(res)]
    y3 = m3(x)
    loaded += [type(m3).__name__, torch.equal(y3, y)]
    ub = nn.UninitializedBuffer()
    up = nn.UninitializedParameter()
    return {"before": before, "after": after, "same_as_linear": params(ref), "f64": [repr(m2), params(m2)],
            "loaded": loaded, "uninit": [repr(ub), repr(up), up.requires_grad, ub.requires_grad,
                                         type(up).__mro__[1].__name__]}


@case("text")
def lazy_errors(torch):
    nn = torch.nn
    m = nn.LazyLinear(3)
    m(torch.randn(2, 4))
    lazy = nn.LazyLinear(3)
    return {
        "weight_norm": err(lambda: nn.utils.weight_norm(nn.LazyLinear(3))),
        "spectral_norm": err(lambda: nn.utils.spectral_norm(nn.LazyLinear(3))),
        "after_wrong": err(lambda: m(torch.randn(2, 5))),
        "dp": err(lambda: lazy._replicate_for_data_parallel()),
        "share": err(lambda: nn.UninitializedParameter().share_memory_()),
    }


# ---------------------------------------------------------------------- weight norm, spectral norm

@case("approx")
def weight_norm_values(torch):
    nn = torch.nn
    out = {}
    for name, dim, shape in (("dim0", 0, (3, 4)), ("dim1", 1, (3, 4)), ("none", None, (3, 4)), ("dim1_3d", 1, (2, 3, 4)),
                             ("dimlast", 2, (2, 3, 4))):
        torch.manual_seed(5)
        m = nn.Linear(4, 3)
        if len(shape) == 3:
            m.weight = nn.Parameter(rnd(torch, *shape, seed=42))
        m = nn.utils.weight_norm(m, dim=dim)
        names = [n for n, _ in m.named_parameters()]
        g = T(m.weight_g)
        if len(shape) == 2:
            x = rnd(torch, 2, 4, seed=43)
            y = m(x)
            (y * rnd(torch, 2, 3, seed=44)).sum().backward()
            res = [names, g, T(y), T(m.weight_g.grad), T(m.weight_v.grad), list(m.state_dict())]
        else:
            res = [names, g, T(m.weight)]
        nn.utils.remove_weight_norm(m)
        res += [[n for n, _ in m.named_parameters()], T(m.weight), repr(m)]
        out[name] = res
    return out


@case("text")
def weight_norm_errors(torch):
    nn = torch.nn
    m = nn.utils.weight_norm(nn.Linear(2, 2))
    return {
        "twice": err(lambda: nn.utils.weight_norm(m)),
        "remove_missing": err(lambda: nn.utils.remove_weight_norm(nn.Linear(2, 2))),
        "remove_name": err(lambda: nn.utils.remove_weight_norm(m, "bias")),
        "warning": warned(lambda: nn.utils.weight_norm(nn.Linear(2, 2))),
        "sn_twice": err(lambda: nn.utils.spectral_norm(nn.utils.spectral_norm(nn.Linear(2, 2)))),
        "sn_iters": err(lambda: nn.utils.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)),
        "sn_none": err(lambda: nn.utils.spectral_norm(nn.Linear(2, 2, bias=False), name="bias")),
        "sn_remove_missing": err(lambda: nn.utils.remove_spectral_norm(nn.Linear(2, 2))),
    }


@case("approx")
def spectral_norm_values(torch):
    nn = torch.nn
    torch.manual_seed(6)
    m = nn.utils.spectral_norm(nn.Linear(5, 4))
    out = {"init": [T(m.weight_u), T(m.weight_v), list(m.state_dict()), [n for n, _ in m.named_parameters()],
                    [n for n, _ in m.named_buffers()]]}
    x = rnd(torch, 3, 5, seed=45)
    steps = []
    for _ in range(3):
        y = m(x)
        (y * rnd(torch, 3, 4, seed=46)).sum().backward()
        steps.append([T(y), T(m.weight_u), T(m.weight_v), T(m.weight_orig.grad)])
    out["train"] = steps
    m.eval()
    out["eval"] = [T(m(x)), T(m.weight_u)]
    sd = m.state_dict()
    out["metadata"] = sd._metadata[""]
    torch.manual_seed(7)
    m2 = nn.utils.spectral_norm(nn.Linear(5, 4))
    m2.load_state_dict(sd)
    m2.eval()
    out["loaded"] = T(m2(x))
    nn.utils.remove_spectral_norm(m)
    out["removed"] = [[n for n, _ in m.named_parameters()], list(m.state_dict()), T(m.weight)]
    torch.manual_seed(8)
    w = nn.Linear(3, 6)
    w.weight = nn.Parameter(rnd(torch, 2, 3, 4, seed=47))
    m3 = nn.utils.spectral_norm(w, dim=1, n_power_iterations=3, eps=1e-6)
    out["dim1"] = [T(m3.weight_u), T(m3.weight_v), T(m3.compute_weight(m3, True) if hasattr(m3, "compute_weight")
                                                     else m3._forward_pre_hooks[next(iter(m3._forward_pre_hooks))].compute_weight(m3, True))]
    return out


# ---------------------------------------------------------------------- transformer

@case("exact")
def transformer_init(torch):
    nn = torch.nn
    torch.manual_seed(0)
    enc = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)
    torch.manual_seed(1)
    dec = nn.TransformerDecoderLayer(8, 2, dim_feedforward=12, bias=False, norm_first=True)
    torch.manual_seed(2)
    t = nn.Transformer(8, 2, 1, 2, 16, dropout=0.0)
    return {"enc": params(enc), "dec": params(dec), "t": params(t), "t_keys": list(t.state_dict()),
            "mask": T(nn.Transformer.generate_square_subsequent_mask(4)),
            "mask64": T(nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64))}


@case("text")
def transformer_reprs(torch):
    nn = torch.nn
    return [repr(nn.TransformerEncoderLayer(8, 2, 16)), repr(nn.TransformerDecoderLayer(8, 2, 16, activation="gelu")),
            repr(nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2, enable_nested_tensor=False)),
            repr(nn.Transformer(8, 2, 1, 1, 16)),
            warned(lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 1)),
            warned(lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 1)),
            warned(lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 3, 16, batch_first=True), 1)),
            warned(lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True,
                                                                            norm_first=True), 1)),
            err(lambda: nn.TransformerEncoderLayer(8, 2, 16, activation="tanh")),
            err(lambda: nn.Transformer(8, 2, 1, 1, 16)(torch.randn(3, 2, 8), torch.randn(3, 4, 8))),
            err(lambda: nn.Transformer(8, 2, 1, 1, 16)(torch.randn(3, 2, 8), torch.randn(3, 2, 6)))]


@case("approx")
def transformer_forward(torch):
    nn = torch.nn
    out = {}
    src = rnd(torch, 5, 3, 8, seed=50)
    tgt = rnd(torch, 4, 3, 8, seed=51)
    kpm = torch.tensor([[False] * 5, [False, False, False, True, True], [False, False, False, False, True]])
    causal = nn.Transformer.generate_square_subsequent_mask(4)
    for norm_first in (False, True):
        for act in ("relu", "gelu"):
            torch.manual_seed(3)
            t = nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, activation=act, norm_first=norm_first)
            y = t(src, tgt, tgt_mask=causal, src_key_padding_mask=kpm, memory_key_padding_mask=kpm)
            (y * rnd(torch, 4, 3, 8, seed=52)).sum().backward()
            out[f"{norm_first}_{act}"] = [T(y)] + [T(p.grad) for p in list(t.parameters())[:6]]
    torch.manual_seed(4)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.3, batch_first=True)
    enc = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8))
    x = src.transpose(0, 1).contiguous()
    torch.manual_seed(5)
    out["train_dropout"] = T(enc(x, src_key_padding_mask=kpm))
    enc.eval()
    out["eval"] = T(enc(x, src_key_padding_mask=kpm))
    with torch.no_grad():
        out["eval_nograd_nested"] = T(enc(x, src_key_padding_mask=kpm))
        out["eval_nograd_causal"] = T(enc(x, mask=nn.Transformer.generate_square_subsequent_mask(5), is_causal=True))
        out["unbatched"] = T(enc(x[0]))
    torch.manual_seed(6)
    dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0), 2)
    out["decoder"] = T(dec(tgt, src, tgt_mask=causal, memory_mask=rnd(torch, 4, 5, seed=53)))
    return out


# ---------------------------------------------------------------------- parametrize

def _sym(torch):
    class Symmetric(torch.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu()

    class Scale(torch.nn.Module):
        def forward(self, X):
            return X * 2

        def right_inverse(self, A):
            return A / 2

    return Symmetric, Scale


@case("approx")
def parametrize_values(torch):
    nn = torch.nn
    P = nn.utils.parametrize
    Symmetric, Scale = _sym(torch)
    torch.manual_seed(9)
    m = nn.Linear(3, 3)
    P.register_parametrization(m, "weight", Symmetric())
    out = {"first": [type(m).__name__, repr(m), list(m.state_dict()), [n for n, _ in m.named_parameters()], T(m.weight),
                     P.is_parametrized(m), P.is_parametrized(m, "bias"), P.type_before_parametrizations(m).__name__]}
    P.register_parametrization(m, "weight", Scale())
    x = rnd(torch, 2, 3, seed=60)
    y = m(x)
    (y * rnd(torch, 2, 3, seed=61)).sum().backward()
    out["chain"] = [repr(m), T(m.weight), T(y), T(m.parametrizations.weight.original.grad)]
    with torch.no_grad():
        m.weight = torch.arange(9.0).view(3, 3)  # through both right_inverses
    out["assign"] = [T(m.parametrizations.weight.original), T(m.weight)]
    with P.cached():
        out["cached"] = m.weight is m.weight
    out["uncached"] = m.weight is m.weight
    P.remove_parametrizations(m, "weight")
    out["removed"] = [type(m).__name__, list(m.state_dict()), T(m.weight), hasattr(m, "parametrizations")]
    m2 = nn.Linear(3, 3)
    P.register_parametrization(m2, "weight", Symmetric())
    P.remove_parametrizations(m2, "weight", leave_parametrized=False)
    out["removed_original"] = [type(m2).__name__, list(m2.state_dict())]
    return out


@case("text")
def parametrize_errors(torch):
    import pickle
    nn = torch.nn
    P = nn.utils.parametrize
    Symmetric, _ = _sym(torch)

    class Bad(nn.Module):
        def forward(self, X):
            return X[0]

    m = nn.Linear(3, 3)
    P.register_parametrization(m, "weight", Symmetric())
    return {
        "no_tensor": err(lambda: P.register_parametrization(nn.Linear(2, 2), "foo", Symmetric())),
        "shape": err(lambda: P.register_parametrization(nn.Linear(2, 2), "weight", Bad())),
        "shape_chain": err(lambda: P.register_parametrization(m, "weight", Bad())),
        "remove_missing": err(lambda: P.remove_parametrizations(nn.Linear(2, 2), "weight")),
        "pickle": err(lambda: pickle.dumps(m)),
        "empty_list": err(lambda: P.ParametrizationList([], torch.ones(2))),
    }


@case("approx")
def parametrizations_values(torch):
    nn = torch.nn
    PZ = nn.utils.parametrizations
    out = {}
    torch.manual_seed(10)
    m = PZ.weight_norm(nn.Linear(4, 3))
    x = rnd(torch, 2, 4, seed=62)
    y = m(x)
    (y * rnd(torch, 2, 3, seed=63)).sum().backward()
    out["weight_norm"] = [repr(m), list(m.state_dict()), T(m.parametrizations.weight.original0), T(y),
                          T(m.parametrizations.weight.original0.grad), T(m.parametrizations.weight.original1.grad)]
    torch.manual_seed(10)
    old = nn.utils.weight_norm(nn.Linear(4, 3), dim=None)
    new = PZ.weight_norm(nn.Linear(4, 3), dim=None)
    new.load_state_dict(old.state_dict())
    out["compat"] = [T(new(x)), T(old(x))]
    torch.manual_seed(11)
    s = PZ.spectral_norm(nn.Linear(5, 4))
    out["spectral"] = [list(s.state_dict()), T(s.parametrizations.weight[0]._u), T(s.parametrizations.weight[0]._v)]
    xs = rnd(torch, 3, 5, seed=64)
    for i in range(2):
        ys = s(xs)
        (ys * rnd(torch, 3, 4, seed=65)).sum().backward()
        out[f"spectral_step{i}"] = [T(ys), T(s.parametrizations.weight[0]._u),
                                    T(s.parametrizations.weight.original.grad)]
    s.eval()
    out["spectral_eval"] = T(s(xs))
    torch.manual_seed(12)
    b = PZ.spectral_norm(nn.Linear(3, 4), name="bias")
    out["spectral_1d"] = [list(b.state_dict()), T(b.bias)]
    out["errors"] = [err(lambda: PZ.spectral_norm(nn.Linear(3, 4), dim=2)),
                     err(lambda: PZ.spectral_norm(nn.Linear(3, 4), n_power_iterations=0)),
                     err(lambda: PZ.spectral_norm(nn.Linear(3, 4), name="foo"))]
    return out


# ---------------------------------------------------------------------- signatures

V_FUNCTIONS = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "grid_sample", "affine_grid",
               "multi_head_attention_forward"]
V_LAYERS = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "MultiheadAttention", "LazyLinear", "Transformer",
            "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer", "TransformerDecoderLayer"]
V_UTILS = ["weight_norm", "remove_weight_norm", "spectral_norm", "remove_spectral_norm"]
V_PARAMETRIZE = ["register_parametrization", "is_parametrized", "remove_parametrizations",
                 "type_before_parametrizations", "transfer_parametrizations_and_params"]


def _no_address(s):
    """`activation=<function relu at 0x...>` without the address."""
    import re
    return re.sub(r" at 0x[0-9a-f]+", "", s)


@case("text")
def vision_attention_signatures(torch):
    F, nn = torch.nn.functional, torch.nn
    return {
        "functions": {n: _sig(getattr(F, n)) for n in V_FUNCTIONS},
        "sdpa": "(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False)"
        if _sig(F.scaled_dot_product_attention) is None else _sig(F.scaled_dot_product_attention),
        "layers": {n: [_no_address(_sig(getattr(nn, n).__init__)), _sig(getattr(nn, n).forward),
                       list(getattr(getattr(nn, n), "__constants__", []))] for n in V_LAYERS},
        "utils": {n: _sig(getattr(nn.utils, n)) for n in V_UTILS},
        "parametrize": {n: _sig(getattr(nn.utils.parametrize, n)) for n in V_PARAMETRIZE},
        "parametrizations": {n: _sig(getattr(nn.utils.parametrizations, n)) for n in ("weight_norm", "spectral_norm")},
        "uninit": [_sig(nn.UninitializedParameter.__new__), _sig(nn.UninitializedBuffer.__new__),
                   _sig(nn.UninitializedParameter.materialize)],
    }


@case("approx")
def orthogonal_values(torch):
    nn = torch.nn
    PZ = nn.utils.parametrizations
    out = {}
    for i, (shape, mp, triv) in enumerate([((4, 4), None, True), ((5, 3), None, True), ((3, 5), None, True),
                                           ((4, 4), "cayley", True), ((5, 3), "matrix_exp", True),
                                           ((4, 4), "householder", True), ((5, 3), "householder", False),
                                           ((4, 4), "householder", False)]):
        torch.manual_seed(20 + i)
        m = nn.Linear(shape[1], shape[0]).double()
        PZ.orthogonal(m, orthogonal_map=mp, use_trivialization=triv)
        res = [list(m.state_dict()), T(m.weight)]
        with torch.no_grad():  # move away from the starting point, then differentiate
            orig = m.parametrizations.weight.original
            orig.add_(rnd(torch, *orig.shape, seed=70 + i, dtype=torch.float64) * 0.3)
        x = rnd(torch, 2, shape[1], seed=80 + i, dtype=torch.float64)
        y = m(x)
        (y * rnd(torch, 2, shape[0], seed=90 + i, dtype=torch.float64)).sum().backward()
        res += [T(m.weight), T(y), T(m.parametrizations.weight.original.grad)]
        out[f"{shape}_{mp}_{triv}"] = res
    torch.manual_seed(30)
    b = nn.Linear(3, 3).double()
    b.weight = nn.Parameter(rnd(torch, 2, 3, 3, seed=31, dtype=torch.float64))
    PZ.orthogonal(b)
    out["batched"] = T(b.weight)
    out["errors"] = [err(lambda: PZ.orthogonal(nn.Linear(3, 3), orthogonal_map="qr")),
                     err(lambda: PZ.orthogonal(nn.Linear(3, 3), name="bias")),
                     err(lambda: PZ.orthogonal(nn.Linear(3, 3), name="foo"))]
    m = nn.Linear(3, 3)
    PZ.orthogonal(m, use_trivialization=False)
    out["assign_no_triv"] = err(lambda: setattr(m, "weight", torch.eye(3)))
    return out
