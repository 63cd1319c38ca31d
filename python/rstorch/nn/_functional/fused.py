"""The hot functions of training on fused kernels: `linear` (one addmm, torch's
AddmmBackward0), `cross_entropy` of class indices (one log-softmax + NLL kernel and one
backward kernel, rust/core/src/ops/nn/loss.rs), `batch_norm` and `layer_norm` (torch's
native_batch_norm / native_layer_norm and their backwards, rust/core/src/ops/nn/norm.rs).

Each takes its fused path when the call is one the kernel covers (float32/float64 on the CPU
or meta, argument shapes and dtypes already valid) and otherwise the composite of
nn/_functional/ (loss.py, normalization.py), which holds torch's argument checks and error messages: so every error is
raised where it always was, and the fast path costs only a few attribute reads."""

import rstorch

from ... import _C
from ._common import _int_list, _mixed_low, _mm_shape_error
from .loss import _cross_entropy_composite
from .normalization import _batch_norm_impl, _check_normalized_shape, _layer_norm_composite, _verify_batch_size

__all__ = ["linear", "cross_entropy", "batch_norm", "layer_norm"]

_FUSED = (rstorch.float32, rstorch.float64)
_REDUCTION = {"none": 0, "mean": 1, "sum": 2}
_DEVICES = ("cpu", "meta")


def _fusable(t):
    return t.dtype in _FUSED and t.device.type in _DEVICES


# ---------------------------------------------------------------------- linear

def linear(input, weight, bias=None):
    """`input @ weight.T + bias`: weight is (out_features, in_features), input (*, in_features).

    As torch computes it: one `addmm(bias, input, weight.t())` for a 2-D input with a bias
    (AddmmBackward0), `mm` without one (MmBackward0), the same on the flattened leading dims
    for more dims, `matmul` otherwise."""
    nd, wd = input.dim(), weight.dim()
    if nd == 0 or wd == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {nd}D and {wd}D")
    if wd == 2 and input.size(-1) != weight.size(1):
        raise _mm_shape_error("mm" if bias is None else "addmm", input, weight)
    if wd == 2 and nd == 2:
        if bias is None:
            return input.mm(weight.t())
        if bias.dim() <= 1:
            return rstorch.addmm(bias, input, weight.t())
    elif wd == 2 and nd > 2 and (bias is None or bias.dim() <= 1):
        lead = input.shape[:-1]
        flat = input.reshape(-1, input.size(-1))
        out = flat.mm(weight.t()) if bias is None else rstorch.addmm(bias, flat, weight.t())
        return out.view(*lead, weight.size(0))
    out = input.matmul(weight.t())
    return out if bias is None else out + bias


# ---------------------------------------------------------------------- cross_entropy

def _ce_fusable(input, target, weight, label_smoothing):
    """Whether the fused kernel takes this call: class-index targets whose shapes, dtypes and
    weight torch accepts (anything else goes to the composite, which raises torch's errors)."""
    if input.device.type == "wgpu":
        # the GPU kernel (shaders/loss.wgsl): (N, C) or (C,) float32 logits, no class weights,
        # no label smoothing
        if input.dtype is not rstorch.float32 or target.dtype is not rstorch.int64 or weight is not None \
                or label_smoothing != 0.0 or input.dim() not in (1, 2):
            return False
    elif not _fusable(input) or target.dtype not in (rstorch.int64, rstorch.uint8):
        return False
    if not (0.0 <= label_smoothing <= 1.0):
        return False
    nd = input.dim()
    if nd == 2:
        if target.dim() != 1 or target.shape[0] != input.shape[0]:
            return False
    elif nd == 1:
        if not (target.dim() == 0 or (target.dim() == 1 and target.shape[0] == 1)):
            return False
    elif nd >= 3:
        if tuple(target.shape) != (input.shape[0],) + tuple(input.shape[2:]):
            return False
    else:
        return False
    if weight is not None:
        if (weight.dim() != 1 or weight.numel() != input.shape[1 if nd > 1 else 0] or weight.dtype is not input.dtype
                or (weight.requires_grad and rstorch.is_grad_enabled())):
            return False
    return True


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """Cross entropy between logits (N, C, *) and class indices (N, *) or class probabilities
    (N, C, *): `nll_loss(log_softmax(input, 1), target)`, with label smoothing. Class indices
    take one fused kernel (its node is NllLossBackward0, like torch's loss)."""
    if size_average is None and reduce is None and reduction in _REDUCTION \
            and isinstance(input, rstorch.Tensor) and isinstance(target, rstorch.Tensor) \
            and (weight is None or isinstance(weight, rstorch.Tensor)) \
            and _ce_fusable(input, target, weight, label_smoothing):
        if target.dtype is not rstorch.int64:
            target = target.long()
        return _C._cross_entropy(input, target, weight, _REDUCTION[reduction], ignore_index,
                                 float(label_smoothing))[0]
    return _cross_entropy_composite(input, target, weight, size_average, ignore_index, reduce, reduction,
                                       label_smoothing)


