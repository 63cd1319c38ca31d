"""The native autograd path (rust/python/src/autograd/) against the Python one, its reference.

The hot ops (add, sub, mul, div, neg, sum, mean, exp, tanh, sigmoid, relu, mm, matmul) record
their node in Rust, and `backward()` without hooks runs in Rust. `_C._native_autograd(record,
engine)` switches either off, so every case here runs in four modes (Python nodes or native
ones, Python engine or native one) and must give the same graph, values, dtypes, errors and
hook calls in all of them, bit for bit."""

import contextlib
import gc
import re
import warnings
import weakref

import numpy as np
import pytest

import rstorch as torch
from rstorch import _C, autograd
from rstorch.autograd.graph import NativeNode, Node, OpNode

MODES = {  # name: (native recording, native engine)
    "python": (False, False),
    "native": (True, True),
    "native-nodes": (True, False),
    "native-engine": (False, True),
}


@contextlib.contextmanager
def mode(name):
    prev = _C._native_autograd(*MODES[name])
    try:
        yield
    finally:
        _C._native_autograd(*prev)


def in_all_modes(fn):
    """`fn()` in every mode; asserts all results equal the Python mode's and returns them."""
    results = {}
    for name in MODES:
        with mode(name):
            results[name] = fn()
    for name, r in results.items():
        assert_same(results["python"], r, name)
    return results


def assert_same(ref, got, where):
    if isinstance(ref, (list, tuple)):
        assert type(ref) is type(got) and len(ref) == len(got), (where, ref, got)
        for a, b in zip(ref, got):
            assert_same(a, b, where)
    elif isinstance(ref, np.ndarray):
        assert ref.dtype == got.dtype and ref.shape == got.shape, (where, ref, got)
        assert np.array_equal(ref, got, equal_nan=True), (where, ref, got)
    else:
        assert ref == got, (where, ref, got)


def value(t):
    return None if t is None else t.detach().numpy().copy()


def graph_signature(t):
    """The graph behind `t` as nested tuples of node names (leaves by their variable's name)."""
    seen = {}

    def walk(node):
        if node is None:
            return None
        if type(node).__name__ == "AccumulateGrad":
            return ("AccumulateGrad", getattr(node.variable, "_test_name", "?"))
        if node in seen:
            return ("seen", seen[node])
        seen[node] = len(seen)
        return (node.name(), tuple((walk(f), nr) for f, nr in node.next_functions))

    return walk(t.grad_fn)


def inputs():
    rng = np.random.default_rng(0)

    def make(name, shape, dtype=torch.float64, grad=True, lo=-2.0, hi=2.0):
        t = torch.tensor(rng.uniform(lo, hi, shape), dtype=dtype, requires_grad=grad)
        t._test_name = name
        return t

    return {
        "a": make("a", (2, 3)), "b": make("b", (3,), lo=0.5, hi=2.0), "c": make("c", (3, 4)),
        "v": make("v", (3,)), "s": make("s", (), torch.float32, lo=0.5), "f": make("f", (2, 3), torch.float32),
        "k": make("k", (1, 3)), "n": make("n", (2, 3), grad=False), "p": make("p", (2, 3), lo=0.5),
    }


