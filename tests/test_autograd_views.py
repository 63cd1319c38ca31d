"""In-place ops on views autograd cannot rebase (torch's CreationMeta): views made in no_grad or
inference mode, outputs of split/chunk/unbind, views returned by custom Functions; and
inference tensors. Messages and the cases that raise (or not) are torch 2.15's, written in as
literals."""

import re

import pytest

import rstorch as torch
from rstorch import autograd


def leaf(values, dtype=torch.float64):
    return torch.tensor(values, dtype=dtype, requires_grad=True)


NO_GRAD_TAIL = (" Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by "
                "moving both the view and the inplace either both inside the no_grad block (if you don't want the "
                "inplace to be tracked) or both outside (if you want the inplace to be tracked).")
INFERENCE_TAIL = (" Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by "
                  "moving both the view and the inplace either both inside the inference_mode block (if you don't want "
                  "the inplace to be tracked) or both outside (if you want the inplace to be tracked).")
MULTI_TAIL = (" This view is the output of a function that returns multiple views. Such functions do not allow the "
              "output views to be modified inplace. You should replace the inplace operation by an out-of-place one.")
CUSTOM_TAIL = (" This view was created inside a custom Function (or because an input was returned as-is) and the "
               "autograd logic to handle view+inplace would override the custom backward associated with the custom "
               "Function, leading to incorrect gradients. This behavior is forbidden. You can fix this by cloning the "
               "output of the custom Function.")
NO_GRAD_DIRECT = "A view was created in no_grad mode and is being modified inplace with grad mode enabled." + NO_GRAD_TAIL
NO_GRAD_INDIRECT = ("A view was created in no_grad mode and its base or another view of its base has been modified "
                    "inplace with grad mode enabled." + NO_GRAD_TAIL)


def raises(msg):
    return pytest.raises(RuntimeError, match="^" + re.escape(msg) + "$")


# ------------------------------------------------------------------ views made in no_grad


@pytest.mark.parametrize("op", [
    lambda v: v.mul_(2), lambda v: v.zero_(), lambda v: v.copy_(torch.ones(2, dtype=torch.float64)),
    lambda v: v.__iadd__(1), lambda v: v.add_(torch.ones(2, dtype=torch.float64)),
])
def test_no_grad_view_of_tracked_base_modified_in_grad_mode(op):
    x = leaf([1.0, 2.0, 3.0])
    b = x * 1
    with torch.no_grad():
        v = b[:2]
    # the view is torch's: it knows its base and requires grad through it, but has no history
    assert v._base is b and v._is_view() and v.requires_grad and v.is_leaf and v.grad_fn is None
    with raises(NO_GRAD_DIRECT):
        op(v)
    assert b.grad_fn.name() == "MulBackward0"   # nothing was recorded


def test_no_grad_view_cases_that_raise_and_that_do_not():
    x = leaf([1.0, 2.0, 3.0])
    with torch.no_grad():
        v = x[:2]
    with raises(NO_GRAD_DIRECT):   # the base is a leaf: the view check comes first
        v.mul_(2)
    with raises(NO_GRAD_DIRECT):
        _nograd_view(x).mul_(2)
    # a plain base with a value that requires grad
    p = torch.ones(3)
    with torch.no_grad():
        pv = p[:2]
    with raises(NO_GRAD_DIRECT):
        pv.mul_(torch.ones(2, requires_grad=True))
    # nothing requires grad, or grad mode is off: no check
    pv.mul_(2)
    with torch.no_grad():
        pv.mul_(torch.ones(2, requires_grad=True))
    assert p.tolist() == [2.0, 2.0, 1.0] and p._version == 2
    with torch.no_grad():
        w = (x * 1)[:2]
        w.mul_(3)   # both the view and the in-place op in no_grad
    # a view that was made to require grad itself
    q = torch.ones(3)
    with torch.no_grad():
        qv = q[:2]
    qv.requires_grad_()
    with raises(NO_GRAD_DIRECT):
        qv.mul_(2)


def _nograd_view(t):
    with torch.no_grad():
        return t.view(t.shape)


def test_views_of_no_grad_views_inherit_the_restriction():
    x = leaf([1.0, 2.0, 3.0])
    b = x * 1
    with torch.no_grad():
        v = b[:2]
    w = v[:1]   # made in grad mode: it has a history, and the no_grad origin sticks
    assert w._base is b and w.grad_fn.name() == "SliceBackward0"
    with raises("Output 0 of Slice is a view of a view which was created in no_grad mode and is being modified "
                "inplace with grad mode enabled." + NO_GRAD_TAIL):
        w.mul_(2)
    with raises("Output 0 of Select is a view of a view which was created in no_grad mode and is being modified "
                "inplace with grad mode enabled." + NO_GRAD_TAIL):
        v[0] = 1.0
    with raises("Output 0 of Unsqueeze is a view of a view which was created in no_grad mode and is being modified "
                "inplace with grad mode enabled." + NO_GRAD_TAIL):
        v.unsqueeze(0).mul_(2)
    plain = torch.ones(3)
    with torch.no_grad():
        pv = plain[:2]
    pw = pv[:1]   # nothing requires grad: no history, the plain message
    with raises(NO_GRAD_DIRECT):
        pw.mul_(torch.ones(1, requires_grad=True))


