"""Differential sweep of autograd behaviour: the same scenarios run with `import torch` and with
`import rstorch as torch`, printed in a comparable form (gradients rounded, node names,
next_functions structure, flags, error types and messages, warnings, hook order, versions...).

Not part of the test suite (it needs torch). Usage:

    python tests/tools/autograd_sweep.py rstorch > r.txt       # one library's output
    python tests/tools/autograd_sweep.py --diff [TORCH_PYTHON]  # run both and diff

`--diff` runs this script under TORCH_PYTHON (default: the interpreter of
/root/.cache/rstorch-torch-venv, or $TORCH_PYTHON) for torch and under the current interpreter
for rstorch, and prints a unified diff (empty when they agree). Each discrepancy found so far is
either fixed in rstorch (with a test in tests/test_autograd*.py) or listed in KNOWN below.
"""

import difflib
import gc
import importlib
import os
import re
import subprocess
import sys
import threading
import warnings

# Differences kept on purpose or not fixed (scenario: why); --diff drops their lines.
KNOWN = {
    "rdiv_structure": "rstorch records number / tensor as one DivBackward0 node (torch: a reciprocal, then "
                      "MulBackward0); the gradients are the same",
    "data_version": "rstorch's version counter belongs to the storage, so writes through .data count "
                    "(torch gives .data a counter of its own): saved tensors modified through .data "
                    "raise at backward instead of silently giving gradients of the new values",
}

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


# ------------------------------------------------------------------ formatting


def norm(s):
    s = str(s)
    s = s.replace("rstorch", "torch")
    s = re.sub(r"0x[0-9a-fA-F]+", "0x?", s)
    return s


class Out:
    def __init__(self, torch):
        self.torch = torch
        self.lines = []
        self.prefix = ""

    def __call__(self, key, value):
        self.lines.append(f"{self.prefix}{key} = {self.fmt(value)}")

    def fmt(self, v):
        torch = self.torch
        if isinstance(v, torch.Tensor):
            vals = v.detach().double().reshape(-1).tolist() if v.dtype.is_floating_point else v.reshape(-1).tolist()
            vals = [round(x, 4) if isinstance(x, float) else x for x in vals]
            f = v.grad_fn
            return (f"T{list(v.shape)} {norm(v.dtype)} {vals} rg={v.requires_grad} leaf={v.is_leaf} "
                    f"fn={None if f is None else f.name()}")
        if isinstance(v, (list, tuple)):
            return "(" + ", ".join(self.fmt(x) for x in v) + ")"
        if v is None or isinstance(v, (bool, int, str)):
            return norm(repr(v))
        if isinstance(v, float):
            return repr(round(v, 4))
        if hasattr(v, "next_functions") or hasattr(v, "name") and callable(getattr(v, "name", None)):
            try:
                return f"<node {v.name()}>"
            except Exception:  # noqa: BLE001
                pass
        return norm(type(v).__name__)

    def err(self, key, fn):
        """Run fn(); print its result or the error it raised."""
        try:
            self(key, fn())
        except Exception as e:  # noqa: BLE001
            self.lines.append(f"{self.prefix}{key} ! {type(e).__name__}: {norm(e)}")

    def graph(self, key, t):
        """The backward graph below `t` (names, output_nr, shared nodes numbered)."""
        seen = {}
        lines = []

        def walk(node, nr, depth):
            if node is None:
                lines.append("  " * depth + f"None,{nr}")
                return
            if id(node) in seen:
                lines.append("  " * depth + f"#{seen[id(node)]} {node.name()},{nr}")
                return
            seen[id(node)] = len(seen)
            extra = ""
            if node.name() == "torch::autograd::AccumulateGrad" or type(node).__name__ == "AccumulateGrad":
                extra = f" var={list(node.variable.shape)}"
            lines.append("  " * depth + f"#{seen[id(node)]} {node.name()},{nr}{extra}")
            if depth < 12:
                for n, k in node.next_functions:
                    walk(n, k, depth + 1)

        walk(t.grad_fn, t.output_nr if t.grad_fn is not None else 0, 0)
        self.lines.append(f"{self.prefix}{key} graph:")
        self.lines.extend(f"{self.prefix}    {norm(l).replace('torch::autograd::', '')}" for l in lines)


def leaf(torch, data, dtype=None):
    return torch.tensor(data, dtype=dtype or torch.float64, requires_grad=True)


# ------------------------------------------------------------------ scenarios


@scenario
def grads_elementwise(torch, out):
    x = leaf(torch, [0.5, -1.5, 2.0])
    y = leaf(torch, [1.0, 2.0, -3.0])
    for name, f in [
        ("add", lambda: x + y), ("sub", lambda: x - 2 * y), ("mul", lambda: x * y), ("div", lambda: x / y),
        ("pow", lambda: x ** 2), ("rpow", lambda: 2 ** x), ("pow_t", lambda: x.abs() ** y), ("exp", lambda: x.exp()),
        ("tanh", lambda: x.tanh()), ("sigmoid", lambda: x.sigmoid()), ("relu", lambda: x.relu()),
        ("abs", lambda: x.abs()), ("neg", lambda: -x), ("sqrt", lambda: x.abs().sqrt()), ("log", lambda: y.abs().log()),
        ("clamp", lambda: x.clamp(-1, 1)), ("where", lambda: torch.where(x > 0, x, y)), ("max", lambda: torch.maximum(x, y)),
        ("sin", lambda: x.sin()), ("rsub", lambda: 1 - x), ("square", lambda: x.square()),
        ("lerp", lambda: torch.lerp(x, y, 0.3)), ("addcmul", lambda: torch.addcmul(x, x, y, value=2)),
    ]:
        x.grad = y.grad = None
        r = f()
        out(f"{name}.fn", r.grad_fn)
        r.sum().backward()
        out(f"{name}.grads", (x.grad, y.grad))


@scenario
def rdiv_structure(torch, out):
    y = leaf(torch, [1.0, 2.0, -3.0])
    r = 1 / y
    out.graph("rdiv", r)
    r.sum().backward()
    out("grad", y.grad)


@scenario
def grads_reduce_linalg(torch, out):
    torch.manual_seed(0)
    a = leaf(torch, [[1.0, 2.0, 3.0], [4.0, -5.0, 6.0]])
    b = leaf(torch, [[0.5, 1.0], [-1.0, 2.0], [3.0, 0.25]])
    for name, f in [
        ("sum", lambda: a.sum()), ("sum1", lambda: a.sum(1)), ("sumk", lambda: a.sum(0, keepdim=True)),
        ("mean", lambda: a.mean()), ("mean1", lambda: a.mean(1)), ("prod", lambda: a.prod(1)),
        ("max", lambda: a.max()), ("max1", lambda: a.max(1)[0]), ("amax", lambda: a.amax(0)),
        ("norm", lambda: a.norm()), ("var", lambda: a.var(1)), ("std", lambda: a.std()),
        ("logsumexp", lambda: a.logsumexp(1)), ("softmax", lambda: a.softmax(1) * torch.arange(3.0, dtype=torch.float64)),
        ("mm", lambda: a.mm(b)), ("matmul", lambda: a @ b), ("t", lambda: a.t() @ a),
        ("cumsum", lambda: a.cumsum(1) * a), ("sort", lambda: a.sort(1)[0] * torch.arange(3.0, dtype=torch.float64)),
    ]:
        a.grad = b.grad = None
        r = f()
        out(f"{name}.fn", r.grad_fn)
        (r * r).sum().backward()
        out(f"{name}.grads", (a.grad, b.grad))