# (torch 2.15 refuses a bool alpha for a float result: test_parity_args.py checks that error)
CASES = [
    # mul, add, sub, div, neg with tensors, numbers, alpha and broadcasting
    "a * b", "a * 2.5", "2 * a", "a * True", "a * n", "n * a", "a * a", "a * k", "k * a",
    "a + b", "a + 1", "1 + a", "a.add(b, alpha=2)", "a.add(b, alpha=0.5)", "a.add(b, alpha=-1)",
    "a.add(b, alpha=1.0)", "a - b", "a - 1", "1 - a", "a.sub(b, alpha=3)", "a.sub(b, alpha=-0.5)",
    "a / b", "a / 3", "3 / a", "b / a", "p / p", "a.div(b)", "a.div(b, rounding_mode='floor')",
    "-a", "a.neg()",
    # dtypes: a float32 input gets a float32 gradient from a float64 result, a 0-dim one a 0-dim
    "a * s", "s * a", "f * b", "f + b", "f / s", "s - f",
    # reductions
    "a.sum()", "a.sum(0)", "a.sum(-1, keepdim=True)", "a.sum((0, 1))", "a.sum(dim=[])", "a.sum(dtype=torch.float32)",
    "s.sum()", "s.sum(0)", "a.mean()", "a.mean(1)", "a.mean(-2, keepdim=True)", "a.mean((0, 1))", "s.mean()",
    # unary with a saved result
    "a.exp()", "a.tanh()", "a.sigmoid()", "a.relu()", "f.exp()", "s.sigmoid()",
    # products (matmul other than matrix @ matrix takes the Python path)
    "a.mm(c)", "a @ c", "a.matmul(c)", "v @ c", "a @ v", "f.mm(c.float())",
    # chains, shared inputs, views and Python-rule ops in between
    "((a * b + a) / (b.exp() + 1)).sigmoid().sum(1)",
    "(a.t() * 2).mm(a) - a.sum(0).view(3, 1) * b",
    "(a * b).pow(2).sum() + (a[0] * 3).sum()",
    "(a.view(6) * 2).view(2, 3).tanh() * a.relu()",
]


def run_case(expr, create_graph=False):
    env = inputs()
    out = eval(expr, {"torch": torch}, env)
    grad = torch.tensor(np.linspace(0.5, 1.5, max(out.numel(), 1)).reshape(out.shape), dtype=out.dtype)
    leaves = [env[k] for k in sorted(env) if env[k].requires_grad]
    res = [value(out), str(out.dtype), graph_signature(out)]
    if not create_graph:
        out.backward(grad)
        res += [(value(x.grad), str(x.grad.dtype) if x.grad is not None else None) for x in leaves]
        return res
    gs = autograd.grad(out, leaves, grad_outputs=grad, create_graph=True, allow_unused=True)
    res += [value(g) for g in gs]
    total = sum(((g * g).sum() for g in gs if g is not None and g.requires_grad), torch.zeros((), dtype=torch.float64))
    if total.requires_grad:
        total.backward()
    res += [value(x.grad) for x in leaves]
    return res


@pytest.mark.parametrize("expr", CASES)
def test_values_graph_and_gradients_agree(expr):
    in_all_modes(lambda: run_case(expr))


@pytest.mark.parametrize("expr", CASES)
def test_double_backward_agrees(expr):
    in_all_modes(lambda: run_case(expr, create_graph=True))


def test_native_nodes_look_like_python_nodes():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    f = y.grad_fn
    assert type(f).__name__ == "MulBackward0" and f.name() == "MulBackward0"
    assert isinstance(f, NativeNode) and isinstance(f, Node) and not isinstance(f, OpNode)
    assert re.fullmatch(r"<MulBackward0 object at 0x[0-9a-f]+>", repr(f))
    assert f.metadata == {}
    (acc, nr), none = f.next_functions
    assert type(acc).__name__ == "AccumulateGrad" and acc.variable is x and nr == 0 and none == (None, 0)
    # one AccumulateGrad per leaf, shared by every node (native or not) while alive
    assert (x + 1).grad_fn.next_functions[0][0] is acc is x.view(3).grad_fn.next_functions[0][0]
    assert type((x * x).sum().grad_fn).__name__ == "SumBackward0"
    assert type(x.sum(0).grad_fn).__name__ == "SumBackward1"
    assert type((1 - x).grad_fn).__name__ == "RsubBackward1"
    assert type((1 / x).grad_fn).__name__ == "DivBackward0"
    assert type(x.div(2, rounding_mode="trunc").grad_fn).__name__ == "DivBackward2"
    assert isinstance(x.view(1, 3).matmul(x.view(3, 1)).grad_fn, NativeNode)
    assert isinstance(x.matmul(x).grad_fn, OpNode)  # 1-D: the Python rule
    # calling a node applies its rule
    (g0, g1) = f(torch.ones(3))
    assert g0.tolist() == [2.0, 2.0, 2.0] and g1 is None


