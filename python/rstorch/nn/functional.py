"""`nn.functional` (torch.nn.functional): the layers' functions, each a plain function with torch's
signature, defaults and errors. This module is the facade; the functions live by family in
nn/_functional/ (activation, dropout, loss, ctc, normalization, sparse, padding, distance,
linear, and the native-kernel families conv, pooling, fused, vision, attention). Most are
composed from rstorch ops, so their gradient comes from the ops they are made of (a few use a
small autograd.Function where torch's backward formula differs from the composite's, e.g.
binary_cross_entropy at 0 and 1, ctc_loss's log_softmax-assuming gradient); linear,
cross_entropy, batch_norm and layer_norm are the fused kernels' (_functional/fused.py), which
fall back to the composites for the calls they do not take."""

__all__ = [
    "linear", "bilinear",
    # activations
    "threshold", "threshold_", "relu", "relu_", "relu6", "elu", "elu_", "selu", "selu_", "celu", "celu_",
    "gelu", "silu", "mish", "prelu", "leaky_relu", "leaky_relu_", "rrelu", "rrelu_", "hardtanh", "hardtanh_",
    "hardsigmoid", "hardswish", "sigmoid", "tanh", "logsigmoid", "softplus", "softsign", "softmax",
    "log_softmax", "softmin", "gumbel_softmax", "tanhshrink", "softshrink", "hardshrink", "glu",
    # dropout
    "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout",
    # losses
    "l1_loss", "mse_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "smooth_l1_loss", "huber_loss", "soft_margin_loss",
    "multilabel_soft_margin_loss", "multilabel_margin_loss", "multi_margin_loss", "margin_ranking_loss",
    "hinge_embedding_loss", "cosine_embedding_loss", "kl_div", "poisson_nll_loss", "gaussian_nll_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss",
    # normalization
    "batch_norm", "instance_norm", "layer_norm", "group_norm", "local_response_norm", "rms_norm",
    # sparse
    "embedding", "embedding_bag", "one_hot",
    # shape and distance
    "pad", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle",
    "cosine_similarity", "pairwise_distance", "pdist", "normalize",
]

# the composite families (one import line each)
from ._functional.linear import *  # noqa: E402,F401,F403
from ._functional.activation import *  # noqa: E402,F401,F403
from ._functional.dropout import *  # noqa: E402,F401,F403
from ._functional.loss import *  # noqa: E402,F401,F403
from ._functional.normalization import *  # noqa: E402,F401,F403
from ._functional.sparse import *  # noqa: E402,F401,F403
from ._functional.padding import *  # noqa: E402,F401,F403
from ._functional.distance import *  # noqa: E402,F401,F403
# the private helpers other modules and tests use
from ._functional.loss import _cross_entropy_composite  # noqa: E402,F401
from ._functional.normalization import _batch_norm_impl, _layer_norm_composite  # noqa: E402,F401
# the native-kernel families
from ._functional.vision import affine_grid, grid_sample, interpolate, upsample, upsample_bilinear, upsample_nearest  # noqa: E402,F401,E501
__all__ += ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "grid_sample", "affine_grid"]
from ._functional.attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: E402,F401
__all__ += ["scaled_dot_product_attention", "multi_head_attention_forward"]
from ._functional.fused import batch_norm, cross_entropy, layer_norm, linear  # noqa: E402  (the fused kernels)
from ._functional.conv import *  # noqa: E402,F401,F403
from ._functional.conv import __all__ as _conv_all  # noqa: E402
__all__ += _conv_all
from ._functional.pooling import *  # noqa: E402,F401,F403
from ._functional.pooling import __all__ as _pooling_all  # noqa: E402
__all__ += _pooling_all
from ._functional.ctc import ctc_loss  # noqa: E402,F401  (the CTC loss, a custom Function with torch's backward)
__all__ += ["ctc_loss"]
