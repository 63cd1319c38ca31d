"""The backward engine: `backward` and `grad` over the recorded graph.

The graph is walked once to count, for every node, how many edges lead into it; a node runs
when all of them have delivered (dependency counting, no recursion, so graphs of any depth
work), its incoming gradients summed per output. Grad mode during the walk is `create_graph`,
so with create_graph=True the rules' Tensor ops are themselves recorded (double backward).

`backward()` without create_graph, inputs= or anomaly mode first offers the graph to the native
engine (rust/python/src/autograd/engine.rs), which runs this same walk in Rust unless a node has
hooks or retain_grad; this walk is the reference, and runs everything else.
"""

import warnings

from .. import _C
from .._creation import empty_strided, ones, zeros
from . import anomaly_mode as _anomaly
from .graph import AccumulateGrad, TensorBase, edge_of
from .inplace import _scalar_name

_UNUSED = ("The differentiated Tensor at index {} appears to not have been used in the graph. "
           "Set allow_unused=True if this is the desired behavior.")


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, TensorBase):
        return (x,)
    return tuple(x)


def _size_repr(shape):
    return f"torch.Size([{', '.join(str(s) for s in shape)}])"


def make_grads(outputs, grad_outputs):
    """The gradients the walk starts from: ones for scalar outputs when none is given."""
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out.requires_grad:
                if out.numel() != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if not out.dtype.is_floating_point:
                    raise RuntimeError(
                        f"grad can be implicitly created only for real scalar outputs but got {out.dtype}")
                g = ones(out.shape, dtype=out.dtype, device=out.device)
        elif isinstance(g, TensorBase):
            if g.shape != out.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {_size_repr(g.shape)} and "
                    f"output[{i}] has a shape of {_size_repr(out.shape)}.")
            if g.dtype is not out.dtype:
                g = g.to(out.dtype)
        else:
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        grads.append(g)
    return grads


def run_backward(outputs, grads, retain_graph, create_graph, inputs=None, accumulate=True,
                 allow_unused=True):
    """Propagate `grads` from `outputs` through the graph. With `accumulate`, leaves' `.grad`
    (only those of `inputs` when given) receive the result; otherwise the gradients of `inputs`
    are returned."""
    if retain_graph is None:
        retain_graph = create_graph
    roots = []
    for i, (t, g) in enumerate(zip(outputs, grads)):
        e = edge_of(t) if isinstance(t, TensorBase) else None
        if e is None:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        roots.append((e, g))

    # the common case runs natively (rust/python/src/autograd/engine.rs), unless a node of the
    # graph has hooks or retain_grad: then it returns False having run nothing, and the walk
    # below, the reference, does it
    if inputs is None and not create_graph and not _anomaly._enabled:
        if _C._backward([e for e, _ in roots], [g for _, g in roots], retain_graph):
            return None

    # inputs: where their gradients are taken (leaf: its AccumulateGrad; else its node's output)
    targets = None
    if inputs is not None:
        targets = {}
        for j, x in enumerate(inputs):
            e = edge_of(x) if isinstance(x, TensorBase) else None
            if e is None:
                # backward(inputs=) retains the inputs' gradients, hence torch's wording there
                raise RuntimeError("One of the differentiated Tensors does not require grad" if not accumulate
                                   else "can't retain_grad on Tensor that has requires_grad=False")
            targets.setdefault(e[0], []).append((e[1], j))

    # discover the graph and count the edges into each node
    deps = {}
    parents = {} if targets is not None else None
    stack = []
    for e, _ in roots:
        if e[0] not in deps:
            deps[e[0]] = 0
            stack.append(e[0])
    while stack:
        n = stack.pop()
        for e in n._next:
            if e is None:
                continue
            c = e[0]
            k = deps.get(c)
            if k is None:
                deps[c] = 1
                stack.append(c)
            else:
                deps[c] = k + 1
            if parents is not None:
                parents.setdefault(c, []).append(n)

    needed = None
    if targets is not None:
        # only nodes with a path to an input run (the rest of the graph is left untouched)
        needed = set(n for n in targets if n in deps)
        stack = list(needed)
        while stack:
            for p in parents.get(stack.pop(), ()):
                if p not in needed:
                    needed.add(p)
                    stack.append(p)

    buffers = {}
    for (node, nr), g in roots:
        _add(buffers, node, nr, g)
    ready = [n for n in buffers if deps[n] == 0]
    captured = [None] * len(inputs) if inputs is not None and not accumulate else None

    leaves = []
    prev = _C._set_grad_enabled(create_graph)
    try:
        while ready:
            node = ready.pop()
            gl = buffers.pop(node, None)
            outs = None
            if gl is not None and (needed is None or node in needed):
                if node._plain and targets is None and not _anomaly._enabled:
                    outs = node._apply(gl, create_graph)  # the common case, inlined
                    if not retain_graph:
                        node._release()
                else:
                    outs = _run(node, gl, create_graph, targets, inputs, captured, accumulate, retain_graph)
            elif not retain_graph and needed is None:
                node._release()
            i = 0
            for e in node._next:
                if e is not None:
                    c = e[0]
                    if outs is not None:
                        g = outs[i]
                        if g is not None:
                            buf = buffers.get(c)
                            if buf is None:
                                buf = buffers[c] = [None] * c._nout
                            old = buf[e[1]]
                            buf[e[1]] = g if old is None else old + g
                    k = deps[c] - 1
                    deps[c] = k
                    if k == 0:
                        if c.__class__ is AccumulateGrad:
                            leaves.append(c)
                        else:
                            ready.append(c)
                i += 1
            if leaves:  # ready leaves run next (torch's AccumulateGrad priority; the Rust engine too)
                ready.extend(reversed(leaves))
                leaves.clear()
    finally:
        _C._set_grad_enabled(prev)

    if captured is not None:
        for j, g in enumerate(captured):
            if g is None and not allow_unused:
                raise RuntimeError(_UNUSED.format(j))
        return captured
    return None


