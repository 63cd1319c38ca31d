"""The casting layer: torch's per-device autocast op lists (aten/src/ATen/autocast_mode.cpp, as
torch 2.15 behaves: tests/data/amp_dtypes.json is recorded from it) applied at rstorch's op
entry points.

Each listed op has a policy per device type:
  LOW       cast the floating inputs to the region's low dtype (matmul, linear, conv...)
  FP32      cast them to float32 (losses, linalg, exp/log on the GPU...)
  FP32_OPT  float32 unless the call gives `dtype=` (softmax, sum, cumsum... on the GPU): the
            first input is cast to float32, which is what computing with dtype=float32 gives
  PROMOTE   cast them all to the widest floating dtype among them (cat, stack...)
  BANNED    raise (binary_cross_entropy on the GPU, as torch)
  NATIVE    no cast, and autocast off inside: ops that are one kernel in torch (so autocast never
            sees their insides) but that rstorch composes from listed ops (bilinear/bicubic
            interpolation on the CPU; trace and pinv on the GPU)
An input is eligible when it is a floating tensor on the region's device and not float64.
Inside a wrapped op autocast is off (torch excludes the Autocast key while the cast op runs), so
a listed op that is composed of other listed ops casts once. Ops outside the lists run as they
are: their own dtype promotion decides (bfloat16 + float32 -> float32).

The wrappers replace the entry points (the rstorch.* function, nn.functional's, the Tensor
method and its operators, the conv modules' function) only while some thread has autocast on
(_state.set_enabled calls install/uninstall), so autocast costs nothing when it is off. A
reference taken while a region was open (`mm = rstorch.mm` inside it) keeps the wrapper, which
then runs the original when autocast is off; one taken before keeps the original and is not
autocast."""

import threading

from .. import _C
from . import _state

LOW, FP32, FP32_OPT, PROMOTE, BANNED = "lower_precision_fp", "fp32", "fp32_set_opt_dtype", "promote", "banned"
NATIVE = "native"

# ------------------------------------------------------------------ torch's lists (op names as torch's)
_CPU_LOW = """conv1d conv2d conv3d bmm mm linalg_vecdot baddbmm addmm addbmm linear matmul conv_tbc
conv_transpose1d conv_transpose2d conv_transpose3d prelu scaled_dot_product_attention"""
_CPU_FP32 = """avg_pool3d binary_cross_entropy grid_sampler polar prod quantile nanquantile stft cdist trace
cholesky cholesky_inverse cholesky_solve inverse lu_solve orgqr ormqr pinverse max_pool3d max_unpool2d
max_unpool3d adaptive_avg_pool3d reflection_pad1d reflection_pad2d replication_pad1d replication_pad2d
replication_pad3d mse_loss cosine_embedding_loss nll_loss hinge_embedding_loss poisson_nll_loss
smooth_l1_loss cross_entropy_loss l1_loss huber_loss margin_ranking_loss soft_margin_loss
triplet_margin_loss multi_margin_loss ctc_loss kl_div multilabel_margin_loss
binary_cross_entropy_with_logits linalg_cond linalg_matrix_rank linalg_solve linalg_cholesky
linalg_svdvals linalg_eigvals linalg_eigvalsh linalg_inv linalg_householder_product linalg_tensorinv
linalg_tensorsolve geqrf qr svd triangular_solve fractional_max_pool2d fractional_max_pool3d
adaptive_max_pool3d linalg_qr linalg_cholesky_ex linalg_svd linalg_eig linalg_eigh linalg_lstsq
linalg_inv_ex"""
_CPU_PROMOTE = "stack cat index_copy"

_GPU_LOW = """conv1d conv2d conv3d conv_tbc conv_transpose1d conv_transpose2d conv_transpose3d convolution
prelu addmm addmv addr matmul einsum mm mv linalg_vecdot linear addbmm baddbmm bmm chain_matmul
linalg_multi_dot lstm_cell gru_cell rnn_tanh_cell rnn_relu_cell scaled_dot_product_attention"""
_GPU_FP32 = """acos asin cosh erfinv exp expm1 log log10 log2 log1p reciprocal rsqrt sinh tan pow softplus
layer_norm group_norm cosine_similarity poisson_nll_loss cosine_embedding_loss nll_loss
hinge_embedding_loss kl_div l1_loss smooth_l1_loss huber_loss mse_loss margin_ranking_loss
multilabel_margin_loss soft_margin_loss triplet_margin_loss multi_margin_loss
binary_cross_entropy_with_logits dist pdist cdist renorm logsumexp upsample norm"""
_GPU_FP32_OPT = "prod softmax log_softmax cumprod cumsum linalg_vector_norm linalg_matrix_norm sum"
_GPU_PROMOTE = "addcdiv addcmul atan2 bilinear cross dot grid_sampler index_put tensordot scatter_add"


