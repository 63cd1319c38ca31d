"""Autograd semantics, checked against hand-derived values and torch's behaviour and messages
(taken from torch 2.15 and written in as literals)."""

import gc
import re
import threading
import warnings
import weakref

import numpy as np
import pytest

import rstorch as torch
from rstorch import autograd


def leaf(values, dtype=torch.float64):
    return torch.tensor(values, dtype=dtype, requires_grad=True)


def arr(t):
    return t.detach().double().numpy()


# ------------------------------------------------------------------ tensor autograd fields


def test_requires_grad_and_leaf_flags():
    x = leaf([1.0, 2.0])
    assert x.requires_grad and x.is_leaf and x.grad is None and x.grad_fn is None
    y = x * 2
    assert y.requires_grad and not y.is_leaf
    assert re.fullmatch(r"<MulBackward0 object at 0x[0-9a-f]+>", repr(y.grad_fn))
    assert y.grad_fn.name() == "MulBackward0"
    z = torch.ones(2)
    assert not (z * 2).requires_grad and (z * 2).grad_fn is None
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables. If you want"):
        y.requires_grad = False
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients"):
        torch.ones(2, dtype=torch.int64).requires_grad_()
    assert z.requires_grad_() is z and z.requires_grad


def test_next_functions_and_accumulate_grad():
    x = leaf([1.0, 2.0, 3.0])
    y = x + 1
    (acc, nr), none = y.grad_fn.next_functions
    assert type(acc).__name__ == "AccumulateGrad" and nr == 0 and acc.variable is x
    assert none == (None, 0)
    assert (x * x).grad_fn.next_functions[0][0] is (x * 3).grad_fn.next_functions[0][0]
    z = (x.view(1, 3).t() * 2).sum()
    names = []
    f = z.grad_fn
    while f is not None and f.next_functions:
        names.append(f.name())
        f = f.next_functions[0][0]
    assert names == ["SumBackward0", "MulBackward0", "TBackward0", "ViewBackward0"]


@pytest.mark.parametrize("expr, name", [
    ("x + 1", "AddBackward0"), ("1 + x", "AddBackward0"), ("x - 1", "SubBackward0"),
    ("1 - x", "RsubBackward1"), ("x * 2", "MulBackward0"), ("2 * x", "MulBackward0"),
    ("x / 2", "DivBackward0"), ("-x", "NegBackward0"), ("x.sum()", "SumBackward0"),
    ("x.sum(0)", "SumBackward1"), ("x.mean()", "MeanBackward0"), ("x.mean(0)", "MeanBackward1"),
    ("x.float()", "ToCopyBackward0"), ("x.clone()", "CloneBackward0"), ("x.view(3)", "ViewBackward0"),
    ("x.expand(2, 3)", "ExpandBackward0"), ("x.view(1, 3).permute(1, 0)", "PermuteBackward0"),
    ("x.view(1, 3).transpose(0, 1)", "TransposeBackward0"), ("x.add(x, alpha=2)", "AddBackward0"),
])
def test_node_names(expr, name):
    x = leaf([1.0, 2.0, 3.0])
    assert eval(expr).grad_fn.name() == name


def test_detach_data_and_detach_():
    x = leaf([1.0, 2.0])
    d = x.detach()
    assert not d.requires_grad and d.is_leaf and d.data_ptr() == x.data_ptr()
    assert not x.data.requires_grad and x.data.data_ptr() == x.data_ptr()
    x.data = torch.tensor([5.0, 6.0], dtype=torch.float64)
    assert arr(x).tolist() == [5.0, 6.0] and x.requires_grad
    y = x * 2
    y.detach_()
    assert y.is_leaf and not y.requires_grad and y.grad_fn is None
    # assigning a tensor its own data (torch: a no-op) once panicked on a double borrow
    x.data = x
    assert arr(x).tolist() == [5.0, 6.0] and x.requires_grad
    x.data = x.data
    assert arr(x).tolist() == [5.0, 6.0]


def test_variable_is_a_tensor():
    t = torch.ones(2)
    v = autograd.Variable(t, requires_grad=True)
    assert isinstance(v, torch.Tensor) and v.requires_grad and isinstance(t, autograd.Variable)
    assert not isinstance(3, autograd.Variable)


# ------------------------------------------------------------------ backward


def test_backward_simple_values():
    x = leaf([1.0, 2.0, 3.0])
    w = leaf([0.5, -1.0, 2.0])
    y = (x * w + x / w - 3 * x).sum()
    y.backward()
    xn, wn = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(arr(x.grad), wn + 1 / wn - 3)
    np.testing.assert_allclose(arr(w.grad), xn - xn / wn ** 2)


def test_accumulation_into_grad():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    g = x.grad
    (x * 4).sum().backward()
    assert arr(x.grad).tolist() == [7.0, 7.0]
    assert x.grad is g  # accumulated in place, as torch does without create_graph


def test_broadcast_grads_sum_back_and_cast():
    a = leaf([[1.0], [2.0]])                      # (2, 1)
    b = leaf([10.0, 20.0, 30.0], torch.float32)   # (3,)
    c = (a * b).sum()
    c.backward()
    assert a.grad.shape == (2, 1) and a.grad.dtype is torch.float64
    assert arr(a.grad).tolist() == [[60.0], [60.0]]
    assert b.grad.shape == (3,) and b.grad.dtype is torch.float32
    assert arr(b.grad).tolist() == [3.0, 3.0, 3.0]