def test_no_grad_view_whose_base_was_modified_raises_when_its_history_is_read():
    x = leaf([1.0, 2.0, 3.0])
    b = x * 1
    with torch.no_grad():
        v = b[1:]
    b.add_(1)
    assert v.requires_grad   # reading requires_grad does not touch the history
    for read in (lambda: v.is_leaf, lambda: v.grad_fn, lambda: v * 2):
        with raises(NO_GRAD_INDIRECT):
            read()
    # also when the write itself was in no_grad mode
    b2 = x * 1
    with torch.no_grad():
        v2 = b2[1:]
        v2.mul_(2)
    assert b2.grad_fn.name() == "MulBackward0"
    with raises(NO_GRAD_INDIRECT):
        v2 * 2


def test_using_a_no_grad_view_of_a_leaf_drops_its_gradient():
    # torch: the view requires grad (through its base) but has no edge to it
    x = leaf([1.0, 2.0, 3.0])
    with torch.no_grad():
        v = x[:2]
    r = (v * 2).sum()
    assert r.requires_grad
    assert r.grad_fn.next_functions[0][0].next_functions == ((None, 0), (None, 0))
    r.backward()
    assert x.grad is None and v.grad is None


def test_detach_of_a_no_grad_view_and_detached_views():
    x = leaf([1.0, 2.0, 3.0])
    with torch.no_grad():
        v = x[:2]
    with pytest.raises(RuntimeError, match=re.escape("Can't detach views in-place. Use detach() instead.")):
        v.detach_()
    b = x * 1
    d = b.detach()[:2]   # a view of a detached alias: not a view of b
    assert d._base is not b
    d.mul_(2)


def test_views_made_in_no_grad_know_their_base():
    t = torch.arange(6.0)
    with torch.no_grad():
        v = t.view(2, 3)
        s = v[1]
    assert v._base is t and s._base is t and v._is_view()
    assert not v.requires_grad and v.is_leaf
    assert torch.zeros(3).view(torch.int32)._base is None   # a reinterpretation is no view


# ------------------------------------------------------------------ multi-output views


@pytest.mark.parametrize("split, node, nr", [
    (lambda b: b.split(2), "Split", 1),
    (lambda b: b.split([2, 4]), "SplitWithSizes", 1),
    (lambda b: b.split_with_sizes([3, 3]), "SplitWithSizes", 1),
    (lambda b: b.chunk(3), "Split", 1),
    (lambda b: torch.split(b, 3), "Split", 1),
    (lambda b: b.unbind(1), "Unbind", 1),
    (lambda b: b.split(6), "Split", 0),   # one output is still a multi-output view
])
def test_inplace_on_multi_output_views_raises(split, node, nr):
    x = torch.arange(12.0).reshape(6, 2).requires_grad_()
    b = x * 1
    outs = split(b)
    o = outs[min(1, len(outs) - 1)]
    assert o._base is b and o.output_nr == nr and o.grad_fn.name() == node + "Backward0"
    msg = f"Output {nr} of {node} is a view and is being modified inplace." + MULTI_TAIL
    for op in (lambda: o.mul_(2), lambda: o.zero_(), lambda: o.__iadd__(1), lambda: o.copy_(o.detach())):
        with raises(msg):
            op()
    with raises(f"Output 1 of Split is a view and is being modified inplace." + MULTI_TAIL):
        x.split(3)[1].zero_()   # of a leaf: the view check comes first


def test_multi_output_views_when_nothing_is_tracked_and_views_of_them():
    x = torch.arange(6.0)
    a, b = x.split(3)
    b.mul_(2)   # nothing requires grad: allowed
    assert x.tolist() == [0.0, 1.0, 2.0, 6.0, 8.0, 10.0]
    with raises("A view was created in no_grad mode and is being modified inplace with grad mode enabled." + MULTI_TAIL):
        b.mul_(torch.ones(3, requires_grad=True))
    with torch.no_grad():
        b.mul_(torch.ones(3, requires_grad=True))
    y = torch.arange(6.0).requires_grad_()
    c = y * 1
    p, q = c.split(3)
    with raises("Output 0 of Select is a view and is being modified inplace." + MULTI_TAIL):
        q[0].mul_(2)
    with raises("Output 0 of Select is a view and is being modified inplace." + MULTI_TAIL):
        q[0] = 5.0
    with torch.no_grad():
        n1, n2 = c.split(3)
    with raises(NO_GRAD_DIRECT):
        n1.mul_(2)