@scenario
def grads_views_indexing(torch, out):
    x = leaf(torch, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    for name, f in [
        ("view", lambda: x.view(3, 2)), ("reshape", lambda: x.reshape(-1)), ("t", lambda: x.t()),
        ("permute", lambda: x.permute(1, 0)), ("expand", lambda: x[:1].expand(3, 3)), ("index", lambda: x[1]),
        ("slice", lambda: x[:, 1:]), ("step", lambda: x[:, ::2]), ("adv", lambda: x[[0, 1, 1], [2, 0, 0]]),
        ("mask", lambda: x[x > 2]), ("narrow", lambda: x.narrow(1, 1, 2)), ("select", lambda: x.select(1, 0)),
        ("unsqueeze", lambda: x.unsqueeze(0)), ("squeeze", lambda: x[:1].squeeze(0)), ("flatten", lambda: x.flatten()),
        ("diagonal", lambda: x.diagonal()), ("cat", lambda: torch.cat([x, x * 2])), ("stack", lambda: torch.stack([x, x], 1)),
        ("split", lambda: x.split(1)[1]), ("chunk", lambda: x.chunk(3, 1)[2]), ("unbind", lambda: x.unbind(1)[0]),
        ("gather", lambda: x.gather(1, torch.tensor([[0, 0], [2, 1]]))), ("repeat", lambda: x.repeat(2, 1)),
        ("flip", lambda: x.flip(0)), ("roll", lambda: x.roll(1, 1)), ("tril", lambda: x.tril()),
        ("index_select", lambda: x.index_select(1, torch.tensor([2, 0, 2]))), ("contiguous", lambda: x.t().contiguous()),
    ]:
        x.grad = None
        r = f()
        out(f"{name}.fn", r.grad_fn)
        out(f"{name}.view", (r._base is x, r._is_view()))
        (r * torch.arange(float(r.numel()), dtype=torch.float64).reshape(r.shape)).sum().backward()
        out(f"{name}.grad", x.grad)


@scenario
def broadcasting_dtypes(torch, out):
    a = leaf(torch, [[1.0], [2.0]])
    b = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float32, requires_grad=True)
    r = a * b
    out("r", r)
    r.sum().backward()
    out("grads", (a.grad, b.grad))
    out("dtypes", (str(a.grad.dtype), str(b.grad.dtype)))
    c = torch.tensor(2.0, requires_grad=True)
    (c * torch.ones(2, 3)).sum().backward()
    out("scalar grad", c.grad)
    h = torch.tensor([1.0, 2.0], dtype=torch.float16, requires_grad=True)
    (h.float() * 3).sum().backward()
    out("half grad", h.grad)


@scenario
def graph_structure(torch, out):
    x = leaf(torch, [1.0, 2.0])
    y = leaf(torch, [3.0, 4.0])
    z = (x * y + x.exp()).sum() * 2
    out.graph("z", z)
    out.graph("mul_scalar", x * 2)
    out.graph("add_self", x + x)
    w = torch.ones(2, dtype=torch.float64)
    out.graph("mixed", x * w + y)
    a, b = (x * 1).split(1)
    out.graph("split_b", b)
    out("split nr", (a.output_nr, b.output_nr))
    m, i = (x * 1).max(0)
    out.graph("max", m)
    out("acc shared", x.grad_fn is None and (x * 2).grad_fn.next_functions[0][0] is (x * 3).grad_fn.next_functions[0][0])
    acc = (x * 2).grad_fn.next_functions[0][0]
    out("acc.variable is x", acc.variable is x)
    out("acc.next", acc.next_functions)
    out("name", (z.grad_fn.name(), type(z.grad_fn).__name__))
    out("metadata", z.grad_fn.metadata)
    out.err("register_hook none", lambda: torch.ones(2).register_hook(lambda g: g))


@scenario
def flags(torch, out):
    x = leaf(torch, [1.0, 2.0])
    y = x * 2
    out("x", (x.is_leaf, x.requires_grad, x.grad_fn))
    out("y", (y.is_leaf, y.requires_grad))
    d = y.detach()
    out("detach", (d.is_leaf, d.requires_grad, d._base is None))
    with torch.no_grad():
        n = x * 2
    out("no_grad result", (n.is_leaf, n.requires_grad))
    p = torch.ones(2)
    out("plain", (p.is_leaf, p.requires_grad))
    out.err("int rg", lambda: torch.ones(2, dtype=torch.int64).requires_grad_())
    out.err("int rg ctor", lambda: torch.tensor([1, 2], requires_grad=True))
    out.err("nonleaf rg False", lambda: y.requires_grad_(False))
    out.err("nonleaf rg True", lambda: (y.requires_grad_(True), y.is_leaf))
    out.err("leaf rg False", lambda: (torch.ones(2, requires_grad=True).requires_grad_(False).requires_grad))
    out.err("zeros rg", lambda: torch.zeros(2, requires_grad=True))
    out("is_leaf of views", (x[0].is_leaf, x.detach()[0].is_leaf))
    v = torch.ones(3)[1:]
    out("plain view", (v.is_leaf, v.requires_grad, v._is_view()))
    out("Variable", torch.autograd.Variable(torch.ones(2), requires_grad=True))
    out("type", type(torch.autograd.Variable(torch.ones(1))).__name__)


@scenario
def errors_backward(torch, out):
    x = leaf(torch, [1.0, 2.0])
    out.err("nonscalar", lambda: (x * 2).backward())
    out.err("no grad", lambda: torch.ones(2).sum().backward())
    out.err("grad shape", lambda: (x * 2).backward(torch.ones(3, dtype=torch.float64)))
    out.err("grad type", lambda: (x * 2).sum().backward(2.0))
    out.err("grad dtype", lambda: ((x * 2).backward(torch.ones(2, dtype=torch.float32)), x.grad)[1])
    x.grad = None
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    out("twice retained", x.grad)
    out.err("third", lambda: y.backward())
    z = (x.exp()).sum()
    z.backward()
    out.err("exp twice", lambda: z.backward())
    out.err("leaf backward", lambda: x.sum().backward())
    out("x.grad", x.grad)
    out.err("int output", lambda: (x > 1).sum().backward())
    out.err("empty inputs", lambda: (x * 2).sum().backward(inputs=[]))
    out.err("inputs nonrg", lambda: (x * 2).sum().backward(inputs=[torch.ones(2)]))
    x.grad = None
    w = leaf(torch, [3.0, 4.0])
    (x * w).sum().backward(inputs=[w])
    out("inputs only w", (x.grad, w.grad))
    out.err("backward grad_tensors count", lambda: torch.autograd.backward([x * 2, x * 3], [torch.ones(2, dtype=torch.float64)]))