def test_scalar_operands_and_alpha():
    x = leaf([1.0, 2.0])
    (x.add(x, alpha=3) + x.sub(x * x, alpha=2) + 2 / x + (5 - x)).sum().backward()
    xn = np.array([1.0, 2.0])
    np.testing.assert_allclose(arr(x.grad), 4 + 1 - 4 * xn - 2 / xn ** 2 - 1)


def test_sum_mean_dims():
    x = leaf(np.arange(24.0).reshape(2, 3, 4))
    (x.sum((0, 2)) * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    assert arr(x.grad)[:, :, 0].tolist() == [[1, 2, 3], [1, 2, 3]]
    x.grad = None
    x.mean(-1, keepdim=True).sum().backward()
    np.testing.assert_allclose(arr(x.grad), np.full((2, 3, 4), 0.25))
    x.grad = None
    x.mean().backward()
    np.testing.assert_allclose(arr(x.grad), np.full((2, 3, 4), 1 / 24))


def test_views_backward():
    x = leaf(np.arange(6.0))
    y = x.view(2, 3).t().reshape(6).expand(2, 6).permute(1, 0).transpose(0, 1)
    (y * torch.arange(12.0, dtype=torch.float64).view(2, 6)).sum().backward()
    w = np.arange(12.0).reshape(2, 6).sum(0)          # weights of y's flattened t()
    expected = np.zeros(6)
    expected[np.arange(6).reshape(2, 3).T.reshape(-1)] = w
    np.testing.assert_allclose(arr(x.grad), expected)


def test_to_dtype_and_clone():
    x = leaf([1.0, 2.0])
    (x.float() * 2).sum().backward()
    assert x.grad.dtype is torch.float64 and arr(x.grad).tolist() == [2.0, 2.0]
    x.grad = None
    x.clone().sum().backward()
    assert arr(x.grad).tolist() == [1.0, 1.0]


def test_non_scalar_backward_needs_gradient():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 2
    with pytest.raises(RuntimeError, match="^grad can be implicitly created only for scalar outputs$"):
        y.backward()
    y.backward(torch.tensor([1.0, 0.0, 2.0], dtype=torch.float64))
    assert arr(x.grad).tolist() == [2.0, 0.0, 4.0]
    with pytest.raises(RuntimeError, match=re.escape(
            "Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and output[0] has a shape of torch.Size([3]).")):
        (x * 2).backward(torch.ones(2))


def test_backward_on_tensor_without_graph():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does not have a grad_fn"):
        torch.ones(2).sum().backward()


def test_second_backward_raises_and_retain_graph():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert arr(x.grad).tolist() == [4.0, 8.0]
    with pytest.raises(RuntimeError, match=re.escape(
            "Trying to backward through the graph a second time (or directly access saved tensors after they "
            "have already been freed). Saved intermediate values of the graph are freed when you call "
            ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
            "graph a second time or if you need to access saved tensors after calling backward.")):
        y.backward()


def test_backward_inputs_argument():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (x * w).sum().backward(inputs=[w])
    assert x.grad is None and arr(w.grad).tolist() == [1.0, 2.0]
    h = x * 2
    (h * w).sum().backward(inputs=[h])
    assert arr(h.grad).tolist() == [3.0, 4.0] and x.grad is None


def test_dag_diamond_and_reuse():
    x = leaf([2.0])
    a = x * x          # x^2
    b = a * x          # x^3
    c = a + b + a * b  # x^2 + x^3 + x^5
    c.sum().backward()
    assert arr(x.grad).tolist() == [2 * 2 + 3 * 4 + 5 * 16]


def test_deep_graph_has_no_recursion_limit():
    x = leaf([1.0])
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.sum().backward()
    assert arr(x.grad).tolist() == [1.0]
    del y
    gc.collect()


def test_root_is_a_leaf():
    x = leaf([1.0, 2.0])
    x.backward(torch.tensor([3.0, 4.0], dtype=torch.float64))
    assert arr(x.grad).tolist() == [3.0, 4.0]


# ------------------------------------------------------------------ autograd.grad


def test_grad_function():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = (x * w * w).sum()
    gx, gw = autograd.grad(y, [x, w])
    assert arr(gx).tolist() == [9.0, 16.0] and arr(gw).tolist() == [6.0, 16.0]
    assert x.grad is None and w.grad is None


def test_grad_unused_and_errors():
    x, z = leaf([1.0, 2.0]), leaf([1.0])
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match=re.escape(
            "The differentiated Tensor at index 1 appears to not have been used in the graph. "
            "Set allow_unused=True if this is the desired behavior.")):
        autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = autograd.grad(y, [x, z], allow_unused=True, retain_graph=True)
    assert gz is None and arr(gx).tolist() == [2.0, 2.0]
    gx, gz = autograd.grad(y, [x, z], materialize_grads=True, retain_graph=True)
    assert arr(gz).tolist() == [0.0]
    with pytest.raises(RuntimeError, match="One of the differentiated Tensors does not require grad"):
        autograd.grad(y, [torch.ones(2)])


