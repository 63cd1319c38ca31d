"""Adamax, as torch.optim.Adamax (the single-tensor, non-capturable update, op for op)."""

import rstorch

from .optimizer import (Optimizer, _check_capturable, _closure_loss, _get_value, _group_tensors,
                        _setstate_groups, _step_tensor, _to_scalar, _use_grad_for_differentiable,
                        _validate, _zeros)

__all__ = ["Adamax", "adamax"]


class Adamax(Optimizer):
    """Implements the Adamax algorithm (a variant of Adam based on infinity norm)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _validate(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        _setstate_groups(self, {"foreach": None, "maximize": False, "differentiable": False,
                                "capturable": False})

    def _init_group(self, group):
        return _group_tensors(
            self, group, ("exp_avg", "exp_inf", "step"),
            lambda p: {"step": _step_tensor(), "exp_avg": _zeros(p), "exp_inf": _zeros(p)},
            "Adamax does not support sparse gradients")

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step."""
        self._accelerator_graph_capture_health_check()
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params_with_grad, grads, (exp_avgs, exp_infs, state_steps) = self._init_group(group)
            beta1, beta2 = group["betas"]
            adamax(params_with_grad, grads, exp_avgs, exp_infs, state_steps, eps=group["eps"],
                   beta1=beta1, beta2=beta2, lr=group["lr"], weight_decay=group["weight_decay"],
                   foreach=group["foreach"], maximize=group["maximize"],
                   differentiable=group["differentiable"], capturable=group["capturable"])
        return loss


def adamax(params, grads, exp_avgs, exp_infs, state_steps, foreach=None, maximize=False,
           differentiable=False, capturable=False, has_complex=False, *, eps, beta1, beta2, lr,
           weight_decay):
    r"""Functional API that performs adamax algorithm computation."""
    if capturable:
        _check_capturable(params)
    lr = _get_value(_to_scalar(lr))
    for i, param in enumerate(params):
        grad = grads[i]
        grad = grad if not maximize else -grad
        exp_avg = exp_avgs[i]
        exp_inf = exp_infs[i]
        step_t = state_steps[i]
        # update step
        step_t += 1
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        # Update biased first moment estimate.
        exp_avg.lerp_(grad, 1 - beta1)
        # Update the exponentially weighted infinity norm.
        rstorch.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
        bias_correction = 1 - beta1 ** _get_value(step_t)
        clr = lr / bias_correction
        param.addcdiv_(exp_avg, exp_inf, value=-clr)
