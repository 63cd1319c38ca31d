"""Behaviours where the differential sweep (tests/tools/autograd_sweep.py, which runs the same
scenarios under torch and rstorch) found rstorch different from torch 2.15; torch's values and
messages are written in as literals."""

import re
import warnings

import pytest

import rstorch as torch
from rstorch import autograd


def leaf(values, dtype=torch.float64):
    return torch.tensor(values, dtype=dtype, requires_grad=True)


def next_names(t):
    return [(None if n is None else n.name(), k) for n, k in t.grad_fn.next_functions]


def raises(msg, exc=RuntimeError):
    return pytest.raises(exc, match="^" + re.escape(msg) + "$")


ACC = "torch::autograd::AccumulateGrad"


# ------------------------------------------------------------------ graph: node names and edges


@pytest.mark.parametrize("expr, name", [
    ("x ** 2", "PowBackward0"), ("x.pow(y)", "PowBackward1"), ("2 ** x", "PowBackward2"),
    ("x.clamp(-1, 1)", "ClampBackward1"), ("x.clamp(min=0)", "ClampBackward1"), ("x.clamp(y)", "ClampBackward0"),
    ("x.clamp_min(0)", "ClampMinBackward0"), ("x.clamp_min(y)", "ClampMinBackward1"),
    ("x.clamp_max(0)", "ClampMaxBackward0"), ("x.clamp_max(y)", "ClampMaxBackward1"),
    ("x.prod()", "ProdBackward0"), ("x.prod(1)", "ProdBackward1"),
    ("x.max()", "MaxBackward1"), ("x.max(1)[0]", "MaxBackward0"), ("x.min()", "MinBackward1"),
    ("x.min(1)[0]", "MinBackward0"), ("x.norm()", "LinalgVectorNormBackward0"),
    ("x.norm(dim=1)", "LinalgVectorNormBackward0"), ("x.norm(1)", "LinalgVectorNormBackward0"),
    ("x @ y.t()", "MmBackward0"), ("x.mm(y.t())", "MmBackward0"), ("x @ y[0]", "MvBackward0"),
    ("x[0] @ y[0]", "DotBackward0"), ("x[:1].squeeze()", "SqueezeBackward0"), ("x[:1].squeeze(0)", "SqueezeBackward1"),
    ("x[:1].squeeze((0,))", "SqueezeBackward2"), ("x.narrow(1, 0, 2)", "SliceBackward0"),
    ("x.movedim(0, 1)", "PermuteBackward0"), ("x.unflatten(1, (3, 1))", "ViewBackward0"),
    ("x.flatten()", "ViewBackward0"), ("x.t().flatten()", "UnsafeViewBackward0"),
    ("torch.stack([x, y])", "StackBackward0"), ("x.split(1)[0]", "SplitBackward0"),
    ("x.split([1, 1])[0]", "SplitWithSizesBackward0"), ("x.chunk(2)[0]", "SplitBackward0"),
])
def test_node_names(expr, name):
    x = leaf([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    y = leaf([[0.5, 0.5, 0.5], [2.0, 2.0, 2.0]])
    assert eval(expr).grad_fn.name() == name


def test_special_nodes_have_torch_qualified_names():
    x = leaf([1.0, 2.0])
    acc = (x * 2).grad_fn.next_functions[0][0]
    assert acc.name() == ACC and type(acc).__name__ == "AccumulateGrad"
    y = x * 1
    y.copy_(x * 3)
    assert y.grad_fn.name() == "torch::autograd::CopyBackwards" and type(y.grad_fn).__name__ == "CopyBackwards"
    z = x * 1
    z[0].mul_(2)
    assert z.grad_fn.name() == "torch::autograd::CopySlices"
    assert re.fullmatch(r"<CopySlices object at 0x[0-9a-f]+>", repr(z.grad_fn))


@pytest.mark.parametrize("expr, edges", [
    # numbers are inputs only where torch wraps them into tensor operands
    ("x * 2", [(ACC, 0), (None, 0)]), ("x - 2", [(ACC, 0), (None, 0)]), ("x / 2", [(ACC, 0), (None, 0)]),
    ("x.add(2, alpha=3)", [(ACC, 0), (None, 0)]), ("2 - x", [(ACC, 0)]), ("x.pow(2)", [(ACC, 0)]),
    ("2 ** x", [(ACC, 0)]), ("x.clamp(-1, 1)", [(ACC, 0)]), ("x.remainder(2)", [(ACC, 0)]),
    ("x.lerp(y, 0.5)", [(ACC, 0), (ACC, 0)]), ("torch.where(x > 0, x, 0.0)", [(ACC, 0), (None, 0)]),
    ("torch.where(x > 0, x, y)", [(ACC, 0), (ACC, 0)]), ("x * w", [(ACC, 0), (None, 0)]),
    # dims, sizes, indices, masks are not
    ("x.select(0, 1)", [(ACC, 0)]), ("x.transpose(0, 1)", [(ACC, 0)]), ("x.split(1)[0]", [(ACC, 0)]),
    ("x.unbind()[0]", [(ACC, 0)]), ("x.narrow(1, 0, 2)", [(ACC, 0)]), ("x.diagonal()", [(ACC, 0)]),
    ("x.tril()", [(ACC, 0)]), ("x.unsqueeze(0)", [(ACC, 0)]), ("x.unfold(1, 2, 1)", [(ACC, 0)]),
    ("x[torch.tensor([0, 1])]", [(ACC, 0)]), ("x[x > 0]", [(ACC, 0)]), ("x.masked_fill(x > 0, 0.0)", [(ACC, 0)]),
    ("x.gather(1, torch.zeros(2, 1, dtype=torch.int64))", [(ACC, 0)]),
    ("x.index_select(0, torch.tensor([0]))", [(ACC, 0)]),
    ("torch.cat([x, y])", [(ACC, 0), (ACC, 0)]), ("torch.cat([x, w], 1)", [(ACC, 0), (None, 0)]),
    ("x.clamp(y)", [(ACC, 0), (ACC, 0), (None, 0)]), ("x.clamp(max=y)", [(ACC, 0), (None, 0), (ACC, 0)]),
    ("x.div(2, rounding_mode='floor')", [(ACC, 0), (None, 0)]),
    ("torch.stack([x, y])", [(ACC, 0), (ACC, 0)]),
])
def test_next_functions_list_torch_inputs(expr, edges):
    x = leaf([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    y = leaf([[0.5, 0.5, 0.5], [2.0, 2.0, 2.0]])
    w = torch.ones(2, 3, dtype=torch.float64)
    assert next_names(eval(expr)) == edges


def test_stack_records_one_node():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    s = torch.stack([x, y], 1)
    assert s.grad_fn.name() == "StackBackward0"
    (s * torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)).sum().backward()
    assert x.grad.tolist() == [1.0, 3.0] and y.grad.tolist() == [2.0, 4.0]
    with torch.no_grad():
        assert torch.stack([x, y]).grad_fn is None


def test_single_output_of_a_multi_output_op_backpropagates():
    x = torch.arange(4.0).requires_grad_()
    (c,) = x.chunk(1)
    (d,) = x.split(4)
    ((c * c).sum() + d.sum()).backward()
    assert x.grad.tolist() == [1.0, 3.0, 5.0, 7.0]


def test_basic_indexing_records_like_torch():
    x = leaf([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])

    def chain(t):
        names, f = [], t.grad_fn
        while f is not None and f.name() != ACC:
            names.append(f.name())
            f = f.next_functions[0][0]
        return names

    assert chain(x[:, 1:]) == ["SliceBackward0"]          # full slices in a tuple are skipped
    assert chain(x[:, ::2]) == ["SliceBackward0"]
    assert chain(x[:, 0:10]) == ["AliasBackward0"]        # nothing left: an alias
    assert chain(x[:, :]) == ["AliasBackward0"] and chain(x[..., :]) == ["AliasBackward0"]
    assert chain(x[:]) == ["SliceBackward0"]               # a lone slice is kept
    assert chain(x[:, -3:]) == ["SliceBackward0"]
    assert chain(x[:, None, 1]) == ["SelectBackward0", "UnsqueezeBackward0"]
    assert chain(x[...]) == ["AliasBackward0"]
    a = x[:, :]
    assert a._base is x and a.shape == x.shape
    (a * 2).sum().backward()
    assert x.grad.tolist() == [[2.0] * 3] * 2
    b = x * 1
    b[:, :] = 7.0
    assert b.grad_fn.name() == "torch::autograd::CopySlices"


def test_reshape_that_copies_records_clone_and_unsafe_view():
    x = leaf([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    for r in (x.t().reshape(6), x.t().flatten()):
        assert r.grad_fn.name() == "UnsafeViewBackward0" and r._base is None
        assert r.grad_fn.next_functions[0][0].name() == "CloneBackward0"
        assert r.grad_fn.next_functions[0][0].next_functions[0][0].name() == "TBackward0"
        x.grad = None
        (r * torch.arange(6.0, dtype=torch.float64)).sum().backward()
        assert x.grad.tolist() == [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]]
    v = x.reshape(3, 2)
    assert v.grad_fn.name() == "ViewBackward0" and v._base is x
    with torch.no_grad():
        assert x.t().reshape(6)._base is None and x.t().reshape(6).tolist() == [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]


def test_flatten_of_nothing_is_the_tensor_itself():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    assert x.flatten(1) is x and x[0].flatten() is not x[0].flatten().grad_fn
    v = x[0]
    assert v.flatten() is v and x.flatten(0, 0) is x
    assert torch.tensor(1.0).flatten().shape == (1,)
    assert x.ravel().grad_fn.name() == "ViewBackward0"


def test_empty_strided_is_a_new_tensor():
    t = torch.empty_strided((2, 3), (1, 2))
    assert t._base is None and t.stride() == (1, 2)


# ------------------------------------------------------------------ errors and warnings


def test_requires_grad_messages():
    with raises("only Tensors of floating point dtype can require gradients"):
        torch.ones(2, dtype=torch.int64).requires_grad_()
    with raises("only Tensors of floating point and complex dtype can require gradients"):
        torch.ones(1, dtype=torch.int32).requires_grad = True
    for make in (lambda: torch.tensor([1, 2], requires_grad=True), lambda: torch.zeros(2, dtype=torch.int64, requires_grad=True),
                 lambda: torch.arange(3, requires_grad=True), lambda: torch.full((2,), 1, requires_grad=True)):
        with raises("Only Tensors of floating point and complex dtype can require gradients"):
            make()


def test_modified_error_names_the_forward_op_as_torch():
    x = leaf([1.0, 2.0])
    a = x * 1
    b = a * a
    a.clamp_(min=0)
    with pytest.raises(RuntimeError, match=re.escape("[torch.DoubleTensor [2]], which is output 0 of Clamp1, is at "
                                                     "version 1; expected version 0 instead.")):
        b.sum().backward()


def test_backward_argument_errors():
    x = leaf([1.0, 2.0])
    with raises("`inputs` argument to `backward()` cannot be empty."):
        (x * 2).sum().backward(inputs=[])
    with raises("can't retain_grad on Tensor that has requires_grad=False"):
        (x * 2).sum().backward(inputs=[torch.ones(2)])
    with raises("got 2 tensors and 1 gradients"):
        autograd.backward([x * 2, x * 3], [torch.ones(2, dtype=torch.float64)])
    with raises("got 2 tensors and 1 gradients"):
        autograd.grad([x.sum(), x.sum()], x, grad_outputs=[None])
    with raises("One of the differentiated Tensors does not require grad"):
        autograd.grad(x.sum(), [torch.ones(2)])


def test_grad_assignment_is_checked():
    x = leaf([1.0, 2.0, 3.0])
    with raises("attempting to assign a gradient of size '[2]' to a tensor of size '[3]'. Please ensure that the "
                "gradient and the tensor are the same size"):
        x.grad = torch.zeros(2, dtype=torch.float64)
    with raises("attempting to assign a gradient with dtype 'float' to a tensor with grad_dtype 'Double'. The gradient "
                "must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's "
                "grad_dtype attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. "
                "Diverging the dtypes of a tensor and its gradient may break downstream systems that assume they match."):
        x.grad = torch.zeros(3)
    with raises("assigned grad expected to be a Tensor or None but got grad of type int", TypeError):
        x.grad = 3
    x.grad = torch.ones(3, dtype=torch.float64, requires_grad=True)
    assert x.grad.requires_grad
    x.grad = None
    assert x.grad is None


def test_reading_grad_of_a_non_leaf_warns():
    x = leaf([1.0, 2.0])
    y = x * 2
    with pytest.warns(UserWarning, match=re.escape("The .grad attribute of a Tensor that is not a leaf Tensor is being "
                                                   "accessed. Its .grad attribute won't be populated")):
        assert y.grad is None
    y.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad is None and x.grad is None


def test_retain_grad_clones_its_first_gradient():
    a = leaf([1.0])
    c = a * 3
    c.retain_grad()
    (c * c).sum().backward(create_graph=True)
    assert c.grad.tolist() == [6.0] and c.grad.grad_fn.name() == "CloneBackward0"
    d = a * 2
    d.retain_grad()
    d.register_hook(lambda g: g * 5)
    (d * 1).sum().backward()
    assert d.grad.tolist() == [5.0]


# ------------------------------------------------------------------ custom Functions


def test_function_outputs_and_errors():
    class Dirty(autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.mark_dirty(a)
            return a.mul_(2)

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = leaf([1.0, 2.0])
    a = x * 1
    r = Dirty.apply(a)
    assert r is a and a._version == 2   # mark_dirty counts as a modification, as in torch
    r.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]

    class WrongType(autograd.Function):
        @staticmethod
        def forward(ctx, a, k):
            return a * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    with raises("function WrongTypeBackward returned a gradient different than None at position 2, but the "
                "corresponding forward input was not a Variable"):
        WrongType.apply(x, 2.0).sum().backward()

    class NotATensor(autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return 3.0

    with raises("expected Variable or None (got float)"):
        NotATensor.apply(x).sum().backward()
    with raises("Legacy autograd function with non-static forward method is deprecated. Please use new-style "
                "autograd function with static forward method. "
                "(Example: https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"):
        Dirty()
    assert re.fullmatch(r"<rstorch\.autograd\.function\.DirtyBackward object at 0x[0-9a-f]+>",
                        repr(Dirty.apply(x * 1).grad_fn))


# ------------------------------------------------------------------ anomaly mode


def test_anomaly_mode_api_and_messages():
    assert torch.is_anomaly_enabled() is False and torch.is_anomaly_check_nan_enabled() is True
    torch.set_anomaly_enabled(True, check_nan=False)
    try:
        assert torch.is_anomaly_enabled() and not torch.is_anomaly_check_nan_enabled()
    finally:
        torch.set_anomaly_enabled(False)
    assert not torch.is_anomaly_enabled() and torch.is_anomaly_check_nan_enabled()
    x = leaf([0.0, 1.0])
    with pytest.warns(UserWarning) as record:
        with autograd.detect_anomaly():
            y = (x.sqrt() * 0).sum()
            with raises("Function 'SqrtBackward0' returned nan values in its 0th output."):
                y.backward()
    assert any(str(w.message).startswith("Error detected in SqrtBackward0. Traceback of forward call") for w in record)
    with pytest.warns(UserWarning, match="Error detected in MulBackward0"):
        with autograd.set_detect_anomaly(True):
            a = x * 1
            b = a.exp()
            b2 = b * a
            b.mul_(2)
            with pytest.raises(RuntimeError, match=re.escape(
                    "which is output 0 of Mul, is at version 1; expected version 0 instead. Hint: the backtrace further "
                    "above shows the operation that failed to compute its gradient. The variable in question was "
                    "changed in there or anywhere later. Good luck!")):
                b2.sum().backward()


# ------------------------------------------------------------------ grad modes


def test_grad_mode_decorators_without_parentheses_and_generators():
    @torch.no_grad
    def f():
        return torch.is_grad_enabled()

    @torch.enable_grad
    def g():
        return torch.is_grad_enabled()

    assert f() is False
    with torch.no_grad():
        assert g() is True

    @torch.no_grad()
    def gen():
        for _ in range(2):
            yield torch.is_grad_enabled()

    it = gen()
    assert next(it) is False and torch.is_grad_enabled() and next(it) is False
    assert list(torch.set_grad_enabled(False)(gen.__wrapped__)()) == [False, False]
    assert torch.is_grad_enabled()

    @torch.inference_mode()
    def igen():
        yield torch.ones(1).is_inference()
        return 5

    it = igen()
    assert next(it) is True and not torch.is_inference_mode_enabled()
    with pytest.raises(StopIteration) as stop:
        next(it)
    assert stop.value.value == 5


def test_hook_handles_are_removable_handles():
    h = leaf([1.0]).register_hook(lambda g: g)
    assert type(h).__name__ == "RemovableHandle"
    h.remove()


def test_tensor_hook_results_are_checked():
    a = leaf([1.0, 2.0])
    h = a.exp()
    h.register_hook(lambda g: g.float())
    with raises("hook '<lambda>' has changed the type of value (was torch.DoubleTensor got torch.FloatTensor)"):
        h.sum().backward()

    def widen(g):
        return g.expand(2, 2)
    b = leaf([1.0, 2.0])
    b.register_hook(widen)
    with raises("hook 'widen' has changed the size of value"):
        (b * 1).sum().backward()
    c = leaf([1.0, 2.0])
    c.register_hook(lambda g: 5)
    with raises("expected Variable, but hook returned 'int'", TypeError):
        (c * 1).sum().backward()
    d = leaf([1.0, 2.0])
    d.register_hook(lambda g: g * 3)   # a tensor of the same type and size replaces the gradient
    (d * 1).sum().backward()
    assert d.grad.tolist() == [3.0, 3.0]


def test_function_non_tensor_output_gets_no_gradient():
    seen = []

    class Two(autograd.Function):
        @staticmethod
        def forward(ctx, p):
            return p * 2, 7

        @staticmethod
        def backward(ctx, g, g2):
            seen.append(g2)
            return g * 2

    a = leaf([1.0, 2.0])
    r, k = Two.apply(a)
    assert k == 7
    r.sum().backward()
    assert seen == [None] and a.grad.tolist() == [2.0, 2.0]


@pytest.mark.parametrize("native", [True, False])
def test_leaf_gradients_arrive_as_soon_as_ready(native):
    """torch runs AccumulateGrad first among the ready nodes: each layer's bias and weight get
    their .grad (and post-accumulate hooks, which DDP's buckets wait on) right after that layer's
    backward, from the last layer to the first (order recorded from torch 2.15)."""
    nn = torch.nn
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3))
    order = []
    for n, p in m.named_parameters():
        p.register_post_accumulate_grad_hook(lambda p, n=n: order.append(n))
    loss = nn.functional.cross_entropy(m(torch.randn(5, 4)), torch.tensor([0, 1, 2, 0, 1]))
    loss.backward(create_graph=not native)  # create_graph: the Python engine walks the graph
    assert order == ["4.bias", "4.weight", "2.bias", "2.weight", "0.bias", "0.weight"]
