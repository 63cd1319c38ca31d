"""RMSprop, as torch.optim.RMSprop (the single-tensor, non-capturable update, op for op)."""

from .optimizer import (Optimizer, _check_capturable, _closure_loss, _get_value, _group_tensors,
                        _setstate_groups, _step_tensor, _to_scalar, _use_grad_for_differentiable,
                        _validate, _zeros)

__all__ = ["RMSprop", "rmsprop"]


class RMSprop(Optimizer):
    """Implements the RMSprop algorithm."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _validate(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "capturable": capturable,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        _setstate_groups(self, {"momentum": 0, "centered": False, "foreach": None,
                                "maximize": False, "differentiable": False, "capturable": False})

    def _init_group(self, group):
        """(params, grads, [square_avgs, steps, momentum buffers?, grad_avgs?])"""
        momentum, centered = group["momentum"] > 0, group["centered"]

        def init(p):
            state = {"step": _step_tensor(), "square_avg": _zeros(p)}
            if momentum:
                state["momentum_buffer"] = _zeros(p)
            if centered:
                state["grad_avg"] = _zeros(p)
            return state

        keys = ("square_avg", "step") + (("momentum_buffer",) if momentum else ()) + (
            ("grad_avg",) if centered else ())
        return _group_tensors(self, group, keys, init, "RMSprop does not support sparse gradients")

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step."""
        self._accelerator_graph_capture_health_check()
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params_with_grad, grads, lists = self._init_group(group)
            square_avgs, state_steps = lists[0], lists[1]
            momentum_buffer_list = lists[2] if group["momentum"] > 0 else []
            grad_avgs = lists[-1] if group["centered"] else []
            rmsprop(params_with_grad, grads, square_avgs, grad_avgs, momentum_buffer_list,
                    state_steps, lr=group["lr"], alpha=group["alpha"], eps=group["eps"],
                    weight_decay=group["weight_decay"], momentum=group["momentum"],
                    centered=group["centered"], foreach=group["foreach"],
                    maximize=group["maximize"], differentiable=group["differentiable"],
                    capturable=group["capturable"])
        return loss


def rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps,
            foreach=None, maximize=False, differentiable=False, capturable=False,
            has_complex=False, *, lr, alpha, eps, weight_decay, momentum, centered):
    r"""Functional API that performs rmsprop algorithm computation."""
    if capturable:
        _check_capturable(params)
    lr = _get_value(_to_scalar(lr))
    for i, param in enumerate(params):
        step = state_steps[i]
        grad = grads[i]
        grad = grad if not maximize else -grad
        square_avg = square_avgs[i]
        step += 1
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if centered:
            grad_avg = grad_avgs[i]
            grad_avg.lerp_(grad, 1 - alpha)
            avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        else:
            avg = square_avg.sqrt()
        avg = avg.add_(eps)
        if momentum > 0:
            buf = momentum_buffer_list[i]
            buf.mul_(momentum).addcdiv_(grad, avg)
            param.add_(buf, alpha=-lr)
        else:
            param.addcdiv_(grad, avg, value=-lr)
