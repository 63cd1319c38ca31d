"""rstorch.func against torch.func: every case of tests/func_cases.py gives the values, shapes,
dtypes, requires_grad and errors torch 2.15 gave (recorded by tests/tools/record_func.py), plus
checks against finite differences and the transforms' composition."""

import json
import math
import pathlib
import sys

import pytest

import rstorch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import func_cases as C  # noqa: E402

EXPECTED = json.loads((HERE / "data" / "func_expected.json").read_text())["cases"]


def _close(got, want, path="result"):
    assert got.keys() == want.keys(), (path, got, want)
    if "values" in want:
        assert (got["dtype"], got["shape"], got["requires_grad"]) == (want["dtype"], want["shape"],
                                                                       want["requires_grad"]), (path, got, want)
        rel, abs_ = (1e-9, 1e-12) if want["dtype"] == "float64" else (1e-5, 1e-6)
        for a, b in zip(got["values"], want["values"]):
            if isinstance(b, str) or isinstance(a, str):
                assert a == b, path
            else:
                assert math.isclose(a, b, rel_tol=rel, abs_tol=abs_), (path, got["values"], want["values"])
    elif "list" in want:
        assert len(got["list"]) == len(want["list"]), (path, got, want)
        for i, (a, b) in enumerate(zip(got["list"], want["list"])):
            _close(a, b, f"{path}[{i}]")
    elif "dict" in want:
        assert got["dict"].keys() == want["dict"].keys(), path
        for k in want["dict"]:
            _close(got["dict"][k], want["dict"][k], f"{path}[{k!r}]")
    else:
        assert got == want, (path, got, want)


def test_every_case_is_recorded():
    assert set(C.CASES) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(C.CASES))
def test_case_matches_torch(name):
    got = C.outcome(rstorch, C.CASES[name])
    if "error" in got:  # dtypes and sizes print with the library's name
        got["error"][1] = got["error"][1].replace("rstorch.", "torch.")
    _close(got, EXPECTED[name])


# ---------------------------------------------------------------------- finite differences, closed forms

def _fd_grad(f, x, eps=1e-6):
    g = []
    for i in range(x.numel()):
        d = rstorch.zeros(x.numel(), dtype=rstorch.float64)
        d[i] = eps
        d = d.reshape(x.shape)
        g.append((f(x + d).item() - f(x - d).item()) / (2 * eps))
    return rstorch.tensor(g, dtype=rstorch.float64).reshape(x.shape)


def test_grad_matches_finite_differences():
    F = rstorch.func
    f = lambda x: (x.tanh() * x.exp() / (1 + x * x)).sum()  # noqa: E731
    x = rstorch.tensor([[0.3, -1.1], [2.0, 0.01]], dtype=rstorch.float64)
    assert rstorch.allclose(F.grad(f)(x), _fd_grad(f, x), atol=1e-8)
    # hessian row i = d/dx grad_i
    h = F.hessian(f)(x)
    for i in range(2):
        for j in range(2):
            gij = lambda y, i=i, j=j: F.grad(f)(y)[i, j]  # noqa: E731
            assert rstorch.allclose(h[i, j], _fd_grad(gij, x), atol=1e-6)


def test_jvp_equals_jacobian_times_tangent():
    F = rstorch.func
    f = lambda m: (m @ m.t()).sin()  # noqa: E731
    m = rstorch.tensor([[0.2, 0.5, -1.0], [1.5, -0.3, 0.7]], dtype=rstorch.float64)
    v = rstorch.tensor([[1.0, -2.0, 0.5], [0.0, 3.0, 1.0]], dtype=rstorch.float64)
    _, jv = F.jvp(f, (m,), (v,))
    jac = F.jacrev(f)(m)
    assert rstorch.allclose(jv, (jac * v).sum((-2, -1)))
    assert rstorch.allclose(F.jacfwd(f)(m), jac)


