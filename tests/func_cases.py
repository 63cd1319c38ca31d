"""The cases of tests/test_func.py, shared with the script that records torch's results
(tests/tools/record_func.py -> tests/data/func_expected.json).

Each case is a function of the library (`torch` or `rstorch`, called `t`) and its func namespace
`F`; inputs are written out as numbers (no random draws), so both libraries see the same values.
A case returns tensors, booleans, strings or nested tuples/dicts of them; `encode` turns that (or
the error raised) into JSON."""

import math
import warnings


def encode(t, value):
    if isinstance(value, t.Tensor):
        return {"dtype": str(value.dtype).split(".")[-1], "shape": list(value.shape),
                "requires_grad": value.requires_grad,
                "values": [v if math.isfinite(v) else repr(v) for v in value.detach().double().flatten().tolist()]}
    if isinstance(value, dict):
        return {"dict": {k: encode(t, v) for k, v in value.items()}}
    if isinstance(value, (tuple, list)):
        return {"list": [encode(t, v) for v in value]}
    if isinstance(value, str):
        return {"str": value}
    if isinstance(value, (bool, int, float)) or value is None:
        return {"py": value}
    return {"type": type(value).__name__}


def outcome(t, fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return encode(t, fn(t, t.func))
    except Exception as e:  # noqa: BLE001 - the error is what is recorded
        return {"error": [type(e).__name__, str(e)]}


def _x(t):
    return t.tensor([0.5, -1.25, 2.0], dtype=t.float64)


def _m(t):
    return t.tensor([[1.0, 2.0, -0.5], [0.25, -3.0, 1.5]], dtype=t.float64)


def _mlp(t):
    lin = t.nn.Linear(3, 2).double()
    with t.no_grad():
        lin.weight.copy_(t.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], dtype=t.float64))
        lin.bias.copy_(t.tensor([0.05, -0.05], dtype=t.float64))
    return lin


def _loss(t, F, lin):
    def loss(params, x):
        return F.functional_call(lin, params, (x,)).tanh().pow(2).sum()
    return loss


def _params(lin):
    return {k: v.detach() for k, v in lin.named_parameters()}


def _seeded(t, fn):
    t.manual_seed(0)
    return fn(), t.rand(2)  # and where the generator was left


def _per_sample_grads(t, F):
    # the torch.func tutorial's per-sample gradients: grad of a one-example loss, vmapped over the batch
    lin = _mlp(t)
    params, buffers = _params(lin), {}
    targets = t.tensor([1, 0])

    def compute_loss(params, buffers, sample, target):
        pred = F.functional_call(lin, (params, buffers), (sample.unsqueeze(0),))
        return t.nn.functional.cross_entropy(pred, target.unsqueeze(0))
    return F.vmap(F.grad(compute_loss), in_dims=(None, None, 0, 0))(params, buffers, _m(t), targets)


def _ensemble(t, F):
    models = []
    for k in range(3):
        lin = _mlp(t)
        with t.no_grad():
            lin.weight.mul_(k + 1)
            lin.bias.add_(k)
        models.append(lin)
    params, buffers = F.stack_module_state(models)
    base = models[0]
    return F.vmap(lambda p, b, x: F.functional_call(base, (p, b), (x,)), in_dims=(0, 0, None))(params, buffers, _m(t))


def _cube(x):
    return (x ** 3).sum() + x[0] * x[1]