def _table(**groups):
    table = {}
    for policy, names in groups.items():
        for name in names.split():
            table[name] = policy
    return table


POLICIES = {
    "cpu": _table(**{LOW: _CPU_LOW, FP32: _CPU_FP32, PROMOTE: _CPU_PROMOTE}),
    "wgpu": _table(**{LOW: _GPU_LOW, FP32: _GPU_FP32, FP32_OPT: _GPU_FP32_OPT, PROMOTE: _GPU_PROMOTE}),
}
POLICIES["wgpu"]["binary_cross_entropy"] = BANNED
POLICIES["cpu"]["upsample"] = NATIVE
POLICIES["wgpu"].update(trace=NATIVE, pinverse=NATIVE, linalg_pinv=NATIVE, linalg_lstsq=NATIVE,
                        inner=PROMOTE)  # torch's inner is tensordot's on the GPU

_BCE_BANNED = (
    "torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast.\n"
    "Many models use a sigmoid layer right before the binary cross entropy layer.\n"
    "In this case, combine the two layers using torch.nn.functional.binary_cross_entropy_with_logits\n"
    "or torch.nn.BCEWithLogitsLoss.  binary_cross_entropy_with_logits and BCEWithLogits are\n"
    "safe to autocast.")

# ------------------------------------------------------------------ rstorch's entry points per op
# "T": rstorch.<name>, "F": nn.functional.<name>, "M": the Tensor method, "L": rstorch.linalg.<x>,
# plus extra names (aliases, operators). Ops torch lists that rstorch lacks are simply absent.
_T, _F, _M = "T", "F", "M"
ENTRY_POINTS = {
    "conv1d": [_T, _F], "conv2d": [_T, _F], "conv3d": [_T, _F],
    "conv_transpose1d": [_T, _F], "conv_transpose2d": [_T, _F], "conv_transpose3d": [_T, _F],
    "convolution": [_T], "prelu": [_F], "linear": [_F],
    "addmm": [_T, _M], "addmv": [_T, _M], "addr": [_T, _M], "addbmm": [_T, _M], "baddbmm": [_T, _M],
    "bmm": [_T, _M], "mm": [_T, _M], "mv": [_T, _M], "einsum": [_T],
    "matmul": [_T, _M, "M:__matmul__", "M:__rmatmul__", "L:matmul"],
    "linalg_vecdot": ["L:vecdot"], "linalg_multi_dot": ["L:multi_dot"],
    "scaled_dot_product_attention": [_F],
    # fp32
    "acos": [_T, _M, "T:arccos", "M:arccos"], "asin": [_T, _M, "T:arcsin", "M:arcsin"],
    "cosh": [_T, _M], "erfinv": [_T, _M], "exp": [_T, _M], "expm1": [_T, _M], "log": [_T, _M],
    "log10": [_T, _M], "log2": [_T, _M], "log1p": [_T, _M], "reciprocal": [_T, _M], "rsqrt": [_T, _M],
    "sinh": [_T, _M], "tan": [_T, _M], "pow": [_T, _M, "M:__pow__", "M:__rpow__"],
    "softplus": [_F], "layer_norm": [_T, _F], "group_norm": [_F], "cosine_similarity": [_F],
    "poisson_nll_loss": [_F], "cosine_embedding_loss": [_F], "nll_loss": [_F], "hinge_embedding_loss": [_F],
    "kl_div": [_F], "l1_loss": [_F], "smooth_l1_loss": [_F], "huber_loss": [_F], "mse_loss": [_F],
    "margin_ranking_loss": [_F], "multilabel_margin_loss": [_F], "soft_margin_loss": [_F],
    "triplet_margin_loss": [_F], "multi_margin_loss": [_F], "binary_cross_entropy_with_logits": [_F],
    "binary_cross_entropy": [_F], "cross_entropy_loss": ["F:cross_entropy"], "ctc_loss": [_F],
    "dist": [_T, _M], "cdist": [_T], "renorm": [_T, _M], "logsumexp": [_T, _M],
    "upsample": ["F:interpolate"], "norm": [_T, _M],
    "prod": [_T, _M], "softmax": [_T, _F, _M], "log_softmax": [_T, _F, _M], "cumprod": [_T, _M],
    "cumsum": [_T, _M], "sum": [_T, _M], "linalg_vector_norm": ["L:vector_norm"],
    "linalg_matrix_norm": ["L:matrix_norm"],
    "avg_pool3d": [_F], "max_pool3d": [_T, _F], "max_unpool2d": [_F], "max_unpool3d": [_F],
    "adaptive_avg_pool3d": [_F], "adaptive_max_pool3d": [_F], "fractional_max_pool2d": [_F],
    "fractional_max_pool3d": [_F], "grid_sampler": ["F:grid_sample"],
    "quantile": [_T, _M], "nanquantile": [_T, _M], "trace": [_T, _M], "cholesky": [_T, _M],
    "cholesky_inverse": [_T, _M], "cholesky_solve": [_T, _M], "inverse": [_T, _M], "pinverse": [_T, _M],
    "qr": [_T, _M], "svd": [_T, _M], "triangular_solve": [_T, _M],
    "linalg_cond": ["L:cond"], "linalg_matrix_rank": ["L:matrix_rank"], "linalg_solve": ["L:solve"],
    "linalg_cholesky": ["L:cholesky"], "linalg_svdvals": ["L:svdvals"], "linalg_eigvalsh": ["L:eigvalsh"],
    "linalg_inv": ["L:inv"], "linalg_qr": ["L:qr"], "linalg_cholesky_ex": ["L:cholesky_ex"],
    "linalg_svd": ["L:svd"], "linalg_eigh": ["L:eigh"], "linalg_lstsq": ["L:lstsq"], "linalg_inv_ex": ["L:inv_ex"],
    "lu_solve": ["L:lu_solve"], "linalg_pinv": ["L:pinv"], "inner": [_T, _M],
    # promote
    "addcdiv": [_T, _M], "addcmul": [_T, _M], "atan2": [_T, _M, "T:arctan2", "M:arctan2"],
    "bilinear": [_F], "cross": [_T, _M, "L:cross"], "dot": [_T, _M], "index_put": [_T, _M],
    "tensordot": [_T], "scatter_add": [_T, _M], "stack": [_T], "cat": [_T, "T:concat", "T:concatenate"],
    "index_copy": [_T, _M],
}
# the padding kernels torch lists run under F.pad's reflect/replicate modes
_PAD_OPS = {"reflect": "reflection_pad", "replicate": "replication_pad"}
# conv modules hold their function as a class attribute (nn/modules/conv.py `_fn`)
_MODULE_FNS = {"Conv1d": "conv1d", "Conv2d": "conv2d", "Conv3d": "conv3d", "ConvTranspose1d": "conv_transpose1d",
               "ConvTranspose2d": "conv_transpose2d", "ConvTranspose3d": "conv_transpose3d"}


