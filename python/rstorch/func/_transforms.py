"""grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian over rstorch's tape autograd.

Each transform runs the function on fresh inputs that require grad and differentiates with
`autograd.grad`. When grad mode is on, the derivatives are computed with create_graph=True, so the
result stays connected to whatever outside the transform requires grad (an input that required
grad, a closed-over Parameter, an outer transform's input) and transforms nest: grad of grad,
jacrev of jacrev, vmap of grad. A result that depends on nothing outside the transform is
detached, as in torch. jvp is computed in reverse mode (the double-backward trick: the VJP is
linear in its cotangent, so differentiating it against the cotangent gives the JVP) and jacfwd
builds the same Jacobian as jacrev; the values are torch's, the cost is reverse mode's.
"""

import functools

from .. import _C
from ..autograd.engine import grad as _autograd_grad
from ..autograd.graph import AccumulateGrad
from ..autograd.grad_mode import enable_grad
from ._pytree import tree_flatten, tree_unflatten

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "linearize", "functionalize",
           "debug_unwrap", "replace_all_batch_norm_modules_"]

Tensor = _C.TensorBase


# ---------------------------------------------------------------------- argnums

def _wrap_argnum(argnum, num_args):
    if not isinstance(argnum, int) or isinstance(argnum, bool):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def _wrap_argnums(argnums, num_args):
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        return _wrap_argnum(argnums, num_args)
    if isinstance(argnums, tuple):
        if len(argnums) == 0:
            raise RuntimeError("argnums must be non-empty")
        if len(set(argnums)) != len(argnums):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
        return tuple(_wrap_argnum(a, num_args) for a in argnums)
    raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")


def _slice_argnums(args, argnums):
    argnums = _wrap_argnums(argnums, len(args))
    if isinstance(argnums, int):
        return argnums, args[argnums]
    return argnums, tuple(args[i] for i in argnums)


def _replace_args(args, argnums, new):
    args = list(args)
    if isinstance(argnums, int):
        args[argnums] = new
    else:
        for i, v in zip(argnums, new):
            args[i] = v
    return tuple(args)


# ---------------------------------------------------------------------- differentiable inputs

class _Level:
    """One transform's inputs: fresh tensors that require grad (views of inputs that already
    require grad while grad mode is on, so the outside graph still reaches them)."""

    def __init__(self, tree):
        self.tracking = _C.is_grad_enabled()
        leaves, self.spec = tree_flatten(tree)
        self.fresh = set()
        self.inputs = []
        with enable_grad():
            for x in leaves:
                if not isinstance(x, Tensor):
                    raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
                if self.tracking and x.requires_grad:
                    y = x.view_as(x)
                else:
                    y = x.detach().requires_grad_()
                    self.fresh.add(id(y))
                self.inputs.append(y)
        self.tree = tree_unflatten(self.inputs, self.spec)

    def grads(self, outputs, grad_outputs, retain_graph=True):
        """d outputs / d inputs (zeros where an input was not used), graph kept when tracking."""
        outputs, grad_outputs = list(outputs), list(grad_outputs)
        keep = [i for i, o in enumerate(outputs) if o.requires_grad]
        if not keep:
            return [_zeros_like(x) for x in self.inputs]
        with enable_grad():
            gs = _autograd_grad([outputs[i] for i in keep], self.inputs, [grad_outputs[i] for i in keep],
                                retain_graph=retain_graph, create_graph=self.tracking, allow_unused=True)
        return [_zeros_like(x) if g is None else g for x, g in zip(self.inputs, gs)]

    def release(self, tree):
        """Detach the tensors in `tree` that depend on nothing outside this transform."""
        leaves, spec = tree_flatten(tree)
        if not self.tracking:
            return tree_unflatten([x.detach() if isinstance(x, Tensor) else x for x in leaves], spec)
        seen = {}
        return tree_unflatten([self._release(x, seen) if isinstance(x, Tensor) else x for x in leaves], spec)

    def _release(self, t, seen):
        if not t.requires_grad:
            return t
        if t.grad_fn is None:  # a leaf: outside unless it is one of ours
            return t.detach() if id(t) in self.fresh else t
        return t if self._reaches_outside(t.grad_fn, seen) else t.detach()

    def _reaches_outside(self, root, seen):
        stack = [root]
        found = False
        visited = []
        while stack:
            node = stack.pop()
            if node is None or id(node) in seen:
                if node is not None and seen[id(node)]:
                    found = True
                    break
                continue
            seen[id(node)] = False
            visited.append(node)
            if isinstance(node, AccumulateGrad):
                if id(node.variable) not in self.fresh:
                    found = True
                    break
                continue
            stack.extend(n for n, _ in node.next_functions)
        if found:
            for node in visited:
                seen[id(node)] = True  # conservative: everything on the path walked so far
        return found