def test_grad_result_connects_to_outer_autograd():
    # d/dw of grad_x sum(x^2 w) = 2 x: the transform's output backpropagates into w
    F = rstorch.func
    x = rstorch.tensor([1.0, 2.0, 3.0], dtype=rstorch.float64)
    w = rstorch.tensor([0.5, 0.5, 0.5], dtype=rstorch.float64, requires_grad=True)
    g = F.grad(lambda x: (x ** 2 * w).sum())(x)
    g.sum().backward()
    assert w.grad.tolist() == [2.0, 4.0, 6.0]
    assert x.grad is None
    with rstorch.no_grad():  # no outer graph wanted: nothing to connect
        assert not F.grad(lambda x: (x ** 2 * w).sum())(x).requires_grad


def test_vmap_randomness_modes():
    F = rstorch.func
    rstorch.manual_seed(0)
    same = F.vmap(lambda a: a + rstorch.rand(4), randomness="same")(rstorch.zeros(3, 4))
    assert all(rstorch.equal(same[0], same[i]) for i in range(3))
    diff = F.vmap(lambda a: a + rstorch.rand(4), randomness="different")(rstorch.zeros(3, 4))
    assert not rstorch.equal(diff[0], diff[1])
    drop = F.vmap(lambda a: rstorch.nn.functional.dropout(a, 0.5), randomness="same")(rstorch.ones(3, 50))
    assert rstorch.equal(drop[0], drop[2]) and 0 < (drop[0] == 0).sum() < 50
    with pytest.raises(RuntimeError, match="randomness error mode"):
        F.vmap(lambda a: rstorch.nn.functional.dropout(a, 0.5))(rstorch.ones(3, 4))
    # the guard is gone after the error
    assert rstorch.rand(2).shape == (2,)


def test_vmap_empty_batch():
    out = rstorch.func.vmap(lambda r: r.sum())(rstorch.zeros(0, 3))
    assert out.shape == (0,)


def test_stack_module_state_and_ensemble():
    F = rstorch.func
    rstorch.manual_seed(0)
    models = [rstorch.nn.Linear(3, 2) for _ in range(4)]
    params, buffers = F.stack_module_state(models)
    assert params["weight"].shape == (4, 2, 3) and params["weight"].requires_grad and buffers == {}
    x = rstorch.randn(5, 3)
    base = models[0]
    out = F.vmap(lambda p, b: F.functional_call(base, (p, b), (x,)))(params, buffers)
    for i, m in enumerate(models):
        assert rstorch.allclose(out[i], m(x))
    with pytest.raises(RuntimeError, match="at least one model"):
        F.stack_module_state([])


def test_functional_call_tied_weights():
    F = rstorch.func

    class Tied(rstorch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = rstorch.nn.Linear(2, 2, bias=False)
            self.b = rstorch.nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    m = Tied()
    w = rstorch.eye(2) * 2
    x = rstorch.ones(1, 2)
    assert F.functional_call(m, {"a.weight": w}, x).tolist() == [[4.0, 4.0]]  # tie_weights: b uses w too
    untied = F.functional_call(m, {"a.weight": w}, x, tie_weights=False)
    assert rstorch.allclose(untied, m.b(x @ w.t()))
    with pytest.raises(ValueError, match="which are tied"):
        F.functional_call(m, {"a.weight": w, "b.weight": w * 3}, x)
    assert m.a.weight is m.b.weight and isinstance(m.a.weight, rstorch.nn.Parameter)


def test_functional_call_restores_on_error():
    m = rstorch.nn.Linear(3, 2)
    orig = m.weight
    with pytest.raises(RuntimeError):
        rstorch.func.functional_call(m, {"weight": rstorch.ones(5, 5)}, rstorch.ones(1, 3))
    assert m.weight is orig


def test_stateless_functional_call_is_deprecated_alias():
    from rstorch.nn.utils import stateless
    m = rstorch.nn.Linear(3, 2)
    with pytest.warns(FutureWarning, match="torch.func.functional_call"):
        out = stateless.functional_call(m, {"bias": rstorch.zeros(2)}, rstorch.ones(1, 3))
    assert rstorch.allclose(out, m.weight.sum(1, keepdim=True).t())
    assert rstorch.vmap is rstorch.func.vmap
