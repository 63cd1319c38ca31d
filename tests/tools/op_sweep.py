"""Differential sweep of ops: the same expressions evaluated with `import torch` and with
`import rstorch as torch`, printed in a comparable form (dtype, shape, values, or the error's
type and message; `repr`/`str` cases print the text itself).

Not part of the test suite (it needs torch). Usage:

    python tests/tools/op_sweep.py rstorch > r.txt       # one library's output
    python tests/tools/op_sweep.py --diff [TORCH_PYTHON]  # run both and diff

Each discrepancy found is fixed in rstorch (with a test in tests/) or listed in KNOWN.
"""

import math
import os
import re
import subprocess
import sys
import difflib

# expressions whose difference is kept on purpose (expression prefix: why)
KNOWN = {
    "torch.empty(": "values of empty tensors are unspecified (rstorch zero-fills)",
}

# Expressions over `torch` and these inputs (made fresh for each expression).
SETUP = """
x = torch.tensor([[1.5, -2.0, 0.0], [3.25, 4.0, -0.5]])
xd = x.double()
xi = torch.tensor([[1, -2, 0], [3, 4, 5]])
xb = torch.tensor([[True, False, True], [False, False, True]])
xh = x.half()
v = torch.tensor([3.0, 1.0, 2.0])
vi = torch.tensor([3, 1, 2])
n = torch.tensor([1.0, float('nan'), -float('inf'), float('inf'), 0.0, -0.0])
e = torch.zeros(0, 3)
s = torch.tensor(2.5)
big = torch.arange(24.).reshape(2, 3, 4)
"""