def _zeros_like(x):
    from .._creation import zeros_like
    return zeros_like(x)


def _ones_like(x):
    from .._creation import ones_like
    return ones_like(x)


def _call(func, args, kwargs, has_aux, api):
    """`func(*args, **kwargs)` with grad enabled, as `(output, aux)` (aux None without has_aux)."""
    with enable_grad():
        output = func(*args, **kwargs)
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
    return output


# ---------------------------------------------------------------------- grad

def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning (gradient of func's scalar output with respect to the positional
    arguments at `argnums`, func's output); with has_aux, func returns (output, aux) and the
    result is (gradient, (output, aux))."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        argnums_, diff_args = _slice_argnums(args, argnums)
        level = _Level(diff_args)
        output, aux = _call(func, _replace_args(args, argnums_, level.tree), kwargs, has_aux,
                            "grad_and_value(f)(*args)")
        if not isinstance(output, Tensor):
            raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got {type(output)}")
        if output.dim() != 0:
            raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got tensor "
                               f"with {output.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
        grads = level.grads([output], [_ones_like(output)], retain_graph=level.tracking)
        result = level.release((tree_unflatten(grads, level.spec), output, aux))
        g, value, aux = result
        if has_aux:
            return g, (value, aux)
        return g, value
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function computing the gradient of `func`'s scalar output with respect to its positional
    arguments at `argnums` (with has_aux, func returns (output, aux) and this (gradient, aux))."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        if has_aux:
            return g, value[1]
        return g
    return wrapper


# ---------------------------------------------------------------------- vjp / jvp

def _check_outputs(leaves, api, floating=True):
    for o in leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got unsupported type {type(o)}")
    for o in leaves if floating else ():
        if not o.is_floating_point():
            raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got Tensor "
                               f"with dtype {o.dtype}")