@scenario
def nonscalar_backward(torch, out):
    x = leaf(torch, [1.0, 2.0, 3.0])
    y = x * x
    y.backward(torch.tensor([1.0, 0.1, 0.01], dtype=torch.float64))
    out("x.grad", x.grad)
    y2 = (x * 2).reshape(3, 1) * x
    y2.backward(torch.ones(3, 3, dtype=torch.float64))
    out("x.grad 2", x.grad)
    torch.autograd.backward([x.sum(), (x * 2).sum()])
    out("x.grad 3", x.grad)
    torch.autograd.backward((x * 3).sum(), grad_tensors=torch.tensor(2.0, dtype=torch.float64))
    out("x.grad 4", x.grad)


@scenario
def autograd_grad(torch, out):
    x = leaf(torch, [1.0, 2.0])
    y = leaf(torch, [3.0, 4.0])
    u = leaf(torch, [5.0])
    z = (x * y).sum()
    out("grad", torch.autograd.grad(z, [x, y], retain_graph=True))
    out.err("unused", lambda: torch.autograd.grad(z, [x, u], retain_graph=True))
    out("allow_unused", torch.autograd.grad(z, [x, u], retain_graph=True, allow_unused=True))
    out("materialize", torch.autograd.grad(z, [x, u], retain_graph=True, materialize_grads=True))
    out.err("materialize+allow_unused=False", lambda: torch.autograd.grad(z, [u], materialize_grads=True, allow_unused=False))
    out.err("input not rg", lambda: torch.autograd.grad(z, [torch.ones(2)], retain_graph=True))
    out.err("output not rg", lambda: torch.autograd.grad(torch.ones(2).sum(), [x]))
    out.err("nonscalar", lambda: torch.autograd.grad(x * 2, [x]))
    out("grad_outputs", torch.autograd.grad(x * 2, x, grad_outputs=torch.tensor([1.0, 3.0], dtype=torch.float64)))
    out("x.grad untouched", x.grad)
    out("single input", torch.autograd.grad((x ** 3).sum(), x))
    g, = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    out("g", g)
    out("gg", torch.autograd.grad(g.sum(), x))
    out.err("after free", lambda: torch.autograd.grad(z, [x]))
    out.err("only_inputs", lambda: torch.autograd.grad((x * 2).sum(), x, only_inputs=False))
    v = x * 2
    out("nonleaf input", torch.autograd.grad((v * v).sum(), v))
    out("two outputs", torch.autograd.grad([(x * 2).sum(), (x * 3).sum()], x))
    out.err("grad_outputs count", lambda: torch.autograd.grad([x.sum(), x.sum()], x, grad_outputs=[None]))
    out.err("is_grads_batched", lambda: torch.autograd.grad(x.sum(), x, is_grads_batched=False))


@scenario
def double_backward(torch, out):
    x = leaf(torch, [0.5, 1.5])
    y = (x.sin() * x.exp()).sum()
    g, = torch.autograd.grad(y, x, create_graph=True)
    out("g", g)
    out.graph("g", g)
    h, = torch.autograd.grad(g.sum(), x)
    out("h", h)
    x.grad = None
    z = (x ** 3).sum()
    z.backward(create_graph=True)
    out("x.grad cg", x.grad)
    out("x.grad.fn", x.grad.grad_fn)
    x.grad.sum().backward()
    out("x.grad after", x.grad)


@scenario
def hooks(torch, out):
    order = []
    x = leaf(torch, [1.0, 2.0])
    hx1 = x.register_hook(lambda g: order.append(("x1", g.tolist())))
    x.register_hook(lambda g: (order.append(("x2", g.tolist())), g * 10)[1])
    y = x * 3
    y.register_hook(lambda g: (order.append(("y", g.tolist())), g + 1)[1])
    z = y.sum()
    z.register_hook(lambda g: order.append(("z", g.tolist())))
    z.backward()
    out("order", order)
    out("x.grad", x.grad)
    order.clear()
    hx1.remove()
    x.grad = None
    (x * 3).sum().backward()
    out("after remove", order)
    out("x.grad 2", x.grad)
    out("handle type", type(hx1).__name__)
    order.clear()
    a = leaf(torch, [1.0, 2.0])
    b = a * 2
    f = b.grad_fn
    f.register_prehook(lambda go: (order.append(("pre", [g.tolist() for g in go])), None)[1])
    f.register_hook(lambda gi, go: order.append(("post", [None if g is None else g.tolist() for g in gi],
                                                  [g.tolist() for g in go])))
    (b * b).sum().backward()
    out("node hooks", order)
    out("a.grad", a.grad)
    order.clear()
    c = leaf(torch, [1.0])
    d = c * 2
    d.grad_fn.register_hook(lambda gi, go: tuple(None if g is None else g * 100 for g in gi))
    d.sum().backward()
    out("node hook replaces", c.grad)
    e = leaf(torch, [1.0])
    (e * 2).grad_fn.register_prehook(lambda go: (go[0] * 7,))
    k = e * 2
    k.grad_fn.register_prehook(lambda go: (go[0] * 7,))
    k.sum().backward()
    out("prehook replaces", e.grad)
    out.err("hook on nonrg", lambda: torch.ones(1).register_hook(lambda g: g))
    m = leaf(torch, [1.0, 2.0])
    m.register_hook(lambda g: None)
    m2 = m * m
    m2.register_hook(lambda g: g * 0)
    m2.sum().backward()
    out("zeroing hook", m.grad)
    seen = []
    p = leaf(torch, [1.0, 2.0])
    hp = p.register_post_accumulate_grad_hook(lambda t: seen.append(("post", t.grad.tolist())))
    p.register_hook(lambda g: seen.append(("pre", g.tolist())))
    (p * 2).sum().backward()
    (p * 3).sum().backward()
    out("post-accumulate", seen)
    hp.remove()
    (p * 1).sum().backward()
    out("post-accumulate removed", seen)
    out.err("post on nonleaf", lambda: (p * 2).register_post_accumulate_grad_hook(lambda t: None))
    out.err("post on nonrg", lambda: torch.ones(1).register_post_accumulate_grad_hook(lambda t: None))
    q = leaf(torch, [1.0])
    q.register_post_accumulate_grad_hook(lambda t: t * 2)
    out.err("post returns", lambda: (q * 2).sum().backward())
    r = leaf(torch, [1.0])
    out.err("hook wrong shape", lambda: ((r * 2).register_hook(lambda g: torch.ones(3, dtype=torch.float64)),
                                          (r * 2).sum().backward()))