def test_hooks_and_retain_grad_agree():
    def run():
        calls = []
        x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x * 2
        z = (y + x).exp()
        y.retain_grad()
        y.register_hook(lambda g: calls.append(("y", value(g))) or g * 3)
        z.grad_fn.register_prehook(lambda go: calls.append(("pre", value(go[0]))))
        z.grad_fn.register_hook(lambda gi, go: calls.append(("post", value(gi[0]))))
        x.register_hook(lambda g: calls.append(("x", value(g))))
        y.grad_fn.next_functions[0][0].register_hook(lambda gi, go: calls.append(("acc", value(go[0]))))
        w = z.sum()
        w.backward()
        return [value(x.grad), value(y.grad), calls]
    in_all_modes(run)


def test_version_errors_agree():
    def input_modified():
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = torch.ones(2, 3)
        y = x * w
        w.add_(1)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        return str(e.value)

    def output_modified():
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x.exp()
        z = y * 1
        y.add_(1)
        with pytest.raises(RuntimeError) as e:
            z.sum().backward()
        return str(e.value)

    def unused_input_modified():
        # add reads no input value, and mul only the one the other gradient needs
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        w = torch.ones(2)
        y = (x + w) * 1 + x * w.clone()
        w.mul_(2)
        z = x * torch.ones(2)
        y.sum().backward()
        z.sum().backward()
        return value(x.grad)

    msgs = in_all_modes(input_modified)
    assert "[torch.FloatTensor [2, 3]] is at version 1; expected version 0 instead" in msgs["native"]
    msgs = in_all_modes(output_modified)
    assert "[torch.FloatTensor [3]], which is output 0 of Exp, is at version 1; expected version 0" in msgs["native"]
    in_all_modes(unused_input_modified)


def test_second_backward_and_retain_graph_agree():
    def run():
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        first = value(x.grad)
        with pytest.raises(RuntimeError) as e:
            y.backward()
        z = (x.exp() * 2).sum()
        z.backward()
        with pytest.raises(RuntimeError) as e2:
            autograd.grad(z, x)
        return [first, str(e.value), str(e2.value)]
    r = in_all_modes(run)
    assert r["native"][1].startswith("Trying to backward through the graph a second time")


def test_saved_tensors_freed_by_native_backward():
    with mode("native"):
        x = torch.ones(4, requires_grad=True)
        h = x * 2
        y = (h * h).exp()
        refs = [weakref.ref(h), weakref.ref(y.grad_fn), weakref.ref(y.grad_fn.next_functions[0][0])]
        del h
        gc.collect()
        assert refs[0]() is not None  # saved by the mul node
        y.sum().backward()
        assert refs[0]() is None      # freed with the saved values, without the cycle collector
        del y
        assert refs[1]() is None and refs[2]() is None


def test_graph_freed_without_the_cycle_collector():
    gc.collect()
    gc.disable()
    try:
        x = torch.ones(3, requires_grad=True)
        y = (x * 2 + x).sigmoid().mean()
        refs = [weakref.ref(y.grad_fn), weakref.ref(y.grad_fn.next_functions[0][0])]
        acc = weakref.ref(y.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[1][0])
        del y
        assert all(r() is None for r in refs) and acc() is None
    finally:
        gc.enable()


def test_cycles_through_hooks_are_collected():
    x = torch.ones(3, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g, y=y: g)  # node -> hook -> y -> node
    ref = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert ref() is None


def test_inplace_on_views_agree():
    def run():
        x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        w = torch.tensor([2.0, 3.0], requires_grad=True)
        base = x * 1
        base[0:2].mul_(w)                    # a view of a tracked base
        buf = torch.zeros(4)
        buf[1:3].add_(w * x[0:2])            # a view of an untracked base
        y = base * 3
        y.add_(1)                            # the rebased history of a non-leaf
        out = (base * 2).sum() + buf.sum() + y.sum()
        sig = [graph_signature(base), graph_signature(buf), graph_signature(y)]
        out.backward()
        return [sig, value(x.grad), value(w.grad)]
    in_all_modes(run)