def test_multi_output_view_after_a_write_through_its_base():
    indirect = "Output 1 of Split is a view and its base or another view of its base has been modified inplace." + MULTI_TAIL
    x = torch.arange(6.0).requires_grad_()
    b = x * 1
    p, q = b.split(3)
    with torch.no_grad():
        q.mul_(2)
    assert b.grad_fn.name() == "MulBackward0"
    with raises(indirect):
        q.grad_fn
    b2 = x * 1
    p2, q2 = b2.split(3)
    b2.mul_(2)   # allowed on the base itself
    assert b2.grad_fn.name() == "MulBackward0"
    with raises(indirect):
        q2 * 2
    b3 = x * 1
    p3, q3 = b3.split(3)
    q3.detach().mul_(2)   # a detached alias shares the version counter
    with raises(indirect):
        q3.grad_fn


def test_tensor_split_and_friends_return_slices_that_may_be_modified():
    x = torch.arange(12.0).reshape(6, 2).requires_grad_()
    for outs, shapes in [
        ((x * 1).tensor_split(3), [(2, 2), (2, 2), (2, 2)]),
        ((x * 1).tensor_split([1, 4]), [(1, 2), (3, 2), (2, 2)]),
        ((x * 1).tensor_split([4, 1, 7]), [(4, 2), (0, 2), (5, 2), (0, 2)]),
        ((x * 1).tensor_split(torch.tensor([1, 3])), [(1, 2), (2, 2), (3, 2)]),
        ((x * 1).tensor_split(4), [(2, 2), (2, 2), (1, 2), (1, 2)]),
        ((x * 1).hsplit(2), [(6, 1), (6, 1)]),
        ((x * 1).vsplit([2]), [(2, 2), (4, 2)]),
        (torch.ones(2, 2, 4).dsplit(2), [(2, 2, 2), (2, 2, 2)]),
        (torch.tensor_split(x * 1, 2, dim=1), [(6, 1), (6, 1)]),
    ]:
        assert [tuple(o.shape) for o in outs] == shapes
    b = x * 1
    parts = b.tensor_split(3)
    assert parts[1].grad_fn.name() == "SliceBackward0" and parts[1]._base is b
    parts[1].mul_(10)
    b.sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0], [1.0, 1.0], [10.0, 10.0], [10.0, 10.0], [1.0, 1.0], [1.0, 1.0]]
    for f, msg in [
        (lambda: x.tensor_split(0), "number of sections must be larger than 0, got 0"),
        (lambda: torch.tensor(1.0).tensor_split(2),
         "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"),
        (lambda: x.tensor_split(torch.tensor([[1]])), "tensor_split expected tensor_indices_or_sections to be a "
         "zero-dimensional or one-dimensional tensor, but got a tensor with 2 dims"),
        (lambda: x.tensor_split(torch.tensor([1.0])),
         "tensor_split expected tensor_indices_or_sections to have dtype of long, but got Float"),
        (lambda: x.hsplit(3), "torch.hsplit attempted to split along dimension 1, but the size of the dimension 2 "
         "is not divisible by the split_size 3!"),
        (lambda: x.vsplit(4), "torch.vsplit attempted to split along dimension 0, but the size of the dimension 6 "
         "is not divisible by the split_size 4!"),
        (lambda: torch.ones(3).vsplit(3), "torch.vsplit requires a tensor with at least 2 dimension, but got a "
         "tensor with 1 dimensions!"),
        (lambda: torch.tensor(1.0).hsplit(1), "torch.hsplit requires a tensor with at least 1 dimension, but got "
         "a tensor with 0 dimensions!"),
    ]:
        with raises(msg):
            f()
    with pytest.raises(TypeError, match="tensor_split\\(\\) received an invalid combination of arguments"):
        x.tensor_split(2.5)


def test_split_node_names_follow_torch():
    x = torch.arange(10.0).requires_grad_()
    assert x.split(3)[0].grad_fn.name() == "SplitBackward0"
    assert x.split([3, 7])[0].grad_fn.name() == "SplitWithSizesBackward0"
    assert x.chunk(3)[0].grad_fn.name() == "SplitBackward0"   # torch's chunk is a split
    (a, b), (c,) = x.split([4, 6]), x.chunk(1)
    (a.sum() * 2 + b.sum() * 3 + (c * c).sum()).backward()
    assert x.grad.tolist() == [2.0 + 2 * i for i in range(4)] + [3.0 + 2 * i for i in range(4, 10)]