@scenario
def retain_grad(torch, out):
    x = leaf(torch, [1.0, 2.0])
    y = x * 2
    out("retains before", y.retains_grad)
    y.retain_grad()
    out("retains after", y.retains_grad)
    z = y * y
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out("z.grad nonleaf", z.grad)
        out("warn", [norm(str(i.message))[:80] for i in w])
    z.sum().backward(retain_graph=True)
    out("y.grad", y.grad)
    (y * 3).sum().backward()
    out("y.grad accumulated", y.grad)
    x.retain_grad()
    out("leaf retains", x.retains_grad)
    out.err("retain nonrg", lambda: torch.ones(1).retain_grad())
    a = leaf(torch, [1.0])
    b = a * 2
    b.retain_grad()
    b.register_hook(lambda g: g * 5)
    (b * 1).sum().backward()
    out("retain after hook", (b.grad, a.grad))
    c = a * 3
    c.retain_grad()
    (c * c).sum().backward(create_graph=True)
    out("retain create_graph", (c.grad, c.grad.requires_grad))


@scenario
def versions(torch, out):
    x = torch.ones(3)
    out("new", x._version)
    x.add_(1)
    out("add_", x._version)
    v = x[1:]
    v.mul_(2)
    out("view mul_", (x._version, v._version))
    d = x.detach()
    d.zero_()
    out("detach zero_", (x._version, d._version))
    x[0] = 5
    out("setitem", x._version)
    x += 1
    out("iadd", x._version)
    y = x + 1
    out("out of place", (x._version, y._version))
    torch.ones(2).copy_(x[:2])
    out("copy_ src", x._version)
    x.fill_(2)
    out("fill_", x._version)
    w = leaf(torch, [1.0, 2.0])
    g = (w * 2).sum()
    g.backward()
    out("grad version", w.grad._version)
    (w * 2).sum().backward()
    out("grad version accumulated", w.grad._version)


@scenario
def metadata_inplace(torch, out):
    u = torch.zeros(2, 3)
    out.err("t_", lambda: (u.t_(), u._version, u.shape)[1:])
    out.err("unsqueeze_", lambda: (u.unsqueeze_(0), u._version, u.shape)[1:])


@scenario
def version_errors(torch, out):
    x = leaf(torch, [1.0, 2.0])
    y = x.sigmoid()
    z = y * 1
    y.mul_(2)
    out.err("sigmoid out modified", lambda: z.sum().backward() if False else y.sum().backward())
    a = leaf(torch, [1.0, 2.0])
    b = a * 1
    c = b * b
    b.add_(1)
    out.err("mul input modified", lambda: c.sum().backward())
    d = a * 1
    e = d.exp()
    e.add_(1)
    out.err("exp out modified", lambda: e.sum().backward())
    f = a * 1
    g = f + f
    f.add_(1)
    g.sum().backward()
    out("add input modified ok", a.grad)
    h = a * 1
    k = h.view(2, 1) @ h.view(1, 2)
    h.mul_(3)
    out.err("matmul view modified", lambda: k.sum().backward())


@scenario
def data_version(torch, out):
    x = leaf(torch, [1.0, 2.0])
    d = x.data
    d.mul_(2)
    out("x after data mul_", (x, x._version, d._version))
    y = x * x
    x.data.add_(1)
    out.err("grad after data change", lambda: (y.sum().backward(), x.grad)[1])


@scenario
def data_behaviour(torch, out):
    x = leaf(torch, [1.0, 2.0])
    d = x.data
    out("data flags", (d.is_leaf, d.requires_grad, d._base is None, d.data_ptr() == x.data_ptr()))
    d.mul_(2)
    out("x after data mul_", x)
    x.data = torch.tensor([7.0, 8.0, 9.0], dtype=torch.float64)
    out("x after data set", (x, x.requires_grad, x.is_leaf))
    out.err("data set non tensor", lambda: setattr(x, "data", [1.0]))
    n = x * 2
    out("nonleaf data", (n.data.requires_grad, n.data.is_leaf))
    x.grad = None
    out.err("grad set shape", lambda: setattr(x, "grad", torch.zeros(2, dtype=torch.float64)))
    out.err("grad set dtype", lambda: setattr(x, "grad", torch.zeros(3)))
    out.err("grad set int", lambda: setattr(x, "grad", 3))
    out.err("grad set ok", lambda: (setattr(x, "grad", torch.ones(3, dtype=torch.float64)), x.grad)[1])
    out.err("grad set rg", lambda: (setattr(x, "grad", torch.ones(3, dtype=torch.float64, requires_grad=True)),
                                    x.grad.requires_grad)[1])


@scenario
def detach_errors(torch, out):
    x = leaf(torch, [1.0, 2.0])
    y = x * 2
    y.detach_()
    out("detach_ nonleaf", (y.requires_grad, y.is_leaf, y.grad_fn))
    out.err("detach_ view", lambda: (x * 1)[0:1].detach_())
    out.err("detach_ nograd view", lambda: torch.ones(3)[1:].detach_())
    l2 = leaf(torch, [1.0])
    l2.detach_()
    out("detach_ leaf", (l2.requires_grad, l2.is_leaf))
    z = x * 3
    out.err("requires_grad_ False nonleaf", lambda: z.requires_grad_(False))
    out("requires_grad_ returns self", torch.ones(1).requires_grad_() is not None)
    w = torch.ones(2)
    out("rg_ default", w.requires_grad_().requires_grad)
    out.err("rg setter nonleaf", lambda: setattr(z, "requires_grad", False))
    out.err("rg setter int", lambda: setattr(torch.ones(1, dtype=torch.int32), "requires_grad", True))


@scenario
def inplace(torch, out):
    x = leaf(torch, [1.0, 2.0, 3.0])
    out.err("leaf add_", lambda: x.add_(1))
    out.err("leaf view add_", lambda: x[0:2].add_(1))
    out.err("leaf setitem", lambda: x.__setitem__(0, 1.0))
    with torch.no_grad():
        x.add_(1)
    out("no_grad leaf add_", (x, x._version))
    y = x * 2
    y.add_(1)
    out("nonleaf add_", y)
    out.graph("nonleaf add_", y)
    y.sum().backward()
    out("x.grad", x.grad)
    x.grad = None
    b = x * 1
    b[1:].mul_(b[:2].detach().clone())
    out.graph("view inplace", b)
    b.sum().backward()
    out("view inplace grad", x.grad)
    buf = torch.zeros(3, dtype=torch.float64)
    buf[1] = x[0] * 5
    out.graph("buf", buf)
    x.grad = None
    buf.sum().backward()
    out("buf grad", x.grad)
    p = torch.zeros(2, dtype=torch.float64)
    q = leaf(torch, [1.0, 2.0])
    p.copy_(q)
    out("copy_ into plain", (p.requires_grad, p.grad_fn))
    r = torch.ones(2, dtype=torch.float64).requires_grad_()
    out.err("leaf copy_", lambda: r.copy_(q))
    out.err("leaf zero_", lambda: r.zero_())
    s = torch.ones(2, dtype=torch.float64)
    s.mul_(q)
    out("plain mul_ rg", s)
    out.err("int inplace float rg", lambda: torch.ones(2, dtype=torch.int64).add_(q))