# ------------------------------------------------------------------ casting
_Tensor = _C.TensorBase
_F32, _F64 = _C.float32, _C.float64


def _devtype(t):
    return "cpu" if t.is_cpu else t.device.type


def _eligible(t, device):
    return isinstance(t, _Tensor) and t.is_floating_point() and t.dtype != _F64 and _devtype(t) == device


def _first_device(args, kwargs):
    for a in args:
        if isinstance(a, _Tensor):
            return _devtype(a)
        if isinstance(a, (list, tuple)):
            for b in a:
                if isinstance(b, _Tensor):
                    return _devtype(b)
    for a in kwargs.values():
        if isinstance(a, _Tensor):
            return _devtype(a)
    return None


def _cast_one(t, dtype, device, low):
    d = t.dtype
    if d == dtype or d == _F64 or not t.is_floating_point() or _devtype(t) != device:
        return t
    if dtype == low and d == _F32 and t.requires_grad and t.is_leaf and _state.tls.cache_enabled \
            and not t._is_view():
        return _state.cached_cast(t, dtype)
    return t.to(dtype)


def _cast(value, dtype, device, low):
    if isinstance(value, _Tensor):
        return _cast_one(value, dtype, device, low)
    if isinstance(value, (list, tuple)) and any(isinstance(v, _Tensor) for v in value):
        return type(value)(_cast_one(v, dtype, device, low) if isinstance(v, _Tensor) else v
                           for v in value)
    return value


def _widest(args, kwargs, device, low):
    found = None
    for v in list(args) + list(kwargs.values()):
        for t in (v if isinstance(v, (list, tuple)) else (v,)):
            if _eligible(t, device):
                if t.dtype != low:
                    return _F32
                found = low
    return found


def _target(policy, args, kwargs, device, low):
    """The dtype the eligible inputs are cast to, or None to run the op unchanged."""
    if policy == LOW:
        return low
    if policy == FP32:
        return _F32
    if policy == PROMOTE:
        return _widest(args, kwargs, device, low)
    if policy == NATIVE:
        return None
    if policy == FP32_OPT:
        if kwargs.get("dtype") is not None or any(isinstance(a, _C.dtype) for a in args):
            return None
        return _F32
    raise RuntimeError(_BCE_BANNED)


