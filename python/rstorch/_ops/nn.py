"""The nn ops torch exposes at `torch.*`: the fused kernels (batch_norm, native_batch_norm,
layer_norm, native_layer_norm: rust/core/src/ops/nn/, bound in rust/python/src/tensor/nn.rs), and
torch's aten-level forms of nn.functional (`torch.dropout(input, p, train)`,
`torch.embedding(weight, indices)`, losses taking an int `reduction`...), which call the
functional implementations. The functions with torch.nn's argument handling (and the composites
they fall back to) are in rstorch/nn/_functional/, reached at call time (rstorch.nn sits above the
op families)."""

from .._tensor import Tensor
from . import reduce
from ._table import COMPOSITE, OWN, SAME, Op, install


def _fused():
    from ..nn._functional import fused  # rstorch.nn imports the op families, not the reverse
    return fused


def _F():
    from ..nn import functional
    return functional


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    """torch.batch_norm: F.batch_norm without its Python-level checks (batch size, eps)."""
    f = _fused()
    if f._bn_fusable(input, running_mean, running_var, weight, bias, training, momentum):
        return f._C._native_batch_norm(input, weight, bias, running_mean, running_var, bool(training),
                                       float(momentum), float(eps))[0]
    return f._batch_norm_impl(input, weight, bias, running_mean, running_var, training, momentum, eps)


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """torch.native_batch_norm: `(output, save_mean, save_invstd)`."""
    if not training and (running_mean is None or running_var is None):
        raise ValueError(f"{'running_mean' if running_mean is None else 'running_var'} must be defined in "
                         "evaluation mode")
    # torch's CPU kernel: its dtype dispatch, then (training) an empty batch, then the shapes
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"batch_norm\" not implemented for '{input.dtype._scalar_type_name}'")
    if training and input.numel() == 0:
        raise RuntimeError(f"input tensor must have at least one element, but got input_sizes = {list(input.shape)}")
    return _fused().native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    """torch.layer_norm: F.layer_norm."""
    return _fused().layer_norm(input, normalized_shape, weight, bias, eps)


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """torch.native_layer_norm: `(output, mean, rstd)`, the statistics shaped like input with
    the normalized dims of size 1."""
    f = _fused()
    ns, _ = f._int_list(normalized_shape, "native_layer_norm", "normalized_shape", 2)
    k = f._check_normalized_shape(input, ns, weight, bias)
    if f._ln_fusable(input, weight, bias):
        return f._C._native_layer_norm(input, k, weight, bias, float(eps))
    out = f._layer_norm_composite(input, ns, weight, bias, eps)
    var, mean = reduce.var_mean(input.detach(), list(range(input.dim() - k, input.dim())), correction=0, keepdim=True)
    return out, mean, (var + eps).rsqrt()


# ------------------------------------------------------------------ aten forms of nn.functional

# aten's loss reduction enum; other values leave the loss unreduced, as aten's
# apply_loss_reduction does. torch's Python binding defaults these forms' `reduction` to 0 (its
# argument parser cannot read the schema's `at::Reduction::Mean`), so unreduced is the default.
_REDUCTIONS = {1: "mean", 2: "sum"}


def _reduction(value):
    return _REDUCTIONS.get(value, "none")


def _reduced(loss, reduction):
    r = _reduction(reduction)
    return loss.mean() if r == "mean" else loss.sum() if r == "sum" else loss


def _dropout_p(p):
    if not 0 <= p <= 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_form(name, feature, alpha, inplace):
    def fn(input, p, train):
        _dropout_p(p)
        from ..nn._functional.dropout import _dropout_impl
        return _dropout_impl(input, p, train, feature, alpha, inplace)
    fn.__name__ = fn.__qualname__ = name + ("_" if inplace else "")
    fn.__doc__ = f"torch.{fn.__name__}(input, p, train): nn.functional's {name.replace('_', ' ')}."
    return fn


dropout, dropout_ = _dropout_form("dropout", False, False, False), _dropout_form("dropout", False, False, True)
alpha_dropout, alpha_dropout_ = (_dropout_form("alpha_dropout", False, True, False),
                                 _dropout_form("alpha_dropout", False, True, True))
