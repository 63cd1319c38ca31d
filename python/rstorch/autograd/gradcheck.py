"""`gradcheck` / `gradgradcheck`: analytical gradients against central finite differences.

The full Jacobians are compared, as torch's default (slow) mode does: the numerical one column
by column (each input element perturbed by +-eps in place, through a numpy view that shares the
tensor's memory), the analytical one row by row (one backward per output element). The function
runs in the caller's grad mode for the finite differences too, so gradgradcheck's function
(which calls autograd.grad) computes real gradients there.

Besides the Jacobians, as torch: backward must be reentrant (within nondet_tol), must give zero
gradients for zero grad_outputs with the inputs' dtype and shape, must handle undefined output
gradients (check_undefined_grad), and a function without differentiable outputs must have a zero
numerical Jacobian.

Flags of torch's that need machinery rstorch does not have raise NotImplementedError instead of
passing unchecked: check_forward_ad / check_batched_forward_grad (forward-mode AD),
check_batched_grad (vmap), and gradgradcheck's check_fwd_over_rev. fast_mode=True runs the full
check (it is stricter than torch's random projection), and masked only concerns sparse inputs,
which rstorch does not have.
"""

import warnings

from .. import _C
from .._creation import tensor, zeros, zeros_like
from .._numpy import numpy
from .engine import grad as _grad

TensorBase = _C.TensorBase


class GradcheckError(RuntimeError):
    """Raised by gradcheck and gradgradcheck when a check fails."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _diff_inputs(inputs):
    return [(i, t) for i, t in enumerate(inputs) if isinstance(t, TensorBase) and t.requires_grad]


def _float_outputs(outputs):
    """The outputs the numerical Jacobian is taken of (torch: every tensor output; rstorch's
    gradients are real, so the floating ones)."""
    return [o for o in outputs if isinstance(o, TensorBase) and o.dtype.is_floating_point]


def _values(outputs):
    return [o.detach().double().numpy().reshape(-1).copy() for o in _float_outputs(outputs)]


def _unsupported(flag, why):
    raise NotImplementedError(f"gradcheck: {flag}=True is not supported by rstorch ({why}); "
                              "the check was not performed")


def _numerical(func, inputs, diff_inputs, eps):
    """jac[o][i]: (numel of input i, numel of output o) matrices of central differences, for
    every floating output o."""
    np = numpy()
    base = _values(_as_tuple(func(*inputs)))
    jac = [[np.zeros((t.numel(), v.size)) for _, t in diff_inputs] for v in base]
    for k, (_, t) in enumerate(diff_inputs):
        arr = t.detach().numpy()
        for j, idx in enumerate(np.ndindex(arr.shape)):
            orig = arr[idx].item()
            arr[idx] = orig + eps
            plus = _values(_as_tuple(func(*inputs)))
            arr[idx] = orig - eps
            minus = _values(_as_tuple(func(*inputs)))
            arr[idx] = orig
            for o in range(len(base)):
                jac[o][k][j] = (plus[o] - minus[o]) / (2 * eps)
    return jac


def _analytical(outs, diff_inputs, check_grad_dtypes):
    """Same layout as `_numerical` for the outputs `outs` (all requiring grad), from one backward
    per output element."""
    np = numpy()
    jac = [[np.zeros((t.numel(), o.numel())) for _, t in diff_inputs] for o in outs]
    xs = [t for _, t in diff_inputs]
    for o, out in enumerate(outs):
        for j in range(out.numel()):
            go = zeros(out.numel(), dtype=out.dtype)
            go[j] = 1
            grads = _grad(out, xs, go.view(out.shape), retain_graph=True, allow_unused=True)
            for k, g in enumerate(grads):
                if g is None:
                    continue
                if check_grad_dtypes and g.dtype is not xs[k].dtype:
                    raise GradcheckError("Gradient has dtype mismatch")
                if tuple(g.shape) != tuple(xs[k].shape):
                    raise GradcheckError("Analytical gradient has incorrect size")
                jac[o][k][:, j] = g.detach().double().numpy().reshape(-1)
    return jac


def _fmt(m):
    return repr(tensor(m))


def _check_inputs(inputs):
    diff_inputs = _diff_inputs(inputs)
    for i, t in diff_inputs:
        if t.dtype is not _C.float64:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or "
                          "complex. This check will likely fail if all the inputs are not of double "
                          "precision floating point or complex. ", stacklevel=3)
        if not all(st > 0 or sz <= 1 for st, sz in zip(t.stride(), t.shape)):
            raise RuntimeError(
                f"The {i}th input has a dimension with stride 0. gradcheck only supports inputs that are "
                "non-overlapping to be able to compute the numerical gradients correctly. You should call "
                ".contiguous on the input before passing it to gradcheck.")
    if not diff_inputs:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of "
                         "them have requires_grad=True.")
    return diff_inputs


def _check_reentrant(func, inputs, outs, analytical, diff_inputs, nondet_tol):
    np = numpy()
    again = _analytical([o for o in _as_tuple(func(*inputs)) if isinstance(o, TensorBase) and o.requires_grad],
                        diff_inputs, False)
    for o, row in enumerate(analytical):
        for k, a in enumerate(row):
            if not np.allclose(a, again[o][k], rtol=0, atol=nondet_tol, equal_nan=True):
                raise GradcheckError(
                    "Backward is not reentrant, i.e., running backward with same input and "
                    "grad_output multiple times gives different values, although analytical "
                    "gradient matches numerical gradient.The tolerance for nondeterminism was "
                    f"{nondet_tol}.")


def _check_mul_by_grad_output(outs, diff_inputs):
    """Zero grad_outputs must give zero gradients of the inputs' dtype and shape."""
    xs = [t for _, t in diff_inputs]
    grads = _grad(outs, xs, [zeros_like(o) for o in outs], retain_graph=True, allow_unused=True)
    for g, x in zip(grads, xs):
        if g is None:
            continue
        if not bool((g == 0).all()):
            raise GradcheckError("backward not multiplied by grad_output")
        if g.dtype is not x.dtype:
            raise GradcheckError("grad is incorrect type")
        if tuple(g.shape) != tuple(x.shape):
            raise GradcheckError("grad is incorrect size")


