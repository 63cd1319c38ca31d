"""ExponentialFamily: the base of the families whose density is
p(x; theta) = exp(<t(x), theta> - F(theta) + k(x)). A subclass gives its natural parameters theta
(`_natural_params`), the log normalizer F (`_log_normalizer`) and the expected carrier measure
E[k(x)] (`_mean_carrier_measure`); the entropy then follows from F and its gradient (the Bregman
divergence identity), computed with autograd."""

import rstorch

from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):

    @property
    def _natural_params(self):
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        raise NotImplementedError

    def entropy(self):
        # H = F(theta) - <theta, grad F(theta)> - E[k(x)]
        result = -self._mean_carrier_measure
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        with rstorch.enable_grad():
            lg_normal = self._log_normalizer(*nparams)
            gradients = rstorch.autograd.grad(lg_normal.sum(), nparams, create_graph=True)
        result = result + lg_normal
        for p, g in zip(nparams, gradients):
            result = result - (p * g).reshape(self._batch_shape + (-1,)).sum(-1)
        return result