def test_grad_of_intermediate_and_grad_outputs():
    x = leaf([1.0, 2.0, 3.0])
    h = x * x
    y = h * 3
    (gh,) = autograd.grad(y, h, grad_outputs=torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))
    assert arr(gh).tolist() == [3.0, 6.0, 9.0]


def test_higher_order_gradients():
    x = leaf([2.0, 3.0])
    y = (x * x * x).sum()
    (g,) = autograd.grad(y, x, create_graph=True)
    assert g.requires_grad and arr(g).tolist() == [12.0, 27.0]
    (g2,) = autograd.grad(g.sum(), x, create_graph=True)
    assert arr(g2).tolist() == [12.0, 18.0]
    (g3,) = autograd.grad(g2.sum(), x)
    assert arr(g3).tolist() == [6.0, 6.0]


def test_double_backward_through_saved_output_and_div():
    x = leaf([2.0, 4.0])
    y = (1 / x).sum()          # rdiv
    (g,) = autograd.grad(y, x, create_graph=True)   # -1/x^2
    g.sum().backward()                              # 2/x^3
    np.testing.assert_allclose(arr(x.grad), 2 / np.array([2.0, 4.0]) ** 3)


def test_create_graph_backward_accumulates_graph():
    x = leaf([3.0])
    (x * x).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    (gg,) = autograd.grad(x.grad.sum(), x)
    assert arr(gg).tolist() == [2.0]


# ------------------------------------------------------------------ hooks and retain_grad


def test_tensor_hooks_replace_grad_and_remove():
    x = leaf([1.0, 2.0])
    y = x * 2
    seen = []
    h1 = y.register_hook(lambda g: seen.append(arr(g).tolist()))
    h2 = y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert seen == [[1.0, 1.0]] and arr(x.grad).tolist() == [20.0, 20.0]
    h1.remove()
    h2.remove()
    x.grad = None
    y2 = x * 2
    y2.sum().backward()
    assert arr(x.grad).tolist() == [2.0, 2.0] and seen == [[1.0, 1.0]]


def test_leaf_hook():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g + 1)
    (x * 3).sum().backward()
    assert arr(x.grad).tolist() == [4.0, 4.0]
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        torch.ones(2).register_hook(lambda g: g)


def test_retain_grad():
    x = leaf([1.0, 2.0])
    y = x * 3
    z = y * y
    assert not y.retains_grad
    y.retain_grad()
    assert y.retains_grad
    z.sum().backward()
    assert arr(y.grad).tolist() == [6.0, 12.0]
    w = x * 2
    w.sum().backward()
    with pytest.warns(UserWarning, match="The .grad attribute of a Tensor that is not a leaf Tensor is being accessed"):
        assert w.grad is None


def test_node_hooks():
    x = leaf([1.0, 2.0])
    y = x * 2
    calls = []
    y.grad_fn.register_prehook(lambda gouts: calls.append("pre"))
    y.grad_fn.register_hook(lambda gins, gouts: calls.append("post"))
    y.sum().backward()
    assert calls == ["pre", "post"]


# ------------------------------------------------------------------ in-place ops and versions


MODIFIED = ("one of the variables needed for gradient computation has been modified by an inplace "
            "operation: [torch.FloatTensor [3]], which is output 0 of Sigmoid, is at version 1; expected "
            "version 0 instead. Hint: enable anomaly detection to find the operation that failed to "
            "compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")


def test_version_counter():
    x = torch.ones(3)
    v0 = x._version
    x.add_(1)
    x.mul_(2)
    assert x._version == v0 + 2
    v = x[0:2]
    v.fill_(0)
    assert x._version == v0 + 3 and v._version == v0 + 3


def test_modified_saved_input_raises():
    x = leaf([1.0, 2.0, 3.0], torch.float32)
    w = torch.ones(2, 3)
    y = x * w
    w.add_(1)
    v = w._version - 1
    with pytest.raises(RuntimeError, match=re.escape(
            "one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: [torch.FloatTensor [2, 3]] is at version {v + 1}; expected version {v} instead. Hint:")):
        y.sum().backward()


def test_modified_saved_output_raises():
    # a Function saving its output, as sigmoid's rule does
    class Sigmoid(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = 1 / (1 + x * x)
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, g):
            (out,) = ctx.saved_tensors
            return g * out

    x = leaf([0.0, 1.0, 2.0], torch.float32)
    y = Sigmoid.apply(x)
    y.mul_(2)
    v = y._version - 1
    with pytest.raises(RuntimeError, match=re.escape(
            MODIFIED.replace("version 1;", f"version {v + 1};").replace("version 0 ", f"version {v} "))):
        y.sum().backward()


def test_modification_not_needed_is_fine():
    x = leaf([1.0, 2.0])
    y = x + 1
    z = y * 2          # mul saves y? no: grad wrt y only needs the scalar
    y.add_(1)          # fine: neither add nor mul-by-scalar needs y's value
    z.sum().backward()
    assert arr(x.grad).tolist() == [2.0, 2.0]


def test_inplace_on_leaf_errors():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=re.escape(
            "a leaf Variable that requires grad is being used in an in-place operation.")):
        x.add_(1)
    with pytest.raises(RuntimeError, match=re.escape(
            "a view of a leaf Variable that requires grad is being used in an in-place operation.")):
        x[0].mul_(2)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
        x.view(2).add_(1)
    with torch.no_grad():
        x.add_(1)
    assert arr(x).tolist() == [2.0, 3.0]