@scenario
def nograd_views(torch, out):
    """Task: a view made in no_grad / inference mode, modified in place with grad on."""
    x = leaf(torch, [1.0, 2.0, 3.0])
    b = x * 1
    with torch.no_grad():
        v = b[:2]
    out("v flags", (v._base is b, v.requires_grad, v.is_leaf, v.grad_fn))
    out.err("v.mul_", lambda: v.mul_(2))
    out.err("v.zero_", lambda: v.zero_())
    out.err("v setitem", lambda: v.__setitem__(0, 1.0))
    out.err("v +=", lambda: v.__iadd__(1))
    out.err("v.copy_ plain", lambda: v.copy_(torch.ones(2, dtype=torch.float64)))
    w = v[:1]
    out("w", (w.grad_fn, w._base is b))
    out.err("w.mul_", lambda: w.mul_(2))
    with torch.no_grad():
        vl = x[:2]
    out("vl flags", (vl._base is x, vl.requires_grad, vl.is_leaf))
    out.err("vl.mul_", lambda: vl.mul_(2))
    r = (vl * 2).sum()
    out.graph("use vl", r)
    r.backward()
    out("use vl grads", (x.grad, vl.grad))
    p = torch.ones(3)
    with torch.no_grad():
        pv = p[:2]
    out.err("plain view plain inplace", lambda: (pv.mul_(2), p._version)[1])
    out.err("plain view rg value", lambda: pv.mul_(torch.ones(2, requires_grad=True)))
    with torch.no_grad():
        pv.mul_(torch.ones(2, requires_grad=True))
    out("in no_grad ok", p)
    b2 = x * 1
    with torch.no_grad():
        v2 = b2[1:]
    b2.add_(1)
    out.err("base modified: v2.requires_grad", lambda: v2.requires_grad)
    out.err("base modified: v2.is_leaf", lambda: v2.is_leaf)
    out.err("base modified: v2.grad_fn", lambda: v2.grad_fn)
    out.err("base modified: use v2", lambda: v2 * 2)
    b3 = x * 1
    with torch.no_grad():
        v3 = b3[1:]
        v3.mul_(2)
    out.err("modified in no_grad: use v3", lambda: v3 * 2)
    out.err("modified in no_grad: b3.grad_fn", lambda: b3.grad_fn)
    with torch.no_grad():
        v4 = x.view(3)
    out.err("nograd view of leaf mul_", lambda: v4.mul_(2))
    out.err("nograd view detach_", lambda: v4.detach_())
    q = torch.ones(3)
    with torch.no_grad():
        qv = q[:2]
    qv.requires_grad_()
    out.err("nograd view rg then mul_", lambda: qv.mul_(2))
    out.err("detached view mul_", lambda: (b.detach()[:2].mul_(2), b.grad_fn)[1])
    with torch.no_grad():
        ok = b[:2]
        ok.mul_(3)
    out("inplace in no_grad", b.grad_fn)
    c = torch.ones(3)
    g = c[:2]
    g.requires_grad_()
    out.err("grad-mode view rg leaf mul_", lambda: g.mul_(2))


@scenario
def inference_views(torch, out):
    x = leaf(torch, [1.0, 2.0, 3.0])
    b = x * 1
    with torch.inference_mode():
        v = b[:2]
        t = torch.ones(3)
        tv = t[:2]
        out("in mode", (torch.is_inference_mode_enabled(), torch.is_grad_enabled(), t.is_inference(),
                        tv.is_inference(), v.is_inference(), tv._base is t, v._base is b))
    out("out of mode", (torch.is_inference_mode_enabled(), v.requires_grad, v.is_leaf))
    out.err("view mul_", lambda: v.mul_(2))
    out.err("inference add_", lambda: t.add_(1))
    out.err("inference view add_", lambda: tv.add_(1))
    out.err("inference rg_", lambda: t.requires_grad_())
    out.err("inference * rg", lambda: t * x)
    out.err("inference + rg", lambda: (t + x).grad_fn)
    out.err("inference plain op", lambda: (t * 2).is_inference())
    out.err("clone", lambda: t.clone().is_inference())
    out.err("detach", lambda: t.detach().is_inference())
    out.err("normal add_ inference arg", lambda: torch.ones(3).add_(t)._version)
    with torch.no_grad():
        out.err("no_grad inference add_", lambda: t.add_(1))
    with torch.inference_mode():
        t2 = torch.ones(3)
    with torch.inference_mode():
        t2.add_(1)
    out("add_ in mode", t2)


@scenario
def version_inference(torch, out):
    with torch.inference_mode():
        t = torch.ones(2)
    out.err("version", lambda: t._version)