CASES = {
    # grad / grad_and_value
    "grad_square": lambda t, F: F.grad(lambda x: (x.sin() * x).sum())(_x(t)),
    "grad_requires_grad_input": lambda t, F: F.grad(lambda x: (x * x).sum())(_x(t).requires_grad_()),
    "grad_argnums_tuple": lambda t, F: F.grad(lambda a, b: (a * b.exp()).sum(), argnums=(0, 1))(_x(t), _x(t) * 2),
    "grad_argnums_neg": lambda t, F: F.grad(lambda a, b: (a * b.exp()).sum(), argnums=-1)(_x(t), _x(t) * 2),
    "grad_has_aux": lambda t, F: F.grad(lambda x: ((x ** 2).sum(), x.cos()), has_aux=True)(_x(t)),
    "grad_and_value": lambda t, F: F.grad_and_value(lambda x: (x ** 3).sum())(_x(t)),
    "grad_and_value_aux": lambda t, F: F.grad_and_value(lambda x: ((x ** 3).sum(), {"m": x.mean()}), has_aux=True)(_x(t)),
    "grad_unused_input": lambda t, F: F.grad(lambda a, b: (a * 2).sum(), argnums=1)(_x(t), _x(t)),
    "grad_dict_input": lambda t, F: F.grad(lambda d: (d["a"] * d["b"]).sum())({"a": _x(t), "b": _x(t) + 1}),
    "grad_of_grad": lambda t, F: F.grad(F.grad(lambda x: x.sin() * x ** 2))(t.tensor(0.7, dtype=t.float64)),
    "grad_of_grad_of_grad": lambda t, F: F.grad(F.grad(F.grad(lambda x: x ** 4)))(t.tensor(1.5, dtype=t.float64)),
    "grad_closure_param": lambda t, F: (lambda w: F.grad(lambda x: (x ** 2 * w).sum())(_x(t)))(
        t.tensor([1.0, 2.0, 3.0], dtype=t.float64, requires_grad=True)),
    "grad_functional_call": lambda t, F: (lambda lin: F.grad(_loss(t, F, lin))(_params(lin), _m(t)))(_mlp(t)),
    "grad_err_not_scalar": lambda t, F: F.grad(lambda x: x ** 2)(_x(t)),
    "grad_err_not_tensor": lambda t, F: F.grad(lambda x: 3.0)(_x(t)),
    "grad_err_argnum": lambda t, F: F.grad(lambda x: x.sum(), argnums=2)(_x(t)),
    "grad_err_argnum_type": lambda t, F: F.grad(lambda x: x.sum(), argnums=[0])(_x(t)),
    "grad_err_argnums_dup": lambda t, F: F.grad(lambda x, y: x.sum(), argnums=(0, 0))(_x(t), _x(t)),
    "grad_err_argnums_empty": lambda t, F: F.grad(lambda x, y: x.sum(), argnums=())(_x(t), _x(t)),
    "grad_err_input": lambda t, F: F.grad(lambda x: x)(3.0),
    "grad_err_aux": lambda t, F: F.grad(lambda x: x.sum(), has_aux=True)(_x(t)),
    # vjp / jvp
    "vjp": lambda t, F: (lambda r: (r[0], r[1](t.tensor([1.0, 2.0, 3.0], dtype=t.float64))))(F.vjp(t.sin, _x(t))),
    "vjp_two_primals": lambda t, F: (lambda r: (r[0], r[1](t.ones(3, dtype=t.float64))))(
        F.vjp(lambda a, b: a * b + a.exp(), _x(t), _x(t) * 3)),
    "vjp_tuple_out": lambda t, F: (lambda r: r[1]((t.ones(3, dtype=t.float64), t.tensor(2.0, dtype=t.float64))))(
        F.vjp(lambda a: (a.cos(), a.sum() ** 2), _x(t))),
    "vjp_aux": lambda t, F: (lambda r: (r[0], r[1](t.ones(3, dtype=t.float64)), r[2]))(
        F.vjp(lambda a: (a * 2, a.mean()), _x(t), has_aux=True)),
    "vjp_err_structure": lambda t, F: F.vjp(lambda a: (a, a), _x(t))[1](t.ones(3, dtype=t.float64)),
    "vjp_err_int_out": lambda t, F: F.vjp(lambda a: a.long(), _x(t)),
    "jvp": lambda t, F: F.jvp(lambda a: a.sin() * a, (_x(t),), (t.tensor([1.0, 0.5, -2.0], dtype=t.float64),)),
    "jvp_two": lambda t, F: F.jvp(lambda a, b: (a * b).sum(), (_x(t), _x(t) + 1), (t.ones(3, dtype=t.float64),
                                                                                  t.ones(3, dtype=t.float64))),
    "jvp_matrix": lambda t, F: F.jvp(lambda m: m @ m.t(), (_m(t),), (t.ones(2, 3, dtype=t.float64),)),
    "jvp_aux": lambda t, F: F.jvp(lambda a: (a.exp(), a.sum()), (_x(t),), (t.ones(3, dtype=t.float64),), has_aux=True),
    "jvp_constant": lambda t, F: F.jvp(lambda a: t.ones(2, dtype=t.float64), (_x(t),), (_x(t),)),
    "jvp_strict": lambda t, F: F.jvp(t.sin, (_x(t),), (_x(t),), strict=True),
    "jvp_int_output": lambda t, F: F.jvp(lambda a: (a.long(), a * 2), (_x(t),), (t.ones(3, dtype=t.float64),)),
    "jvp_err_primal_type": lambda t, F: F.jvp(t.sin, (3.0,), (_x(t),)),
    "jvp_err_tangent_type": lambda t, F: F.jvp(t.sin, (_x(t),), (3.0,)),
    "jvp_err_output_type": lambda t, F: F.jvp(lambda a: 3.0, (_x(t),), (_x(t),)),
    "jvp_err_empty": lambda t, F: F.jvp(t.sin, (), ()),
    "jacrev_err_int_out": lambda t, F: F.jacrev(lambda a: a.long())(_x(t)),
    "jacrev_err_nontensor_out": lambda t, F: F.jacrev(lambda a: 3.0)(_x(t)),
    "jacfwd_err_random": lambda t, F: F.jacfwd(lambda a: a * t.rand(3, dtype=t.float64))(_x(t)),
    "jacfwd_err_randomness_arg": lambda t, F: F.jacfwd(t.sin, randomness="x")(_x(t)),
    "grad_err_int_input": lambda t, F: F.grad(lambda a: a.sum())(t.tensor([1, 2])),
    "grad_constant_output": lambda t, F: F.grad(lambda a: t.tensor(1.0, dtype=t.float64))(_x(t)),
    "grad_list_input": lambda t, F: F.grad(lambda l: l[0].sum() * l[1].sum())([_x(t), _x(t) * 2]),
    "vmap_grad_aux": lambda t, F: F.vmap(F.grad(lambda a: ((a ** 2).sum(), a.mean()), has_aux=True))(_m(t)),
    "jvp_err_primals": lambda t, F: F.jvp(lambda a: a, _x(t), _x(t)),
    "jvp_err_shape": lambda t, F: F.jvp(lambda a: a, (_x(t),), (t.ones(2, dtype=t.float64),)),
    # Jacobians and Hessians
    "jacrev": lambda t, F: F.jacrev(lambda a: a.sin() * a.sum())(_x(t)),
    "jacrev_matrix": lambda t, F: F.jacrev(lambda m: (m ** 2).sum(0))(_m(t)),
    "jacrev_argnums": lambda t, F: F.jacrev(lambda a, b: a * b, argnums=(0, 1))(_x(t), _x(t) - 1),
    "jacrev_aux": lambda t, F: F.jacrev(lambda a: (a.exp(), a.sum()), has_aux=True)(_x(t)),
    "jacrev_scalar_out": lambda t, F: F.jacrev(lambda a: (a ** 2).sum())(_x(t)),
    "jacrev_tuple_out": lambda t, F: F.jacrev(lambda a: (a * 2, a.sum()))(_x(t)),
    "jacrev_dict_in": lambda t, F: F.jacrev(lambda d: d["a"] * d["b"])({"a": _x(t), "b": _x(t) * 2}),
    "jacfwd": lambda t, F: F.jacfwd(lambda a: a.tanh() * 3)(_x(t)),
    "jacfwd_argnums": lambda t, F: F.jacfwd(lambda a, b: (a @ b).exp(), argnums=1)(_m(t), _x(t)),
    "jacfwd_jacrev": lambda t, F: F.jacfwd(F.jacrev(lambda a: (a.sin() * a).sum()))(_x(t)),
    "hessian": lambda t, F: F.hessian(_cube)(_x(t)),
    "hessian_argnums": lambda t, F: F.hessian(lambda a, b: (a * b ** 2).sum(), argnums=(0, 1))(_x(t), _x(t) + 1),
    "hessian_mlp": lambda t, F: (lambda lin: F.hessian(_loss(t, F, lin))(_params(lin), _m(t))["bias"]["bias"])(_mlp(t)),
    "jacrev_err_chunk": lambda t, F: F.jacrev(t.sin, chunk_size=0)(_x(t)),
    # vmap
    "vmap_sum": lambda t, F: F.vmap(lambda r: r.sum())(_m(t)),
    "vmap_in_dims": lambda t, F: F.vmap(lambda a, b: a * b, in_dims=(1, None))(_m(t), t.tensor(2.0, dtype=t.float64)),
    "vmap_in_dim_neg": lambda t, F: F.vmap(lambda c: c.max(), in_dims=-1)(_m(t)),
    "vmap_out_dims": lambda t, F: F.vmap(lambda r: r.outer(r), out_dims=2)(_m(t)),
    "vmap_out_dims_tuple": lambda t, F: F.vmap(lambda r: (r * 2, r.sum()), out_dims=(1, 0))(_m(t)),
    "vmap_out_dims_none": lambda t, F: F.vmap(lambda r, c: (r + c, c), in_dims=(0, None), out_dims=(0, None))(
        _m(t), _x(t)),
    "vmap_dict_in": lambda t, F: F.vmap(lambda d: d["a"] @ d["b"], in_dims=({"a": 0, "b": None},))(
        {"a": _m(t), "b": _x(t)}),
    "vmap_dict_out": lambda t, F: F.vmap(lambda r: {"s": r.sum(), "p": r.prod()})(_m(t)),
    "vmap_kwargs": lambda t, F: F.vmap(lambda r, *, scale: r * scale)(_m(t), scale=t.tensor(3.0, dtype=t.float64)),
    "vmap_nested": lambda t, F: F.vmap(F.vmap(lambda a, b: a * b + 1, in_dims=(0, None)), in_dims=(None, 0))(
        _x(t), _m(t)),
    "vmap_nested_outer": lambda t, F: F.vmap(F.vmap(t.dot, in_dims=(None, 0)), in_dims=(0, None))(_m(t), _m(t)),
    "vmap_grad": lambda t, F: F.vmap(F.grad(lambda r: (r.sin() * r).sum()))(_m(t)),
    "vmap_grad_mlp": lambda t, F: (lambda lin: F.vmap(F.grad(lambda p, x: _loss(t, F, lin)(p, x.unsqueeze(0))),
                                                      in_dims=(None, 0))(_params(lin), _m(t)))(_mlp(t)),
    "vmap_jacrev": lambda t, F: F.vmap(F.jacrev(lambda r: r.exp() * r.sum()))(_m(t)),
    "vmap_matmul": lambda t, F: F.vmap(t.mv, in_dims=(None, 0))(_m(t), _m(t)),
    "vmap_chunk": lambda t, F: F.vmap(lambda r: r * 2, chunk_size=1)(_m(t)),
    "vmap_alias": lambda t, F: t.vmap(lambda r: r.norm())(_m(t)),
    "vmap_same_random": lambda t, F: _seeded(t, lambda: F.vmap(lambda a: a + t.rand(3), randomness="same")(
        t.zeros(4, 3))),
    "vmap_different_random": lambda t, F: _seeded(t, lambda: F.vmap(lambda a: a + t.rand(3), randomness="different")(
        t.zeros(4, 3))),
    "vmap_different_randn": lambda t, F: _seeded(t, lambda: F.vmap(lambda a: a * t.randn(2), randomness="different")(
        t.ones(3, 2))),
    "vmap_dropout_same": lambda t, F: _seeded(t, lambda: F.vmap(lambda a: t.nn.functional.dropout(a, 0.5),
                                                                randomness="same")(t.ones(3, 4))),
    "vmap_dropout_different": lambda t, F: _seeded(t, lambda: F.vmap(lambda a: t.nn.functional.dropout(a, 0.5),
                                                                     randomness="different")(t.ones(3, 4))),
    "per_sample_grads": _per_sample_grads,
    "ensemble": _ensemble,
    "vmap_out_dims_single_tuple": lambda t, F: F.vmap(lambda r: r * 2, out_dims=(1,))(_m(t)),
    "vmap_out_dims_list": lambda t, F: F.vmap(lambda r: [r, r.sum()], out_dims=[1, 0])(_m(t)),
    "vmap_out_dims_dict": lambda t, F: F.vmap(lambda r: {"a": r.exp()}, out_dims={"a": 1})(_m(t)),
    "vmap_err_out_dim_range": lambda t, F: F.vmap(lambda r: r, out_dims=3)(_m(t)),
    "vmap_err_out_dims_structure": lambda t, F: F.vmap(lambda r: (r, r), out_dims=(0, (1,)))(_m(t)),
    "vmap_err_in_dims_structure": lambda t, F: F.vmap(lambda a, b: a + b, in_dims=(0, (0, 1)))(_m(t), _m(t)),
    "vmap_err_size": lambda t, F: F.vmap(lambda a, b: a + b)(_m(t), _x(t)),
    "vmap_err_dim": lambda t, F: F.vmap(lambda a: a, in_dims=2)(_m(t)),
    "vmap_err_nontensor": lambda t, F: F.vmap(lambda a: a)(3.0),
    "vmap_err_return": lambda t, F: F.vmap(lambda a: 3)(_m(t)),
    "vmap_err_no_inputs": lambda t, F: F.vmap(lambda: 3)(),
    "vmap_err_in_dims_type": lambda t, F: F.vmap(lambda a: a, in_dims=[0])(_m(t)),
    "vmap_err_in_dim_value": lambda t, F: F.vmap(lambda a: a, in_dims=(1.5,))(_m(t)),
    "vmap_err_random": lambda t, F: F.vmap(lambda a: a + t.rand(3, dtype=t.float64))(_m(t)),
    "vmap_err_randomness_arg": lambda t, F: F.vmap(lambda a: a, randomness="sometimes")(_m(t)),
    "vmap_err_none_only": lambda t, F: F.vmap(lambda a: a, in_dims=None)(_m(t)),
    # linearize, functionalize, batch norm without running stats
    "linearize": lambda t, F: (lambda r: (r[0], r[1](t.ones(3, dtype=t.float64))))(F.linearize(t.sin, _x(t))),
    "linearize_two": lambda t, F: F.linearize(lambda a, b: a * b, _x(t), _x(t) + 1)[1](
        t.ones(3, dtype=t.float64), t.zeros(3, dtype=t.float64)),
    "functionalize": lambda t, F: F.functionalize(lambda a: a.clone().add_(1) * 2)(_x(t)),
    "replace_bn": lambda t, F: (lambda m: (F.replace_all_batch_norm_modules_(m) is m, m[0].running_mean is None,
                                           m[0].track_running_stats, m[0].num_batches_tracked is None,
                                           m(_m(t).float())))(t.nn.Sequential(t.nn.BatchNorm1d(3))),
    # functional_call
    "functional_call": lambda t, F: (lambda lin: F.functional_call(lin, {"weight": t.ones(2, 3, dtype=t.float64)},
                                                                    (_m(t),)))(_mlp(t)),
    "functional_call_two_dicts": lambda t, F: (lambda lin: F.functional_call(
        lin, ({"weight": t.ones(2, 3, dtype=t.float64)}, {"bias": t.zeros(2, dtype=t.float64)}), _m(t)))(_mlp(t)),
    "functional_call_restores": lambda t, F: (lambda lin: (F.functional_call(
        lin, {"weight": t.ones(2, 3, dtype=t.float64)}, (_m(t),)), lin.weight))(_mlp(t)),
    "functional_call_kwargs": lambda t, F: F.functional_call(t.nn.Softmax(dim=0), {}, (), {"input": _x(t)}),
    "functional_call_err_dup": lambda t, F: F.functional_call(_mlp(t), ({"bias": _x(t)}, {"bias": _x(t)}), _m(t)),
    "functional_call_err_type": lambda t, F: F.functional_call(_mlp(t), 3, _m(t)),
    "functional_call_err_strict": lambda t, F: F.functional_call(_mlp(t), {"weight": t.ones(2, 3, dtype=t.float64),
                                                                           "extra": _x(t)}, (_m(t),), strict=True),
    "functional_call_strict_ok": lambda t, F: (lambda lin: F.functional_call(lin, _params(lin), (_m(t),), strict=True))(
        _mlp(t)),
}
