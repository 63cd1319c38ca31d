"""Parametrizations built on nn.utils.parametrize (torch.nn.utils.parametrizations):
orthogonal, weight_norm and spectral_norm. rstorch has no geqrf, householder_product or
matrix_exp yet: orthogonal uses composite versions of them here (numpy's LAPACK QR for geqrf,
which needs no gradient; the other two from matmuls, so autograd goes through them)."""

import math
from enum import Enum, auto

import rstorch

from .. import functional as F
from ..modules.module import Module
from . import parametrize
from .weight_norm import _weight_norm, norm_except_dim

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def _geqrf(a):
    """LAPACK's geqrf of (..., m, n) `a`: the Householder vectors below the diagonal and R on and
    above it, and the scalars tau (no gradient)."""
    from ... import _numpy
    np = _numpy.numpy()
    h, tau = np.linalg.qr(a.detach().to(rstorch.float64).numpy(), mode="raw")
    return (rstorch.tensor(np.ascontiguousarray(np.swapaxes(h, -1, -2)), dtype=a.dtype),
            rstorch.tensor(tau, dtype=a.dtype))


def _householder_product(a, tau):
    """The first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T, v_i = (0.., 1, a[i+1:, i])
    (torch.linalg.householder_product), from differentiable ops."""
    m, n = a.shape[-2], a.shape[-1]
    k = tau.shape[-1]
    rows = rstorch.arange(m, device=a.device)
    q = rstorch.eye(m, dtype=a.dtype, device=a.device).expand(*a.shape[:-2], m, m)
    for i in range(k):
        below = (rows > i).to(a.dtype)
        v = a[..., :, i] * below + (rows == i).to(a.dtype)  # (..., m)
        qv = (q @ v.unsqueeze(-1))  # (..., m, 1)
        q = q - tau[..., i, None, None] * qv * v.unsqueeze(-2)
    return q[..., :, :n]


def _matrix_exp(a):
    """exp of square matrices by scaling and squaring a degree-18 Taylor series (error far below
    float64's at the scaled norm 1/2), differentiable through its matmuls."""
    n = a.shape[-1]
    eye = rstorch.eye(n, dtype=a.dtype, device=a.device)
    with rstorch.no_grad():
        norm = a.abs().sum(-2).max().item() if a.numel() else 0.0  # the largest 1-norm
    s = max(0, math.ceil(math.log2(norm / 0.5))) if norm > 0.5 else 0
    x = a / (2 ** s)
    e = eye
    for j in range(18, 0, -1):  # Horner: I + x/1 (I + x/2 (I + ...))
        e = eye + (x @ e) / j
    for _ in range(s):
        e = e @ e
    return e


def _is_orthogonal(q, eps=None):
    n, k = q.size(-2), q.size(-1)
    eye = rstorch.eye(k, dtype=q.dtype, device=q.device)
    eps = 10.0 * n * rstorch.finfo(q.dtype).eps
    return rstorch.allclose(q.mH @ q, eye, atol=eps)


def _make_orthogonal(a):
    """The Q of a's QR with R's diagonal made positive."""
    x, tau = _geqrf(a)
    q = _householder_product(x, tau)
    return q * x.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            X = X.tril()
            if n != k:
                X = rstorch.cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = _matrix_exp(A)
            else:
                eye = rstorch.eye(n, dtype=A.dtype, device=A.device)
                Q = rstorch.linalg.solve(rstorch.add(eye, A, alpha=-0.5), rstorch.add(eye, A, alpha=0.5))
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = _householder_product(A, tau)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if hasattr(self, "base"):
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q):
        with rstorch.no_grad():
            if Q.shape != self.shape:
                raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                                 f"Got a tensor of shape {Q.shape}.")
            Q_init = Q
            n, k = Q.size(-2), Q.size(-1)
            transpose = n < k
            if transpose:
                Q = Q.mT
                n, k = k, n
            if not hasattr(self, "base"):
                if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                    raise NotImplementedError("It is not possible to assign to the matrix exponential or the Cayley "
                                              "parametrizations when use_trivialization=False.")
                A, tau = _geqrf(Q)
                A.diagonal(dim1=-2, dim2=-1).sign_()
                A.diagonal(dim1=-2, dim2=-1)[tau == 0.0] *= -1
                return A.mT if transpose else A
            if n == k:
                Q = _make_orthogonal(Q) if not _is_orthogonal(Q) else Q.clone()
            else:
                N = rstorch.randn(*(Q.size()[:-2] + (n, n - k)), dtype=Q.dtype, device=Q.device)
                Q = _make_orthogonal(rstorch.cat([Q, N], dim=-1))
            self.base = Q
            neg_id = rstorch.zeros_like(Q_init)
            neg_id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
            return neg_id


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Constrain `module.<name>` (a matrix or batch of them) to be orthogonal (or unitary):
    matrix_exp (square default), cayley or householder (non-square default) maps of the
    parametrized original, with `base` the trivialization's starting point."""
    weight = getattr(module, name, None)
    if not isinstance(weight, rstorch.Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.size(-2) == weight.size(-1) or weight.is_complex() else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f"Got: {orthogonal_map}")
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


class _WeightNorm(Module):
    def __init__(self, dim=0):
        super().__init__()
        if dim is None:
            dim = -1
        self.dim = dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """`module.<name>` = g * v / ||v||, with g = parametrizations.<name>.original0 and
    v = original1; state_dicts of the old nn.utils.weight_norm (`<name>_g`, `<name>_v`) load."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                 error_msgs):
        g_key = f"{prefix}{name}_g"
        v_key = f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            original0 = state_dict.pop(g_key)
            original1 = state_dict.pop(v_key)
            state_dict[f"{prefix}parametrizations.{name}.original0"] = original0
            state_dict[f"{prefix}parametrizations.{name}.original1"] = original1

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


class _SpectralNorm(Module):
    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but "
                             f"got n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if weight.ndim <= 1:
            raise AssertionError(f"Expected weight to have more than 1 dimension, got {weight.ndim}")
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat, n_power_iterations):
        with rstorch.no_grad():
            for _ in range(n_power_iterations):
                self._u = F.normalize(rstorch.mv(weight_mat, self._v), dim=0, eps=self.eps, out=self._u)
                self._v = F.normalize(rstorch.mv(weight_mat.t(), self._u), dim=0, eps=self.eps, out=self._v)

    def forward(self, weight):
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u = self._u.clone()
        v = self._v.clone()
        sigma = rstorch.dot(u, rstorch.mv(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """`module.<name>` = W / sigma(W), sigma by power iteration (buffers `_u`, `_v` of the
    parametrization, 15 iterations at registration, `n_power_iterations` per access in training)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, rstorch.Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        from .. import modules
        transposed = tuple(getattr(modules, n) for n in ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
                           if hasattr(modules, n))
        dim = 1 if transposed and isinstance(module, transposed) else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
