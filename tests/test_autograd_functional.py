"""torch.autograd.functional (jacobian, hessian, vjp, jvp, vhp, hvp): values against the
analytic derivatives (torch gives the same numbers), result nesting as torch's, errors."""

import numpy as np
import pytest

import rstorch as torch
from rstorch.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp

D = torch.float64
x = torch.tensor([1., 2., 3.], dtype=D)
y = torch.tensor([[0.5, -1.], [2., 1.]], dtype=D)


def f1(a):
    return a ** 2 * a.sum()


def J1(a):  # d(a_i^2 s)/da_j = 2 a_i s [i=j] + a_i^2
    a = a.numpy()
    return np.diag(2 * a * a.sum()) + (a ** 2)[:, None]


def test_jacobian_single_input_output():
    got = jacobian(f1, x)
    assert got.shape == (3, 3) and got.dtype == D and not got.requires_grad
    np.testing.assert_allclose(got.numpy(), J1(x), rtol=1e-12)
    np.testing.assert_allclose(jacobian(lambda a: a.sin().sum(), x).numpy(), np.cos(x.numpy()), rtol=1e-12)


def test_jacobian_nesting_follows_the_tuples():
    def f2(a, b):
        return a[:2] * b.sum(0), (b @ a[:2]).exp()
    jac = jacobian(f2, (x, y))
    assert isinstance(jac, tuple) and len(jac) == 2 and all(len(j) == 2 for j in jac)
    assert [tuple(j.shape) for j in jac[0]] == [(2, 3), (2, 2, 2)]
    np.testing.assert_allclose(jac[0][0].numpy(), [[2.5, 0, 0], [0, 0, 0]])
    np.testing.assert_allclose(jac[1][0].numpy()[:, :2], np.diag(np.exp(y.numpy() @ x.numpy()[:2])) @ y.numpy(),
                               rtol=1e-12)
    single_out = jacobian(lambda a, b: (a[:2] * b[0]).sum(), (x, y))
    assert isinstance(single_out, tuple) and single_out[0].tolist() == [0.5, -1.0, 0.0]
    assert single_out[1].tolist() == [[1., 2.], [0., 0.]]
    single_in = jacobian(lambda a: (a.sum(), a * 2), x)
    assert single_in[0].tolist() == [1., 1., 1.] and single_in[1].tolist() == (2 * np.eye(3)).tolist()


def test_jacobian_independent_input_is_zero_unless_strict():
    jac = jacobian(lambda a, b: a * 2, (x, y))
    assert jac[1].shape == (3, 2, 2) and not jac[1].any()
    with pytest.raises(RuntimeError, match="independent of input 1"):
        jacobian(lambda a, b: a * 2, (x, y), strict=True)


def test_jacobian_create_graph_and_leaf_untouched():
    leaf = x.clone().requires_grad_()
    jac = jacobian(f1, leaf)
    assert leaf.grad is None and not jac.requires_grad
    assert jacobian(f1, leaf, create_graph=True).requires_grad


def test_hessian():
    h = hessian(lambda a: (a ** 3).sum() * a[0], x)
    assert h.tolist() == [[12., 12., 27.], [12., 12., 0.], [27., 0., 18.]]
    h2 = hessian(lambda a, b: a[:2] @ b @ a[:2], (x, y))
    assert [tuple(t.shape) for row in h2 for t in row] == [(3, 3), (3, 2, 2), (2, 2, 3), (2, 2, 2, 2)]
    np.testing.assert_allclose(h2[0][0].numpy()[:2, :2], (y + y.t()).numpy())
    with pytest.raises(RuntimeError, match="should contain a single element"):
        hessian(lambda a: a * 2, x)


def test_vector_products():
    out, v = vjp(f1, x, torch.ones(3, dtype=D))
    assert out.tolist() == [6., 24., 54.] and v.tolist() == [26., 38., 50.]
    assert vjp(lambda a: a.sum(), x)[1].tolist() == [1., 1., 1.]
    out, j = jvp(f1, x, torch.tensor([1., 0., 0.], dtype=D))
    assert j.tolist() == [13., 4., 9.]
    assert vhp(lambda a: (a ** 3).sum(), x, torch.tensor([1., 1., 0.], dtype=D))[1].tolist() == [6., 12., 0.]
    out, hv = hvp(lambda a: (a ** 3).sum() * a[1], x, torch.tensor([1., 1., 0.], dtype=D))
    assert out.item() == 72.0 and hv.tolist() == [15., 51., 27.]


def test_errors():
    with pytest.raises(RuntimeError, match="v can only be None"):
        vjp(f1, x)
    with pytest.raises(RuntimeError, match=r"v has invalid size: should be rstorch.Size\(\[3\]\) but got"):
        vjp(f1, x, torch.ones(2, dtype=D))
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
        jacobian(f1, [x])