feature_dropout, feature_dropout_ = (_dropout_form("feature_dropout", True, False, False),
                                     _dropout_form("feature_dropout", True, False, True))
feature_alpha_dropout, feature_alpha_dropout_ = (_dropout_form("feature_alpha_dropout", True, True, False),
                                                 _dropout_form("feature_alpha_dropout", True, True, True))


def native_dropout(input, p, train):
    """`(output, mask)`: the kept elements scaled by 1 / (1 - p) and the bool mask of kept
    elements (all True when not training), drawn like dropout's."""
    _dropout_p(p)
    if train is None or train:
        if input.numel() == 0:
            return input.clone(), input.new_empty(input.shape).bool()
        keep = 1.0 - p
        noise = input.new_empty(input.shape).bernoulli_(keep)
        return input.mul(noise).mul_(0.0 if keep == 0 else 1.0 / keep), noise.bool()
    return input.clone(), input.new_ones(input.shape).bool()


def celu(input, alpha=1.0):
    return _F().celu(input, alpha)


def celu_(input, alpha=1.0):
    return _F().celu_(input, alpha)


def selu(input):
    return _F().selu(input)


def selu_(input):
    return _F().selu_(input)


def threshold(input, threshold, value):
    return _F().threshold(input, threshold, value)


def threshold_(input, threshold, value):
    return _F().threshold_(input, threshold, value)


def rrelu(input, lower=0.125, upper=1.0 / 3, training=False, generator=None):
    return _F().rrelu(input, lower, upper, training)


def rrelu_(input, lower=0.125, upper=1.0 / 3, training=False, generator=None):
    return _F().rrelu_(input, lower, upper, training)


def hardshrink(input, lambd=0.5):
    return _F().hardshrink(input, lambd)


def prelu(input, weight):
    return _F().prelu(input, weight)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """torch.embedding: the weight first; a negative padding_idx means none (nn.functional's
    embedding has already made a negative index positive when it calls this)."""
    return _F().embedding(indices, weight, None if padding_idx < 0 else padding_idx,
                          scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def bilinear(input1, input2, weight, bias=None):
    return _F().bilinear(input1, input2, weight, bias)


def cosine_similarity(x1, x2, dim=1, eps=1e-08):
    return _F().cosine_similarity(x1, x2, dim, eps)


def pairwise_distance(x1, x2, p=2.0, eps=1e-06, keepdim=False):
    return _F().pairwise_distance(x1, x2, p, eps, keepdim)


def pdist(input, p=2):
    return _F().pdist(input, p)


def pixel_shuffle(input, upscale_factor):
    return _F().pixel_shuffle(input, upscale_factor)


def pixel_unshuffle(input, downscale_factor):
    return _F().pixel_unshuffle(input, downscale_factor)


def channel_shuffle(input, groups):
    return _F().channel_shuffle(input, groups)


native_channel_shuffle = channel_shuffle


def constant_pad_nd(input, pad, value=0):
    return _F().pad(input, pad, "constant", value)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    return _F().group_norm(input, num_groups, weight, bias, eps)


def native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """`(output, mean, rstd)` of group norm over an input of N samples, C channels and HxW
    elements per channel; the statistics are (N, group)."""
    if input.numel() != N * C * HxW:
        raise RuntimeError(f"Expected input to have {N * C * HxW} elements, but got {input.numel()}")
    out = _F().group_norm(input, group, weight, bias, eps)
    var, mean = reduce.var_mean(input.detach().reshape(N, group, -1), 2, correction=0)
    return out, mean, (var + eps).rsqrt()


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled):
    return _F().instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    return _F().rms_norm(input, normalized_shape, weight, eps)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    return _F().binary_cross_entropy_with_logits(input, target, weight, reduction=_reduction(reduction),
                                                 pos_weight=pos_weight)