EXPRS = r"""
# printing
repr(x)
repr(xd)
repr(xi)
repr(xb)
repr(xh)
repr(x.bfloat16())
repr(n)
repr(e)
repr(s)
repr(torch.tensor(3))
repr(torch.tensor([]))
repr(torch.zeros(2, 0))
repr(torch.arange(2000.))
repr(torch.arange(1e6, 1e6 + 3))
repr(torch.tensor([1e-8, 1.0]))
repr(torch.tensor([1e10, 1.0]))
repr(torch.tensor([0.1, 0.25]))
repr(torch.tensor([1.0, 2.0]))
repr(torch.tensor([123456789.0]))
repr(torch.tensor([1, 2], dtype=torch.uint8))
repr(torch.tensor([1, 2], dtype=torch.int32))
repr(torch.tensor([-1e-5, 1e5]))
repr(torch.randn(3, 3, generator=torch.Generator().manual_seed(0)))
repr(big)
repr(x.requires_grad_())
repr(x * 2 if x.requires_grad_() is not None else 0)
repr(torch.ones(2, requires_grad=True).sum())
repr(torch.tensor([True]))
repr(torch.tensor([1.5], dtype=torch.float64))
repr(torch.tensor(float('nan')))
repr(torch.tensor([[float('inf'), 1.0]]))
repr(torch.arange(10).reshape(2, 5))
repr(torch.arange(100000).reshape(1000, 100))
str(torch.float32)
repr(torch.int64)
repr(x.shape)
repr(x.size())
str(x.device)
repr(x.device)
repr(torch.device('cpu'))
repr(torch.finfo(torch.float32))
repr(torch.iinfo(torch.int32))
torch.finfo(torch.float16).eps
torch.finfo(torch.bfloat16).max
torch.finfo().tiny
torch.iinfo(torch.uint8).max
# promotion
(xi + 1.5).dtype
(xi + s).dtype
(xi / 2).dtype
(xi // 2)
(xi * True).dtype
(xb + xb).dtype
(xb * 2.5)
(xh + xd).dtype
(xh + 1.0).dtype
(xh + s).dtype
(x.bfloat16() + xh).dtype
(torch.tensor([1], dtype=torch.uint8) + torch.tensor([1], dtype=torch.int8)).dtype
(torch.tensor([1], dtype=torch.uint8) - 2)
torch.tensor([250], dtype=torch.uint8) + 10
torch.result_type(xi, 1.0)
torch.promote_types(torch.int32, torch.float16)
torch.can_cast(torch.float32, torch.int32)
xi ** 2
xi ** -1
2 ** xi
xi ** 0.5
xi.float() ** xi
torch.tensor(2) ** torch.tensor([-1, 0, 1])
xi % 3
xi % -3
x % 1.5
torch.fmod(x, 1.5)
torch.remainder(xi, -3)
xi // -3
x // 0.7
xi / 0
x / 0
xi // 0
torch.div(xi, 3, rounding_mode='floor')
torch.div(x, 0.7, rounding_mode='trunc')
torch.true_divide(xi, 2)
xi & 6
xi | 1
xi ^ 3
~xi
~xb
xi << 2
xi >> 1
xb & xb
x & 1
-xb
abs(xi)
x.abs()
# unary
x.exp()
x.sign()
xi.sign()
xb.sign()
n.sign()
x.sgn()
x.sqrt()
x.rsqrt()
x.log()
x.log1p()
x.exp2()
x.expm1()
xi.exp()
xi.sqrt()
xb.exp()
x.sigmoid()
x.logit()
x.logit(eps=0.1)
x.erf()
x.erfinv()
torch.tensor([0.5, -0.99, 1.0]).erfinv()
x.round()
torch.tensor([0.5, 1.5, 2.5, -0.5]).round()
torch.tensor([1.2345, 12.345]).round(decimals=2)
torch.tensor([1234.5]).round(decimals=-2)
xi.round()
x.floor()
xi.floor()
x.trunc()
x.frac()
torch.nan_to_num(n)
torch.nan_to_num(n, nan=0.5, posinf=9.0)
n.isnan()
n.isinf()
n.isfinite()
n.isposinf()
n.signbit()
xi.logical_not()
x.reciprocal()
xi.reciprocal()
x.square()
xi.square()
xb.square()
x.neg()
xb.neg()
x.clamp(-1, 1)
x.clamp(min=0)
xi.clamp(0.5, 2.5)
xi.clamp(max=2)
x.clamp(torch.tensor([0.0, 1.0, 0.0]), 1)
x.clamp()
x.tanh()
x.sin()
x.atan()
x.acos()
x.asinh()
x.acosh()
x.atanh()
xi.sin()
xh.exp()
xh.sum()
x.bfloat16().exp()
torch.tensor([100.0]).exp().half()
x.relu()
xi.relu()
torch.relu(x)
x.digamma()
x.lgamma()
torch.special.expit(x)
torch.special.erfc(x)
x.deg2rad()
x.heaviside(torch.tensor(0.5))
torch.logaddexp(x, v)
torch.sinc(x)
# binary
torch.atan2(x, v)
torch.hypot(x, v)
torch.maximum(n, torch.zeros(6))
torch.fmax(n, torch.zeros(6))
torch.minimum(xi, x)
torch.copysign(x, -1)
torch.nextafter(x, v)
torch.xlogy(x, v)
torch.lerp(x, v, 0.5)
torch.lerp(x, v, torch.tensor([0.0, 0.5, 1.0]))
torch.addcmul(x, x, v, value=0.5)
torch.addcdiv(x, x, v, value=2)
torch.where(x > 0, x, 0.0)
torch.where(x > 0, xi, x)
torch.where(x > 0, 1, 0)
torch.where(x > 0, 1.0, 0)
torch.where(x > 0)
torch.eq(x, v)
x == v
x != 1
x < xi
xb == 1
torch.equal(x, x.clone())
torch.allclose(x, x + 1e-9)
torch.isclose(n, n)
torch.isclose(n, n, equal_nan=True)
x.add(v, alpha=2)
xi.add(xi, alpha=2)
xi.sub(1, alpha=2)
x.mul(True)
torch.add(1, 2)
torch.mul(x, 2)
x.logical_and(v)
torch.logical_xor(xi, x)
# reductions
x.sum()
xi.sum()
xb.sum()
xh.sum()
x.sum(0)
x.sum(-1, keepdim=True)
x.sum((0, 1))
x.sum(dim=())
big.sum((0, 2))
xi.sum(dtype=torch.float32)
x.mean()
xi.mean()
xi.float().mean(1)
e.sum()
e.mean()
e.sum(0)
e.sum(1)
e.amax(1)
e.amax(0)
e.max()
e.prod()
e.std()
x.prod()
xi.prod(1)
xb.prod()
xb.any()
x.all()
xi.all(1)
x.any(0)
x.max()
x.max(1)
x.max(1, keepdim=True)
x.min(0).indices
xi.max(0)
n.max()
n.min()
n.argmax()
n.amax()
torch.tensor([1.0, float('nan'), 3.0]).max(0)
torch.tensor([1.0, 3.0, 3.0]).argmax()
torch.tensor([[1, 3, 3], [3, 1, 3]]).max(1)
x.argmax()
x.argmin(1)
x.argmax(1, keepdim=True)
x.amax((0, 1))
x.aminmax()
x.std()
x.std(1)
x.var(0, unbiased=False)
x.var(1, correction=0)
x.var(1, correction=2)
torch.tensor([1.0]).std()
torch.std_mean(x, 1)
torch.var_mean(x)
xi.std()
x.norm()
x.norm(1)
x.norm(float('inf'), dim=1)
x.norm(p=0)
x.norm(dim=1, keepdim=True)
x.norm(p='fro')
x.norm(p=3)
torch.linalg.vector_norm(x)
torch.linalg.vector_norm(x, ord=1, dim=1)
torch.linalg.vector_norm(x, ord=-float('inf'))
torch.linalg.vector_norm(xi.float(), ord=0)
torch.linalg.vector_norm(xi)
torch.linalg.norm(x)
torch.linalg.norm(x, ord=1)
torch.linalg.norm(x, ord=2)
torch.linalg.matrix_norm(x)
torch.linalg.matrix_norm(x, ord='nuc')
x.logsumexp(1)
xi.logsumexp(1)
torch.logsumexp(n, 0)
torch.tensor([-float('inf'), -float('inf')]).logsumexp(0)
x.count_nonzero()
x.count_nonzero(1)
x.cumsum(1)
xi.cumsum(0)
xb.cumsum(1)
xi.cumsum(0).dtype
torch.tensor([1, 2], dtype=torch.uint8).cumsum(0).dtype
x.cumprod(1)
x.cummax(1)
n.cummax(0)
x.cummin(0)
x.logcumsumexp(1)
x.median()
x.median(1)
xi.median()
torch.tensor([1.0, 2.0, 3.0, 4.0]).median()
n.median()
n.nanmedian()
x.nansum()
n.nansum()
n.nanmean()
x.mode(1)
torch.tensor([1, 2, 2, 3, 3]).mode()
x.quantile(0.5)
x.quantile(torch.tensor([0.25, 0.75]), dim=1)
x.quantile(0.3, interpolation='lower')
x.quantile(0.3, interpolation='midpoint')
x.nanquantile(0.5)
x.kthvalue(2, 1)
torch.tensor([1, 2, 2, 3, 3]).bincount()
torch.tensor([1, 2, 2]).bincount(weights=torch.tensor([0.5, 1.0, 2.0]))
torch.tensor([1, 2, 2]).bincount(minlength=6)
torch.histc(x, bins=4)
torch.histc(x, bins=4, min=-1, max=1)
torch.unique(torch.tensor([3, 1, 2, 3, 1]))
torch.unique(torch.tensor([3, 1, 2, 3, 1]), return_inverse=True, return_counts=True)
torch.unique(torch.tensor([3, 1, 2, 3, 1]), sorted=False)
torch.unique(torch.tensor([[1, 2], [1, 2], [0, 1]]), dim=0)
torch.unique_consecutive(torch.tensor([1, 1, 2, 2, 3, 1]))
# sort / select
x.sort()
x.sort(0, descending=True)
n.sort()
n.sort(descending=True)
torch.sort(torch.tensor([2, 1, 2, 1, 0]), stable=True)
x.argsort(1)
x.topk(2)
x.topk(1, dim=0, largest=False)
n.topk(3)
x.msort()
torch.searchsorted(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.5, 2.0, 3.5]))
torch.searchsorted(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([2.0]), right=True)
torch.searchsorted(torch.tensor([1.0, 2.0, 3.0]), 2.5)
torch.bucketize(x, torch.tensor([0.0, 2.0]))
torch.bucketize(x, torch.tensor([0.0, 2.0]), right=True, out_int32=True)
# shape / views
x.view(3, 2)
x.view(-1)
x.t()
x.T
big.permute(2, 0, 1).shape
big.transpose(0, 2).is_contiguous()
big.transpose(0, 2).contiguous().stride()
big.stride()
big[:, 1].stride()
big[..., ::2].storage_offset()
big[1, :, 1:].storage_offset()
x.unsqueeze(0).shape
x.unsqueeze(-1).shape
x.reshape(3, -1)
x.flatten()
big.flatten(1)
big.flatten(0, 1).shape
x.unflatten(1, (3, 1)).shape
x.squeeze()
torch.zeros(1, 2, 1).squeeze().shape
torch.zeros(1, 2, 1).squeeze(0).shape
torch.zeros(1, 2, 1).squeeze((0, 2)).shape
x.expand(2, 2, 3).shape
v.expand_as(x)
v.repeat(2, 2)
v.repeat_interleave(2)
torch.repeat_interleave(torch.tensor([1, 2]), torch.tensor([2, 3]))
xi.repeat_interleave(torch.tensor([1, 2]), dim=0)
x.tile((2,))
x.flip(0)
x.fliplr()
x.roll(1)
x.roll(1, 1)
x.roll((1, 1), (0, 1))
x.rot90()
x.rot90(2, (0, 1))
x.narrow(1, 1, 2)
x.chunk(2, 1)
x.split(2, 1)
x.split([1, 2], 1)
x.unbind(1)
x.tensor_split(3, dim=1)
torch.cat([x, x])
torch.cat([x, xi], 1)
torch.cat([x, torch.tensor([])])
torch.cat([e, e]).shape
torch.stack([v, v], 1)
torch.hstack([v, v])
torch.vstack([v, v])
torch.dstack([v, v]).shape
torch.column_stack([v, v])
torch.movedim(big, 0, -1).shape
x.swapaxes(0, 1)
torch.atleast_2d(v).shape
torch.broadcast_tensors(x, v)[1]
torch.broadcast_shapes((2, 1), (3,))
torch.meshgrid(v, vi, indexing='ij')
torch.meshgrid(v, vi, indexing='xy')[0]
torch.cartesian_prod(vi, vi)
torch.combinations(vi)
torch.tril(x)
torch.triu(x, 1)
torch.tril_indices(3, 3)
torch.triu_indices(3, 4, 1)
torch.diag(v)
torch.diag(x)
torch.diag(x, 1)
torch.diagonal(big, 0, 1, 2)
torch.diag_embed(x)
x.diagonal()
torch.trace(big[0])
torch.block_diag(x, v.reshape(1, 3))
x.masked_fill(x > 0, 9)
x.masked_select(x > 0)
x.masked_scatter(x > 0, torch.arange(6.))
torch.nonzero(x)
torch.nonzero(x, as_tuple=True)
torch.argwhere(xi)
x.gather(1, torch.tensor([[0, 0], [1, 2]]))
x.scatter(1, torch.tensor([[0], [2]]), 9.0)
x.scatter(1, torch.tensor([[0], [2]]), torch.tensor([[7.0], [8.0]]))
x.scatter_add(1, torch.tensor([[0, 0]]), torch.tensor([[7.0, 8.0]]))
x.scatter(1, torch.tensor([[0, 0]]), torch.tensor([[7.0, 8.0]]), reduce='add')
x.scatter_reduce(1, torch.tensor([[0, 0]]), torch.tensor([[7.0, 8.0]]), reduce='amax')
x.scatter_reduce(1, torch.tensor([[0, 0]]), torch.tensor([[7.0, 8.0]]), reduce='mean', include_self=False)
x.index_select(1, torch.tensor([2, 0]))
x.index_add(1, torch.tensor([0, 0]), torch.ones(2, 2))
x.index_copy(1, torch.tensor([2, 0]), torch.ones(2, 2))
x.index_fill(1, torch.tensor([1]), -1.0)
x.take(torch.tensor([0, 5]))
torch.take_along_dim(x, torch.tensor([[0], [2]]), 1)
torch.take_along_dim(x, x.argmax().reshape(1))
x.index_put((torch.tensor([0, 1]), torch.tensor([1, 1])), torch.tensor(5.0))
x.index_put((torch.tensor([0, 0]), torch.tensor([1, 1])), torch.tensor(5.0), accumulate=True)
x[0]
x[:, 1]
x[-1, -1]
x[x > 0]
x[[0, 1], [2, 0]]
x[torch.tensor([1, 0])]
x[None, 0, ..., None].shape
x[:, None].shape
x[1:, ::2]
x[..., -1]
x[torch.tensor(True)].shape
x[xb]
big[[0, 1], :, [1, 2]].shape
big[:, [0, 1], [1, 2]].shape
big[0, [0, 1]][:, [1]].shape
big[:, [[0], [1]], [1, 2]].shape
x[0, 0].item()
xi[0, 0].item()
xb[0, 0].item()
x.tolist()
xh.tolist()
xi.tolist()
s.tolist()
float(s)
int(x[1, 1])
bool(xb[0, 0])
len(x)
x.numel()
x.dim()
x.ndim
x.element_size()
xh.element_size()
x.nbytes
x.is_floating_point()
xi.is_floating_point()
x.dtype.is_floating_point
xi.dtype.itemsize
x.is_contiguous()
x.t().is_contiguous()
x.data_ptr() == x.view(-1).data_ptr()
x.clone().storage_offset()
x.type()
xi.type()
x.type(torch.int32)
x.type('torch.DoubleTensor')
x.to(torch.int32)
n.to(torch.int32)
torch.tensor([300.7, -1.5]).to(torch.uint8)
torch.tensor([1e10]).to(torch.int32)
x.int()
x.long()
x.bool()
x.half()
x.bfloat16()
torch.tensor([1.0009765625, 65504.0, 70000.0]).half()
torch.tensor([1.00390625, 3.0e38]).bfloat16()
x.to(xd)
x.to('cpu')
x.new_zeros(2)
x.new_ones((1, 2)).dtype
x.new_full((2,), 3)
x.new_tensor([1, 2])
x.new_empty(0).shape
xi.new_tensor([1.5])
torch.zeros_like(xi, dtype=torch.float64)
torch.ones_like(x)
torch.full_like(xi, 2.7)
torch.rand_like(x).shape
torch.randn_like(xd).dtype
torch.randint_like(xi, 5).dtype
# creation
torch.tensor([1, 2.0])
torch.tensor([True, 1])
torch.tensor([[1, 2], [3, 4]], dtype=torch.float16)
torch.tensor(())
torch.tensor([[]]).shape
torch.tensor(3.5).dim()
torch.tensor([x[0, 0], x[1, 1]])
torch.as_tensor([1, 2])
torch.arange(5)
torch.arange(1, 4, 0.5)
torch.arange(0, 1, 0.1).shape
torch.arange(-1.0, 1.0, 0.3)
torch.arange(5, dtype=torch.float32)
torch.arange(10, 0, -3)
torch.arange(0.0, 1.0, 1/3)
torch.range(0, 4)
torch.linspace(0, 1, 5)
torch.linspace(-1, 1, 4)
torch.linspace(0, 10, 3, dtype=torch.int64)
torch.logspace(0, 2, 3)
torch.logspace(0, 3, 4, base=2)
torch.eye(3)
torch.eye(2, 3, dtype=torch.int64)
torch.zeros(2, 3)
torch.zeros((2, 3)).shape
torch.zeros([2]).dtype
torch.ones(2, dtype=torch.bool)
torch.full((2, 2), 7)
torch.full((2,), 1.5)
torch.full((2,), True)
torch.empty(2, 3).shape
torch.zeros(0).shape
torch.zeros(2, 0, 3).sum(1)
torch.get_default_dtype()
torch.is_tensor(x)
torch.is_floating_point(x)
torch.numel(big)
torch.manual_seed(0) and None
# random
(torch.manual_seed(0), torch.rand(3))[1]
(torch.manual_seed(0), torch.randn(2, 3))[1]
(torch.manual_seed(1), torch.randint(0, 10, (5,)))[1]
(torch.manual_seed(1), torch.randint(10, (2, 2)))[1]
(torch.manual_seed(0), torch.randperm(8))[1]
(torch.manual_seed(0), torch.normal(0.0, 1.0, (3,)))[1]
(torch.manual_seed(0), torch.normal(torch.zeros(3), 2.0))[1]
(torch.manual_seed(0), torch.bernoulli(torch.full((5,), 0.5)))[1]
(torch.manual_seed(0), torch.multinomial(torch.tensor([0.1, 0.6, 0.3]), 5, replacement=True))[1]
(torch.manual_seed(0), torch.multinomial(torch.tensor([0.1, 0.6, 0.3]), 2))[1]
(torch.manual_seed(0), torch.empty(4).uniform_(-1, 1))[1]
(torch.manual_seed(0), torch.empty(4).normal_(2, 3))[1]
(torch.manual_seed(0), torch.rand(3, dtype=torch.float64))[1]
(torch.manual_seed(0), torch.randn(3, dtype=torch.float64))[1]
(torch.manual_seed(0), torch.randn(20))[1]
(torch.manual_seed(0), torch.rand(20))[1]
(torch.manual_seed(0), torch.empty(3).exponential_())[1]
(torch.manual_seed(0), torch.empty(3, dtype=torch.int64).random_(0, 10))[1]
(torch.manual_seed(0), torch.rand(2).half())[1]
torch.initial_seed() if torch.manual_seed(5) else 0
# linalg
x @ v
x @ x.T
torch.mm(x, x.t())
torch.mv(x, v)
torch.dot(v, v)
torch.vdot(v, v)
torch.outer(v, v)
torch.inner(x, x)
xi @ xi.T
torch.matmul(big, torch.ones(4, 2)).shape
torch.matmul(torch.ones(4), big).shape
torch.matmul(torch.ones(5, 1, 2, 3), torch.ones(4, 3, 2)).shape
torch.bmm(big, big.transpose(1, 2))
torch.addmm(v, x.T, x)
torch.addmm(v, x.T, x, beta=0.5, alpha=2)
torch.addmv(torch.ones(2), x, v)
torch.baddbmm(torch.zeros(2, 3, 3), big, big.transpose(1, 2)).shape
torch.addbmm(torch.zeros(3, 3), big, big.transpose(1, 2))
torch.einsum('ij,jk->ik', x, x.T)
torch.einsum('ij->j', x)
torch.einsum('ii', torch.eye(3))
torch.einsum('bij,bjk->bik', big, big.transpose(1, 2)).shape
torch.einsum('i,j->ij', v, v)
torch.einsum('...j,j', x, v)
torch.tensordot(big, torch.ones(3, 4), dims=2)
torch.tensordot(big, torch.ones(4, 2), dims=([2], [0])).shape
torch.kron(torch.eye(2), x)
torch.linalg.inv(torch.tensor([[2.0, 1.0], [1.0, 3.0]]))
torch.linalg.det(torch.tensor([[2.0, 1.0], [1.0, 3.0]]))
torch.det(big[:, :, :3][:, :3] + torch.eye(3))
torch.linalg.solve(torch.tensor([[2.0, 1.0], [1.0, 3.0]]), torch.tensor([1.0, 2.0]))
torch.linalg.inv(torch.zeros(2, 2))
torch.inverse(torch.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=torch.float64))
torch.cross(torch.tensor([1.0, 0, 0]), torch.tensor([0, 1.0, 0]), dim=0)
torch.cdist(x, x)
torch.cumsum(x, dim=0)
torch.diff(v)
torch.diff(x, dim=0)
torch.trapezoid(v)
torch.clone(x)
torch.flatten(big, 1).shape
torch.numel(x)
# more printing
repr(torch.tensor([-0.0, 0.0]))
repr(torch.tensor([1e-4, 1.0]))
repr(torch.tensor([1e-5, 1.0]))
repr(torch.tensor([12345.678]))
repr(torch.tensor([0.001, 1000.0]))
repr(torch.tensor([1.0, 1e8]))
repr(torch.tensor([1.0, 1e9]))
repr(torch.tensor([-5, 100000], dtype=torch.int16))
repr(torch.tensor([[1e-10, 1.0], [2.0, 3.0]], dtype=torch.float64))
repr(torch.tensor([3.14159265358979], dtype=torch.float64))
repr(torch.tensor(1e20))
repr(torch.tensor(-0.5, dtype=torch.float16))
repr(torch.tensor([65504.0], dtype=torch.float16))
repr(torch.tensor([float('nan'), 1.5, 2.0]))
repr(torch.tensor([float('inf'), -float('inf'), 1e-3]))
repr(torch.zeros(2, 3, dtype=torch.int64))
repr(torch.ones(3, 1, 2, dtype=torch.bool))
repr(torch.arange(6).reshape(1, 2, 3).float())
repr(torch.linspace(0, 1, 7))
repr(torch.arange(1001))
repr(torch.arange(30.).reshape(3, 10) / 7)
repr(torch.tensor([1.0, 2.0], requires_grad=True) * 1)
repr(torch.tensor([[1, 2], [3, 4]]).t())
repr(torch.tensor([], dtype=torch.int64))
repr(torch.zeros(0, 2, dtype=torch.float64))
repr(torch.tensor([0.1, 0.2]).double())
str(torch.tensor([1.5, 2.5]))
format(torch.tensor(2.5), '.2f')
f'{torch.tensor(3)}'
repr(torch.tensor([1.0]).sum(0, keepdim=True))
repr(torch.tensor([1, 2]).max(0))
repr(torch.tensor([[1., 2.], [3., 4.]]).sort(1))
repr(torch.tensor([3., 1.]).topk(1))
repr(torch.tensor([1., 2.]).aminmax())
repr(torch.Size([2, 3]))
repr(torch.tensor([[1., 2.], [3., 4.]]).shape[0])
torch.tensor([1., 2.]).__format__('')
# semantics
(lambda a: (a.add_(1), a)[1])(torch.tensor([1, 2]))
(lambda a: (a.mul_(1.5), a)[1])(torch.tensor([1, 2]))
(lambda a: (a.div_(2), a)[1])(torch.tensor([1, 2]))
(lambda a: (a.add_(torch.tensor([0.5, 0.5])), a)[1])(torch.tensor([1.0, 2.0]))
(lambda a: (a.add_(torch.tensor(0.5, dtype=torch.float64)), a)[1])(torch.tensor([1.0, 2.0]))
(lambda a: (a.view(2, 2).add_(1), a)[1])(torch.zeros(4))
(lambda a: (a.t()[0].fill_(7), a)[1])(torch.zeros(2, 2))
(lambda a: (a[::2].zero_(), a)[1])(torch.ones(5))
(lambda a: (a.clamp_(0, 1), a)[1])(torch.tensor([-1.0, 0.5, 3.0]))
(lambda a: (a.copy_(torch.tensor([1, 2])), a)[1])(torch.zeros(2))
(lambda a: (a.copy_(torch.tensor(5.0)), a)[1])(torch.zeros(2))
(lambda a: (a.masked_fill_(a > 1, 0), a)[1])(torch.tensor([1.0, 2.0, 3.0]))
(lambda a: (a.index_put_((torch.tensor([0, 0]),), torch.tensor([1.0, 2.0]), accumulate=True), a)[1])(torch.zeros(2))
(lambda a: (a.scatter_(0, torch.tensor([1]), 5.0), a)[1])(torch.zeros(3))
(lambda a: (a.unsqueeze_(0), a.shape)[1])(torch.zeros(3))
(lambda a: (a.t_(), a.shape)[1])(torch.zeros(2, 3))
(lambda a: (a.squeeze_(), a.shape)[1])(torch.zeros(1, 3))
(lambda a: (a.resize_(2, 2), a.shape)[1])(torch.zeros(4))
(lambda a: (a.requires_grad_(), a.requires_grad)[1])(torch.zeros(1))
(lambda a: a.storage_offset())(torch.arange(10)[3:])
(lambda a: a.is_shared())(torch.arange(10))
(lambda a: a.untyped_storage().nbytes())(torch.arange(10))
(lambda a: a.data_ptr() - a[2:].data_ptr())(torch.arange(10))
(lambda a: a.contiguous() is a)(torch.arange(10))
(lambda a: a.clone().is_contiguous())(torch.arange(10).reshape(2, 5).t())
(lambda a: a.clone().stride())(torch.arange(10).reshape(2, 5).t())
(lambda a: a.to(torch.float64).stride())(torch.arange(10).reshape(2, 5).t())
(lambda a: (a + 1).stride())(torch.arange(10).reshape(2, 5).t())
(lambda a: a.float() is a)(torch.zeros(2))
(lambda a: a.to(torch.float32) is a)(torch.zeros(2))
(lambda a: a.to(torch.float32, copy=True) is a)(torch.zeros(2))
(lambda a: a.cpu() is a)(torch.zeros(2))
(lambda a: a.detach().requires_grad)(torch.zeros(2, requires_grad=True))
(lambda a: a.item())(torch.tensor([[7]]))
(lambda a: a.tolist())(torch.tensor(7))
(lambda a: [t.shape for t in a.split(2)])(torch.arange(5))
(lambda a: list(a))(torch.arange(3))
(lambda a: [x.item() for x in a])(torch.arange(3))
(lambda a: 2 in a)(torch.arange(3))
(lambda a: hash(a) == hash(a))(torch.arange(3))
(lambda a: a.__array__().dtype.name)(torch.arange(3))
(lambda a: a == None)(torch.arange(3))
(lambda a: a.T.shape)(torch.zeros(2, 3, 4))
(lambda a: a.mT.shape)(torch.zeros(2, 3, 4))
(lambda a: a.H.shape)(torch.zeros(2, 3))
(lambda a: a.abs().sum().item())(torch.tensor([-1, 2]))
(lambda a: a.sum().dtype)(torch.tensor([1, 2], dtype=torch.int32))
(lambda a: a.sum().dtype)(torch.tensor([1, 2], dtype=torch.uint8))
(lambda a: a.sum().dtype)(torch.tensor([True, False]))
(lambda a: a.prod().dtype)(torch.tensor([1, 2], dtype=torch.int8))
(lambda a: a.cumsum(0).dtype)(torch.tensor([1, 2], dtype=torch.int16))
(lambda a: a.mean())(torch.tensor([1, 2]))
(lambda a: a.mean(dtype=torch.float64))(torch.tensor([1, 2]))
(lambda a: a.float().mean(dtype=torch.float64).dtype)(torch.tensor([1, 2]))
(lambda a: a.max().dtype)(torch.tensor([True, False]))
(lambda a: a.argmax().dtype)(torch.tensor([1.0]))
(lambda a: a.std(unbiased=False))(torch.tensor([1.0, 2.0, 4.0]))
(lambda a: a.var(0, keepdim=True).shape)(torch.zeros(3, 2))
(lambda a: torch.tensor(2.5) * a)(torch.tensor([1, 2]))
(lambda a: (torch.tensor(2.5, dtype=torch.float64) * a).dtype)(torch.tensor([1, 2]))
(lambda a: (torch.tensor(2.5, dtype=torch.float64) * a).dtype)(torch.tensor([1.0, 2.0]))
(lambda a: (torch.tensor([2.5], dtype=torch.float64) * a).dtype)(torch.tensor([1.0, 2.0]))
(lambda a: (a * torch.tensor(3, dtype=torch.int64)).dtype)(torch.tensor([1, 2], dtype=torch.int8))
(lambda a: (a + 300).dtype)(torch.tensor([1], dtype=torch.uint8))
(lambda a: a + 300)(torch.tensor([1], dtype=torch.uint8))
(lambda a: (a > 0.5).dtype)(torch.tensor([1]))
(lambda a: a / a)(torch.tensor([0, 1]))
(lambda a: a ** 0)(torch.tensor([0.0, float('nan')]))
(lambda a: torch.pow(2, a))(torch.tensor([0.5, 2.0]))
(lambda a: a.pow(torch.tensor(2)))(torch.tensor([1.5, 3.0]))
(lambda a: a.float_power(2))(torch.tensor([2]))
(lambda a: a.max(torch.tensor([1.0, 5.0, 2.0])))(torch.tensor([3.0, 1.0, 2.0]))
(lambda a: a.clip(max=1))(torch.tensor([3.0, 1.0, 2.0]))
(lambda a: (a == a).all().item())(torch.tensor([float('nan')]))
(lambda a: (a != a).any())(torch.tensor([float('nan')]))
(lambda a: a.eq(2).sum())(torch.tensor([2, 2, 3]))
(lambda a: a.ne(a.long()))(torch.tensor([2.5, 2.0]))
(lambda a: a.argsort(descending=True))(torch.tensor([2, 2, 3, 1]))
(lambda a: a.sort(stable=True, descending=True))(torch.tensor([2, 2, 3, 1]))
(lambda a: a.unique(return_counts=True))(torch.tensor([2.0, float('nan'), 2.0, float('nan')]))
(lambda a: a.flatten().shape)(torch.tensor(5))
(lambda a: a.view(-1, 1).shape)(torch.tensor(5))
(lambda a: a.reshape(()).shape)(torch.tensor([5]))
(lambda a: a.expand(3).tolist())(torch.tensor(5))
(lambda a: a.repeat(2, 1, 1).shape)(torch.zeros(2, 3))
(lambda a: a.new_tensor(3).dtype)(torch.zeros(2, dtype=torch.float16))
(lambda a: torch.cat([a, a.long()]).dtype)(torch.zeros(2))
(lambda a: torch.cat([a, a.bool()]).dtype)(torch.zeros(2, dtype=torch.int8))
(lambda a: torch.stack([a, a.double()]).dtype)(torch.zeros(2))
(lambda a: torch.where(a > 0, a, 2).dtype)(torch.zeros(2, dtype=torch.int32))
(lambda a: torch.where(a > 0, a, 2.5).dtype)(torch.zeros(2, dtype=torch.int32))
(lambda a: torch.where(a > 0, a, 2.5).dtype)(torch.zeros(2, dtype=torch.float16))
(lambda a: torch.clamp(a, min=torch.tensor(0.5)).dtype)(torch.zeros(2, dtype=torch.int32))
(lambda a: a.clamp(min=0.5).dtype)(torch.zeros(2, dtype=torch.int32))
(lambda a: torch.lerp(a, a + 1, 0.5).dtype)(torch.zeros(2, dtype=torch.float16))
(lambda a: torch.addcmul(a, a, a, value=2).dtype)(torch.zeros(2, dtype=torch.int32))
(lambda a: a.nonzero().shape)(torch.zeros(3))
(lambda a: a.nonzero().shape)(torch.tensor(1.0))
(lambda a: a.nonzero(as_tuple=True))(torch.tensor(1.0))
(lambda a: torch.matmul(a, a))(torch.tensor([1, 2]))
(lambda a: (a @ a).dtype)(torch.ones(2, 2, dtype=torch.int32))
(lambda a: (a @ a).dtype)(torch.ones(2, 2, dtype=torch.float16))
(lambda a: a @ a)(torch.ones(2, 2, dtype=torch.bool))
(lambda a: a @ a.double())(torch.ones(2, 2))
(lambda a: torch.einsum('ii->i', a))(torch.arange(9.).reshape(3, 3))
(lambda a: torch.einsum('ij,ij->', a, a))(torch.arange(9.).reshape(3, 3))
(lambda a: torch.einsum('i,i', a, a))(torch.arange(3.))
(lambda a: a.softmax(0))(torch.tensor([1.0, 2.0, 3.0]))
(lambda a: a.log_softmax(-1))(torch.tensor([[1.0, 2.0, 3.0]]))
(lambda a: torch.softmax(a, 0, dtype=torch.float64).dtype)(torch.tensor([1.0, 2.0]))
(lambda a: a.softmax(0))(torch.tensor([1, 2]))
(lambda a: a.softmax(0))(torch.tensor([float('inf'), 1.0]))
(lambda a: a.softmax(0))(torch.tensor([-float('inf'), -float('inf')]))
(lambda a: a.log_softmax(0))(torch.tensor([1000.0, 0.0]))
(lambda a: a.logsumexp(0))(torch.tensor([1000.0, 1000.0]))
(lambda a: a.norm(dtype=torch.float64))(torch.tensor([3.0, 4.0]))
(lambda a: a.renorm(2, 0, 1))(torch.tensor([[3.0, 4.0], [0.3, 0.4]]))
(lambda a: a.sigmoid())(torch.tensor([-100.0, 100.0, 0.0]))
(lambda a: a.tanh())(torch.tensor([-20.0, 20.0, 1e-8]))
(lambda a: a.exp())(torch.tensor([88.7, 89.0, -104.0, -87.0]))
(lambda a: a.log())(torch.tensor([0.0, -1.0, 1e-45]))
(lambda a: a.round())(torch.tensor([2.5, -2.5, 0.49999997]))
(lambda a: a.int())(torch.tensor([2.9, -2.9]))
(lambda a: a.long())(torch.tensor([float('nan'), float('inf')]))
(lambda a: a.to(torch.uint8))(torch.tensor([-1.0, 256.0, 3.7]))
(lambda a: a.bool())(torch.tensor([0.0, -0.0, 0.1, float('nan')]))
(lambda a: a.half())(torch.tensor([1e-8, 1e5, 0.1]))
(lambda a: a.bfloat16().float())(torch.tensor([0.1, 1.0 / 3.0, 300.7]))
(lambda a: a.half().float())(torch.tensor([0.1, 1.0 / 3.0, 300.7]))
(lambda a: a.var())(torch.tensor([1.0]))
(lambda a: a.std(0))(torch.zeros(1, 3))
(lambda a: torch.var_mean(a, 0, correction=0))(torch.tensor([[1.0, 2.0], [3.0, 5.0]]))
(lambda a: a.median())(torch.tensor([]))
(lambda a: a.amax())(torch.tensor([]))
(lambda a: a.sum())(torch.tensor([], dtype=torch.int32))
(lambda a: a.mean())(torch.tensor([]))
(lambda a: a.prod())(torch.tensor([]))
(lambda a: a.all())(torch.tensor([]))
(lambda a: a.any())(torch.tensor([]))
(lambda a: a.cumsum(0))(torch.tensor([]))
(lambda a: a.sort())(torch.tensor([]))
(lambda a: a.unique())(torch.tensor([]))
(lambda a: a.norm())(torch.tensor([]))
(lambda a: a.logsumexp(0))(torch.tensor([]))
(lambda a: a.softmax(0))(torch.tensor([]))
(lambda a: torch.cat([a, a]).shape)(torch.zeros(0))
(lambda a: a.reshape(0, -1))(torch.zeros(0, 3))
(lambda a: a.view(-1, 0))(torch.zeros(0, 3))
(lambda a: a.argmax(1))(torch.zeros(2, 0))
(lambda a: a.max(0).values.shape)(torch.zeros(0, 2))
(lambda a: a @ a.t())(torch.zeros(2, 0))
(lambda a: a.t() @ a)(torch.zeros(2, 0))
(lambda a: a[torch.tensor([], dtype=torch.long)].shape)(torch.zeros(3, 2))
(lambda a: a[[]].shape)(torch.zeros(3, 2))
(lambda a: a[a > 5].shape)(torch.zeros(3, 2))
(lambda a: a[1:1].shape)(torch.zeros(3, 2))
(lambda a: a[5:].shape)(torch.zeros(3, 2))
(lambda a: a[-10:].shape)(torch.zeros(3, 2))
(lambda a: a[..., None, :].shape)(torch.zeros(3, 2))
(lambda a: a[[True, False, True]].shape)(torch.zeros(3, 2))
(lambda a: a[[0, 2], 1])(torch.arange(6).reshape(3, 2))
(lambda a: a[[[0, 2]], [[1], [0]]])(torch.arange(6).reshape(3, 2))
(lambda a: a[torch.tensor([[0, 1], [2, 0]])].shape)(torch.arange(6).reshape(3, 2))
(lambda a: a[1, [0, 1, 1]])(torch.arange(6).reshape(3, 2))
(lambda a: a[-1])(torch.arange(6).reshape(3, 2))
(lambda a: a[1][1].item())(torch.arange(6).reshape(3, 2))
(lambda a: a[0.5])(torch.arange(6).reshape(3, 2))
(lambda a: a['a'])(torch.arange(6).reshape(3, 2))
(lambda a: a[torch.tensor([1.0])])(torch.arange(6).reshape(3, 2))
(lambda a: a[[3]])(torch.arange(6).reshape(3, 2))
(lambda a: a[:, :, :])(torch.arange(6).reshape(3, 2))
(lambda a: a[::-1])(torch.arange(6).reshape(3, 2))
# errors
x + torch.ones(3, 2)
x.view(4)
x.t().view(-1)
x.reshape(4)
x[2]
x[:, 3]
x[0, 0, 0]
x[torch.tensor([5])]
x.gather(1, torch.tensor([[3]]))
x.index_select(1, torch.tensor([3]))
x.scatter(1, torch.tensor([[5]]), 1.0)
x.sum(2)
x.max(5)
x.permute(0, 0)
x.permute(1)
x.transpose(0, 3)
x.squeeze(3)
x.unsqueeze(4)
x.expand(3, 3)
x.flatten(2)
torch.cat([x, v])
torch.cat([x, torch.ones(2, 2)], 0)
torch.cat([])
torch.stack([x, v])
x @ x
torch.mm(x, v)
torch.mv(x, torch.ones(2))
torch.dot(v, torch.ones(2))
torch.dot(v, vi)
torch.bmm(x, x)
x & x
x << 1
~x
x.bitwise_and(1)
xi.float().bitwise_not()
x.sqrt_() if False else x.clone().requires_grad_().sqrt_()
torch.ones(2, requires_grad=True).add_(1)
xi.requires_grad_()
torch.zeros(2, dtype=torch.int64, requires_grad=True)
xi.add_(1.5)
xb.add_(1)
x.item()
e.max()
e.argmax()
e.min(0)
torch.zeros(3, 0).max(1)
torch.zeros(3, 0).sum(1)
torch.zeros(3, 0).prod(1)
torch.zeros(3, 0).mean(1)
torch.zeros(3, 0).std(1)
torch.zeros(3, 0).amax(1)
torch.zeros(3, 0).argmax(1)
torch.zeros(0).topk(1)
torch.tensor([1.0, 2.0]).topk(3)
x.kthvalue(5)
torch.arange(0, 1, -0.1)
torch.arange(0, 1, 0)
torch.linspace(0, 1, -1)
torch.randint(5, 2, (2,))
torch.multinomial(torch.tensor([0.0, 0.0]), 1)
torch.multinomial(torch.tensor([1.0, 1.0]), 3)
torch.multinomial(torch.tensor([-1.0, 1.0]), 1)
torch.tensor([1, 2]) + torch.tensor([1, 2, 3])
torch.tensor([[1, 2], [3]])
torch.tensor('a')
torch.tensor([1, 'a'])
torch.zeros(-1)
torch.ones(2, 3).view(2, 2)
torch.empty(2).normal_(0, -1)
x.repeat(2)
x.chunk(0)
x.split(0)
x.narrow(1, 2, 5)
x.roll(1, 5)
x.flip(3)
x.masked_fill(xi, 1.0)
x.masked_fill(torch.tensor([True, False]), 1.0)
x.where(xi, x)
torch.where(xi, x, x)
x.clamp(2, 1)
xi.clamp(min=torch.tensor(0.5))
x.index_put_((torch.tensor([5]),), torch.tensor(1.0))
torch.tensor([1, 2]).bincount() if False else torch.tensor([-1, 2]).bincount()
torch.tensor([1.5]).bincount()
torch.histc(xi, bins=3)
torch.searchsorted(torch.tensor([3.0, 1.0]), torch.tensor([2.0]))
torch.eye(-1)
torch.full((2,), 300, dtype=torch.uint8)
torch.tensor([1.0]).to(torch.float32).numpy().dtype
x.numpy().shape
x.requires_grad_().numpy()
torch.from_numpy(x.numpy()).dtype
int(x)
float(x)
bool(x)
bool(e)
x[0] = torch.ones(2)
x.view(torch.int32)
x.view(torch.float64)
x.view(torch.int16).shape
xi.view(torch.float64)
torch.linalg.inv(x)
torch.linalg.solve(torch.eye(2), torch.ones(3))
torch.einsum('ij,jk->ik', x, x)
torch.einsum('ij->k', x)
torch.tensordot(x, x, dims=1)
torch.nn.functional.relu(x) if hasattr(torch, 'nn') else 0
"""


