"""Autocast cases shared by tests/tools/record_amp.py (run under torch) and tests/test_amp.py (run
under rstorch): each case calls one op of torch's autocast lists (or one outside them) through
the public API and returns its result; the recorder stores the result's dtype under CPU autocast
(bfloat16 and float16) and CUDA autocast (float16), with all-float32 inputs ("f32") and with the
first input already in the low dtype ("mixed").

A case is fn(t, F, a) where t is the torch/rstorch module, F its nn.functional and a(i, *shape)
builds input i (a deterministic float tensor: float32, or the low dtype for input 0 in "mixed")."""


def _long(t, *values):
    return t.tensor(values, dtype=t.int64)


CASES = {
    # ---------------------------------------------------------------- lower_precision_fp
    "mm": lambda t, F, a: t.mm(a(0, 3, 4), a(1, 4, 2)),
    "Tensor.mm": lambda t, F, a: a(0, 3, 4).mm(a(1, 4, 2)),
    "matmul": lambda t, F, a: t.matmul(a(0, 3, 4), a(1, 4, 2)),
    "__matmul__": lambda t, F, a: a(0, 3, 4) @ a(1, 4, 2),
    "Tensor.matmul": lambda t, F, a: a(0, 2, 3, 4).matmul(a(1, 4, 2)),
    "bmm": lambda t, F, a: t.bmm(a(0, 2, 3, 4), a(1, 2, 4, 2)),
    "baddbmm": lambda t, F, a: t.baddbmm(a(0, 2, 3, 2), a(1, 2, 3, 4), a(2, 2, 4, 2)),
    "addmm": lambda t, F, a: t.addmm(a(0, 3, 2), a(1, 3, 4), a(2, 4, 2)),
    "addbmm": lambda t, F, a: t.addbmm(a(0, 3, 2), a(1, 2, 3, 4), a(2, 2, 4, 2)),
    "addmv": lambda t, F, a: t.addmv(a(0, 3), a(1, 3, 4), a(2, 4)),
    "addr": lambda t, F, a: t.addr(a(0, 3, 4), a(1, 3), a(2, 4)),
    "mv": lambda t, F, a: t.mv(a(0, 3, 4), a(1, 4)),
    "einsum": lambda t, F, a: t.einsum("ij,jk->ik", a(0, 3, 4), a(1, 4, 2)),
    "linalg.vecdot": lambda t, F, a: t.linalg.vecdot(a(0, 3, 4), a(1, 3, 4)),
    "linalg.multi_dot": lambda t, F, a: t.linalg.multi_dot([a(0, 3, 4), a(1, 4, 2), a(2, 2, 2)]),
    "linear": lambda t, F, a: F.linear(a(0, 3, 4), a(1, 2, 4), a(2, 2)),
    "nn.Linear": lambda t, F, a: _seeded(t, lambda: t.nn.Linear(4, 2))(a(0, 3, 4)),
    "conv1d": lambda t, F, a: F.conv1d(a(0, 1, 2, 8), a(1, 3, 2, 3), a(2, 3)),
    "conv2d": lambda t, F, a: F.conv2d(a(0, 1, 2, 6, 6), a(1, 3, 2, 3, 3), a(2, 3)),
    "conv2d_padding_same": lambda t, F, a: F.conv2d(a(0, 1, 2, 6, 6), a(1, 3, 2, 3, 3), padding="same"),
    "conv3d": lambda t, F, a: F.conv3d(a(0, 1, 2, 4, 4, 4), a(1, 3, 2, 3, 3, 3)),
    "conv_transpose1d": lambda t, F, a: F.conv_transpose1d(a(0, 1, 2, 5), a(1, 2, 3, 3)),
    "conv_transpose2d": lambda t, F, a: F.conv_transpose2d(a(0, 1, 2, 4, 4), a(1, 2, 3, 3, 3)),
    "conv_transpose3d": lambda t, F, a: F.conv_transpose3d(a(0, 1, 2, 3, 3, 3), a(1, 2, 3, 2, 2, 2)),
    "nn.Conv2d": lambda t, F, a: _seeded(t, lambda: t.nn.Conv2d(2, 3, 3))(a(0, 1, 2, 6, 6)),
    "nn.ConvTranspose2d": lambda t, F, a: _seeded(t, lambda: t.nn.ConvTranspose2d(2, 3, 3))(a(0, 1, 2, 4, 4)),
    "prelu": lambda t, F, a: F.prelu(a(0, 2, 3, 4), a(1, 3)),
    "scaled_dot_product_attention": lambda t, F, a: F.scaled_dot_product_attention(a(0, 1, 2, 4, 8),
                                                                                   a(1, 1, 2, 4, 8),
                                                                                   a(2, 1, 2, 4, 8)),
    # ---------------------------------------------------------------- fp32 (CPU and/or CUDA)
    "exp": lambda t, F, a: t.exp(a(0, 3, 4)),
    "Tensor.exp": lambda t, F, a: a(0, 3, 4).exp(),
    "log": lambda t, F, a: t.log(a(0, 3, 4).abs() + 1),
    "log2": lambda t, F, a: t.log2(a(0, 3, 4).abs() + 1),
    "log10": lambda t, F, a: t.log10(a(0, 3, 4).abs() + 1),
    "log1p": lambda t, F, a: t.log1p(a(0, 3, 4).abs()),
    "expm1": lambda t, F, a: t.expm1(a(0, 3, 4)),
    "acos": lambda t, F, a: t.acos(a(0, 3, 4) * 0.1),
    "arccos": lambda t, F, a: t.arccos(a(0, 3, 4) * 0.1),
    "asin": lambda t, F, a: t.asin(a(0, 3, 4) * 0.1),
    "cosh": lambda t, F, a: t.cosh(a(0, 3, 4)),
    "sinh": lambda t, F, a: t.sinh(a(0, 3, 4)),
    "tan": lambda t, F, a: t.tan(a(0, 3, 4)),
    "erfinv": lambda t, F, a: t.erfinv(a(0, 3, 4) * 0.1),
    "reciprocal": lambda t, F, a: t.reciprocal(a(0, 3, 4)),
    "rsqrt": lambda t, F, a: t.rsqrt(a(0, 3, 4).abs() + 1),
    "pow_tensor_scalar": lambda t, F, a: t.pow(a(0, 3, 4), 2),
    "pow_tensor_tensor": lambda t, F, a: t.pow(a(0, 3, 4).abs(), a(1, 3, 4)),
    "__pow__": lambda t, F, a: a(0, 3, 4) ** 2,
    "softplus": lambda t, F, a: F.softplus(a(0, 3, 4)),
    "layer_norm": lambda t, F, a: F.layer_norm(a(0, 3, 4), (4,), a(1, 4), a(2, 4)),
    "nn.LayerNorm": lambda t, F, a: t.nn.LayerNorm(4)(a(0, 3, 4)),
    "group_norm": lambda t, F, a: F.group_norm(a(0, 2, 4, 3), 2, a(1, 4), a(2, 4)),
    "cosine_similarity": lambda t, F, a: F.cosine_similarity(a(0, 3, 4), a(1, 3, 4)),
    "nll_loss": lambda t, F, a: F.nll_loss(a(0, 3, 4), _long(t, 0, 1, 3)),
    "cross_entropy": lambda t, F, a: F.cross_entropy(a(0, 3, 4), _long(t, 0, 1, 3)),
    "nn.CrossEntropyLoss": lambda t, F, a: t.nn.CrossEntropyLoss()(a(0, 3, 4), _long(t, 0, 1, 3)),
    "mse_loss": lambda t, F, a: F.mse_loss(a(0, 3, 4), a(1, 3, 4)),
    "l1_loss": lambda t, F, a: F.l1_loss(a(0, 3, 4), a(1, 3, 4)),
    "smooth_l1_loss": lambda t, F, a: F.smooth_l1_loss(a(0, 3, 4), a(1, 3, 4)),
    "huber_loss": lambda t, F, a: F.huber_loss(a(0, 3, 4), a(1, 3, 4)),
    "kl_div": lambda t, F, a: F.kl_div(a(0, 3, 4), a(1, 3, 4).abs(), reduction="batchmean"),
    "poisson_nll_loss": lambda t, F, a: F.poisson_nll_loss(a(0, 3, 4), a(1, 3, 4).abs()),
    "hinge_embedding_loss": lambda t, F, a: F.hinge_embedding_loss(a(0, 3, 4), a(1, 3, 4).sign()),
    "soft_margin_loss": lambda t, F, a: F.soft_margin_loss(a(0, 3, 4), a(1, 3, 4).sign()),
    "margin_ranking_loss": lambda t, F, a: F.margin_ranking_loss(a(0, 3), a(1, 3), a(2, 3).sign()),
    "cosine_embedding_loss": lambda t, F, a: F.cosine_embedding_loss(a(0, 3, 4), a(1, 3, 4),
                                                                     t.tensor([1.0, -1.0, 1.0])),
    "triplet_margin_loss": lambda t, F, a: F.triplet_margin_loss(a(0, 3, 4), a(1, 3, 4), a(2, 3, 4)),
    "multi_margin_loss": lambda t, F, a: F.multi_margin_loss(a(0, 3, 4), _long(t, 0, 1, 3)),
    "multilabel_margin_loss": lambda t, F, a: F.multilabel_margin_loss(a(0, 2, 4),
                                                                       t.tensor([[0, 3, -1, 0], [1, -1, 0, 0]])),
    "binary_cross_entropy_with_logits": lambda t, F, a: F.binary_cross_entropy_with_logits(
        a(0, 3, 4), a(1, 3, 4).sigmoid()),
    "binary_cross_entropy": lambda t, F, a: F.binary_cross_entropy(a(0, 3, 4).sigmoid(), a(1, 3, 4).sigmoid()),
    "dist": lambda t, F, a: t.dist(a(0, 3, 4), a(1, 3, 4)),
    "cdist": lambda t, F, a: t.cdist(a(0, 3, 4), a(1, 2, 4)),
    "renorm": lambda t, F, a: t.renorm(a(0, 3, 4), 2, 0, 1.0),
    "logsumexp": lambda t, F, a: t.logsumexp(a(0, 3, 4), 1),
    "interpolate_nearest": lambda t, F, a: F.interpolate(a(0, 1, 2, 4, 4), scale_factor=2),
    "interpolate_bilinear": lambda t, F, a: F.interpolate(a(0, 1, 2, 4, 4), scale_factor=2, mode="bilinear"),
    "norm": lambda t, F, a: t.norm(a(0, 3, 4)),
    "Tensor.norm_dim": lambda t, F, a: a(0, 3, 4).norm(dim=1),
    "prod": lambda t, F, a: t.prod(a(0, 3, 4)),
    "trace": lambda t, F, a: t.trace(a(0, 3, 3)),
    "quantile": lambda t, F, a: t.quantile(a(0, 3, 4), 0.3),
    "nanquantile": lambda t, F, a: t.nanquantile(a(0, 3, 4), 0.3),
    "inverse": lambda t, F, a: t.inverse(a(0, 3, 3) + 3 * t.eye(3)),
    "pinverse": lambda t, F, a: t.pinverse(a(0, 3, 3)),
    "cholesky": lambda t, F, a: t.cholesky(_spd(t, a(0, 3, 3))),
    "linalg.inv": lambda t, F, a: t.linalg.inv(a(0, 3, 3) + 3 * t.eye(3)),
    "linalg.solve": lambda t, F, a: t.linalg.solve(a(0, 3, 3) + 3 * t.eye(3), a(1, 3, 2)),
    "linalg.cholesky": lambda t, F, a: t.linalg.cholesky(_spd(t, a(0, 3, 3))),
    "linalg.svdvals": lambda t, F, a: t.linalg.svdvals(a(0, 3, 3)),
    "linalg.eigvalsh": lambda t, F, a: t.linalg.eigvalsh(_spd(t, a(0, 3, 3))),
    "linalg.qr": lambda t, F, a: t.linalg.qr(a(0, 3, 3)).R,
    "linalg.matrix_rank": lambda t, F, a: t.linalg.matrix_rank(a(0, 3, 3)),
    "max_pool3d": lambda t, F, a: F.max_pool3d(a(0, 1, 2, 4, 4, 4), 2),
    "avg_pool3d": lambda t, F, a: F.avg_pool3d(a(0, 1, 2, 4, 4, 4), 2),
    "adaptive_avg_pool3d": lambda t, F, a: F.adaptive_avg_pool3d(a(0, 1, 2, 4, 4, 4), 2),
    "adaptive_max_pool3d": lambda t, F, a: F.adaptive_max_pool3d(a(0, 1, 2, 4, 4, 4), 2),
    "pad_reflect_2d": lambda t, F, a: F.pad(a(0, 1, 2, 4, 4), (1, 1, 1, 1), mode="reflect"),
    "pad_replicate_1d": lambda t, F, a: F.pad(a(0, 1, 2, 4), (1, 1), mode="replicate"),
    "pad_replicate_3d": lambda t, F, a: F.pad(a(0, 1, 2, 3, 3, 3), (1, 1, 1, 1, 1, 1), mode="replicate"),
    "pad_constant": lambda t, F, a: F.pad(a(0, 1, 2, 4), (1, 1)),
    "grid_sample": lambda t, F, a: F.grid_sample(a(0, 1, 2, 4, 4), a(1, 1, 3, 3, 2).tanh(), align_corners=False),
    # ---------------------------------------------------------------- fp32 unless dtype= (CUDA)
    "softmax": lambda t, F, a: t.softmax(a(0, 3, 4), 1),
    "F.softmax": lambda t, F, a: F.softmax(a(0, 3, 4), dim=1),
    "Tensor.softmax": lambda t, F, a: a(0, 3, 4).softmax(1),
    "softmax_dtype": lambda t, F, a: t.softmax(a(0, 3, 4), 1, dtype=t.float64),
    "log_softmax": lambda t, F, a: F.log_softmax(a(0, 3, 4), dim=1),
    "sum": lambda t, F, a: t.sum(a(0, 3, 4)),
    "Tensor.sum_dim": lambda t, F, a: a(0, 3, 4).sum(1),
    "sum_dtype": lambda t, F, a: a(0, 3, 4).sum(dtype=t.float64),
    "cumsum": lambda t, F, a: t.cumsum(a(0, 3, 4), 1),
    "cumprod": lambda t, F, a: t.cumprod(a(0, 3, 4), 1),
    "linalg.vector_norm": lambda t, F, a: t.linalg.vector_norm(a(0, 3, 4)),
    "linalg.matrix_norm": lambda t, F, a: t.linalg.matrix_norm(a(0, 3, 4)),
    # ---------------------------------------------------------------- promote
    "cat": lambda t, F, a: t.cat([a(0, 3, 4), a(1, 3, 4)]),
    "concat": lambda t, F, a: t.concat([a(0, 3, 4), a(1, 3, 4)]),
    "stack": lambda t, F, a: t.stack([a(0, 3, 4), a(1, 3, 4)]),
    "index_copy": lambda t, F, a: t.index_copy(a(0, 3, 4), 0, _long(t, 2, 0), a(1, 2, 4)),
    "addcmul": lambda t, F, a: t.addcmul(a(0, 3, 4), a(1, 3, 4), a(2, 3, 4)),
    "addcdiv": lambda t, F, a: t.addcdiv(a(0, 3, 4), a(1, 3, 4), a(2, 3, 4).abs() + 1),
    "atan2": lambda t, F, a: t.atan2(a(0, 3, 4), a(1, 3, 4)),
    "cross": lambda t, F, a: t.cross(a(0, 2, 3), a(1, 2, 3), dim=1),
    "dot": lambda t, F, a: t.dot(a(0, 4), a(1, 4)),
    "tensordot": lambda t, F, a: t.tensordot(a(0, 3, 4), a(1, 4, 2), dims=1),
    "scatter_add": lambda t, F, a: t.scatter_add(a(0, 3, 4), 1, t.zeros(3, 2, dtype=t.int64), a(1, 3, 2)),
    "index_put": lambda t, F, a: a(0, 3, 4).index_put((_long(t, 0, 2),), a(1, 2, 4)),
    "bilinear": lambda t, F, a: F.bilinear(a(0, 3, 4), a(1, 3, 2), a(2, 5, 4, 2)),
    # ---------------------------------------------------------------- outside the lists
    "matrix_power": lambda t, F, a: t.matrix_power(a(0, 3, 3), 3),
    "linalg.matrix_power": lambda t, F, a: t.linalg.matrix_power(a(0, 3, 3), 2),
    "inner": lambda t, F, a: t.inner(a(0, 3, 4), a(1, 2, 4)),
    "outer": lambda t, F, a: t.outer(a(0, 3), a(1, 4)),
    "linalg.pinv": lambda t, F, a: t.linalg.pinv(a(0, 3, 3)),
    "linalg.lstsq": lambda t, F, a: t.linalg.lstsq(a(0, 3, 3), a(1, 3, 2)).solution,
    "linalg.eigh": lambda t, F, a: t.linalg.eigh(_spd(t, a(0, 3, 3)))[0],
    "interpolate_bicubic": lambda t, F, a: F.interpolate(a(0, 1, 2, 4, 4), scale_factor=2, mode="bicubic"),
    "var": lambda t, F, a: t.var(a(0, 3, 4), 1),
    "normalize": lambda t, F, a: F.normalize(a(0, 3, 4)),
    "multi_head_attention": lambda t, F, a: _seeded(t, lambda: t.nn.MultiheadAttention(4, 2))(
        a(0, 3, 1, 4), a(1, 3, 1, 4), a(2, 3, 1, 4))[0],
    "add": lambda t, F, a: a(0, 3, 4) + a(1, 3, 4),
    "mul": lambda t, F, a: a(0, 3, 4) * a(1, 3, 4),
    "relu": lambda t, F, a: F.relu(a(0, 3, 4)),
    "gelu": lambda t, F, a: F.gelu(a(0, 3, 4)),
    "tanh": lambda t, F, a: t.tanh(a(0, 3, 4)),
    "sigmoid": lambda t, F, a: t.sigmoid(a(0, 3, 4)),
    "mean": lambda t, F, a: a(0, 3, 4).mean(),
    "max_pool2d": lambda t, F, a: F.max_pool2d(a(0, 1, 2, 4, 4), 2),
    "avg_pool2d": lambda t, F, a: F.avg_pool2d(a(0, 1, 2, 4, 4), 2),
    "batch_norm_eval": lambda t, F, a: F.batch_norm(a(0, 2, 3, 4), t.zeros(3), t.ones(3), a(1, 3), a(2, 3)),
    "dropout_eval": lambda t, F, a: F.dropout(a(0, 3, 4), training=False),
    "sqrt": lambda t, F, a: t.sqrt(a(0, 3, 4).abs()),
    "sin": lambda t, F, a: t.sin(a(0, 3, 4)),
    "where": lambda t, F, a: t.where(a(0, 3, 4) > 0, a(0, 3, 4), a(1, 3, 4)),
}


def _seeded(t, make):
    t.manual_seed(0)
    return make()


def _spd(t, m):
    return m @ m.transpose(-1, -2) + 3 * t.eye(m.shape[-1], dtype=m.dtype, device=m.device)


def inputs(t, low=None, device="cpu"):
    """The `a(i, *shape)` of the cases: seeded normal values, float32 (input 0 in `low` if given)."""
    def a(i, *shape):
        g = t.Generator().manual_seed(1000 + i)
        x = t.randn(*shape, generator=g)
        if i == 0 and low is not None:
            x = x.to(low)
        return x.to(device)
    return a