def test_inplace_rebases_history():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.add_(1)
    assert y.grad_fn.name() == "AddBackward0"
    y.mul_(torch.tensor([3.0, 5.0], dtype=torch.float64))
    y.sum().backward()
    np.testing.assert_allclose(arr(x.grad), 2 * np.array([3.0, 5.0]))
    y = x * 2
    y.mul_(y.detach())   # the saved operand is the tensor being modified: torch raises too
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_inplace_uses_old_value():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 1
    y.mul_(x)         # needs y's old value for x's second gradient
    y.sum().backward()
    np.testing.assert_allclose(arr(x.grad), 2 * np.array([1.0, 2.0, 3.0]))


def test_inplace_on_untracked_with_tracked_operand():
    x = leaf([1.0, 2.0])
    buf = torch.zeros(2, dtype=torch.float64)
    buf.add_(x * 3)
    assert buf.requires_grad and buf.grad_fn.name() == "AddBackward0"
    buf.sum().backward()
    assert arr(x.grad).tolist() == [3.0, 3.0]


def test_copy_and_fill_backward():
    x = leaf([1.0, 2.0])
    y = x * 1
    y.copy_(x * 5)
    assert y.grad_fn.name() == "torch::autograd::CopyBackwards"
    y.sum().backward()
    assert arr(x.grad).tolist() == [5.0, 5.0]
    x.grad = None
    y = x * 1
    y.fill_(3)
    (y * x).sum().backward()
    assert arr(x.grad).tolist() == [3.0, 3.0]


def test_inplace_on_view_of_non_leaf():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 1
    y[0].mul_(2)
    assert y.grad_fn.name() == "torch::autograd::CopySlices"
    assert arr(y).tolist() == [2.0, 2.0, 3.0]
    (y * torch.tensor([1.0, 10.0, 100.0], dtype=torch.float64)).sum().backward()
    assert arr(x.grad).tolist() == [2.0, 10.0, 100.0]


def test_inplace_on_view_with_tracked_operand():
    x = leaf([1.0, 2.0, 3.0, 4.0])
    w = leaf([5.0, 6.0])
    y = x * 1
    v = y[1:3]
    v.mul_(w)
    (y * y).sum().backward()
    yv = np.array([1.0, 10.0, 18.0, 4.0])
    np.testing.assert_allclose(arr(x.grad), 2 * yv * np.array([1.0, 5.0, 6.0, 1.0]))
    np.testing.assert_allclose(arr(w.grad), 2 * yv[1:3] * np.array([2.0, 3.0]))


def test_inplace_on_view_then_use_view():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 2
    v = y[1:]
    v.add_(1)
    (v * 3).sum().backward()
    assert arr(x.grad).tolist() == [0.0, 6.0, 6.0]


def _chain(f):
    """Node names along the first edges from `f`."""
    names = []
    while f is not None:
        names.append(f.name())
        nxt = [e[0] for e in f.next_functions if e[0] is not None]
        f = nxt[0] if nxt else None
    return names