def fmt(torch, v, depth=0):
    if isinstance(v, torch.Tensor):
        if v.dtype.is_floating_point:
            vals = [round(float(a), 4) if math.isfinite(a) else a for a in v.detach().double().reshape(-1).tolist()]
        else:
            vals = v.reshape(-1).tolist()
        if len(vals) > 40:
            vals = vals[:20] + ["..."] + vals[-20:]
        return f"T{list(v.shape)} {norm(v.dtype)} {vals}" + (" rg" if v.requires_grad else "")
    if isinstance(v, (list, tuple)) and depth < 4:
        inner = ", ".join(fmt(torch, a, depth + 1) for a in v)
        return f"{type(v).__name__}({inner})"
    if isinstance(v, float):
        return repr(round(v, 6)) if math.isfinite(v) else repr(v)
    if v is None or isinstance(v, (bool, int, str)):
        return norm(v) if isinstance(v, str) else repr(v)
    return norm(repr(v))


def norm(s):
    s = str(s).replace("rstorch", "torch")
    return re.sub(r"0x[0-9a-fA-F]+", "0x?", s)


def run(lib):
    import importlib
    import warnings
    torch = importlib.import_module(lib)
    lines = []
    for expr in EXPRS.strip().splitlines():
        if not expr or expr.startswith("#"):
            continue
        env = {"torch": torch, "float": float}
        exec(SETUP, env)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if "=" in expr and not any(op in expr for op in ("==", "!=", "<=", ">=", "=True", "=False")) \
                        and re.match(r"^[\w\[\], ]+ = ", expr):
                    exec(expr, env)
                    r = "ok"
                else:
                    r = eval(expr, env)
            out = fmt(torch, r)
        except Exception as e:  # noqa: BLE001
            out = f"! {type(e).__name__}: {norm(e)}"
        lines.append(f"{expr} -> " + out.replace("\n", "\\n"))
    return lines


def main():
    args = sys.argv[1:]
    if args and args[0] == "--diff":
        torch_py = args[1] if len(args) > 1 else os.environ.get(
            "TORCH_PYTHON", "/root/.cache/rstorch-torch-venv/bin/python")
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        t = subprocess.run([torch_py, os.path.abspath(__file__), "torch"], capture_output=True, text=True, env=env)
        if t.returncode:
            sys.exit(t.stderr)
        known = tuple(KNOWN)
        tl = [l for l in t.stdout.splitlines() if not l.startswith(known)]
        rl = [l for l in run("rstorch") if not l.startswith(known)]
        for a, b in zip(tl, rl):
            if a != b:
                print("torch:   " + a)
                print("rstorch: " + b)
                print()
        return
    print("\n".join(run(args[0] if args else "rstorch")))


if __name__ == "__main__":
    main()