# ---------------------------------------------------------------------- batch_norm

def _bn_fusable(input, running_mean, running_var, weight, bias, training, momentum):
    if not _fusable(input) or input.dim() < 2 or input.numel() == 0:
        return False
    if not isinstance(momentum, (int, float)):
        return False
    c = input.shape[1]
    for t in (weight, bias, running_mean, running_var):
        if t is not None and (not isinstance(t, rstorch.Tensor) or t.numel() != c or t.dtype is not input.dtype):
            return False
    return training or (running_mean is not None and running_var is not None)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalises each channel (dim 1) by its batch statistics when training (updating the
    running ones), by the running statistics otherwise; then `* weight + bias`. One fused
    kernel each way (torch's native_batch_norm: node NativeBatchNormBackward0)."""
    if training:
        _verify_batch_size(input.size())
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if _bn_fusable(input, running_mean, running_var, weight, bias, training, momentum):
        return _C._native_batch_norm(input, weight, bias, running_mean, running_var, bool(training),
                                     float(momentum), float(eps))[0]
    return _batch_norm_impl(input, weight, bias, running_mean, running_var, training, momentum, eps)


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """torch.native_batch_norm: `(output, save_mean, save_invstd)` (the batch's mean and
    1 / sqrt(var + eps) in training; empty in evaluation mode, as torch's CPU kernel returns
    them)."""
    if _bn_fusable(input, running_mean, running_var, weight, bias, training, momentum):
        out, mean, invstd = _C._native_batch_norm(input, weight, bias, running_mean, running_var, bool(training),
                                                  float(momentum), float(eps))
    else:
        out = _batch_norm_impl(input, weight, bias, running_mean, running_var, training, momentum, eps)
        c = input.shape[1] if input.dim() > 1 else 0
        with rstorch.no_grad():
            if training and input.numel():
                var, mean = rstorch.var_mean(input, [0] + list(range(2, input.dim())), correction=0)
                invstd = (var + eps).rsqrt()
            else:
                mean = invstd = rstorch.empty(c, dtype=input.dtype, device=input.device).fill_(float("nan"))
    if not training:
        return out, rstorch.empty(0, dtype=input.dtype, device=input.device), \
            rstorch.empty(0, dtype=input.dtype, device=input.device)
    return out, mean, invstd


# ---------------------------------------------------------------------- layer_norm

def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalises over the trailing `normalized_shape` dims (biased variance), then `* weight +
    bias`: one fused kernel each way (torch's native_layer_norm: node NativeLayerNormBackward0)."""
    ns, was_int = _int_list(normalized_shape, "layer_norm", "normalized_shape", 2)
    if was_int:
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not int")
    k = _check_normalized_shape(input, ns, weight, bias)
    if _mixed_low(input, weight, bias):
        return layer_norm(input.float(), ns, weight, bias, eps).to(input.dtype)
    if _ln_fusable(input, weight, bias):
        return _C._native_layer_norm(input, k, weight, bias, float(eps))[0]
    return _layer_norm_composite(input, ns, weight, bias, eps)


def _ln_fusable(input, weight, bias):
    if not _fusable(input) or input.numel() == 0:
        return False
    return all(t is None or (isinstance(t, rstorch.Tensor) and t.dtype is input.dtype) for t in (weight, bias))
