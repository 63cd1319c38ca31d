"""Cases for tests/test_torch_forms.py: torch's aten-level `torch.*` forms (torch.dropout,
torch.embedding, losses with an int reduction, the *_copy variants, torch.logdet...), each an
expression over `T` (the library) and the inputs of `inputs(T)`. tests/tools/record_torch_forms.py
evaluates them on torch 2.15 into tests/data/torch_forms.json; the test replays them on rstorch."""

import numpy as np


def inputs(T):
    rng = np.random.default_rng(0)

    def t(*shape, dtype=np.float32):
        return T.from_numpy(rng.standard_normal(shape).astype(dtype))
    return {
        "x": t(3, 4), "y": t(3, 4), "z": t(3, 4), "v": t(5), "w": t(2, 4, 3), "img": t(2, 8, 3, 3),
        "sq": t(3, 3), "b3": t(2, 3, 3), "tgt": T.from_numpy((rng.standard_normal((3, 4)) > 0).astype(np.float32)),
        "sgn": T.from_numpy(np.where(rng.standard_normal(3) > 0, 1.0, -1.0).astype(np.float32)),
        "emb": t(6, 3), "idx": T.tensor([[0, 2, 5], [1, 1, 4]]), "W": t(2, 4, 4), "pw": T.tensor([0.25]),
        "lp": t(6, 2, 4).log_softmax(2), "ctc_t": T.tensor([[1, 2], [3, 3]]),
        "ints": T.tensor([[-2, 0, 3]]), "vec": t(3),
        "f": T.tensor([[1., 2, 4, 8], [2, 5, 9, 10]]), "coords": T.tensor([0., 1, 3, 4]),
        "ridx": T.tensor([0, 2, 0]), "rsrc": t(3, 3), "grid": T.arange(12.).reshape(4, 3),
    }


