"""NAdam, as torch.optim.NAdam (the single-tensor, non-capturable update, op for op)."""

import rstorch

from .optimizer import (Optimizer, _check_capturable, _closure_loss, _get_scalar_dtype, _get_value,
                        _group_tensors, _setstate_groups, _step_tensor, _to_scalar,
                        _use_grad_for_differentiable, _validate, _zeros)

__all__ = ["NAdam", "nadam"]


class NAdam(Optimizer):
    """Implements the NAdam algorithm (Adam with Nesterov momentum)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        _validate(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay,
                  momentum_decay=momentum_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        _setstate_groups(self, {"maximize": False, "foreach": None, "capturable": False,
                                "differentiable": False, "decoupled_weight_decay": False},
                         ("step", "mu_product"))

    def _init_group(self, group):
        return _group_tensors(
            self, group, ("exp_avg", "exp_avg_sq", "mu_product", "step"),
            lambda p: {"step": _step_tensor(),
                       "mu_product": rstorch.tensor(1.0, dtype=_get_scalar_dtype()),
                       "exp_avg": _zeros(p), "exp_avg_sq": _zeros(p)},
            "NAdam does not support sparse gradients")

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step."""
        self._accelerator_graph_capture_health_check()
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params_with_grad, grads, (exp_avgs, exp_avg_sqs, mu_products, state_steps) = (
                self._init_group(group))
            beta1, beta2 = group["betas"]
            nadam(params_with_grad, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps,
                  beta1=beta1, beta2=beta2, lr=group["lr"], weight_decay=group["weight_decay"],
                  momentum_decay=group["momentum_decay"], eps=group["eps"],
                  maximize=group["maximize"],
                  decoupled_weight_decay=group["decoupled_weight_decay"],
                  foreach=group["foreach"], capturable=group["capturable"],
                  differentiable=group["differentiable"])
        return loss


def nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps,
          decoupled_weight_decay=False, foreach=None, capturable=False, differentiable=False,
          has_complex=False, maximize=False, *, beta1, beta2, lr, weight_decay, momentum_decay,
          eps):
    r"""Functional API that performs NAdam algorithm computation."""
    if capturable:
        _check_capturable(params, "params, mu_products and state_steps")
    lr = _get_value(_to_scalar(lr))
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        exp_avg = exp_avgs[i]
        exp_avg_sq = exp_avg_sqs[i]
        mu_product = mu_products[i]
        step_t = state_steps[i]
        # update step
        step_t += 1
        step = _get_value(step_t)
        bias_correction2 = 1 - beta2 ** step
        if weight_decay != 0:
            if decoupled_weight_decay:
                # Perform stepweight decay
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)
        # calculate the momentum cache \mu^{t} and \mu^{t+1}
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        # update mu_product
        mu_product *= mu
        # decay the first and second moment running average coefficient
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = exp_avg_sq.div(bias_correction2).sqrt()
        mu_product_next = _get_value(mu_product) * mu_next
        denom.add_(eps)
        param.addcdiv_(grad, denom, value=(-lr * (1.0 - mu) / (1.0 - _get_value(mu_product))))
        param.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))