def _check_undefined_grad(func, inputs, diff_inputs):
    """Backward with one output's gradient undefined at a time (the engine hands a node None
    for an output whose gradient never arrives; a node whose gradients are all undefined does
    not run): it must not fail, and zero gradients of the others give zero (or no) input
    gradients. torch also checks all outputs undefined together; rstorch's engine never runs
    a node then, so there is nothing to check."""
    xs = [t for _, t in diff_inputs]
    n = len([o for o in _as_tuple(func(*inputs)) if isinstance(o, TensorBase) and o.requires_grad])
    if n < 2:
        return
    for skip in range(n):
        outs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, TensorBase) and o.requires_grad]
        kept = [o for i, o in enumerate(outs) if i != skip]
        try:
            grads = _grad(kept, xs, [zeros_like(o) for o in kept], allow_unused=True)
        except RuntimeError as e:
            raise GradcheckError(
                "Expected backward function to handle undefined output grads. Please look at \"Notes "
                "about undefined output gradients\" in \"tools/autograd/derivatives.yaml\"") from e
        for g in grads:
            if g is not None and not bool((g == 0).all()):
                raise GradcheckError(
                    "Expected all input grads to be undefined or zero when all output grads are "
                    "undefined or zero. Please look at \"Notes about undefined output gradients\" in "
                    "\"tools/autograd/derivatives.yaml\"")