def test_autograd_grad_and_inputs_agree():
    def run():
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        w = torch.tensor([3.0, -1.0], requires_grad=True)
        h = x * w
        y = (h.tanh() + w).sum()
        gx, gh = autograd.grad(y, [x, h], retain_graph=True)
        y.backward(inputs=[w])
        return [value(gx), value(gh), value(w.grad), x.grad is None]
    in_all_modes(run)


def test_anomaly_mode_records_python_nodes_with_traceback():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with autograd.detect_anomaly():
            y = x * 2
            assert isinstance(y.grad_fn, OpNode) and y.grad_fn._trace
    assert isinstance((x * 2).grad_fn, NativeNode)


def test_native_engine_runs_mixed_graphs():
    # view nodes, custom Functions and CopySlices are Python nodes the native engine calls
    class Square(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x

    def run():
        x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = Square.apply(x.t() * 3).reshape(4)[1:].sum() * x.mean()
        y.backward()
        return value(x.grad)
    in_all_modes(run)


def test_gradient_is_not_aliased_between_leaves():
    # add passes one gradient to both inputs: each leaf's .grad must be its own copy
    with mode("native"):
        a = torch.ones(3, requires_grad=True)
        b = torch.ones(3, requires_grad=True)
        (a + b).backward(torch.ones(3))
        a.grad.add_(1)
        assert b.grad.tolist() == [1.0, 1.0, 1.0]


def test_modes_switch_recorder_and_engine():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    for name, (record, engine) in MODES.items():
        with mode(name):
            y = (x * 2).sum()
            assert isinstance(y.grad_fn, NativeNode if record else OpNode)
            assert _C._backward([(y.grad_fn, 0)], [torch.ones((), dtype=y.dtype)], True) is engine
    # a graph with a hook is left to the Python engine (which runs nothing before saying so)
    y = x * 2
    y.register_hook(lambda g: g)
    assert x.grad.tolist() == [4.0, 4.0]  # from the two modes with the native engine
    assert _C._backward([(y.grad_fn, 0)], [torch.ones(2)], False) is False
    x.grad = None
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_several_roots_and_large_tensors_agree():
    # kernels on large tensors run with the GIL released, also in the native engine
    def run():
        rng = np.random.default_rng(1)
        x = torch.tensor(rng.standard_normal((300, 200)), requires_grad=True)
        w = torch.tensor(rng.standard_normal(200), dtype=torch.float32, requires_grad=True)
        y1 = (x * w + x.tanh()).mean(0)
        y2 = (x / (w.exp() + 1)).sigmoid()
        autograd.backward([y1, y2], [torch.ones(200, dtype=torch.float64), torch.full((300, 200), 0.5, dtype=torch.float64)])
        return [value(x.grad), value(w.grad)]
    in_all_modes(run)


@pytest.mark.parametrize("expr", ["x * w", "w * x", "x / w", "w / x", "1 / x", "x.view(1, 2).mm(w.view(2, 1))",
                                  "x.view(1, 2) @ w.view(2, 1)", "x + w", "x - w", "x.exp()", "x.sum()"])
def test_requires_grad_turned_off_after_recording_agrees(expr):
    # a leaf that no longer requires grad gets no gradient (torch's AccumulateGrad checks), and
    # rules that test requires_grad at backward time do not compute it
    def run():
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        w = torch.tensor([3.0, 4.0], requires_grad=True)
        y = eval(expr)
        x.requires_grad_(False)
        y.sum().backward()
        assert x.grad is None
        return [value(x.grad), value(w.grad)]
    in_all_modes(run)


def test_leaf_accumulation_follows_torch():
    # the first gradient becomes .grad: a fresh buffer as it is, anything else copied into a
    # tensor laid out as the leaf (at version 1: torch copies into a new tensor); later
    # gradients are added into that same tensor in place
    def run():
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x * 2).sum().backward()
        first = x.grad
        v0 = first._version
        (x * 3).sum().backward()
        assert x.grad is first
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        w.sum().backward()   # an expanded gradient: copied
        t = torch.zeros(4, 3, dtype=torch.float64).t().requires_grad_()
        (t * 2).sum().backward()
        g = torch.zeros(4, 3, dtype=torch.float64)[:, :2].requires_grad_()
        (g * 2).sum().backward()
        return [value(first), first._version - v0, w.grad._version, value(w.grad), t.grad.stride(),
                g.grad.stride(), value(t.grad)], v0
    r = in_all_modes(lambda: run()[0])["python"]
    assert r[0].tolist() == [5.0, 5.0, 5.0] and r[1] == 1 and r[2] == 1
    assert r[4] == (1, 3) and r[5] == (2, 1)   # transposed leaf: its strides; gapped leaf: contiguous
    # the native engine takes the fresh buffer itself (torch's steal: version 0); engine.py,
    # whose frames still hold the gradient, copies it
    with mode("native"):
        assert run()[1] == 0


