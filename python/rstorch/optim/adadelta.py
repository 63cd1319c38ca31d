"""Adadelta, as torch.optim.Adadelta (the single-tensor update, op for op)."""

from .optimizer import (Optimizer, _check_capturable, _closure_loss, _get_value, _group_tensors,
                        _setstate_groups, _step_tensor, _to_scalar, _use_grad_for_differentiable,
                        _validate, _zeros)

__all__ = ["Adadelta", "adadelta"]


class Adadelta(Optimizer):
    """Implements the Adadelta algorithm."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _validate(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _validate(eps=eps, weight_decay=weight_decay)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        _setstate_groups(self, {"foreach": None, "maximize": False, "differentiable": False,
                                "capturable": False})

    def _init_group(self, group):
        return _group_tensors(
            self, group, ("square_avg", "acc_delta", "step"),
            lambda p: {"step": _step_tensor(), "square_avg": _zeros(p), "acc_delta": _zeros(p)},
            "Adadelta does not support sparse gradients")

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step."""
        self._accelerator_graph_capture_health_check()
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params_with_grad, grads, (square_avgs, acc_deltas, state_steps) = (
                self._init_group(group))
            adadelta(params_with_grad, grads, square_avgs, acc_deltas, state_steps,
                     lr=group["lr"], rho=group["rho"], eps=group["eps"],
                     weight_decay=group["weight_decay"], foreach=group["foreach"],
                     maximize=group["maximize"], differentiable=group["differentiable"],
                     capturable=group["capturable"])
        return loss


def adadelta(params, grads, square_avgs, acc_deltas, state_steps, capturable=False,
             foreach=None, differentiable=False, has_complex=False, *, lr, rho, eps,
             weight_decay, maximize):
    r"""Functional API that performs Adadelta algorithm computation."""
    if capturable:
        _check_capturable(params, supports_xla=False)
    lr = _get_value(_to_scalar(lr))
    for param, grad, square_avg, acc_delta, step in zip(params, grads, square_avgs, acc_deltas,
                                                        state_steps):
        step += 1
        grad = grad if not maximize else -grad
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
        std = square_avg.add(eps).sqrt_()
        delta = acc_delta.add(eps).sqrt_()
        delta.div_(std).mul_(grad)
        acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
        param.add_(delta, alpha=-lr)