@scenario
def multi_output_views(torch, out):
    """Task: in-place on outputs of split/chunk/unbind..."""
    def case(name, fn, base_rg=True, op=lambda o: o.mul_(2), k=1):
        x = torch.arange(12.0).reshape(6, 2).requires_grad_(base_rg)
        b = x * 1 if base_rg else x
        outs = fn(b)
        o = outs[min(k, len(outs) - 1)]
        out(f"{name}.meta", (o.grad_fn, o._base is b, o.output_nr))
        out.err(f"{name}.inplace", lambda: op(o))

    case("split", lambda b: b.split(2))
    case("split list", lambda b: b.split([2, 4]))
    case("split_with_sizes", lambda b: b.split_with_sizes([3, 3]))
    case("chunk", lambda b: b.chunk(3))
    case("chunk uneven", lambda b: b.chunk(4))
    case("unbind", lambda b: b.unbind(1), k=0)
    case("tensor_split", lambda b: b.tensor_split(3))
    case("tensor_split idx", lambda b: b.tensor_split([1, 4]))
    case("hsplit", lambda b: b.hsplit(2))
    case("vsplit", lambda b: b.vsplit([2]))
    case("torch.split", lambda b: torch.split(b, 3))
    case("torch.chunk", lambda b: torch.chunk(b, 2))
    case("torch.unbind", lambda b: torch.unbind(b))
    case("single", lambda b: b.split(6), k=0)
    case("plain", lambda b: b.split(3), base_rg=False)
    case("plain rg value", lambda b: b.split(3), base_rg=False, op=lambda o: o.mul_(torch.ones(3, 2, requires_grad=True)))
    case("leaf", lambda b: b.split(3), base_rg=True, op=lambda o: o.zero_())
    case("setitem", lambda b: b.split(3), op=lambda o: o.__setitem__(0, 5.0))
    case("iadd", lambda b: b.split(3), op=lambda o: o.__iadd__(1))
    case("view of output", lambda b: b.split(3), op=lambda o: o[0].mul_(2))
    case("detach of output", lambda b: b.split(3), op=lambda o: (o.detach().mul_(2), o.grad_fn))
    x = torch.arange(6.0).requires_grad_()
    b = x * 1
    p, q = b.split(3)
    with torch.no_grad():
        q.mul_(2)
    out.err("modified in no_grad: base fn", lambda: b.grad_fn)
    out.err("modified in no_grad: q.grad_fn", lambda: q.grad_fn)
    out.err("modified in no_grad: p.grad_fn", lambda: p.grad_fn)
    b2 = x * 1
    p2, q2 = b2.split(3)
    b2.mul_(2)
    out.err("base modified: q2 use", lambda: q2 * 2)
    out("base modified: b2", b2.grad_fn)
    with torch.no_grad():
        n1, n2 = (x * 1).split(3)
    out.err("nograd split mul_", lambda: n1.mul_(2))
    out.err("tensor_split errors", lambda: x.tensor_split(0))
    out.err("hsplit error", lambda: torch.ones(4, 3).hsplit(2))
    out.err("vsplit error", lambda: torch.ones(3).vsplit(3))