CASES = [
    # dropout family (torch's masks from the seed)
    "(T.manual_seed(0), T.dropout(x, 0.3, True))[1]",
    "(T.manual_seed(1), T.alpha_dropout(x, 0.5, True))[1]",
    "(T.manual_seed(2), T.feature_dropout(img, 0.5, True))[1]",
    "(T.manual_seed(3), T.feature_alpha_dropout(img, 0.25, True))[1]",
    "(T.manual_seed(4), T.native_dropout(x, 0.4, True))[1]",
    "T.native_dropout(x, 0.4, False)",
    "(T.manual_seed(5), T.dropout_(x.clone(), 0.5, True))[1]",
    "T.dropout(x, 0.5, False) is x",
    "T.dropout(x, 1.5, True)",
    "T.feature_dropout(v, 0.5, True)",
    # activations
    "T.celu(x, 0.5)", "T.celu_(x.clone())", "T.selu(x)", "T.selu_(x.clone())",
    "T.threshold(x, 0.1, 20.0)", "T.threshold_(x.clone(), -0.5, 1.0)", "T.rrelu(x)",
    "(T.manual_seed(6), T.rrelu(x, 0.1, 0.3, True))[1]", "T.hardshrink(x, 0.7)", "x.hardshrink()",
    "T.prelu(img, pw)", "img.prelu(pw)",
    # layers
    "T.embedding(emb, idx)", "T.embedding(emb, idx, 2).shape",
    "T.bilinear(x, y, W)", "T.cosine_similarity(x, y)", "T.cosine_similarity(x, y, 0, 1e-3)",
    "T.pdist(x)", "T.pdist(x, 1)", "T.pdist(x, 0.5)", "T.pdist(v)",
    "T.pairwise_distance(x, y)", "T.pairwise_distance(x, y, 1.0, 1e-6, True)",
    "T.pixel_shuffle(img, 2)", "T.pixel_unshuffle(T.pixel_shuffle(img, 2), 2)",
    "T.channel_shuffle(img, 2)", "T.native_channel_shuffle(img, 4)",
    "T.constant_pad_nd(x, [1, 2], 3.5)", "T.constant_pad_nd(x, [-1, 1, 1, 0])",
    "T.group_norm(w, 2)", "T.group_norm(img, 4, T.ones(8) * 2, T.arange(8.))",
    "T.native_group_norm(w, None, None, 2, 4, 3, 2, 1e-5)",
    "T.instance_norm(w, None, None, None, None, True, 0.1, 1e-5, False)",
    "T.rms_norm(x, [4])", "T.rms_norm(x, [4], T.arange(4.), 1e-3)",
    # losses, aten's int reduction (0 none, 1 mean, 2 sum)
    "T.binary_cross_entropy_with_logits(x, tgt)",
    "T.binary_cross_entropy_with_logits(x, tgt, None, T.ones(4) * 2, 2)",
    "T.binary_cross_entropy_with_logits(x, tgt, T.arange(4.), None, 0)",
    "T.kl_div(x, y.abs())", "T.kl_div(x, y, 2, log_target=True)", "T.kl_div(x, y.abs(), 0)",
    "T.kl_div(x, y.abs(), 3)",
    "T.cosine_embedding_loss(x, y, sgn)", "T.cosine_embedding_loss(x, y, sgn, 0.2, 0)",
    "T.hinge_embedding_loss(x, tgt * 2 - 1)", "T.hinge_embedding_loss(x, tgt * 2 - 1, 0.5, 2)",
    "T.margin_ranking_loss(vec, vec.flip(0), sgn)", "T.margin_ranking_loss(vec, vec.flip(0), sgn, 0.3, 0)",
    "T.poisson_nll_loss(x, y.abs(), True, False, 1e-8, 1)", "T.poisson_nll_loss(x.abs(), y.abs(), False, True, 1e-8, 0)",
    "T.triplet_margin_loss(x, y, z)", "T.triplet_margin_loss(x, y, z, 0.5, 1.0, 1e-6, True, 0)",
    "T.ctc_loss(lp, ctc_t, [6, 5], [2, 2])", "T.ctc_loss(lp, ctc_t, [6, 6], [2, 1], 0, 0)",
    "T.ctc_loss(lp, ctc_t, T.tensor([6, 4]), T.tensor([2, 2]), 0, 2)",
    # plumbing
    "T.fill(x, 2.5)", "T.fill(ints, 2.7)", "T.fill(x, T.tensor(3.0))", "T.fill_(x.clone(), -1)",
    "T.zero_(x.clone())", "T.is_distributed(x)", "x.is_distributed()",
    "T.logdet(sq @ sq.t() + T.eye(3))", "T.logdet(T.tensor([[0., 1], [1, 0]]))", "T.logdet(T.zeros(2, 2))",
    "T.logdet(b3)", "(sq @ sq.t()).logdet()",
    "T.angle(T.tensor([-1., 0., 2., float('nan'), -float('inf')]))", "T.angle(ints)", "ints.angle()",
    "T.chain_matmul(x, y.t(), x)", "T.frobenius_norm(x, [0, 1])", "T.frobenius_norm(w, [1], True)",
    "T.nuclear_norm(x)", "T.nuclear_norm(w, [0, 2], True)", "T.norm_except_dim(w, 2, 1)",
    "T.norm_except_dim(w, 3, 0)", "T.norm_except_dim(w, 2, -1)",
    "T.conj(x) is x", "T.resolve_conj(x) is x", "T.resolve_neg(x) is x", "T.conj_physical(x) is x",
    "T.conj_physical_(x) is x", "x.conj_physical_() is x", "T.real(x) is x", "T.imag(x)", "x.imag",
    # *_copy: the view's values, contiguous, a new tensor
    "T.t_copy(x)", "T.t_copy(x).stride()", "T.alias_copy(x) is x", "T.alias_copy(x)",
    "T.as_strided_copy(x, [2, 2], [1, 4], 1)", "T.detach_copy(x)", "T.diagonal_copy(w, 1, 1, 2)",
    "T.expand_copy(vec[:, None], [3, 2]).stride()", "T.permute_copy(w, [2, 0, 1])",
    "T.select_copy(w, 1, 2)", "T.slice_copy(x, 1, 1, None, 2)", "T.slice_copy(x)", "T.slice_copy(x, 0, -2)",
    "T.split_copy(x, 2, 1)", "T.split_with_sizes_copy(x, [1, 2], 0)", "T.squeeze_copy(x[None])",
    "T.squeeze_copy(w[:, :1], 1)", "T.transpose_copy(w, 0, 2)", "T.unbind_copy(x, 1)",
    "T.unfold_copy(v, 0, 2, 2)", "T.unsqueeze_copy(x, 1)", "T.view_copy(x, [2, 6])",
    "T.view_copy(x, T.int32)", "T.unsafe_chunk(x, 2, 1)", "x.unsafe_split(2)",
    "T.unsafe_split_with_sizes(x, [3, 1], 1)",
    # removed from torch 2.x: its messages
    "T.matrix_rank(sq)", "T.eig(sq)", "sq.eig()", "T.lstsq(sq, sq)", "sq.lstsq(sq)", "T.symeig(sq)", "sq.symeig()",
    "T.solve(sq, sq)", "sq.solve(sq)",
    # the deprecated LU functions
    "T.lu(sq)", "sq.lu()", "T.lu(b3, get_infos=True)", "T.lu(x[:, :3].t())",
    "T.lu_unpack(*T.linalg.lu_factor(sq))", "T.lu_unpack(*T.linalg.lu_factor(b3), unpack_data=False)",
    "T.lu_unpack(*T.linalg.lu_factor(x), unpack_pivots=False)", "T.lu_unpack(T.linalg.lu_factor(sq)[0], T.ones(3))",
    "T.lu_solve(x[:, :2], *T.linalg.lu_factor(sq))", "x[:, :2].lu_solve(*T.linalg.lu_factor(sq))",
    # index_reduce, nonzero_static, as_strided_scatter
    "T.index_reduce(grid, 0, ridx, rsrc, 'prod')", "grid.index_reduce(0, ridx, rsrc, 'mean', include_self=False)",
    "grid.index_reduce(1, T.tensor([2, -1, 0]), rsrc[:1].expand(4, 3), 'amax')",
    "grid.index_reduce(1, T.tensor([2, -1, 0]), rsrc, 'amax')", "grid.clone().index_reduce_(0, ridx, rsrc, 'amin')",
    "grid.index_reduce(0, ridx, rsrc, 'sum')", "grid.index_reduce(0, ridx.float(), rsrc, 'prod')",
    "grid.index_reduce(0, T.tensor([5, 0, 0]), rsrc, 'prod')", "grid.index_reduce(0, ridx, rsrc[:2], 'prod')",
    "T.ones(3, dtype=T.int64).index_reduce(0, T.tensor([0]), T.tensor([2]), 'mean')",
    "T.nonzero_static(T.tensor([0, 1, 0, 2]), size=3)", "T.tensor([[0, 1], [2, 0]]).nonzero_static(size=1)",
    "T.nonzero_static(T.tensor([0, 1]), size=3, fill_value=7)",
    "T.as_strided_scatter(T.zeros(4), T.ones(2), (2,), (2,))", "grid.as_strided_scatter(T.ones(2, 2), (2, 2), (1, 3), 1)",
    # gradient (numpy.gradient's estimates)
    "T.gradient(f)", "T.gradient(f, spacing=2.0)", "T.gradient(f, spacing=[2.0, 3.0])",
    "T.gradient(f, dim=1, edge_order=2)", "T.gradient(f, spacing=(coords,), dim=1)",
    "T.gradient(f, spacing=(coords,), dim=1, edge_order=2)", "T.gradient(f, spacing=[1.0, 2, 3], dim=1)",
    "T.gradient(f, dim=0, edge_order=2)", "T.gradient(T.tensor([1, 4, 9]))", "T.gradient(f, edge_order=3)",
    "T.gradient(T.tensor(3.0))", "T.gradient(f, spacing=T.tensor(2.0))", "T.gradient(f, dim=[1, 0])",
    "T.gradient(f, spacing=[T.tensor(2.0)], dim=1)",
    # factories and legacy constructors
    "T.frombuffer(bytearray(b'\\x01\\x00\\x02\\x00\\x03\\x00'), dtype=T.int16)",
    "T.frombuffer(bytearray(8), dtype=T.int16, count=2, offset=2)", "T.frombuffer(bytearray(3), dtype=T.int16)",
    "T.frombuffer(bytearray(4), dtype=T.int16, count=5)", "T.frombuffer(bytearray(0), dtype=T.int16)",
    "T.frombuffer(bytearray(4), dtype=T.int16, offset=4)",
    "T.empty_permuted((2, 3, 4), (0, 2, 1)).stride()", "T.empty_permuted((2, 3, 4), (2, 0, 1)).shape",
    "x.new((2, 3))", "x.new([2, 3])", "x.new(2, 3).shape", "x.new(T.Size([2, 3])).shape", "x.new(T.Size([])).shape",
    "x.new().shape", "ints.new([1.5])", "x.new(2.5)", "x.new(ints)", "x.new(y) is y",
    "x.new_empty_strided((2, 2), (1, 2), dtype=T.int32).stride()", "x.clone().resize_as_(T.ones(2, 2)).shape",
    "x.is_set_to(x[:])", "x.is_set_to(x.view(12))", "x.is_set_to(x.clone())",
    "type(x.as_subclass(T.nn.Parameter)).__name__", "x.requires_grad_().as_subclass(T.Tensor).grad_fn.name()",
    # check order and error types (issue 19's differential fuzz)
    "T.cov(T.ones(1, 3, 4, dtype=T.bool))", "T.corrcoef(T.ones(3, dtype=T.bool))",
    "T.ones(1, 3, 4, dtype=T.bool).corrcoef()", "T.isin(T.ones(2), T.ones(2, dtype=T.bool))",
    "T.isin(T.ones(2, dtype=T.bool), True)", "T.isin(T.tensor([1, 2]), T.tensor([2]))",
    "T.cholesky_inverse(T.ones(3, 1, dtype=T.float16))", "T.cholesky_inverse(T.ones(3, 3, dtype=T.float16))",
    "T.cumulative_trapezoid(T.ones(3), dim=-2)", "T.trapezoid(T.ones(3), dim=2)", "T.rsub(T.ones(2), True)",
    "T.rsub(T.ones(2, dtype=T.bool), True)", "T.rsub(T.ones(2, dtype=T.int32), True)", "T.rsub(x, 3, alpha=2)",
    "T.is_vulkan_available()", "T.get_device_module('cpu').__name__.split('.')[-1]",
    "T.get_device_module().__name__.split('.')[-1]",
    "(T.set_default_tensor_type(T.DoubleTensor), T.zeros(1).dtype, T.set_default_tensor_type('torch.FloatTensor'))[1]",
    "T.set_default_tensor_type('torch.LongTensor')", "T.set_default_tensor_type(3)",
]