def gradcheck(func, inputs, *, eps=1e-06, atol=1e-05, rtol=0.001, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """Check the gradients of `func` at `inputs` against finite differences (float64 inputs).

    Returns True, or raises GradcheckError (returns False with raise_exception=False). See the
    module docstring for what is checked and which of torch's flags are not supported."""
    np = numpy()
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError("Expected at least one of check_forward_ad or check_backward_ad to be True")
    if check_forward_ad:
        _unsupported("check_forward_ad", "it has no forward-mode AD")
    if check_batched_forward_grad:
        _unsupported("check_batched_forward_grad", "it has no forward-mode AD")
    if check_batched_grad:
        _unsupported("check_batched_grad", "it has no vmap")
    inputs = _as_tuple(inputs)
    diff_inputs = _check_inputs(inputs)
    try:
        func_out = _as_tuple(func(*inputs))
        floats = _float_outputs(func_out)
        outs = [o for o in floats if o.requires_grad]
        if any(isinstance(o, TensorBase) and o.requires_grad and not o.dtype.is_floating_point for o in func_out):
            raise GradcheckError("Gradcheck expects output tensors of floating dtype")
        numerical = _numerical(func, inputs, diff_inputs, eps)
        if not outs:
            # nothing to differentiate: the function must not depend on its inputs
            if any(np.any(n != 0) for row in numerical for n in row):
                raise GradcheckError("Numerical gradient for function expected to be zero")
            return True
        numerical = [row for o, row in zip(floats, numerical) if o.requires_grad]
        analytical = _analytical(outs, diff_inputs, check_grad_dtypes)
        if nondet_tol >= 0:
            _check_reentrant(func, inputs, outs, analytical, diff_inputs, nondet_tol)
        for o, row in enumerate(numerical):
            for k, n in enumerate(row):
                a = analytical[o][k]
                if not np.all(np.abs(a - n) <= atol + rtol * np.abs(n)):
                    raise GradcheckError(
                        f"Jacobian mismatch for output {o} with respect to input {diff_inputs[k][0]},\n"
                        f"numerical:{_fmt(n)}\nanalytical:{_fmt(a)}\n")
        _check_mul_by_grad_output(outs, diff_inputs)
        if check_undefined_grad:
            _check_undefined_grad(func, inputs, diff_inputs)
        return True
    except GradcheckError:
        if raise_exception:
            raise
        return False


def _noncontiguous(t):
    """A copy of `t` laid out with a gap between elements (every other element of a buffer)."""
    buf = zeros(tuple(t.shape) + (2,), dtype=t.dtype)
    view = buf.select(-1, 0)
    view.copy_(t.detach())
    return view.requires_grad_(t.requires_grad)


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-06, atol=1e-05, rtol=0.001,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """Check second derivatives: gradcheck of the (create_graph) gradient of `func` w.r.t. its
    inputs and the grad_outputs (random in [-1, 1) when not given, noncontiguous with
    gen_non_contig_grad_outputs)."""
    np = numpy()
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError("Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True")
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError("Setting check_undefined_grad=True requires check_rev_over_rev to be True")
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError("Setting check_batched_grad=True requires check_rev_over_rev to be True")
    if check_fwd_over_rev:
        _unsupported("check_fwd_over_rev", "it has no forward-mode AD")
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        outs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, TensorBase) and o.requires_grad]
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            tensor(rng.uniform(-1, 1, tuple(o.shape)), dtype=o.dtype, requires_grad=True) for o in outs)
        if gen_non_contig_grad_outputs:
            grad_outputs = tuple(_noncontiguous(g) for g in grad_outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n = len(grad_outputs)

    def first_grads(*args):
        ins, gos = args[:len(args) - n], args[len(args) - n:]
        outs = [o for o in _as_tuple(func(*ins)) if isinstance(o, TensorBase) and o.requires_grad]
        xs = [t for _, t in _diff_inputs(ins)]
        gs = _grad(outs, xs, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grads, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
                     check_batched_grad=check_batched_grad, fast_mode=fast_mode, masked=masked)