def kl_div(input, target, reduction=0, *, log_target=False):
    """The pointwise KL term reduced by aten's enum: 'mean' averages over every element (torch's
    functional warns there and suggests 'batchmean'; the aten form does not)."""
    return _reduced(_F().kl_div(input, target, reduction="none", log_target=log_target), reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    return _F().cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    return _F().hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    return _F().margin_ranking_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return _F().poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_reduction(reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-06, swap=False, reduction=0):
    return _F().triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                    reduction=_reduction(reduction))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0, zero_infinity=False):
    return _F().ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _reduction(reduction),
                         zero_infinity)


def _form(fn, signature, dtype=SAME, method=False, inplace_function=False, aliases=()):
    """A row for one of the aten forms above (composites: their gradients are the functional's);
    `inplace_function` is the in-place function form (`torch.dropout_`) where torch has one."""
    return Op(fn.__name__, signature, dtype, COMPOSITE, fn, fn if method else False,
              inplace_function=inplace_function, aliases=aliases)


def _with_inplace(fn, inplace_fn, signature):
    return _form(fn, signature, inplace_function=inplace_fn)


OPS = [
    Op("batch_norm", "(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled)",
       SAME, "_native_batch_norm", batch_norm, False),
    Op("native_batch_norm", "(input, weight, bias, running_mean, running_var, training, momentum, eps)",
       OWN, "_native_batch_norm", native_batch_norm, False),
    Op("layer_norm", "(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True)",
       SAME, "_native_layer_norm", layer_norm, False),
    Op("native_layer_norm", "(input, normalized_shape, weight, bias, eps)",
       OWN, "_native_layer_norm", native_layer_norm, False),
    _with_inplace(dropout, dropout_, "(input, p, train)"),
    _with_inplace(alpha_dropout, alpha_dropout_, "(input, p, train)"),
    _with_inplace(feature_dropout, feature_dropout_, "(input, p, train)"),
    _with_inplace(feature_alpha_dropout, feature_alpha_dropout_, "(input, p, train)"),
    _form(native_dropout, "(input, p, train)", OWN),
    _with_inplace(celu, celu_, "(input, alpha=1.0)"),
    _with_inplace(selu, selu_, "(input)"),
    _with_inplace(threshold, threshold_, "(input, threshold, value)"),
    _with_inplace(rrelu, rrelu_, "(input, lower=0.125, upper=1.0 / 3, training=False, generator=None)"),
    _form(hardshrink, "(input, lambd=0.5)", method=True),
    _form(prelu, "(input, weight)", method=True),
    _form(embedding, "(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False)", OWN),
    _form(bilinear, "(input1, input2, weight, bias=None)"),
    _form(cosine_similarity, "(x1, x2, dim=1, eps=1e-08)"),
    _form(pairwise_distance, "(x1, x2, p=2.0, eps=1e-06, keepdim=False)"),
    _form(pdist, "(input, p=2)"),
    _form(pixel_shuffle, "(input, upscale_factor)"),
    _form(pixel_unshuffle, "(input, downscale_factor)"),
    _form(channel_shuffle, "(input, groups)", aliases=("native_channel_shuffle",)),
    _form(constant_pad_nd, "(input, pad, value=0)"),
    _form(group_norm, "(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True)"),
    _form(native_group_norm, "(input, weight, bias, N, C, HxW, group, eps)", OWN),
    _form(instance_norm, "(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, "
                         "cudnn_enabled)"),
    _form(rms_norm, "(input, normalized_shape, weight=None, eps=None)"),
    _form(binary_cross_entropy_with_logits, "(input, target, weight=None, pos_weight=None, reduction=0)"),
    _form(kl_div, "(input, target, reduction=0, *, log_target=False)"),
    _form(cosine_embedding_loss, "(input1, input2, target, margin=0.0, reduction=0)"),
    _form(hinge_embedding_loss, "(input, target, margin=1.0, reduction=0)"),
    _form(margin_ranking_loss, "(input1, input2, target, margin=0.0, reduction=0)"),
    _form(poisson_nll_loss, "(input, target, log_input, full, eps, reduction)"),
    _form(triplet_margin_loss, "(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-06, swap=False, reduction=0)"),
    _form(ctc_loss, "(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0, zero_infinity=False)"),
]

__all__ = install(OPS, globals(), Tensor)