def _wrap(original, op):
    def autocast_wrapper(*args, **kwargs):
        tls = _state.tls
        if tls.inside:
            return original(*args, **kwargs)
        device = _first_device(args, kwargs)
        policy = POLICIES[device].get(op) if device in POLICIES else None
        if policy is None or not tls.enabled.get(device, False):
            return original(*args, **kwargs)
        low = tls.dtype[device]
        dtype = _target(policy, args, kwargs, device, low)
        if dtype is not None:
            if policy == FP32_OPT:  # only the first input decides (torch: firstarg_is_eligible)
                if args:
                    args = (_cast(args[0], dtype, device, low),) + args[1:]
            else:
                args = [_cast_one(a, dtype, device, low) if isinstance(a, _Tensor) else _cast(a, dtype, device, low)
                        for a in args]
                if kwargs:
                    kwargs = {k: _cast(v, dtype, device, low) for k, v in kwargs.items()}
        tls.inside = 1
        try:
            return original(*args, **kwargs)
        finally:
            tls.inside = 0
    autocast_wrapper.__wrapped__ = original
    autocast_wrapper.__name__ = getattr(original, "__name__", "autocast_wrapper")
    autocast_wrapper.__qualname__ = getattr(original, "__qualname__", autocast_wrapper.__name__)
    autocast_wrapper.__doc__ = getattr(original, "__doc__", None)
    return autocast_wrapper


def _pad_wrapper(original):
    """F.pad: torch's reflection/replication padding kernels are on the CPU fp32 list."""
    def pad(input, pad, mode="constant", value=None):
        tls = _state.tls
        kind = _PAD_OPS.get(mode)
        if kind is not None and not tls.inside and isinstance(input, _C.TensorBase):
            device = input.device.type
            name = f"{kind}{len(pad) // 2}d"
            if tls.enabled.get(device, False) and POLICIES[device].get(name) == FP32:
                input = _cast_one(input, _C.float32, device, tls.dtype[device])
        return original(input, pad, mode, value)
    pad.__wrapped__ = original
    pad.__doc__ = original.__doc__
    return pad


def policies_of(op):
    """{device_type: policy} for one op of the lists."""
    return {dev: table[op] for dev, table in POLICIES.items() if op in table}


# ------------------------------------------------------------------ install / uninstall
_lock = threading.RLock()


def _targets():
    import rstorch
    from ..nn import functional as F
    from ..nn.modules import conv as conv_modules
    owners = {"T": rstorch, "F": F, "M": rstorch.Tensor, "L": rstorch.linalg}
    for op, points in ENTRY_POINTS.items():
        policies = policies_of(op)
        if not policies:
            continue
        for point in points:
            kind, _, name = point.partition(":")
            owner = owners[kind]
            name = name or op
            if getattr(owner, name, None) is not None:
                yield owner, name, lambda orig, op=op: _wrap(orig, op)
    yield F, "pad", _pad_wrapper
    for cls_name, op in _MODULE_FNS.items():
        cls = getattr(conv_modules, cls_name)
        yield cls, "_fn", lambda orig, op=op: staticmethod(_wrap(orig, op))


_plan = []        # [owner, name, owner's __dict__ (a live view), attribute it replaces or None, wrapper]
_installed = False


def _prepare(entry, make):
    owner, name, d = entry[0], entry[1], entry[2]
    previous = d.get(name)
    current = previous.__func__ if isinstance(previous, staticmethod) else getattr(owner, name)
    entry[3], entry[4] = previous, make(current)


def install():
    """Put the wrappers in place: one setattr each (a wrapper is built once and reused while the
    attribute it replaces is unchanged)."""
    global _installed
    with _lock:
        if _installed:
            return
        if not _plan:
            for owner, name, make in _targets():
                entry = [owner, name, vars(owner), None, None, make]
                _prepare(entry, make)
                _plan.append(entry)
        for entry in _plan:
            owner, name, d, previous, wrapper, make = entry
            if d.get(name) is not previous:  # patched since: wrap the new attribute
                _prepare(entry, make)
                wrapper = entry[4]
            setattr(owner, name, wrapper)
        _installed = True


def uninstall():
    global _installed
    with _lock:
        if not _installed:
            return
        for owner, name, d, previous, wrapper, make in _plan:
            if previous is None:
                delattr(owner, name)
            else:
                setattr(owner, name, previous)
        _installed = False
