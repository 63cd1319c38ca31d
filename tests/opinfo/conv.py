"""The op table of the convolution family: torch.convolution, conv1d/2d/3d and
conv_transpose1d/2d/3d, against a numpy float64 reference (a sum over kernel positions of
strided window products), over strides, padding, dilation, groups and bias."""

import numpy as np

import rstorch
from .core import FLOATS, INTS, OpInfo, Sample, attach_error_inputs, error, random_array

CONV_DTYPES = FLOATS + INTS
# a convolution sums C*K products per output, like a GEMM
CONV_TOL = {"float32": (1e-5, 1e-5), "float16": (4e-3, 4e-3), "bfloat16": (3e-2, 3e-2)}


def _tuple(v, d):
    return (v,) * d if isinstance(v, int) else tuple(v)


def np_conv(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """The reference convolution (float64)."""
    x, w = x.astype(np.float64), w.astype(np.float64)
    d = x.ndim - 2
    s, p, dl = _tuple(stride, d), _tuple(padding, d), _tuple(dilation, d)
    xp = np.pad(x, [(0, 0), (0, 0)] + [(q, q) for q in p])
    ks = w.shape[2:]
    out = [(xp.shape[2 + i] - dl[i] * (ks[i] - 1) - 1) // s[i] + 1 for i in range(d)]
    n, c = x.shape[:2]
    o = w.shape[0]
    cg, og = c // groups, o // groups
    y = np.zeros((n, o, *out))
    for k in np.ndindex(*ks):
        sl = tuple(slice(k[i] * dl[i], k[i] * dl[i] + s[i] * (out[i] - 1) + 1, s[i]) for i in range(d))
        patch = xp[(slice(None), slice(None)) + sl]
        for g in range(groups):
            wk = w[(slice(g * og, (g + 1) * og), slice(None)) + k]
            y[:, g * og:(g + 1) * og] += np.einsum("nc...,oc->no...", patch[:, g * cg:(g + 1) * cg], wk)
    if b is not None:
        y += b.astype(np.float64).reshape(1, -1, *([1] * d))
    return y


def np_conv_transpose(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The reference transposed convolution: every input element scatters its kernel-weighted
    window into the (padded) output, which is then cropped."""
    x, w = x.astype(np.float64), w.astype(np.float64)
    d = x.ndim - 2
    s, p, op, dl = _tuple(stride, d), _tuple(padding, d), _tuple(output_padding, d), _tuple(dilation, d)
    ks = w.shape[2:]
    n, cin = x.shape[:2]
    cout_g = w.shape[1]
    cin_g = cin // groups
    L = x.shape[2:]
    full = [(L[i] - 1) * s[i] + dl[i] * (ks[i] - 1) + 1 + op[i] for i in range(d)]
    buf = np.zeros((n, cout_g * groups, *full))
    for k in np.ndindex(*ks):
        sl = tuple(slice(k[i] * dl[i], k[i] * dl[i] + s[i] * (L[i] - 1) + 1, s[i]) for i in range(d))
        for g in range(groups):
            wk = w[(slice(g * cin_g, (g + 1) * cin_g), slice(None)) + k]
            buf[(slice(None), slice(g * cout_g, (g + 1) * cout_g)) + sl] += np.einsum(
                "nc...,co->no...", x[:, g * cin_g:(g + 1) * cin_g], wk)
    y = buf[(slice(None), slice(None)) + tuple(slice(p[i], full[i] - p[i]) for i in range(d))]
    if b is not None:
        y = y + b.astype(np.float64).reshape(1, -1, *([1] * d))
    return y


# (input shape, weight shape, bias, kwargs) per spatial rank
CONV_CASES = {
    1: [((2, 4, 7), (6, 4, 3), True, {}),
        ((1, 4, 9), (4, 2, 2), False, {"stride": 2, "padding": 1, "groups": 2}),
        ((2, 2, 8), (3, 2, 3), True, {"dilation": 2, "padding": 2}),
        ((0, 2, 5), (3, 2, 3), True, {}),
        ((2, 3, 5), (3, 1, 1), False, {"groups": 3})],
    2: [((2, 3, 6, 5), (4, 3, 3, 3), True, {}),
        ((1, 4, 7, 7), (6, 2, 3, 2), True, {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2), "groups": 2}),
        ((2, 4, 5, 5), (4, 4, 1, 1), False, {}),
        ((1, 2, 4, 4), (2, 2, 3, 3), True, {"padding": "same"}),
        ((1, 2, 4, 5), (2, 2, 2, 3), False, {"padding": "valid", "stride": 2})],
    3: [((1, 2, 4, 4, 3), (3, 2, 2, 2, 2), True, {}),
        ((2, 2, 5, 4, 4), (2, 1, 3, 1, 2), False, {"stride": (2, 1, 1), "padding": 1, "groups": 2})],
}
CONVT_CASES = {
    1: [((2, 4, 5), (4, 3, 3), True, {}),
        ((1, 4, 4), (4, 2, 3), False, {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2}),
        ((2, 2, 4), (2, 3, 2), True, {"dilation": 2, "stride": 3, "output_padding": 2})],
    2: [((2, 3, 4, 3), (3, 2, 3, 3), True, {}),
        ((1, 4, 3, 4), (4, 1, 2, 3), True, {"stride": (2, 1), "padding": (1, 1), "output_padding": (1, 0), "groups": 2}),
        ((2, 2, 3, 3), (2, 3, 1, 1), False, {}),
        ((1, 2, 3, 3), (2, 2, 2, 2), False, {"dilation": 2, "padding": 1})],
    3: [((1, 2, 3, 2, 3), (2, 2, 2, 2, 2), True, {"stride": 2}),
        ((1, 2, 2, 3, 2), (2, 1, 1, 2, 2), False, {"padding": (0, 1, 0), "groups": 2})],
}


def _samples(cases, transposed=False):
    def gen(dtype, rng):
        out = []
        for xs, ws, bias, kw in cases:
            x, w = random_array(rng, xs, dtype), random_array(rng, ws, dtype)
            channels = ws[1] * kw.get("groups", 1) if transposed else ws[0]
            b = random_array(rng, (channels,), dtype) if bias else None
            out.append(Sample((x, w, b), kw))
        return out
    return gen


def _ref(padding_same_dims=None):
    def ref(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
        if padding == "valid":
            padding = 0
        elif padding == "same":
            padding = tuple(dl * (k - 1) // 2 for dl, k in zip(_tuple(dilation, w.ndim - 2), w.shape[2:]))
        return np_conv(x, w, b, stride, padding, dilation, groups)
    return ref


def _convolution_samples(dtype, rng):
    out = []
    for xs, ws, bias, kw in CONV_CASES[2][:2]:
        x, w = random_array(rng, xs, dtype), random_array(rng, ws, dtype)
        b = random_array(rng, (ws[0],), dtype) if bias else None
        d = 2
        out.append(Sample((x, w, b, list(_tuple(kw.get("stride", 1), d)), list(_tuple(kw.get("padding", 0), d)),
                           list(_tuple(kw.get("dilation", 1), d)), False, [0, 0], kw.get("groups", 1))))
    for xs, ws, bias, kw in CONVT_CASES[2][:2]:
        x, w = random_array(rng, xs, dtype), random_array(rng, ws, dtype)
        g = kw.get("groups", 1)
        b = random_array(rng, (ws[1] * g,), dtype) if bias else None
        d = 2
        out.append(Sample((x, w, b, list(_tuple(kw.get("stride", 1), d)), list(_tuple(kw.get("padding", 0), d)),
                           list(_tuple(kw.get("dilation", 1), d)), True,
                           list(_tuple(kw.get("output_padding", 0), d)), g)))
    return out


def _np_convolution(x, w, b, stride, padding, dilation, transposed, output_padding, groups):
    if transposed:
        return np_conv_transpose(x, w, b, stride, padding, output_padding, groups, dilation)
    return np_conv(x, w, b, stride, padding, dilation, groups)


def _entry(name, fn, ref, cases, transposed=False):
    return OpInfo(name, fn, ref, CONV_DTYPES, _samples(cases, transposed), tol=CONV_TOL)


OPS = [
    OpInfo("convolution", lambda *a: rstorch.convolution(*a), _np_convolution, CONV_DTYPES, _convolution_samples,
           tol=CONV_TOL),
    *(_entry(f"conv{d}d", getattr(rstorch, f"conv{d}d"), _ref(), CONV_CASES[d]) for d in (1, 2, 3)),
    *(_entry(f"conv_transpose{d}d", getattr(rstorch, f"conv_transpose{d}d"), np_conv_transpose, CONVT_CASES[d], True)
      for d in (1, 2, 3)),
]


def _conv2d_errors(device):
    x, w = np.zeros((2, 4, 8, 8), np.float32), np.zeros((5, 3, 3, 3), np.float32)
    return [
        error((x, w), RuntimeError, "Given groups=1, weight of size [5, 3, 3, 3], expected input[2, 4, 8, 8] to have "
              "3 channels, but got 4 channels instead"),
        error((x, np.zeros((5, 4, 9, 9), np.float32)), RuntimeError, "Calculated padded input size per channel: "
              "(8 x 8). Kernel size: (9 x 9). Kernel size can't be greater than actual input size"),
        error((x, np.zeros((6, 2, 3, 3), np.float32)), RuntimeError, "Given groups=4, expected weight to be "
              "divisible by 4 at dimension 0, but got weight of size [[6, 2, 3, 3]] instead", {"groups": 4}),
        error((x, np.zeros((6, 4, 3, 3), np.float32)), RuntimeError, "non-positive groups is not supported",
              {"groups": 0}),
        error((x, np.zeros((6, 4, 3, 3), np.float32)), RuntimeError, "non-positive stride is not supported",
              {"stride": 0}),
        error((x, np.zeros((6, 4, 3, 3), np.float32)), RuntimeError, "negative padding is not supported",
              {"padding": -1}),
        error((x, np.zeros((6, 4, 3, 3), np.float32)), RuntimeError,
              "padding='same' is not supported for strided convolutions", {"stride": 2, "padding": "same"}),
        error((x, np.zeros((6, 4, 3, 3), np.float32)), RuntimeError, "Invalid padding string: 'foo'",
              {"padding": "foo"}),
        error((np.zeros((4, 8), np.float32), np.zeros((6, 4, 3, 3), np.float32)), RuntimeError,
              "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [4, 8]"),
        error((x, np.zeros((6, 4, 3, 3), np.float32)), RuntimeError, "expected stride to be a single integer value "
              "or a list of 2 values to match the convolution dimensions, but got stride=[1, 1, 1]",
              {"stride": (1, 1, 1)}),
        error((x, np.zeros((6, 4, 3, 3), np.float32), np.zeros(5, np.float32)), RuntimeError,
              "Given weight of size [6, 4, 3, 3], expected bias to be 1-dimensional with 6 elements, but got bias of "
              "size [5] instead"),
        error((x, rstorch.zeros(6, 4, 3, 3, dtype=rstorch.float64, device=device)), RuntimeError, "Input type (torch.FloatTensor) and weight type "
              "(torch.DoubleTensor) should be the same or input should be a MKLDNN tensor and weight is a dense tensor"),
        error((x.astype(bool), np.zeros((6, 4, 3, 3), bool)), NotImplementedError,
              "\"slow_conv2d_cpu\" not implemented for 'Bool'"),
    ]


def _conv_transpose2d_errors(device):
    x = np.zeros((2, 4, 8, 8), np.float32)
    return [
        error((x, np.zeros((4, 3, 3, 3), np.float32)), RuntimeError, "output padding must be smaller than either "
              "stride or dilation, but got output_padding_height: 2 output_padding_width: 2 stride_height: 2 "
              "stride_width: 2 dilation_height: 1 dilation_width: 1", {"stride": 2, "output_padding": 2}),
        error((x, np.zeros((5, 3, 3, 3), np.float32)), RuntimeError, "Given transposed=1, weight of size [5, 3, 3, 3], "
              "expected input[2, 4, 8, 8] to have 5 channels, but got 4 channels instead"),
        error((x, np.zeros((4, 3, 3, 3), np.float32)), RuntimeError, "Given groups=3, expected weight to be divisible "
              "by 3 at dimension 0, but got weight of size [[4, 3, 3, 3]] instead", {"groups": 3}),
    ]


def _conv1d_errors(device):
    return [
        error((np.zeros((2, 4, 8), np.float32), np.zeros((6, 4, 9), np.float32)), RuntimeError,
              "Calculated padded input size per channel: (8). Kernel size: (9). Kernel size can't be greater than "
              "actual input size"),
        error((np.zeros((2, 4, 8, 8), np.float32), np.zeros((6, 4, 3), np.float32)), RuntimeError,
              "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [2, 4, 8, 8]"),
    ]


attach_error_inputs(OPS, {"conv2d": _conv2d_errors, "conv_transpose2d": _conv_transpose2d_errors,
                          "conv1d": _conv1d_errors})
