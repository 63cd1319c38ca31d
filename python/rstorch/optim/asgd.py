"""ASGD, as torch.optim.ASGD (the single-tensor, non-capturable update, op for op)."""

import rstorch

from .optimizer import (Optimizer, _check_capturable, _closure_loss, _get_scalar_dtype, _get_value,
                        _group_tensors, _setstate_groups, _to_scalar, _use_grad_for_differentiable,
                        _validate, _zeros)

__all__ = ["ASGD", "asgd"]


class ASGD(Optimizer):
    """Implements Averaged Stochastic Gradient Descent."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        _validate(lr=lr, lambd=lambd, alpha=alpha, weight_decay=weight_decay)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        _setstate_groups(self, {"foreach": None, "maximize": False, "differentiable": False,
                                "capturable": False}, ("step", "eta", "mu"))

    def _init_group(self, group):
        def init(p):
            dtype = _get_scalar_dtype()
            return {"step": rstorch.zeros((), device=p.device, dtype=dtype),
                    "eta": rstorch.as_tensor(_get_value(_to_scalar(group["lr"])),
                                             device=p.device, dtype=dtype).clone().detach(),
                    "mu": rstorch.ones((), device=p.device, dtype=dtype), "ax": _zeros(p)}

        return _group_tensors(self, group, ("mu", "ax", "eta", "step"), init,
                              "ASGD does not support sparse gradients")

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step."""
        self._accelerator_graph_capture_health_check()
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params_with_grad, grads, (mus, axs, etas, state_steps) = self._init_group(group)
            asgd(params_with_grad, grads, axs, mus, etas, state_steps, lambd=group["lambd"],
                 lr=group["lr"], t0=group["t0"], alpha=group["alpha"],
                 weight_decay=group["weight_decay"], foreach=group["foreach"],
                 maximize=group["maximize"], differentiable=group["differentiable"],
                 capturable=group["capturable"])
        return loss


def asgd(params, grads, axs, mus, etas, state_steps, foreach=None, maximize=False,
         differentiable=False, capturable=False, has_complex=False, *, lambd, lr, t0, alpha,
         weight_decay):
    r"""Functional API that performs asgd algorithm computation."""
    if capturable:
        _check_capturable(params, "params, mus, etas, and state_steps")
    lr = _get_value(_to_scalar(lr))
    for i, param in enumerate(params):
        grad = grads[i]
        grad = grad if not maximize else -grad
        mu = mus[i]
        ax = axs[i]
        eta = etas[i]
        step_t = state_steps[i]
        # update step
        step_t += 1
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        eta_value = _get_value(eta)
        param.mul_(1 - lambd * eta_value)  # decay term
        param.add_(grad, alpha=-eta_value)  # update parameter
        # averaging
        if mu.item() != 1:
            ax.add_(param.sub(ax).mul_(mu))
        else:
            ax.copy_(param)
        step = _get_value(step_t)
        new_eta = rstorch.as_tensor(lr / ((1 + lambd * lr * step) ** alpha))
        eta.copy_(new_eta)
        new_mu = rstorch.as_tensor(1 / max(1, step - t0))
        mu.copy_(new_mu)