# ------------------------------------------------------------------ custom Functions


class ViewFn(autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x[:2]

    @staticmethod
    def backward(ctx, g):
        return torch.cat([g, g.new_zeros(1)])


class Ident(autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, g):
        return g


def test_inplace_on_views_returned_by_custom_functions_raises():
    x = leaf([1.0, 2.0, 3.0])
    b = x * 1
    v = ViewFn.apply(b)
    assert v._base is b and v.grad_fn.name() == "ViewFnBackward"
    with raises("Output 0 of ViewFn is a view and is being modified inplace." + CUSTOM_TAIL):
        v.mul_(2)
    i = Ident.apply(b)   # an input returned as is comes back as a view of it
    assert i is not b and i._base is b and i._is_view()
    with raises("Output 0 of Ident is a view and is being modified inplace." + CUSTOM_TAIL):
        i.mul_(2)
    with raises("Output 0 of Ident is a view and is being modified inplace." + CUSTOM_TAIL):
        Ident.apply(x).mul_(2)
    p = torch.ones(3)
    pv = ViewFn.apply(p)   # not tracked: still a custom-Function view
    assert pv._base is p and not pv.requires_grad
    with raises("A view was created in no_grad mode and is being modified inplace with grad mode enabled." + CUSTOM_TAIL):
        pv.mul_(torch.ones(2, requires_grad=True))
    pi = Ident.apply(p)
    assert pi is not p and pi._base is p
    b2 = x * 1
    v2 = ViewFn.apply(b2)
    b2.mul_(2)
    with raises("Output 0 of ViewFn is a view and its base or another view of its base has been modified inplace."
                + CUSTOM_TAIL):
        v2.grad_fn
    Ident.apply(x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


# ------------------------------------------------------------------ inference mode


def test_inference_mode_tensors_and_views():
    x = leaf([1.0, 2.0, 3.0])
    b = x * 1
    with torch.inference_mode():
        assert torch.is_inference_mode_enabled() and not torch.is_grad_enabled()
        v = b[:2]
        t = torch.ones(3)
        tv = t[:2]
        assert t.is_inference() and tv.is_inference() and not v.is_inference()
        assert v._base is b and tv._base is None   # views of inference tensors are no views to autograd
        t.add_(1)   # allowed inside
    assert not torch.is_inference_mode_enabled() and torch.is_grad_enabled()
    assert v.requires_grad and v.is_leaf and not x.is_inference()
    with raises("A view was created in inference mode and is being modified inplace in normal mode." + INFERENCE_TAIL):
        v.mul_(2)
    inplace = ("Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get "
               "a normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more "
               "details.")
    for op in (lambda: t.add_(1), lambda: tv.add_(1), lambda: t.zero_(), lambda: t.copy_(torch.zeros(3))):
        with raises(inplace):
            op()
    with torch.no_grad(), raises(inplace):
        t.add_(1)
    assert t.tolist() == [2.0, 2.0, 2.0]   # nothing was written
    with raises("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed."):
        t.requires_grad_()
    with raises("Inference tensors do not track version counter."):
        t._version
    saved = ("Inference tensors cannot be saved for backward. Please do not use Tensors created in inference mode "
             "in computation tracked by autograd. To work around this, you can make a clone to get a normal tensor "
             "and use it in autograd, or use `torch.no_grad()` instead of `torch.inference_mode()`.")
    with raises(saved):
        t * x          # mul saves its inputs
    with raises(saved):
        torch.maximum(x, t)   # a Python-recorded op
    assert (t + x).grad_fn.name() == "AddBackward0"   # add saves nothing
    assert not (t * 2).is_inference() and not t.clone().is_inference() and t.detach().is_inference()
    n = torch.ones(3)
    n.add_(t)   # an inference tensor as the other operand is fine
    assert n._version == 1


def test_inference_mode_flags_decorators_and_nesting():
    @torch.inference_mode()
    def f():
        return torch.ones(1).is_inference(), torch.is_grad_enabled()

    @torch.inference_mode
    def g():
        return torch.ones(1).is_inference()

    @torch.inference_mode(False)
    def h():
        return torch.is_inference_mode_enabled(), torch.is_grad_enabled()

    assert f() == (True, False) and g() is True and h() == (False, True)
    with torch.inference_mode():
        assert h() == (False, True)
        with torch.no_grad():
            assert torch.is_inference_mode_enabled()
        with torch.enable_grad():
            assert torch.is_inference_mode_enabled() and torch.is_grad_enabled()
        assert torch.is_inference_mode_enabled() and not torch.is_grad_enabled()
    assert not torch.is_inference_mode_enabled() and torch.is_grad_enabled()
    assert autograd.grad_mode.is_inference_mode_enabled is torch.is_inference_mode_enabled
