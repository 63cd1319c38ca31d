"""LKJCholesky: the LKJ distribution over the Cholesky factors of correlation matrices. torch
samples it with the onion method from Beta marginals; rstorch has no Beta sampler (torch's
_sample_dirichlet kernel), so `sample` raises, while log_prob works."""

import math

import rstorch

from . import constraints
from .continuous import _Checked
from .gamma import Beta
from .utils import broadcast_all

__all__ = ["LKJCholesky"]


class LKJCholesky(_Checked):
    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        c = self.concentration
        # the Beta marginals of the onion method: row i has Beta(i/2, conc + (dim - 2)/2 - (i - 1)/2)
        marginal_conc = c + 0.5 * (dim - 2)
        offset = rstorch.arange(dim - 1, dtype=c.dtype, device=c.device)
        offset = rstorch.cat([offset.new_zeros((1,)), offset])
        self._beta = Beta(offset + 0.5, marginal_conc.unsqueeze(-1) - 0.5 * offset)
        super().__init__(c.size(), rstorch.Size((dim, dim)), validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LKJCholesky, _instance)
        batch_shape = rstorch.Size(batch_shape)
        new.dim = self.dim
        new.concentration = self.concentration.expand(batch_shape)
        new._beta = self._beta.expand(batch_shape + (self.dim,))
        return self._finish_expand(new, batch_shape)

    def sample(self, sample_shape=rstorch.Size()):
        y = self._beta.sample(sample_shape).unsqueeze(-1)  # raises: no Beta sampler in rstorch
        u = rstorch.randn(self._extended_shape(sample_shape), dtype=y.dtype, device=y.device).tril(-1)
        u = u / u.norm(dim=-1, keepdim=True)
        u[..., 0, :].fill_(0.0)
        w = rstorch.sqrt(y) * u
        diag = rstorch.clamp(1 - rstorch.sum(w ** 2, dim=-1), min=rstorch.finfo(w.dtype).tiny).sqrt()
        return w + rstorch.diag_embed(diag)

    def _log_prob(self, value):
        diag = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = rstorch.arange(2, self.dim + 1, device=self.concentration.device)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized = rstorch.sum(order * diag.log(), dim=-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        normalizer = 0.5 * dm1 * math.log(math.pi) + rstorch.mvlgamma(alpha - 0.5, dm1) - rstorch.lgamma(alpha) * dm1
        return unnormalized - normalizer