def _add(buffers, node, nr, g):
    buf = buffers.get(node)
    if buf is None:
        buf = buffers[node] = [None] * node._nout
    old = buf[nr]
    buf[nr] = g if old is None else old + g


def _run(node, gl, create_graph, targets, inputs, captured, accumulate, retain_graph):
    """Run one node on its summed incoming gradients; return the gradients along its edges."""
    if node._tensor_hooks is not None or node._retain is not None:
        _tensor_hooks(node, gl, create_graph)
    if node._pre_hooks:
        for hook in tuple(node._pre_hooks.values()):
            r = hook(tuple(gl))
            if r is not None:
                gl = list(r)
    if targets is not None and node in targets and not isinstance(node, AccumulateGrad):
        for nr, j in targets[node]:
            if captured is not None:
                captured[j] = gl[nr]
            elif accumulate:
                _retain_into(inputs[j], gl[nr], create_graph)
    if isinstance(node, AccumulateGrad):
        _accumulate(node, gl[0], create_graph, targets, captured, accumulate)
        outs = ()
    else:
        if all(g is None for g in gl):
            outs = None
        elif _anomaly._enabled:
            outs = _run_anomaly(node, gl, create_graph)
        else:
            outs = node._apply(gl, create_graph)
    if node._hooks:
        for hook in tuple(node._hooks.values()):
            r = hook(tuple(outs or ()), tuple(gl))
            if r is not None:
                outs = list(r)
    if not retain_graph:
        node._release()
    return outs


def _run_anomaly(node, gl, create_graph):
    """Run `node` in anomaly mode: a failure (NaN gradients included) also shows the traceback of
    the forward call that made the node."""
    try:
        outs = node._apply(gl, create_graph)
        if _anomaly._check_nan:
            for i, g in enumerate(outs):
                if g is not None and g.dtype.is_floating_point and g.detach().isnan().any().item():
                    raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
    except Exception:
        if node._trace:
            warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
                          + "".join(node._trace), stacklevel=2)
        raise
    return outs


