"""Rprop, as torch.optim.Rprop (the single-tensor, non-capturable update, op for op)."""

import rstorch

from .optimizer import (Optimizer, _check_capturable, _closure_loss, _get_value, _group_tensors,
                        _setstate_groups, _step_tensor, _to_scalar, _use_grad_for_differentiable,
                        _validate, _zeros)

__all__ = ["Rprop", "rprop"]


class Rprop(Optimizer):
    """Implements the resilient backpropagation algorithm."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _validate(lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        _setstate_groups(self, {"foreach": None, "maximize": False, "differentiable": False,
                                "capturable": False})

    def _init_group(self, group):
        lr = _get_value(_to_scalar(group["lr"]))
        return _group_tensors(
            self, group, ("prev", "step_size", "step"),
            lambda p: {"step": _step_tensor(), "prev": _zeros(p),
                       "step_size": rstorch.full_like(p.grad, lr)},
            "Rprop does not support sparse gradients")

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step."""
        self._accelerator_graph_capture_health_check()
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params, grads, (prevs, step_sizes, state_steps) = self._init_group(group)
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            rprop(params, grads, prevs, step_sizes, state_steps, step_size_min=step_size_min,
                  step_size_max=step_size_max, etaminus=etaminus, etaplus=etaplus,
                  foreach=group["foreach"], maximize=group["maximize"],
                  differentiable=group["differentiable"], capturable=group["capturable"])
        return loss


def rprop(params, grads, prevs, step_sizes, state_steps, foreach=None, capturable=False,
          maximize=False, differentiable=False, has_complex=False, *, step_size_min,
          step_size_max, etaminus, etaplus):
    r"""Functional API that performs rprop algorithm computation."""
    if capturable:
        _check_capturable(params)
    for i, param in enumerate(params):
        grad = grads[i]
        grad = grad if not maximize else -grad
        prev = prevs[i]
        step_size = step_sizes[i]
        step = state_steps[i]
        step += 1
        sign = grad.mul(prev).sign()
        sign[sign.gt(0)] = etaplus
        sign[sign.lt(0)] = etaminus
        sign[sign.eq(0)] = 1
        # update stepsizes with step size updates
        step_size.mul_(sign).clamp_(step_size_min, step_size_max)
        # for dir<0, dfdx=0
        # for dir>=0 dfdx=dfdx
        grad = grad.clone(memory_format=rstorch.preserve_format)
        grad[sign.eq(etaminus)] = 0
        # update parameters
        param.addcmul_(grad.sign(), step_size, value=-1)
        prev.copy_(grad)
