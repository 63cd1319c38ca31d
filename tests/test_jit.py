"""rstorch.jit behaves as torch 2.15's torch.jit with PYTORCH_JIT=0 (the expected values below
were read from torch run that way: /root/.cache/rstorch-torch-venv/bin/python, PYTORCH_JIT=0),
except freeze/optimize_for_inference pass through and save/load refuse (docs/JIT.md)."""

import os
import subprocess
import sys
import typing
import warnings

import pytest

import rstorch as torch
import rstorch.nn as nn

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")  # torch 2.15 deprecates torch.jit


class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.calls = 0
        self.lin = nn.Linear(2, 2)

    def forward(self, x):
        self.calls += 1
        return self.lin(x)


def _warns(fn, *args, **kwargs):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn(*args, **kwargs)
    return out, [str(x.message) for x in w if issubclass(x.category, FutureWarning)]


def test_script_and_trace_return_the_object_without_running_it():
    m = M()

    def f(x):
        raise AssertionError("trace must not run the function")
    out, w = _warns(torch.jit.script, m)
    assert out is m and w == ["`torch.jit.script` is deprecated. Please switch to `torch.compile` or `torch.export`."]
    out, w = _warns(torch.jit.trace, f, torch.ones(2))
    assert out is f and w == ["`torch.jit.trace` is deprecated. Please switch to `torch.compile` or `torch.export`."]
    assert torch.jit.trace(m, (torch.ones(1, 2),)) is m and m.calls == 0
    out, w = _warns(torch.jit.trace_module, m, {"forward": torch.ones(1, 2)})
    assert out is m and m.calls == 0
    assert w == ["`torch.jit.trace_method` is deprecated. Please switch to `torch.compile` or `torch.export`."]
    _, w = _warns(torch.jit.script, f, optimize=True)
    assert w[1].startswith("`optimize` is deprecated and has no effect.")
    scripted = torch.jit.script(m)
    assert torch.allclose(scripted(torch.ones(1, 2)), m.lin(torch.ones(1, 2)))


def test_flags_hints_and_decorators():
    assert torch.jit.is_scripting() is False and torch.jit.is_tracing() is False
    assert torch.jit.annotate(typing.List[int], [3]) == [3]
    assert torch.jit.Attribute(3, int) == 3 and torch.jit.Final is typing.Final

    def g(x):
        return x + 1
    assert torch.jit.ignore(g) is g and torch.jit.unused(g) is g and torch.jit.export(g) is g
    dropped, w = _warns(torch.jit.ignore, drop=True)
    assert dropped(g) is g and w[0].startswith("ignore(True) has been deprecated.")
    assert torch.jit.ignore(drop=False)(g) is g
    assert torch.jit.script_if_tracing(g)(1) == 2

    class I:
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            pass
    out, w = _warns(torch.jit.interface, I)
    assert out is I and w == ["`torch.jit.interface` is deprecated. Please use `torch.compile` instead."]


def test_isinstance_refines_containers():
    assert torch.jit.isinstance([1, 2], list[int])
    assert torch.jit.isinstance({"a": torch.ones(1)}, dict[str, torch.Tensor])
    assert torch.jit.isinstance((1, "a"), tuple[int, str])
    assert not torch.jit.isinstance([1, "a"], typing.List[int])
    assert torch.jit.isinstance(3, typing.Optional[int]) and torch.jit.isinstance(None, typing.Optional[int])
    with pytest.raises(RuntimeError, match="Attempted to use list without a contained type"):
        torch.jit.isinstance([1], list)


def test_fork_runs_synchronously():
    fut, w = _warns(torch.jit.fork, lambda a, b=2: a + b, 1, b=5)
    assert w == ["`torch.jit.fork` is deprecated. Please use `torch.compile` instead."]
    assert fut.done() and fut.value() == 6 and torch.jit.wait(fut) == 6
    assert fut.then(lambda q: q.value() * 2).wait() == 12

    def bad():
        raise ValueError("boom")
    with pytest.raises(ValueError, match="boom"):  # raised by fork itself, as torch's eager fork
        torch.jit.fork(bad)
    f = torch.jit.Future()
    f.set_exception(KeyError("k"))
    with pytest.raises(KeyError):
        f.wait()
    with pytest.raises(RuntimeError, match="only be marked completed once"):
        f.set_result(1)


def test_script_module_is_a_module():
    class SM(torch.jit.ScriptModule):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2)

        @torch.jit.script_method
        def forward(self, x):
            return x * 3
    sm = SM()
    assert sm(torch.ones(1)).tolist() == [3.0] and len(list(sm.parameters())) == 2
    assert isinstance(sm, nn.Module) and not isinstance(M(), torch.jit.ScriptModule)
    assert torch.jit.freeze(sm.eval()) is sm and torch.jit.optimize_for_inference(sm) is sm
    with pytest.raises(NotImplementedError, match="rstorch.save"):
        sm.save("x.pt")


def test_save_and_load_refuse_clearly(tmp_path):
    with pytest.raises(NotImplementedError, match=r"TorchScript serialization is not supported.*rstorch\.save"):
        torch.jit.save(M(), tmp_path / "m.pt")
    with pytest.raises(ValueError, match="does not exist"):
        torch.jit.load(str(tmp_path / "missing.pt"))
    (tmp_path / "real.pt").write_bytes(b"PK")
    with pytest.raises(NotImplementedError, match="rstorch.load"):
        torch.jit.load(str(tmp_path / "real.pt"))
    assert issubclass(torch.jit.TracerWarning, Warning) and issubclass(torch.jit.Error, RuntimeError)


def test_jit_func_profiler_load_lazily():
    code = ("import sys, rstorch\n"
            "lazy = ('rstorch.jit', 'rstorch.func', 'rstorch.profiler', 'rstorch.autograd.profiler')\n"
            "assert not [m for m in sys.modules if m.startswith(lazy)]\n"
            "rstorch.jit.script; rstorch.func.grad; rstorch.vmap; rstorch.autograd.profiler.record_function\n"
            "assert all(m in sys.modules for m in lazy)\n")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(torch.__file__)))
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