def _tensor_hooks(node, gl, create_graph):
    """Hooks registered on non-leaf tensors (which may replace the gradient), then retain_grad."""
    for nr, hooks in (node._tensor_hooks or {}).items():
        for hook in tuple(hooks.values()):
            if gl[nr] is not None:
                gl[nr] = _call_tensor_hook(hook, gl[nr])
    for nr, ref in (node._retain or {}).items():
        t = ref()
        if t is not None and gl[nr] is not None:
            _retain_into(t, gl[nr], create_graph)


def _call_tensor_hook(hook, g):
    """`hook(g)`, checked as torch checks a tensor hook's result: None keeps `g`; a tensor must
    keep g's type (dtype and device) and size."""
    r = hook(g)
    if r is None:
        return g
    if not isinstance(r, TensorBase):
        raise TypeError(f"expected Variable, but hook returned '{type(r).__name__}'")
    name = getattr(hook, "__name__", type(hook).__name__)
    if r.dtype is not g.dtype or r.device != g.device:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was {_legacy_type(g)} got {_legacy_type(r)})")
    if r.shape != g.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    return r


def _legacy_type(t):
    """torch's legacy type name of `t` (torch.FloatTensor, torch.cuda.HalfTensor...)."""
    cuda = ".cuda" if t.device.type == "cuda" else ""
    return f"torch{cuda}.{_scalar_name(t.dtype)}Tensor"


def _retain_into(t, g, create_graph):
    """retain_grad's hook: the first gradient is cloned (recorded under create_graph, as
    torch's CloneBackward0), later ones added out of place."""
    if t is None or g is None:
        return
    old = t._grad
    if old is None:
        t.grad = g.clone() if create_graph else g.detach().clone()
    else:
        t.grad = old + g


def _accumulate(acc, g, create_graph, targets, captured, accumulate):
    """A leaf's gradient: its hooks, then capture (grad) or accumulation into `.grad` (torch's
    AccumulateGrad), then its post-accumulate-grad hooks."""
    t = acc.variable
    hooks = t._backward_hooks
    if hooks:
        for hook in tuple(hooks.values()):
            g = _call_tensor_hook(hook, g)
    if targets is not None:
        entries = targets.get(acc)
        if entries is None:
            return
        if captured is not None:
            for _, j in entries:
                captured[j] = g
            return
    if not accumulate or not t.requires_grad:
        return
    if create_graph:
        # out of place, so the new .grad is differentiable (torch's double-backward case)
        old = t.grad
        t.grad = _clone_obey_contract(g, t) if old is None else old + g
    elif not _C._accumulate_grad(t, g):
        t.grad = t.grad + g   # a .grad of another shape: broadcast as torch's `+=` would
    post = t._post_accumulate_grad_hooks
    if post:
        for hook in tuple(post.values()):
            if hook(t) is not None:
                raise RuntimeError("Tensor post accumulate grad hooks should return None.")


def _clone_obey_contract(g, t):
    """A copy of gradient `g` laid out as leaf `t` when `t` is densely packed, else contiguous
    (torch's clone_obey_contract; recorded, as under create_graph: CopyBackwards/CloneBackward0)."""
    dims = sorted((st, n) for n, st in zip(t.shape, t.stride()) if n != 1)
    expected = 1
    for st, n in dims:
        if st != expected:
            return g.clone()
        expected *= n
    return empty_strided(t.shape, t.stride(), dtype=t.dtype).copy_(g)


# ------------------------------------------------------------------ public entry points


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Compute the gradient of `tensors` w.r.t. graph leaves and accumulate it in their `.grad`."""
    if grad_variables is not None:
        grad_tensors = grad_variables
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"got {len(tensors)} tensors and {len(grad_tensors)} gradients")
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if len(inputs) == 0:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    grads = make_grads(tensors, grad_tensors)
    run_backward(tensors, grads, retain_graph, create_graph, inputs, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` w.r.t. `inputs` (nothing is accumulated into `.grad`)."""
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported by rstorch")
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grad_outputs)} gradients")
    grads = make_grads(outputs, grad_outputs)
    res = run_backward(outputs, grads, retain_graph, create_graph, inputs, accumulate=False,
                       allow_unused=allow_unused)
    if materialize_grads:
        res = [g if g is not None else zeros(x.shape, dtype=x.dtype) for g, x in zip(res, inputs)]
    return tuple(res)