def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn[, aux]): vjp_fn(cotangents) gives the vector-Jacobian product with
    respect to each primal, as a tuple with primals' structure; it may be called many times."""
    level = _Level(primals)
    output, aux = _call(func, level.tree, {}, has_aux, "vjp(f, *primals)")
    out_leaves, out_spec = tree_flatten(output)
    _check_outputs(out_leaves, "vjp(f, *primals)")

    def vjp_fn(cotangents, *, retain_graph=True, create_graph=None):
        ct_leaves, ct_spec = tree_flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of outputs "
                               f"to the function. cotangents: {ct_spec.pprint()}, primal output: {out_spec.pprint()}")
        for i, (c, o) in enumerate(zip(ct_leaves, out_leaves)):
            if not isinstance(c, Tensor):
                raise RuntimeError(f"Expected tensors, got unsupported type {type(c)}")
            if tuple(c.shape) != tuple(o.shape):
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {c.shape} and output[{i}] "
                                   f"has a shape of {o.shape}.")
        gs = level.grads(out_leaves, ct_leaves, retain_graph=True)
        return level.release(tree_unflatten(gs, level.spec))

    out = level.release(output)
    if has_aux:
        return out, vjp_fn, level.release(aux)
    return out, vjp_fn


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), the Jacobian-vector product with `tangents`[, aux])."""
    api = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{api}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals).")
    p_leaves, p_spec = tree_flatten(primals)
    for name, leaves in (("primals", p_leaves), ("tangents", tree_flatten(tangents)[0])):
        for x in leaves:
            if not isinstance(x, Tensor):
                raise RuntimeError(f"{api}: Expected {name} to only contain Tensors, got {type(x)}")
    if not p_leaves:
        raise RuntimeError(f"{api}: Expected primals to contain at least one Tensor.")
    t_leaves, t_spec = tree_flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(f"{api}: Expected primals and tangents to have the same python structure. For example, "
                           "if primals is a tuple of 3 tensors, tangents also must be. Got primals with structure "
                           f"{p_spec} and tangents with structure {t_spec}")
    for i, (p, t) in enumerate(zip(p_leaves, t_leaves)):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError("Trying to set a forward gradient that has a different size than that of the original "
                               f"Tensor, this is not supported. Tensor is of size {list(p.shape)} while the given "
                               f"forward gradient is of size {list(t.shape)}.")
    level = _Level(primals)
    output, aux = _call(func, level.tree, {}, has_aux, api)
    out_leaves, out_spec = tree_flatten(output)
    if not out_leaves:
        raise RuntimeError(f"{api}: Expected f to be a function that has non-empty output (got output = {output})")
    _check_outputs(out_leaves, api, floating=False)
    # u -> J^T u is linear in u; its derivative against u, applied to the tangent, is J t
    # (integer outputs have no derivative: their tangent is zero)
    live = [i for i, o in enumerate(out_leaves) if o.requires_grad and o.is_floating_point()]
    jv = [None] * len(out_leaves)
    with enable_grad():
        us = {i: _zeros_like(out_leaves[i]).requires_grad_() for i in live}
        pairs = []
        if live:
            vjps = _autograd_grad([out_leaves[i] for i in live], level.inputs, [us[i] for i in live],
                                  retain_graph=True, create_graph=True, allow_unused=True)
            pairs = [(v, t) for v, t in zip(vjps, t_leaves) if v is not None and v.requires_grad]
        if pairs:
            got = _autograd_grad([v for v, _ in pairs], [us[i] for i in live], [t for _, t in pairs],
                                 retain_graph=level.tracking, create_graph=level.tracking, allow_unused=True)
            for i, g in zip(live, got):
                jv[i] = g
    jv = [_zeros_like(o) if j is None else j for o, j in zip(out_leaves, jv)]
    out, tangent_out = level.release((output, tree_unflatten(jv, out_spec)))
    if has_aux:
        return out, tangent_out, level.release(aux)
    return out, tangent_out


# ---------------------------------------------------------------------- Jacobians

def _jacobian(func, argnums, has_aux, api):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        argnums_, diff_args = _slice_argnums(args, argnums)
        level = _Level(diff_args)
        # torch's jacrev and jacfwd report as vjp
        output, aux = _call(func, _replace_args(args, argnums_, level.tree), kwargs, has_aux, "vjp(f, *primals)")
        out_leaves, out_spec = tree_flatten(output)
        _check_outputs(out_leaves, "vjp(f, *primals)")  # torch's jacrev and jacfwd report as vjp
        from .. import stack
        per_output = []
        for o in out_leaves:
            flat = o.reshape(-1)
            rows = []
            for j in range(flat.numel()):
                rows.append(level.grads([flat[j]], [_ones_like(flat[j])], retain_graph=True))
            jacs = []
            for k, x in enumerate(level.inputs):
                if rows:
                    jac = stack([r[k] for r in rows]).reshape(tuple(o.shape) + tuple(x.shape))
                else:
                    jac = x.new_zeros(tuple(o.shape) + tuple(x.shape))
                jacs.append(jac)
            per_output.append(tree_unflatten(jacs, level.spec))
        result = level.release(tree_unflatten(per_output, out_spec))
        if has_aux:
            return result, level.release(aux)
        return result
    return wrapper


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """A function computing the Jacobian of `func` with respect to the arguments at `argnums`
    (reverse mode: one vector-Jacobian product per output element)."""
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jacobian(func, argnums, has_aux, "jacrev")


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """A function computing the Jacobian of `func` with respect to the arguments at `argnums`
    (the same values as torch's forward mode; computed in reverse mode here)."""
    from ._vmap import _check_randomness_arg, _random_guard
    _check_randomness_arg(randomness)
    inner = _jacobian(func, argnums, has_aux, "jacfwd")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with _random_guard(randomness):
            return inner(*args, **kwargs)
    return wrapper


def hessian(func, argnums=0):
    """The Hessian of `func`'s output with respect to the arguments at `argnums`:
    jacfwd(jacrev(func, argnums), argnums)."""
    return jacfwd(jacrev(func, argnums), argnums)


def linearize(func, *primals):
    """(func(*primals), jvp_fn): jvp_fn(*tangents) is the Jacobian-vector product at `primals`
    (torch traces the linear map once; here each call is a jvp at the saved primals)."""
    output = func(*primals)

    def jvp_fn(*tangents):
        return jvp(func, primals, tangents)[1]
    leaves, spec = tree_flatten(output)
    return tree_unflatten([x.detach() if isinstance(x, Tensor) else x for x in leaves], spec), jvp_fn


def functionalize(func, *, remove="mutations"):
    """`func` itself: rstorch runs eagerly, and a function's result with its mutations is the
    same as that of its functionalized form."""
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(f"functionalize(f, remove='mutations'): received invalid argument for remove={remove}."
                           " Valid options are:\n     remove='mutations': all inplace and out= operators will be "
                           "removed from the program, and replaced with their out-of-place equivalents.\n     "
                           "remove='mutations_and_views': In addition to the above, all aliasing operators {view} "
                           "will be replaced with their non-aliasing counterparts, {view}_copy.\n")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper


def debug_unwrap(tensor, *, recurse=True):
    """No transform wraps tensors here: the tensor itself."""
    return tensor


def replace_all_batch_norm_modules_(root):
    """Make every batch norm module in `root` stop tracking running statistics (in place), so it
    normalises with the batch's own statistics under vmap; returns root."""
    from ..nn.modules.batchnorm import _BatchNorm
    for m in root.modules():
        if isinstance(m, _BatchNorm):
            m.running_mean = None
            m.running_var = None
            m.num_batches_tracked = None
            m.track_running_stats = False
    return root
