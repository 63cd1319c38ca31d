"""SparseAdam, as torch.optim.SparseAdam: its constructor and checks. rstorch has no sparse
tensors yet, so every gradient is dense and `step` raises torch's error for dense gradients."""

import rstorch

from .._tensor import Tensor
from .optimizer import Optimizer, _check_betas

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """SparseAdam: the lazy Adam variant for sparse gradients (needs sparse tensors)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform a single optimization step: raises for the dense gradients rstorch has."""
        with rstorch.no_grad():
            loss = None
            if closure is not None:
                with rstorch.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None and not getattr(p.grad, "is_sparse", False):
                        raise RuntimeError("SparseAdam does not support dense gradients, please "
                                           "consider Adam instead")
            return loss
