"""Muon, as torch.optim.Muon (PyTorch 2.15; the single-tensor update, op for op).

The Newton-Schulz orthogonalisation runs in bfloat16 as torch's does. torch's CPU bfloat16
`addmm` rounds once, `beta * input + alpha * (m1 @ m2)` computed in float32 (its `@` likewise);
here each such step is computed in float32 and rounded to bfloat16 at the same points, so the
iterates are torch's."""

import math

import rstorch

from .._tensor import Tensor
from .optimizer import Optimizer, _closure_loss, _is_sparse, _to_scalar

__all__ = ["Muon", "muon"]

# Constants from Keller Jordan's Muon post (torch's defaults)
EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


def _addmm_bf16(input, mat1, mat2, beta, alpha=1.0):
    """torch's CPU bfloat16 addmm: float32 arithmetic, one rounding to bfloat16."""
    return rstorch.addmm(input.float(), mat1.float(), mat2.float(), beta=beta, alpha=alpha).to(rstorch.bfloat16)


def _zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps):
    """Newton-Schulz iteration (torch's quintic, in bfloat16) for the orthogonalisation of grad:
    something like U S' V^T with S'_ii ~ Uniform(0.5, 1.5), where U S V^T = grad is its SVD."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if len(grad.shape) != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    ortho_grad = grad.to(dtype=rstorch.bfloat16, copy=True)
    if grad.size(0) > grad.size(1):
        ortho_grad = ortho_grad.T
    # Ensure spectral norm is at most 1
    ortho_grad.div_(ortho_grad.norm().clamp(min=eps))
    # Perform the NS iterations
    for _ in range(ns_steps):
        o32 = ortho_grad.float()
        gram_matrix = (o32 @ o32.T).to(rstorch.bfloat16)
        gram_update = _addmm_bf16(gram_matrix, gram_matrix, gram_matrix, beta=b, alpha=c)
        ortho_grad = _addmm_bf16(ortho_grad, gram_update, ortho_grad, beta=a)
    if grad.size(0) > grad.size(1):
        ortho_grad = ortho_grad.T
    return ortho_grad


def _adjust_lr(lr, adjust_lr_fn, param_shape):
    """Default learning rate adjustment used by Muon."""
    A, B = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        adjusted_ratio = math.sqrt(max(1, A / B))
    elif adjust_lr_fn == "match_rms_adamw":
        adjusted_ratio = 0.2 * math.sqrt(max(A, B))
    elif adjust_lr_fn == "spectral_unclamped":
        adjusted_ratio = math.sqrt(A / B)
    else:
        adjusted_ratio = 1.0
    return lr * adjusted_ratio


class Muon(Optimizer):
    """Implements Muon: momentum, then the Newton-Schulz orthogonalisation of the update, for
    2D parameters (biases, embeddings... go to a standard optimizer such as AdamW)."""

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS, ns_steps=DEFAULT_NS_STEPS,
                 adjust_lr_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ["original", "match_rms_adamw", "spectral_unclamped"]:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")

        defaults = {"lr": lr, "weight_decay": weight_decay, "momentum": momentum, "nesterov": nesterov,
                    "ns_coefficients": ns_coefficients, "eps": eps, "ns_steps": ns_steps,
                    "adjust_lr_fn": adjust_lr_fn}
        super().__init__(params, defaults)

        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(
                        f"Muon only supports 2D parameters whereas we found a parameter with size: {p.size()}")

    def _init_group(self, group, params_with_grad, grads, muon_momentum_bufs):
        for p in group["params"]:
            if p.grad is None:
                continue
            if rstorch.is_complex(p):
                raise RuntimeError("Muon does not support complex parameters")
            if _is_sparse(p.grad):
                raise RuntimeError("Muon does not support sparse gradients")
            params_with_grad.append(p)
            grads.append(p.grad)
            state = self.state[p]
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = rstorch.zeros_like(p.grad, memory_format=rstorch.preserve_format)
            muon_momentum_bufs.append(state["momentum_buffer"])
        return False  # has_complex

    @rstorch.no_grad()
    def step(self, closure=None):
        """Performs a single optimization step."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params_with_grad, grads, muon_momentum_bufs = [], [], []
            has_complex = self._init_group(group, params_with_grad, grads, muon_momentum_bufs)
            muon(params_with_grad, grads, muon_momentum_bufs, lr=group["lr"], weight_decay=group["weight_decay"],
                 momentum=group["momentum"], nesterov=group["nesterov"], ns_coefficients=group["ns_coefficients"],
                 eps=group["eps"], ns_steps=group["ns_steps"], adjust_lr_fn=group["adjust_lr_fn"],
                 has_complex=has_complex)
        return loss


def _single_tensor_muon(params, grads, muon_momentum_bufs, *, lr, weight_decay, momentum, nesterov,
                        ns_coefficients, ns_steps, eps, adjust_lr_fn, has_complex):
    lr = _to_scalar(lr)
    if has_complex:
        raise ValueError("Complex parameters are not supported")
    for i, param in enumerate(params):
        grad = grads[i]
        if grad.ndim != 2:
            raise ValueError("Param gradient must be a 2D matrix")
        buf = muon_momentum_bufs[i]
        buf.lerp_(grad, 1 - momentum)
        update = grad.lerp(buf, momentum) if nesterov else buf
        update = _zeropower_via_newtonschulz(update, ns_coefficients, ns_steps, eps)
        adjusted_lr = _adjust_lr(lr, adjust_lr_fn, param.shape)
        param.mul_(1 - lr * weight_decay)
        # (a tensor lr: torch takes the 0-dim tensor as the Scalar alpha, i.e. its value)
        param.add_(update, alpha=-(adjusted_lr.item() if isinstance(adjusted_lr, Tensor) else adjusted_lr))


def muon(params, grads, muon_momentum_bufs, *, foreach=None, lr, weight_decay, momentum, nesterov,
         ns_coefficients, ns_steps, eps, adjust_lr_fn, has_complex):
    r"""Functional API that performs Muon algorithm computation.

    See :class:`~rstorch.optim.Muon` for details."""
    if foreach is not None and foreach:
        raise RuntimeError("Foreach is not supported for Muon yet")
    _single_tensor_muon(params, grads, muon_momentum_bufs, lr=lr, weight_decay=weight_decay, momentum=momentum,
                        nesterov=nesterov, ns_coefficients=ns_coefficients, ns_steps=ns_steps, eps=eps,
                        adjust_lr_fn=adjust_lr_fn, has_complex=has_complex)
