"""Resampling: `interpolate` (and the deprecated `upsample*`), `grid_sample`, `affine_grid`.

Everything is built from existing ops (index_select / gather, elementwise arithmetic), so
autograd comes for free. Source indices and weights are computed once per spatial dimension as
small tensors, with torch's formulas (ATen's UpSample.h / UpSampleKernel.cpp: the scale in the
kernel's opmath type, `area_pixel_compute_source_index`, `floorf` on a float), then applied as
gathers: each spatial dimension is resampled in turn, innermost first, which is the order of
torch's nested `Interpolate<n>` sums."""

import math
import struct
import warnings

import rstorch

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "grid_sample", "affine_grid"]

_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_LINEAR_MODES = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}


def _f32(v):
    """`v` rounded to float32 (a Python float)."""
    return struct.unpack("f", struct.pack("f", v))[0]


def _is_integer(x):
    if isinstance(x, bool):
        return True
    if isinstance(x, int):
        return True
    if isinstance(x, rstorch.Tensor):
        return not x.is_floating_point()
    return type(x).__module__ == "numpy" and "int" in type(x).__name__


def _opmath(dtype):
    return rstorch.float64 if dtype == rstorch.float64 else rstorch.float32


def _kernel_scale(in_size, out_size, align_corners, scale, od):
    """ATen's `area_pixel_compute_scale` in the opmath type `od`, as a Python float."""
    if align_corners:
        v = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
    elif scale is not None and scale > 0:
        v = 1.0 / scale
    else:
        v = in_size / out_size
    return v if od == rstorch.float64 else _f32(v)


def _source_index(scale, out_size, align_corners, cubic, od):
    """ATen's `area_pixel_compute_source_index` for every output index: a tensor of dtype `od`.
    Mixed float/double arithmetic is reproduced: `scale * (i + 0.5) - 0.5` is computed in double
    and rounded to `od` on return."""
    i = rstorch.arange(out_size, dtype=rstorch.float64)
    if align_corners:
        return rstorch.tensor(scale, dtype=od) * i.to(od)
    src = (scale * (i + 0.5) - 0.5).to(od)
    return src if cubic else src.clamp_min(0)


def _floorf(x):
    """C's `floorf(x)` on an opmath value: the value is first rounded to float."""
    return x.to(rstorch.float32).floor().to(rstorch.int64)


def _nearest_indices(in_size, out_size, scale, exact, od):
    s = _kernel_scale(in_size, out_size, False, scale, od)
    if exact:
        real = _source_index(s, out_size, False, False, od)
        idx = _floorf(real.to(rstorch.float64) + 0.5)
    else:
        idx = _floorf(_source_index(s, out_size, True, False, od))
    return idx.clamp_max(in_size - 1)


def _linear_taps(in_size, out_size, align_corners, scale, od):
    """[(index, weight)] x 2 of ATen's `compute_source_index_and_lambda`."""
    if in_size == out_size:
        i = rstorch.arange(out_size)
        return [(i, rstorch.ones(out_size, dtype=od)), (i, rstorch.zeros(out_size, dtype=od))]
    s = _kernel_scale(in_size, out_size, align_corners, scale, od)
    real = _source_index(s, out_size, align_corners, False, od)
    i0 = _floorf(real).clamp_max(in_size - 1)
    l1 = (real - i0.to(od)).clamp(0, 1)
    i1 = rstorch.where(i0 < in_size - 1, i0 + 1, i0)
    return [(i0, 1 - l1), (i1, l1)]