def test_inplace_on_view_of_untracked_base():
    # a buffer written with a tracked value through a view gets the history (torch's CopySlices)
    buf = torch.zeros(3, dtype=torch.float64)
    x = leaf(1.0)
    buf[0].copy_(x * 2)
    assert buf.requires_grad and buf.grad_fn.name() == "torch::autograd::CopySlices"
    assert buf.grad_fn.next_functions[0] == (None, 0)
    assert buf.grad_fn.next_functions[1][0].name() == "MulBackward0"
    buf.sum().backward()
    assert x.grad.item() == 2.0
    buf = torch.zeros(3, dtype=torch.float64)
    y = leaf([1.0, 1.0])
    buf[1:] = y * 3
    assert buf.grad_fn.name() == "torch::autograd::CopySlices"
    (buf * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    assert arr(y.grad).tolist() == [6.0, 9.0]


def test_views_follow_inplace_on_their_base():
    # a view taken before an in-place op on its base (or on another view of it) regenerates its
    # grad_fn from the base's new history when next used, as torch does
    x = leaf([1.0, 2.0, 3.0, 4.0])
    a = x.clone()
    b, c = a.view(2, 2), a[1:3]
    assert b.grad_fn.name() == "ViewBackward0" and b._base is a and c._base is a
    a.mul_(2)
    assert _chain(b.grad_fn) == ["AsStridedBackward0", "MulBackward0", "CloneBackward0", "torch::autograd::AccumulateGrad"]
    assert _chain(c.grad_fn)[:2] == ["AsStridedBackward0", "MulBackward0"]
    assert not b.is_leaf and b.requires_grad and b.output_nr == 0
    (b.sum() + (c * torch.tensor([10.0, 100.0], dtype=torch.float64)).sum()).backward()
    assert arr(x.grad).tolist() == [2.0, 22.0, 202.0, 2.0]

    buf = torch.zeros(3, dtype=torch.float64)
    v = buf[0:2]
    assert v._is_view() and not v.requires_grad
    x = leaf([1.0])
    buf[0:1].copy_(x * 2)
    assert v.requires_grad and not v.is_leaf
    assert _chain(v.grad_fn)[:3] == ["AsStridedBackward0", "torch::autograd::CopySlices", "MulBackward0"]
    (v * torch.tensor([3.0, 4.0], dtype=torch.float64)).sum().backward()
    assert x.grad.item() == 6.0

    # views of views share the root base; an in-place on the inner one updates the root
    x = leaf([1.0, 2.0, 3.0, 4.0])
    a = x * 1
    b = a[1:]
    c = b[0:2]
    assert c._base is a and b._base is a
    c.mul_(3)
    assert a.grad_fn.name() == "torch::autograd::CopySlices" and b.grad_fn.name() == "AsStridedBackward0"
    (a * torch.tensor([1.0, 10.0, 100.0, 1000.0], dtype=torch.float64)).sum().backward()
    assert arr(x.grad).tolist() == [1.0, 30.0, 300.0, 1000.0]


def test_views_after_writes_without_grad():
    w = leaf([1.0, 2.0, 3.0])
    v = w[0:2]
    with torch.no_grad():
        w.mul_(2)
    assert _chain(v.grad_fn) == ["AsStridedBackward0", "torch::autograd::AccumulateGrad"]
    (v * 1).sum().backward()
    assert arr(w.grad).tolist() == [1.0, 1.0, 0.0]
    buf = torch.zeros(3)
    u = buf[0:2]
    with torch.no_grad():
        buf.add_(1)
    assert not u.requires_grad and u.grad_fn is None
    assert torch.zeros(3).detach()._base is None
    assert torch.zeros(3).view(torch.int32)._base is None   # not a differentiable view (torch)


def test_double_backward_through_inplace_on_view():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 1
    y[0:2].mul_(x[1:3])   # y = [x0 x1, x1 x2, x2]
    g, = autograd.grad((y * y).sum(), x, create_graph=True)
    assert arr(g).tolist() == [8.0, 40.0, 30.0]
    gg, = autograd.grad(g.sum(), x)
    assert arr(gg).tolist() == [16.0, 52.0, 34.0]
    buf = torch.zeros(3, dtype=torch.float64)
    z = leaf([1.0, 2.0])
    buf[1:].copy_(z * z)
    g, = autograd.grad((buf * buf).sum(), z, create_graph=True)
    assert arr(g).tolist() == [4.0, 32.0]
    assert arr(autograd.grad(g.sum(), z)[0]).tolist() == [12.0, 48.0]

    def f(a, b):
        out = a * 1
        out[1:3].mul_(b)
        out[0].add_(b[0] * a[3])
        buf = torch.zeros(2, 4, dtype=torch.float64)
        buf[1].copy_(out.exp())
        return buf * 2
    args = (leaf([0.5, -1.0, 2.0, 0.3]), leaf([1.5, -0.7]))
    assert autograd.gradcheck(f, args)
    assert autograd.gradgradcheck(f, args)


# ------------------------------------------------------------------ grad modes


def test_no_grad_and_enable_grad():
    x = leaf([1.0])
    with torch.no_grad():
        y = x * 2
        with torch.enable_grad():
            z = x * 2
    assert not y.requires_grad and z.requires_grad

    @torch.no_grad()
    def f(t):
        return t * 2
    assert not f(x).requires_grad
    with torch.set_grad_enabled(False):
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()
    with torch.inference_mode():
        assert not (x * 2).requires_grad


def test_grad_mode_is_thread_local():
    seen = []
    with torch.no_grad():
        t = threading.Thread(target=lambda: seen.append(torch.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


# ------------------------------------------------------------------ custom Functions


class Exp3(autograd.Function):
    """x^3 with a saved input, a non-tensor arg and a scale."""

    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x * x * x * scale

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x * ctx.scale, None


def test_function_basic_and_ctx():
    x = leaf([1.0, 2.0])
    y = Exp3.apply(x, 2.0)
    assert y.grad_fn.name() == "Exp3Backward"
    assert y.grad_fn.needs_input_grad == (True, False)
    y.sum().backward()
    assert arr(x.grad).tolist() == [6.0, 24.0]
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.grad_fn.saved_tensors


def test_function_double_backward():
    x = leaf([2.0])
    (g,) = autograd.grad(Exp3.apply(x, 1.0).sum(), x, create_graph=True)
    (g2,) = autograd.grad(g.sum(), x)
    assert arr(g2).tolist() == [12.0]
    assert autograd.gradcheck(lambda t: Exp3.apply(t, 1.5), (leaf([0.3, -0.7]),))
    assert autograd.gradgradcheck(lambda t: Exp3.apply(t, 1.5), (leaf([0.3, -0.7]),))


def test_function_multiple_outputs_and_non_differentiable():
    class Split(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = torch.tensor([0, 1])
            ctx.mark_non_differentiable(idx)
            return x * 2, x * 3, idx

        @staticmethod
        def backward(ctx, ga, gb, gi):
            return ga * 2 + gb * 3

    x = leaf([1.0, 2.0])
    a, b, i = Split.apply(x)
    assert not i.requires_grad and a.grad_fn is b.grad_fn
    a.sum().backward()     # gb materialised as zeros
    assert arr(x.grad).tolist() == [2.0, 2.0]


def test_function_mark_dirty_and_setup_context():
    class AddOne(autograd.Function):
        @staticmethod
        def forward(x):
            x.add_(1)
            return x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.mark_dirty(inputs[0])

        @staticmethod
        def backward(ctx, g):
            return g

    x = leaf([1.0])
    y = x * 2
    z = AddOne.apply(y)
    assert z is y and y.grad_fn.name() == "AddOneBackward"
    z.sum().backward()
    assert arr(x.grad).tolist() == [2.0]
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad has been used in an in-place operation."):
        AddOne.apply(leaf([1.0]))


def test_function_wrong_number_of_grads_and_once_differentiable():
    class Bad(autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match=re.escape(
            "function BadBackward returned an incorrect number of gradients (expected 2, got 1)")):
        Bad.apply(leaf([1.0]), leaf([2.0])).sum().backward()

    class Once(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        @autograd.once_differentiable
        def backward(ctx, g):
            assert not torch.is_grad_enabled()
            return g * 2

    x = leaf([1.0])
    (g,) = autograd.grad(Once.apply(x).sum(), x, create_graph=True)
    assert not g.requires_grad and arr(g).tolist() == [2.0]


def test_function_identity_output_gets_new_tensor():
    class Ident(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5

    x = leaf([1.0])
    y = Ident.apply(x)
    assert y is not x and x.is_leaf and y.grad_fn.name() == "IdentBackward"
    y.sum().backward()
    assert arr(x.grad).tolist() == [5.0]


# ------------------------------------------------------------------ anomaly mode


def test_anomaly_mode_nan_and_traceback():
    class NanGrad(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    x = leaf([1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with autograd.detect_anomaly():
            assert autograd.is_anomaly_enabled()
            y = (x * 2) * float("nan")
            with pytest.raises(RuntimeError, match=re.escape("Function 'MulBackward0' returned nan values in its 0th output.")):
                y.sum().backward()
    assert not autograd.is_anomaly_enabled()

    class Boom(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            raise ValueError("boom")

    with autograd.set_detect_anomaly(True):
        y = Boom.apply(x)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            with pytest.raises(ValueError, match="boom"):
                y.sum().backward()
    msgs = [str(m.message) for m in w]
    assert any("Error detected in BoomBackward. Traceback of forward call that caused the error:" in m
               and "test_anomaly_mode_nan_and_traceback" in m for m in msgs)
    assert not autograd.is_anomaly_enabled()


# ------------------------------------------------------------------ memory


def test_graph_and_saved_tensors_freed_after_backward():
    x = leaf(np.ones(4))
    h = x * 2
    y = h * h
    refs = [weakref.ref(h), weakref.ref(y.grad_fn)]
    del h
    gc.collect()
    assert refs[0]() is not None  # saved by the mul node
    y.sum().backward()
    assert refs[0]() is None      # freed with the saved tensors, without the cycle collector
    del y
    assert refs[1]() is None


def test_no_cycles_through_output_hooks_or_ctx():
    gc.collect()
    gc.disable()
    try:
        x = leaf(np.ones(3))
        y = Exp3.apply(x * 1, 2.0)
        z = (y * 2).exp() if hasattr(y, "exp") else y * y
        z.retain_grad()
        z.register_hook(lambda g: None)
        refs = [weakref.ref(y), weakref.ref(z), weakref.ref(z.grad_fn), weakref.ref(y.grad_fn)]
        z.sum().backward()
        del y, z
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


# ------------------------------------------------------------------ rules at special points
# (where finite differences cannot check them; values from torch 2.15)


def test_std_var_nanmean_at_undefined_and_constant_points():
    nan = float("nan")
    x = leaf([[1.0], [2.0]])
    for op in (torch.var, torch.std):
        op(x, dim=1).sum().backward()   # one element per slice, correction 1: NaN like torch
        assert np.isnan(arr(x.grad)).all()
        x.grad = None
    for corr in (0, 0.5):
        torch.std(x, dim=1, correction=corr).sum().backward()   # std 0: torch's gradient is 0
        assert arr(x.grad).tolist() == [[0.0], [0.0]]
        x.grad = None
    c = leaf([[3.0, 3.0, 3.0]])
    s, m = torch.std_mean(c, dim=1)
    (s + m).sum().backward()
    np.testing.assert_allclose(arr(c.grad), [[1 / 3] * 3])
    z = leaf([[nan, 1.0], [nan, nan], [2.0, 3.0]])
    torch.nanmean(z, dim=1)[0].backward()
    assert arr(z.grad)[0].tolist() == [0.0, 1.0] and arr(z.grad)[2].tolist() == [0.0, 0.0]
    assert np.isnan(arr(z.grad)[1]).all()   # all-NaN slice: 0/0, as torch


def test_quantile_gradient_of_q():
    x = leaf([[0.5, -1.0, 2.0, 3.0, 1.0], [float("nan"), 1, 2, 3, 4]])
    q = leaf([0.3, 0.7])
    torch.quantile(x, q, dim=1).sum().backward()
    # (sorted[ceil(rank)] - sorted[floor(rank)]) * (n - 1); the row with a NaN gives nothing
    assert arr(q.grad).tolist() == [2.0, 4.0]
    q.grad = None
    torch.nanquantile(x, q, dim=1).sum().backward()
    np.testing.assert_allclose(arr(q.grad), [5.0, 7.0])
    # the other interpolations round the rank: the result does not depend on q (torch)
    q0 = leaf(0.3)
    assert torch.quantile(x.detach()[0], q0).requires_grad
    for how in ("lower", "higher", "midpoint", "nearest"):
        assert not torch.quantile(x.detach()[0], q0, interpolation=how).requires_grad
        q.grad = None
        torch.quantile(x, q, dim=1, interpolation=how).sum().backward()
        assert q.grad is None


def test_cumprod_and_prod_gradients_at_zeros():
    x = leaf([[2.0, 0.0, 3.0, 0.0, 5.0], [1.5, 2.0, 0.0, 4.0, 0.5], [0.0, 0.0, 2.0, 3.0, 1.0],
              [1.0, 2.0, 3.0, 4.0, 5.0]])
    w = torch.tensor([[1.0, -2.0, 3.0, 0.5, 2.0]] * 4, dtype=torch.float64)
    (torch.cumprod(x, 1) * w).sum().backward()
    assert arr(x.grad).tolist() == [[1.0, 14.0, 0.0, 0.0, 0.0], [-3.0, -3.0, 27.0, 0.0, 0.0],
                                    [1.0, 0.0, 0.0, 0.0, 0.0], [267.0, 133.0, 90.0, 63.0, 48.0]]
    g, = autograd.grad((torch.cumprod(x, 1) * w).sum(), x, create_graph=True)
    gg, = autograd.grad((g * w).sum(), x)
    # entries after a line's first zero are 0 but still depend on that zero
    assert arr(gg).tolist() == [[-14.0, 56.5, -12.0, -126.0, 0.0], [58.0, 38.5, 41.25, 13.5, 72.0],
                                [-38.0, 19.0, 0.0, 0.0, 0.0], [131.5, 331.75, 42.5, 87.0, 54.0]]
    y = leaf([0.0, 0.0, 2.0])
    g, = autograd.grad(torch.prod(y), y, create_graph=True)
    assert arr(g).tolist() == [0.0, 0.0, 0.0]
    assert arr(autograd.grad(g.sum(), y)[0]).tolist() == [2.0, 2.0, 0.0]
    z = leaf([[2.0, 0.0, 3.0, 0.0], [1.5, 2.0, 0.0, 4.0]])
    g, = autograd.grad(torch.prod(z, 1).sum(), z, create_graph=True)
    assert arr(g).tolist() == [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 12.0, 0.0]]
    gg, = autograd.grad((g * torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)).sum(), z)
    assert arr(gg).tolist() == [[0.0, 24.0, 0.0, 12.0], [24.0, 18.0, 32.0, 9.0]]


def test_scatter_with_reduce_has_no_derivative_like_torch():
    x = leaf([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    src = leaf([[2.0, 3.0, 4.0], [5.0, 6.0, 7.0]])
    idx = torch.tensor([[0, 1, 0], [1, 0, 1]])
    assert x.scatter(0, idx, src).grad_fn.name() == "ScatterBackward0"
    assert x.scatter(0, idx, 2.0).grad_fn.name() == "ScatterBackward1"
    for reduce in ("add", "multiply"):
        for s in (src, 2.0):
            y = x.scatter(0, idx, s, reduce=reduce)
            assert y.requires_grad and y.grad_fn.name() == "NotImplemented"
            with pytest.raises(RuntimeError, match="^derivative for aten::scatter is not implemented$"):
                y.sum().backward()
    a = x * 1
    a.scatter_(0, idx, src, reduce="multiply")
    assert a.grad_fn.name() == "NotImplemented"


def test_scatter_reduce_prod_gradients_with_zeros():
    # values from torch 2.15: zeros in self, a zero alone at its position, zeros elsewhere
    idx = torch.tensor([[0, 1, 0], [1, 0, 1], [0, 0, 2], [2, 2, 2]])
    w = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], dtype=torch.float64)
    expected = {True: ([0.0, 12.0, 12.0, 0.0, 0.0, 42.0, 21.0, 16.0, 0.0],
                       [0.0, 25.0, 9.0, 16.0, 0.0, 0.0, 2.0, 0.0, 180.0, 14.0, 24.0, 0.0]),
                False: ([0.0] * 9, [0.0, 5.0, 3.0, 4.0, 2.0, 6.0, 2.0, 12.0, 45.0, 7.0, 8.0, 0.0])}
    for include_self, (gx, gs) in expected.items():
        x = leaf([[1.0, 0.0, 3.0], [4.0, 5.0, 0.0], [2.0, 3.0, 4.0]])
        s = leaf([[2.0, 0.0, 4.0], [0.0, 6.0, 7.0], [0.0, 1.0, 0.0], [3.0, 2.0, 5.0]])
        (x.scatter_reduce(0, idx, s, "prod", include_self=include_self) * w).sum().backward()
        assert arr(x.grad).reshape(-1).tolist() == gx and arr(s.grad).reshape(-1).tolist() == gs
    # two src zeros at one position: first derivatives are fine, differentiating again is not
    x, s = leaf([1.0, 2.0]), leaf([0.0, 0.0, 3.0])
    y = x.scatter_reduce(0, torch.tensor([0, 0, 1]), s, "prod")
    gx, gs = autograd.grad((y * torch.tensor([2.0, 3.0], dtype=torch.float64)).sum(), [x, s], create_graph=True)
    assert arr(gx).tolist() == [0.0, 9.0] and arr(gs).tolist() == [0.0, 0.0, 6.0]
    assert gs.grad_fn.name() == "torch::autograd::Error"
    with pytest.raises(RuntimeError, match="Double backward is unsupported for src when >1 zeros in src are scattered"):
        autograd.grad(gs.sum(), [x, s])
    assert arr(autograd.grad(gx.sum(), [x, s])[1]).tolist() == [0.0, 0.0, 3.0]


# ------------------------------------------------------------------ gradcheck


def test_gradcheck_passes_and_fails():
    a, b = leaf([0.5, -1.5, 2.0]), leaf([1.5, 2.5, -0.5])
    assert autograd.gradcheck(lambda x, y: (x * y / (y * y + 1) - x).sum(0), (a, b))
    assert autograd.gradgradcheck(lambda x, y: x * y * x / y, (a, b))

    class Wrong(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    with pytest.raises(autograd.GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"):
        autograd.gradcheck(Wrong.apply, (a,))
    assert issubclass(autograd.GradcheckError, RuntimeError)
    assert autograd.gradcheck(Wrong.apply, (a,), raise_exception=False) is False
    with pytest.raises(ValueError, match="gradcheck expects at least one input tensor to require gradient"):
        autograd.gradcheck(lambda t: t * 2, (torch.ones(2, dtype=torch.float64),))


def test_gradgradcheck_checks_second_derivatives():
    class SquareFirstOrderOnly(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 2 * x.detach()   # right gradient, but its own derivative w.r.t. x is lost

    a = leaf([0.5, -1.5])
    assert autograd.gradcheck(SquareFirstOrderOnly.apply, (a,))
    with pytest.raises(autograd.GradcheckError, match="Jacobian mismatch"):
        autograd.gradgradcheck(SquareFirstOrderOnly.apply, (a,))
    assert autograd.gradgradcheck(lambda x: x * x * x, (a,), gen_non_contig_grad_outputs=True)
    # a function that itself differentiates: the finite differences run with grad enabled
    assert autograd.gradcheck(lambda x: autograd.grad((x ** 3).sum(), x, create_graph=True)[0], (a,))


def test_gradcheck_flags():
    a = leaf([0.5, -1.5, 2.0])
    f = lambda x: (x * x).sum()  # noqa: E731
    # flags that only pick a faster or a sparse-only variant run the full check
    assert autograd.gradcheck(f, (a,), fast_mode=True, masked=False)
    assert autograd.gradgradcheck(f, (a,), fast_mode=True)
    # checks needing machinery rstorch lacks are refused, not reported as passed
    for flag in ("check_forward_ad", "check_batched_forward_grad", "check_batched_grad"):
        with pytest.raises(NotImplementedError, match=f"{flag}=True is not supported"):
            autograd.gradcheck(f, (a,), **{flag: True})
    with pytest.raises(NotImplementedError, match="check_fwd_over_rev=True is not supported"):
        autograd.gradgradcheck(f, (a,), check_fwd_over_rev=True)
    with pytest.raises(NotImplementedError, match="check_batched_grad=True is not supported"):
        autograd.gradgradcheck(f, (a,), check_batched_grad=True)
    with pytest.raises(AssertionError, match="Expected at least one of check_forward_ad or check_backward_ad"):
        autograd.gradcheck(f, (a,), check_backward_ad=False)
    with pytest.raises(AssertionError, match="Expected at least one of check_fwd_over_rev or check_rev_over_rev"):
        autograd.gradgradcheck(f, (a,), check_rev_over_rev=False)
    with pytest.raises(RuntimeError, match="The 0th input has a dimension with stride 0"):
        autograd.gradcheck(f, (leaf([1.0]).expand(3),))

    class Float32Grad(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return (g * 2).float()

    assert autograd.gradcheck(Float32Grad.apply, (a,))   # the engine casts it back
    assert autograd.gradcheck(lambda x: x * 2, (a,), check_grad_dtypes=True)

    class NotLinearInGrad(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2 if bool((g != 0).any()) else torch.ones_like(g)

    with pytest.raises(autograd.GradcheckError, match="backward not multiplied by grad_output"):
        autograd.gradcheck(NotLinearInGrad.apply, (a,))
    with pytest.raises(autograd.GradcheckError, match="Numerical gradient for function expected to be zero"):
        autograd.gradcheck(lambda x: x.detach() * x.detach(), (a,))
    assert autograd.gradcheck(lambda x: torch.ones(2, dtype=torch.float64), (a,))


def test_gradcheck_undefined_output_grads():
    class TwoOutputs(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            if g1 is None:   # wrong when the defined gradient is zero
                return g2 * 3 if bool((g2 != 0).any()) else torch.ones_like(g2)
            return g1 * 2 if g2 is None else g1 * 2 + g2 * 3

    a = leaf([0.5, -1.5])
    with pytest.raises(autograd.GradcheckError, match="Expected all input grads to be undefined or zero"):
        autograd.gradcheck(TwoOutputs.apply, (a,))
    assert autograd.gradcheck(TwoOutputs.apply, (a,), check_undefined_grad=False)
    assert autograd.gradcheck(lambda x: (x * 2, x.sin()), (a,))
