"""Adam, as torch.optim.Adam (the single-tensor, non-capturable update, op for op)."""

import rstorch

from .. import _C
from .._tensor import Tensor
from .optimizer import (Optimizer, _check_capturable, _closure_loss, _get_value, _group_tensors,
                        _multi_tensor_ok, _setstate_groups, _step_tensor, _to_scalar,
                        _use_grad_for_differentiable, _validate, _zeros)

__all__ = ["Adam", "adam"]


class Adam(Optimizer):
    """Implements the Adam algorithm (AdamW's decoupled weight decay with
    `decoupled_weight_decay=True`)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and "
                                 "foreach=True")
        _validate(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i in (0, 1):
            if isinstance(betas[i], Tensor):
                if not capturable and foreach:
                    raise ValueError(f"betas[{i}] as a Tensor is not supported for "
                                     "capturable=False and foreach=True")
                if betas[i].numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = (_to_scalar(betas[0]), _to_scalar(betas[1]))

        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            self._step_supports_amp_scaling = True
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def __setstate__(self, state):
        super().__setstate__(state)
        _setstate_groups(self, {"amsgrad": False, "maximize": False, "foreach": None,
                                "capturable": False, "differentiable": False,
                                "decoupled_weight_decay": False, "fused": None})

    def _init_group(self, group):
        """(params, grads, [exp_avgs, exp_avg_sqs, steps, max_exp_avg_sqs if amsgrad])"""
        amsgrad = group["amsgrad"]

        def init(p):
            state = {"step": _step_tensor(), "exp_avg": _zeros(p), "exp_avg_sq": _zeros(p)}
            if amsgrad:
                state["max_exp_avg_sq"] = _zeros(p)
            return state

        keys = ("exp_avg", "exp_avg_sq", "step") + (("max_exp_avg_sq",) if amsgrad else ())
        out = _group_tensors(self, group, keys, init, "Adam does not support sparse gradients, "
                             "please consider SparseAdam instead")
        steps = out[2][2]
        if group["differentiable"] and any(s.requires_grad for s in steps):
            raise RuntimeError("`requires_grad` is not supported for `step` in differentiable "
                               "mode")
        if (steps and group["foreach"] and isinstance(group["lr"], Tensor)
                and not group["capturable"]):
            raise RuntimeError("lr as a Tensor is not supported for capturable=False and "
                               "foreach=True")
        return out

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step."""
        self._accelerator_graph_capture_health_check()
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params_with_grad, grads, lists = self._init_group(group)
            exp_avgs, exp_avg_sqs, state_steps = lists[:3]
            max_exp_avg_sqs = lists[3] if group["amsgrad"] else []
            beta1, beta2 = group["betas"]
            adam(params_with_grad, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps,
                 amsgrad=group["amsgrad"], beta1=beta1, beta2=beta2, lr=group["lr"],
                 weight_decay=group["weight_decay"], eps=group["eps"],
                 maximize=group["maximize"], foreach=group["foreach"],
                 capturable=group["capturable"], differentiable=group["differentiable"],
                 fused=group["fused"], decoupled_weight_decay=group["decoupled_weight_decay"])
        return loss


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, foreach=None,
         capturable=False, differentiable=False, fused=None, grad_scale=None, found_inf=None,
         has_complex=False, decoupled_weight_decay=False, *, amsgrad, beta1, beta2, lr,
         weight_decay, eps, maximize):
    r"""Functional API that performs Adam algorithm computation."""
    if not all(isinstance(t, Tensor) for t in state_steps):
        raise RuntimeError("API has changed, `state_steps` argument must contain a list of "
                           "singleton tensors")
    if capturable:
        _check_capturable(params)
    lr = _get_value(_to_scalar(lr))
    beta1 = _get_value(_to_scalar(beta1))
    beta2 = _get_value(_to_scalar(beta2))
    if (_multi_tensor_ok(differentiable, capturable, grad_scale, found_inf, has_complex)
            and not isinstance(weight_decay, Tensor)
            and _C._adam_step(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs if amsgrad else [],
                              state_steps, float(lr), float(beta1), float(beta2), float(weight_decay),
                              float(eps), amsgrad, maximize, decoupled_weight_decay)):
        return
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        exp_avg = exp_avgs[i]
        exp_avg_sq = exp_avg_sqs[i]
        step_t = state_steps[i]

        # update step
        step_t += 1

        if weight_decay != 0:
            if decoupled_weight_decay:
                # Perform stepweight decay
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)

        # Decay the first and second moment running average coefficient
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)

        step = _get_value(step_t)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2 ** 0.5

        if amsgrad:
            # Maintains the maximum of all 2nd moment running avg. till now
            rstorch.maximum(max_exp_avg_sqs[i], exp_avg_sq, out=max_exp_avg_sqs[i])
            denom = (max_exp_avg_sqs[i].sqrt() / bias_correction2_sqrt).add_(eps)
        else:
            denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)

        param.addcdiv_(exp_avg, denom, value=-step_size)