def _cubic_coefficients(t):
    """The 4 weights of the cubic convolution (A = -0.75) at fractional offset t (a tensor)."""
    a = -0.75

    def conv1(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def conv2(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [conv2(t + 1.0), conv1(t), conv1(1.0 - t), conv2((1.0 - t) + 1.0)]


def _cubic_taps(in_size, out_size, align_corners, scale, od):
    s = _kernel_scale(in_size, out_size, align_corners, scale, od)
    real = _source_index(s, out_size, align_corners, True, od)
    i = _floorf(real)
    coeffs = _cubic_coefficients(real - i.to(od))
    return [((i - 1 + j).clamp(0, in_size - 1), coeffs[j]) for j in range(4)]


# a dimension up to this size is resampled by a matmul with its (out, in) weight matrix: GEMM
# beats the per-element gathers by far there, and the matrix stays small
_MATMUL_MAX_IN = 512
_MATMUL_MAX_ENTRIES = 1 << 22


def _use_matmul(x, dim, n_out):
    n_in = x.shape[dim]
    return (n_in <= _MATMUL_MAX_IN and n_in * n_out <= _MATMUL_MAX_ENTRIES and x.numel() > 0
            and bool(x.isfinite().all()))


def _apply_matrix(x, dim, m):
    """x resampled along `dim` by the (out, in) matrix m."""
    if dim == x.dim() - 1:
        return x.matmul(m.t())
    if dim == x.dim() - 2:
        return m.matmul(x)
    return x.movedim(dim, -1).matmul(m.t()).movedim(-1, dim)


def _resample_dim(x, dim, taps):
    """sum_k x.index_select(dim, index_k) * weight_k (the weight broadcast along `dim`). For a
    small dimension of a finite input this is `x @ M^T` with M the (out, in) matrix of the taps
    (the same sums: the other entries of M are exact zeros, and 0 * x stays 0 for finite x)."""
    n_out = taps[0][0].shape[0]
    if _use_matmul(x, dim, n_out):
        rows = rstorch.arange(n_out, device=x.device)
        m = rstorch.zeros((n_out, x.shape[dim]), dtype=x.dtype, device=x.device)
        for idx, w in taps:
            m.index_put_((rows, idx), w.to(x.dtype), accumulate=True)
        return _apply_matrix(x, dim, m)
    shape = [1] * x.dim()
    shape[dim] = -1
    out = None
    for idx, w in taps:
        term = x.index_select(dim, idx) * w.to(x.dtype).view(shape)
        out = term if out is None else out + term
    return out


def _area_dim(x, dim, out_size):
    """Adaptive average over `dim`: window [floor(o*in/out), ceil((o+1)*in/out))."""
    in_size = x.shape[dim]
    if _use_matmul(x, dim, out_size):
        m = rstorch.zeros((out_size, in_size), dtype=x.dtype, device=x.device)
        for o in range(out_size):
            s, e = (o * in_size) // out_size, -((-(o + 1) * in_size) // out_size)
            m[o, s:e] = 1.0 / (e - s)
        return _apply_matrix(x, dim, m)
    if in_size % out_size == 0:  # equal windows: a reshape and a mean
        shape = list(x.shape)
        shape[dim:dim + 1] = [out_size, in_size // out_size]
        return x.reshape(shape).mean(dim + 1)
    starts = [(o * in_size) // out_size for o in range(out_size)]
    ends = [-((-(o + 1) * in_size) // out_size) for o in range(out_size)]
    k = max(e - s for s, e in zip(starts, ends))
    idx = [min(s + j, e - 1) for s, e in zip(starts, ends) for j in range(k)]
    mask = [j < e - s for s, e in zip(starts, ends) for j in range(k)]
    counts = [e - s for s, e in zip(starts, ends)]
    g = x.index_select(dim, rstorch.tensor(idx))
    shape = list(x.shape)
    shape[dim:dim + 1] = [out_size, k]
    g = g.reshape(shape)
    mshape = [1] * len(shape)
    mshape[dim:dim + 2] = [out_size, k]
    g = rstorch.where(rstorch.tensor(mask).view(mshape), g, rstorch.zeros((), dtype=g.dtype))
    cshape = [1] * x.dim()
    cshape[dim] = out_size
    return g.sum(dim + 1) / rstorch.tensor(counts, dtype=x.dtype).view(cshape)


def _scalar_name(dtype):
    return {rstorch.int64: "Long", rstorch.int32: "Int", rstorch.int16: "Short", rstorch.int8: "Char",
            rstorch.uint8: "Byte", rstorch.bool: "Bool", rstorch.float32: "Float", rstorch.float64: "Double",
            rstorch.float16: "Half", rstorch.bfloat16: "BFloat16"}.get(dtype, str(dtype))


def _not_implemented(kernel, dtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(dtype)}\'')


def _check_sizes(input, output_size):
    dim = input.dim()
    spatial = list(input.shape[2:])
    if input.numel() == 0 and math.prod(input.shape[1:]) == 0:
        raise RuntimeError(f"Non-empty {dim}D data tensor expected but got a tensor with sizes {list(input.shape)}")
    if min(spatial) <= 0 or min(output_size) <= 0:
        names = ["D", "H", "W"][3 - len(spatial):]
        ins = ", ".join(f"{n}: {v}" for n, v in zip(names, spatial))
        outs = ", ".join(f"{n}: {v}" for n, v in zip(names, output_size))
        sep = ") and output (" if len(spatial) == 1 else ") output ("
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({ins}{sep}{outs})")


def _upsample(input, output_size, scale_factors, mode, align_corners):
    """The kernels behind interpolate: nearest(-exact), (bi/tri)linear, bicubic, area."""
    spatial = list(input.shape[2:])
    if output_size is None:
        output_size = [int(s * f) for s, f in zip(spatial, scale_factors)]
    output_size = [int(s) for s in output_size]
    scales = list(scale_factors) if scale_factors is not None else [None] * len(spatial)
    if mode == "area":
        if not input.is_floating_point():
            raise _not_implemented("adaptive_avg_pool2d", input.dtype)
        out = input
        for k in reversed(range(len(spatial))):
            out = _area_dim(out, 2 + k, output_size[k])
        return out
    _check_sizes(input, output_size)
    kernel = {"nearest": "compute_indices_weights_nearest", "nearest-exact": "compute_indices_weights_nearest",
              "bicubic": "compute_indices_weights_cubic"}.get(mode, "compute_indices_weights_linear")
    if mode in ("nearest", "nearest-exact"):
        if not (input.is_floating_point() or input.dtype == rstorch.uint8):
            raise _not_implemented(kernel, input.dtype)
    elif not input.is_floating_point():
        raise _not_implemented(kernel, input.dtype)
    od = _opmath(input.dtype)
    out = input
    for k in reversed(range(len(spatial))):
        dim, n_in, n_out = 2 + k, spatial[k], output_size[k]
        if mode in ("nearest", "nearest-exact"):
            out = out.index_select(dim, _nearest_indices(n_in, n_out, scales[k], mode == "nearest-exact", od))
        elif mode == "bicubic":
            out = _resample_dim(out, dim, _cubic_taps(n_in, n_out, align_corners, scales[k], od))
        else:
            out = _resample_dim(out, dim, _linear_taps(n_in, n_out, align_corners, scales[k], od))
    return out


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None,
                antialias=False):
    """Down/up-samples `input` to `size` or by `scale_factor` (torch.nn.functional.interpolate)."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the "
                             "interpolating modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scale_factors = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(input.shape[2:])} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "output size in (o1, o2, ...,oK) format.")
            if not all(_is_integer(x) for x in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                f"Tuple[int, int, int], but got size with types {[type(x) for x in size]}")
            output_size = [int(x) for x in size]
        else:
            output_size = [size for _ in range(dim)]
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {list(input.shape[2:])} and "
                    f"scale_factor of shape {scale_factor}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "scale_factor in (s1, s2, ...,sK) format.")
            scale_factors = list(scale_factor)
        else:
            scale_factors = [scale_factor for _ in range(dim)]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor is not None and recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor is not None and recompute_scale_factor:
        output_size = [math.floor(input.size(i + 2) * scale_factors[i]) for i in range(dim)]
        scale_factors = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a "
                         "4-D tensor as input")
    nd = input.dim()
    if nd in (3, 4, 5) and mode in ("nearest", "nearest-exact", "area"):
        return _upsample(input, output_size, scale_factors, mode, align_corners)
    if mode in _LINEAR_MODES and nd == _LINEAR_MODES[mode]:
        if antialias:
            raise NotImplementedError(f"interpolate: antialias=True (mode '{mode}') is not implemented in rstorch")
        return _upsample(input, output_size, scale_factors, mode, align_corners)
    if nd == 4 and mode == "lanczos":
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
        raise NotImplementedError("interpolate: mode 'lanczos' is not implemented in rstorch")
    wanted = {"linear": 3, "bilinear": 4, "trilinear": 5}
    if nd in (3, 4, 5) and mode in wanted:
        raise NotImplementedError(f"Got {nd}D input, but {mode} mode needs {wanted[mode]}D input")
    raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {nd}D) for the modes: "
                              f"{_MODES} (got {mode})")


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate(..., mode='nearest')."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate(..., mode='bilinear', align_corners=True)."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------------- grid_sample, affine_grid

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed "
                  "to align_corners=False since 1.3.0. Please specify "
                  "align_corners=True if the old behavior is desired. "
                  "See the documentation of grid_sample for details.")


def _unnormalize(coord, size, align_corners):
    if align_corners:
        return ((coord + 1) / 2) * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(x, twice_low, twice_high):
    if twice_low == twice_high:
        return rstorch.zeros_like(x)
    lo = twice_low / 2
    span = (twice_high - twice_low) / 2
    x = x - lo
    x = x * rstorch.where(x < 0, -1.0, 1.0).to(x.dtype)
    extra = x.fmod(span)
    flips = (x / span).floor()
    return rstorch.where(flips.fmod(2) == 0, extra + lo, span - extra + lo)


def _pad_coordinates(x, size, padding_mode, align_corners):
    """ATen's `compute_coordinates`: border clips, reflection reflects then clips."""
    if padding_mode == "border":
        return _clip(x, size)
    if padding_mode == "reflection":
        x = _reflect(x, 0, 2 * (size - 1)) if align_corners else _reflect(x, -1, 2 * size - 1)
        return _clip(x, size)
    return x


def _clip(x, size):
    """ATen's `clip_coordinates`: the gradient passes only strictly inside (0, size - 1)."""
    zero = rstorch.zeros((), dtype=x.dtype)
    return rstorch.where(x <= 0, zero, rstorch.where(x >= size - 1, zero + (size - 1), x))


def _gather_points(flat, idx_list, sizes, strides):
    """Values of `flat` (N, C, P) at integer points (each idx (N, Q) per spatial dim); points
    outside the input read 0 (they index a zero appended after the P values, so no masking pass
    over the (N, C, Q) values is needed, and an inf/nan elsewhere never leaks in)."""
    n, c, p = flat.shape
    lin = None
    ok = None
    for idx, size, stride in zip(idx_list, sizes, strides):
        inside = (idx >= 0) & (idx < size)
        ok = inside if ok is None else ok & inside
        term = idx * stride
        lin = term if lin is None else lin + term
    lin = rstorch.where(ok, lin, p)
    padded = rstorch.cat([flat, rstorch.zeros((n, c, 1), dtype=flat.dtype, device=flat.device)], 2)
    return padded.gather(2, lin.unsqueeze(1).expand(n, c, lin.shape[1]))


def _grid_sample_impl(input, grid, mode, padding_mode, align_corners):
    nd = input.dim() - 2
    n, c = input.shape[0], input.shape[1]
    sizes = list(input.shape[2:])[::-1]  # x (W) first, as grid's last dim
    out_sp = list(grid.shape[1:-1])
    q = math.prod(out_sp)
    strides = [math.prod(sizes[:k]) for k in range(nd)]  # x stride 1, y stride W...
    flat = input.reshape(n, c, math.prod(sizes))
    g = grid.reshape(n, q, nd)
    coords = [_unnormalize(g[..., k], sizes[k], align_corners) for k in range(nd)]
    if mode == "bicubic":
        # all 4^nd taps in one gather: tap axes (z..., y, x) then the points; then the cubic sums,
        # innermost coordinate (x) first, as torch's nested cubic_interp1d
        base = [co.floor() for co in coords]
        coeffs = [rstorch.stack(_cubic_coefficients(co - b), 1) for co, b in zip(coords, base)]  # (N, 4, Q)
        taps = []
        for b, size in zip(base, sizes):
            t = rstorch.stack([b + (j - 1) for j in range(4)], 1)  # (N, 4, Q)
            if padding_mode != "zeros":
                t = _pad_coordinates(t, size, padding_mode, align_corners)
            taps.append(t.to(rstorch.int64))
        idx = []
        for k in range(nd):  # broadcast tap k over the (nd) tap axes ordered z..y,x
            shape = [n] + [1] * nd + [q]
            shape[1 + (nd - 1 - k)] = 4
            idx.append(taps[k].view(shape).expand([n] + [4] * nd + [q]).reshape(n, -1))
        vals = _gather_points(flat, idx, sizes, strides).view([n, c] + [4] * nd + [q])
        out = vals
        for k in range(nd):
            shape = [n, 1] + [1] * (nd - 1 - k) + [4, q]
            out = (out * coeffs[k].view(shape)).sum(-2)
    else:
        coords = [_pad_coordinates(co, s, padding_mode, align_corners) for co, s in zip(coords, sizes)]
        if mode == "nearest":
            idx = [co.round().to(rstorch.int64) for co in coords]
            out = _gather_points(flat, idx, sizes, strides)
        else:
            # the 2^nd corners in one gather (corner order nw, ne, sw, se...), weighted, summed
            lo = [co.floor() for co in coords]
            corners = [[(corner >> (nd - 1 - k)) & 1 for k in range(nd)][::-1] for corner in range(2 ** nd)]
            idx, weights = [], []
            for k in range(nd):
                idx.append(rstorch.cat([(lo[k] + bits[k]).to(rstorch.int64) for bits in corners], 1))
            for bits in corners:
                w = None
                for k in range(nd):
                    wk = (coords[k] - lo[k]) if bits[k] else (lo[k] + 1 - coords[k])
                    w = wk if w is None else w * wk
                weights.append(w)
            vals = _gather_points(flat, idx, sizes, strides).view(n, c, 2 ** nd, q)
            out = (vals * rstorch.stack(weights, 1).unsqueeze(1)).sum(2)
    return out.reshape([n, c] + out_sp)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Samples `input` at the normalised locations of `grid` (torch.nn.functional.grid_sample)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if input.device != grid.device:
        raise RuntimeError(f"grid_sampler(): expected input and grid to be on same device, but input is on "
                           f"{input.device} and grid is on {grid.device}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, but got "
                           f"grid with sizes {list(grid.shape)}")
    for i in range(2, input.dim()):
        if input.shape[i] <= 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                               f"sizes {list(input.shape)} with dimension {i} being empty")
    want = 4 if input.dim() == 4 else 5
    if input.dim() != want or grid.dim() != want:
        raise RuntimeError(f"grid_sampler(): expected {want}D input and grid with same number of dimensions, but "
                           f"got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_name(input.dtype)} but found {_scalar_name(grid.dtype)}")
    return _grid_sample_impl(input, grid, mode, padding_mode, align_corners)


def _base_coords(n, align_corners, dtype, device):
    if n <= 1:
        return rstorch.zeros(max(n, 0), dtype=dtype, device=device)
    lin = rstorch.linspace(-1, 1, n, dtype=dtype, device=device)
    return lin if align_corners else lin * (n - 1) / n


def affine_grid(theta, size, align_corners=None):
    """The sampling grid of the affine maps `theta` (N, 2, 3) or (N, 3, 4) for output `size`."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. "
                             f"Got {theta.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. "
                             f"Got {theta.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. "
                      "See the documentation of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    n = size[0]
    nd = len(spatial)
    dt, dev = theta.dtype, theta.device
    # base grid (*spatial, nd + 1): x varies along the last spatial dim, then y, then z; last entry 1
    comps = []
    for k in range(nd):  # k = 0 is x (W, the last spatial dim)
        axis = nd - 1 - k
        shape = [1] * nd
        shape[axis] = spatial[axis]
        comps.append(_base_coords(spatial[axis], align_corners, dt, dev).view(shape).expand(spatial))
    comps.append(rstorch.ones(spatial, dtype=dt, device=dev))
    base = rstorch.stack(comps, -1).reshape(1, -1, nd + 1).expand(n, -1, nd + 1)
    grid = base.bmm(theta.transpose(1, 2))
    return grid.view([n] + spatial + [nd])