def test_leaf_gradient_never_aliases_what_the_caller_holds():
    def run():
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        g = torch.tensor([1.0, 1.0])
        x.backward(g)   # the root gradient is the caller's tensor
        g.mul_(5)
        a = torch.ones(2, requires_grad=True)
        b = torch.ones(2, requires_grad=True)
        (a + b).sum().backward()   # one gradient sent to both leaves
        a.grad.add_(10)
        return [value(x.grad), value(b.grad)]
    r = in_all_modes(run)["python"]
    assert r[0].tolist() == [1.0, 1.0] and r[1].tolist() == [1.0, 1.0]


def test_leaf_accumulation_special_grads():
    def run():
        c = torch.tensor([1.0, 2.0], requires_grad=True)
        c.grad = torch.ones(2, requires_grad=True)   # a .grad that requires grad: added in place
        first = c.grad
        (c * 2).sum().backward()
        d = torch.tensor([1.0], requires_grad=True)
        (d * d).sum().backward(create_graph=True)   # under create_graph: out of place, recorded
        g1 = d.grad
        (d * d).sum().backward(create_graph=True)
        return [c.grad is first, value(c.grad).tolist(), c.grad.requires_grad, g1.grad_fn.name(),
                d.grad.grad_fn.name(), value(d.grad).tolist(), d.grad is g1]
    assert in_all_modes(run)["python"] == [True, [3.0, 3.0], True, "torch::autograd::CopyBackwards",
                                           "AddBackward0", [4.0], False]


def test_post_accumulate_grad_hooks():
    def run():
        seen = []
        p = torch.tensor([1.0, 2.0], requires_grad=True)
        h = p.register_post_accumulate_grad_hook(lambda t: seen.append(("post", value(t.grad))))
        p.register_hook(lambda g: seen.append(("pre", value(g))))
        (p * 2).sum().backward()
        (p * 3).sum().backward()
        h.remove()
        (p * 1).sum().backward()
        q = torch.ones(1, requires_grad=True)
        q.register_post_accumulate_grad_hook(lambda t: t * 2)
        with pytest.raises(RuntimeError, match="^Tensor post accumulate grad hooks should return None.$"):
            (q * 2).sum().backward()
        return seen
    assert [(k, v.tolist()) for k, v in in_all_modes(run)["python"]] == [
        ("pre", [2.0, 2.0]), ("post", [2.0, 2.0]), ("pre", [3.0, 3.0]), ("post", [5.0, 5.0]), ("pre", [1.0, 1.0])]
    x = torch.ones(1, requires_grad=True)
    with pytest.raises(RuntimeError, match="^post accumulate grad hooks cannot be registered on non-leaf tensors$"):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="^cannot register a hook on a tensor that doesn't require gradient$"):
        torch.ones(1).register_post_accumulate_grad_hook(lambda t: None)


@pytest.mark.parametrize("expr", ["a * b", "a / b", "b / a", "2 / a", "a.mm(b.t())", "a @ b.t()"])
def test_several_modified_inputs_report_the_first_one_used(expr):
    # both inputs modified: the error names the one the Python rule reads first
    def run():
        a = torch.ones(2, 2, requires_grad=True) * 1
        b = torch.full((2, 2), 2.0, requires_grad=True) * 1
        y = eval(expr)
        a.add_(1)
        b.mul_(3)
        b.mul_(3)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        return str(e.value)
    in_all_modes(run)