@scenario
def custom_function_views(torch, out):
    class ViewFn(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x[:2]

        @staticmethod
        def backward(ctx, g):
            return torch.cat([g, g.new_zeros(1)])

    class Ident(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    x = leaf(torch, [1.0, 2.0, 3.0])
    b = x * 1
    v = ViewFn.apply(b)
    out("view out", (v._base is b, v.grad_fn))
    out.err("view out mul_", lambda: v.mul_(2))
    i = Ident.apply(b)
    out("ident", (i is b, i._base is b, i._is_view()))
    out.err("ident mul_", lambda: i.mul_(2))
    il = Ident.apply(x)
    out.err("ident leaf mul_", lambda: il.mul_(2))
    p = torch.ones(3)
    pv = ViewFn.apply(p)
    out("plain", (pv._base is p, pv.requires_grad))
    out.err("plain mul_ rg", lambda: pv.mul_(torch.ones(2, requires_grad=True)))
    pi = Ident.apply(p)
    out("plain ident", (pi is p, pi._base is p))
    b2 = x * 1
    v2 = ViewFn.apply(b2)
    b2.mul_(2)
    out.err("base modified", lambda: v2.grad_fn)
    ident_graph = Ident.apply(x * 2)
    ident_graph.sum().backward()
    out("ident grad", x.grad)


@scenario
def functions(torch, out):
    class Mul3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            out("needs_input_grad", ctx.needs_input_grad)
            return x * k

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * ctx.k, None

    x = leaf(torch, [1.0, 2.0])
    y = Mul3.apply(x, 3.0)
    out("y", y)
    out("fn repr", norm(repr(y.grad_fn)).split(" object")[0])
    out("fn name", y.grad_fn.name())
    out.graph("y", y)
    y.sum().backward()
    out("x.grad", x.grad)
    out.err("saved after free", lambda: y.grad_fn.saved_tensors)

    class Dirty(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.mark_dirty(a)
            return a.mul_(2)

        @staticmethod
        def backward(ctx, g):
            return g * 2

    a = x * 1
    r = Dirty.apply(a)
    out("dirty", (r is a, r.grad_fn, a._version))
    r.sum().backward()
    out("dirty grad", x.grad)
    out.err("dirty leaf", lambda: Dirty.apply(leaf(torch, [1.0])))

    class NonDiff(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            idx = a.argmax()
            s = a.sum()
            ctx.mark_non_differentiable(idx, s)
            return s * 1, idx, s

        @staticmethod
        def backward(ctx, g, gi, gs):
            out("nondiff grads", (g, gi, gs))
            return g.expand(2)

    s1, i1, s2 = NonDiff.apply(x)
    out("nondiff outs", (s1.requires_grad, i1.requires_grad, s2.requires_grad, s2.grad_fn))
    x.grad = None
    s1.backward()
    out("nondiff x.grad", x.grad)

    class Twice(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a ** 2

        @staticmethod
        @torch.autograd.function.once_differentiable
        def backward(ctx, g):
            a, = ctx.saved_tensors
            return 2 * a * g

    g, = torch.autograd.grad(Twice.apply(x).sum(), x, create_graph=True)
    out("once_diff g", g)
    out.err("once_diff double", lambda: torch.autograd.grad(g.sum(), x))

    class WrongCount(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g

    out.err("wrong count", lambda: WrongCount.apply(x, x).sum().backward())

    class WrongType(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, k):
            return a * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    out.err("grad for non-tensor", lambda: WrongType.apply(x, 2.0).sum().backward())

    class Mat(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.set_materialize_grads(False)
            return a * 1, a * 2

        @staticmethod
        def backward(ctx, g1, g2):
            out("materialize False", (g1, g2))
            return g1 if g1 is not None else g2

    m1, m2 = Mat.apply(x)
    m1.sum().backward()

    class Mat2(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1, a * 2

        @staticmethod
        def backward(ctx, g1, g2):
            out("materialize True", (g1, g2))
            return g1 + g2

    n1, n2 = Mat2.apply(x)
    n1.sum().backward()

    class Setup(torch.autograd.Function):
        @staticmethod
        def forward(a, k):
            return a * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    x.grad = None
    Setup.apply(x, 4.0).sum().backward()
    out("setup_context", x.grad)
    with torch.no_grad():
        out("apply in no_grad", Mul3.apply(x, 2.0).requires_grad)
    out("apply plain", Mul3.apply(torch.ones(2), 2.0).requires_grad)
    out.err("legacy", lambda: Mul3()(x))

    class Modifies(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * 2

        @staticmethod
        def backward(ctx, g):
            a, = ctx.saved_tensors
            return g * a

    c = x * 1
    d = Modifies.apply(c)
    c.add_(1)
    out.err("saved modified", lambda: d.sum().backward())


@scenario
def anomaly(torch, out):
    out("enabled", torch.is_anomaly_enabled())
    x = leaf(torch, [0.0, 1.0])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        with torch.autograd.detect_anomaly():
            out("enabled in", (torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled()))
            y = (x.sqrt() * 0).sum()
            out.err("nan", lambda: y.backward())
        out("warnings", sorted({norm(str(i.message)).split("\n")[0][:70] for i in w}))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        torch.autograd.set_detect_anomaly(True)
        try:
            a = x * 1
            b = a.exp()
            a.add_(1)
            b2 = b * a
            b.mul_(2)
            out.err("modified in anomaly", lambda: b2.sum().backward())
        finally:
            torch.autograd.set_detect_anomaly(False)
        out("warnings 2", sorted({norm(str(i.message)).split("\n")[0][:70] for i in w}))
    out("enabled after", torch.is_anomaly_enabled())
    with torch.autograd.set_detect_anomaly(True, check_nan=False):
        out("check_nan off", torch.is_anomaly_check_nan_enabled())
        y = (x.sqrt() * 0).sum()
        out.err("no nan check", lambda: (y.backward(), x.grad)[1])
    out("enabled after ctx", torch.is_anomaly_enabled())


@scenario
def grad_modes(torch, out):
    x = leaf(torch, [1.0])
    with torch.no_grad():
        out("no_grad", (torch.is_grad_enabled(), (x * 2).requires_grad))
        with torch.enable_grad():
            out("enable inside", (torch.is_grad_enabled(), (x * 2).requires_grad))
    @torch.no_grad()
    def f1():
        return torch.is_grad_enabled()
    @torch.no_grad
    def f2():
        return torch.is_grad_enabled()
    @torch.enable_grad()
    def f3():
        return torch.is_grad_enabled()
    @torch.enable_grad
    def f3b():
        return torch.is_grad_enabled()
    out("deco", (f1(), f2()))
    with torch.no_grad():
        out("enable deco", (f3(), f3b()))
    prev = torch.is_grad_enabled()
    sge = torch.set_grad_enabled(False)
    out("sge fn", torch.is_grad_enabled())
    torch.set_grad_enabled(prev)
    with torch.set_grad_enabled(False):
        out("sge ctx", torch.is_grad_enabled())
    out("sge after", torch.is_grad_enabled())
    @torch.set_grad_enabled(False)
    def f4():
        return torch.is_grad_enabled()
    out("sge deco", (torch.is_grad_enabled(), f4(), torch.is_grad_enabled()))
    out("sge type", type(sge).__name__)
    with torch.inference_mode():
        out("inference", (torch.is_grad_enabled(), torch.is_inference_mode_enabled(), torch.ones(1).is_inference()))
        with torch.inference_mode(False):
            out("inference False inside", (torch.is_grad_enabled(), torch.is_inference_mode_enabled()))
        with torch.no_grad():
            out("no_grad in inference", torch.is_inference_mode_enabled())
        with torch.enable_grad():
            out("enable_grad in inference", (torch.is_grad_enabled(), torch.is_inference_mode_enabled()))
    @torch.inference_mode()
    def f5():
        return torch.ones(1).is_inference(), torch.is_grad_enabled()
    @torch.inference_mode
    def f6():
        return torch.ones(1).is_inference()
    @torch.inference_mode(False)
    def f7():
        return torch.is_inference_mode_enabled()
    out("inference deco", (f5(), f6(), f7()))
    out("inference after", (torch.is_inference_mode_enabled(), x.is_inference()))
    out("autograd names", (torch.autograd.no_grad is torch.no_grad, torch.autograd.grad_mode.no_grad is torch.no_grad))
    seen = []
    with torch.no_grad():
        th = threading.Thread(target=lambda: seen.append(torch.is_grad_enabled()))
        th.start()
        th.join()
    out("thread local", seen)

    def gen():
        for i in range(2):
            yield torch.is_grad_enabled()
    out("no_grad generator", list(torch.no_grad()(gen)()))
    out("set_grad_enabled clone", type(torch.set_grad_enabled(True).clone()).__name__)


@scenario
def accumulation_layout(torch, out):
    w = torch.randn(4, 3).t().detach().requires_grad_()
    (w * 2).sum().backward()
    out("transposed leaf grad stride", (w.stride(), w.grad.stride()))
    w2 = torch.randn(4, 3)[:, :2].detach().requires_grad_()
    (w2 * 2).sum().backward()
    out("gapped leaf grad stride", (w2.stride(), w2.grad.stride()))
    x = leaf(torch, [1.0, 2.0])
    (x * 2).sum().backward()
    g = x.grad
    (x * 3).sum().backward()
    out("same grad object", (g is x.grad, x.grad))
    y = leaf(torch, [1.0, 2.0])
    gr = torch.tensor([1.0, 1.0], dtype=torch.float64)
    y.backward(gr)
    out("root grad copied", (y.grad is gr, y.grad.data_ptr() == gr.data_ptr()))
    gr.mul_(5)
    out("root grad after caller mul_", y.grad)
    z = leaf(torch, [1.0, 2.0])
    s = z.sum()
    z.requires_grad_(False)
    s.backward()
    out("rg turned off", z.grad)
    a = leaf(torch, [1.0, 2.0])
    b = leaf(torch, [3.0, 4.0])
    (a + b).sum().backward()
    a.grad.add_(10)
    out("shared grad buffers", (a.grad, b.grad))
    c = leaf(torch, [1.0, 2.0])
    c.grad = torch.ones(2, dtype=torch.float64, requires_grad=True)
    (c * 2).sum().backward()
    out("grad that requires grad", (c.grad, c.grad.requires_grad))
    d = leaf(torch, [1.0])
    with warnings.catch_warnings(record=True) as wn:
        warnings.simplefilter("always")
        (d * d).sum().backward(create_graph=True)
        out("create_graph warn", [norm(str(i.message))[:60] for i in wn])
    out("create_graph grad", (d.grad, d.grad.grad_fn))
    (d * d).sum().backward(create_graph=True)
    out("create_graph grad 2", (d.grad, d.grad.grad_fn))
    e = torch.zeros(3, dtype=torch.float64)[1:].requires_grad_()
    (e * 2).sum().backward()
    out("view leaf grad", (e.grad, e.grad.stride()))


@scenario
def misc(torch, out):
    x = leaf(torch, [1.0, 2.0])
    y = x * 2
    out("repr", norm(repr(y)))
    out("repr leaf", norm(repr(x)))
    out("repr detached", norm(repr(y.detach())))
    with torch.no_grad():
        out("repr nograd", norm(repr(x * 1)))
    s = x.sum()
    s.backward()
    out("leaf scalar backward", x.grad)
    x.grad.zero_()
    out("grad zero_", (x.grad, x.grad._version))
    x.grad = None
    v = x * 1
    w = v[0]
    w.backward()
    out("view of nonleaf grad", x.grad)
    with warnings.catch_warnings(record=True) as wn:
        warnings.simplefilter("always")
        out("view grad", w.grad)
        out("view grad warns", len(wn))
    out("y.detach version", (y.detach()._version, y._version))
    d = y.detach()
    y.add_(1)
    out("detach shares version", (d._version, y._version, d))
    a = leaf(torch, [1.0, 2.0])
    b = a * 3
    b.sum().backward(inputs=[b])
    out("inputs nonleaf", (a.grad, b.grad))
    c = a * 3
    out("grad nonleaf", torch.autograd.grad(c.sum(), c))
    e = a.exp()
    e.register_hook(lambda g: g * 0 + 1)
    out("hook in grad()", torch.autograd.grad(e.sum(), a))
    n = leaf(torch, [1.0])
    deep = n
    for _ in range(5000):
        deep = deep * 1.0001
    deep.sum().backward()
    out("deep", n.grad)
    acc = (a * 2).grad_fn.next_functions[0][0]
    calls = []
    acc.register_hook(lambda gi, go: calls.append(("acc hook", [g.tolist() for g in go])))
    acc.register_prehook(lambda go: calls.append(("acc prehook", [g.tolist() for g in go])))
    (a * 2).sum().backward()
    out("accumulate node hooks", calls)
    f = leaf(torch, [1.0, 2.0])
    g = (f * f).sum()
    g.backward(retain_graph=True)
    out("next_functions after backward", [(None if n is None else n.name(), k) for n, k in g.grad_fn.next_functions])
    g2 = (f * 3).sum()
    g2.backward()
    out("released next_functions", [(None if n is None else n.name(), k) for n, k in g2.grad_fn.next_functions])
    m = leaf(torch, [1.0, 2.0], torch.float32)
    r = (m.double() * 2).sum()
    r.backward()
    out("dtype round trip", (m.grad, str(m.grad.dtype)))
    out.err("backward on leaf w/o grad", lambda: torch.ones(1).backward())
    with torch.enable_grad():
        out("enable_grad nested ok", (x * 2).requires_grad)
    h = leaf(torch, [3.0])
    with torch.no_grad():
        hh = h * 2
    out.err("no_grad result backward", lambda: hh.backward())
    k = leaf(torch, [1.0, 2.0])
    out("clone", (k.clone().grad_fn, k.clone().is_leaf))
    out("to same dtype", k.to(torch.float64) is k)
    out("to other dtype", k.to(torch.float32).grad_fn)
    out("contiguous same", k.contiguous() is k)
    out("new_tensor", k.new_tensor([1.0]).requires_grad)
    out("zeros_like", torch.zeros_like(k).requires_grad)
    out("item", (k * 2).sum().item())
    out.err("numpy rg", lambda: (k * 2).numpy())
    out.err("numpy leaf rg", lambda: k.numpy())
    out("tolist", (k * 2).tolist())
    out.err("bool of rg", lambda: bool(k.sum() > 1))


@scenario
def more_edges(torch, out):
    x = leaf(torch, [1.0, 2.0, 3.0])
    calls = []
    y = x * 2
    y.register_hook(lambda g: calls.append("y"))
    z = y.sum()
    z.backward(retain_graph=True)
    z.backward()
    out("hooks twice", (calls, x.grad))
    v = x[1:]
    v.register_hook(lambda g: calls.append(("v", g.tolist())))
    (v * 3).sum().backward()
    out("view hook", calls[-1])
    with torch.no_grad():
        x.mul_(1)
    w = x * x
    with torch.no_grad():
        x.add_(1)
    out.err("leaf modified in no_grad", lambda: w.sum().backward())
    d = x.detach().requires_grad_()
    out("detach rg", (d.is_leaf, d.requires_grad, d.grad_fn))
    with torch.no_grad():
        c = torch.ones(2, requires_grad=True)
    out("made rg in no_grad", (c.is_leaf, c.requires_grad))
    a = leaf(torch, [1.0, 2.0])
    h = a.exp()
    h.register_hook(lambda g: g.float())
    out.err("hook changes dtype", lambda: h.sum().backward())
    b = leaf(torch, [1.0, 2.0])
    b.register_hook(lambda g: 5)
    out.err("hook returns non-tensor", lambda: (b * 1).sum().backward())

    class Two(torch.autograd.Function):
        @staticmethod
        def forward(ctx, p, q):
            return p * q, 7

        @staticmethod
        def backward(ctx, g, g2):
            out("non-tensor output grad", g2)
            return g, g

    r, k = Two.apply(a, leaf(torch, [3.0, 4.0]))
    out("two outputs", (r, k))
    r.sum().backward()
    e = leaf(torch, [2.0])
    f = e * e
    g, = torch.autograd.grad(f, e, create_graph=True)
    out("grad create_graph flags", (g.requires_grad, g.is_leaf, g.grad_fn))
    gg = torch.autograd.grad(g, e, retain_graph=True)
    out("gg", gg)
    m = leaf(torch, [[1.0, 2.0], [3.0, 4.0]])
    out("T view", (m.T.grad_fn, m.mT.grad_fn, m.t()._base is m))
    n = m.unsqueeze(0).expand(2, 2, 2)
    n.sum().backward()
    out("expand grad", m.grad)
    out.err("expand inplace", lambda: (m * 1).unsqueeze(0).expand(2, 2, 2).mul_(2))


@scenario
def gc_and_cycles(torch, out):
    import weakref
    x = leaf(torch, [1.0, 2.0])
    y = x.exp()
    z = y * y
    ref = weakref.ref(y)
    del y
    z.sum().backward()
    del z
    gc.collect()
    out("freed", ref() is None)


def run(libname):
    torch = importlib.import_module(libname)
    if libname == "torch":
        warnings.filterwarnings("ignore", message=".*TypedStorage.*")
    lines = []
    for fn in SCENARIOS:
        out = Out(torch)
        out.prefix = f"{fn.__name__}: "
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fn(torch, out)
        except Exception as e:  # noqa: BLE001
            out.lines.append(f"{out.prefix}SCENARIO FAILED ! {type(e).__name__}: {norm(e)}")
        lines.extend(out.lines)
        if torch.is_grad_enabled() is not True:
            torch.set_grad_enabled(True)
    return lines


def main():
    args = sys.argv[1:]
    if args and args[0] == "--diff":
        torch_py = args[1] if len(args) > 1 else os.environ.get(
            "TORCH_PYTHON", "/root/.cache/rstorch-torch-venv/bin/python")
        here = os.path.abspath(__file__)
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        t = subprocess.run([torch_py, here, "torch"], capture_output=True, text=True, env=env)
        if t.returncode:
            sys.exit(t.stderr)
        r = "\n".join(run("rstorch")) + "\n"
        known = tuple(f"{k}: " for k in KNOWN)
        tl = [l for l in t.stdout.splitlines() if not l.startswith(known)]
        rl = [l for l in r.splitlines() if not l.startswith(known)]
        sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(tl, rl, "torch", "rstorch", n=0, lineterm=""))
        return
    print("\n".join(run(args[0] if args else "rstorch")))


if __name__ == "__main__":
    main()
