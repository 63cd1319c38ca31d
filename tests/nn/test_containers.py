"""Containers beyond the recorded parity cases: subclasses, sharing, forward."""

from collections import OrderedDict

import pytest

import rstorch
import rstorch.nn as nn


def test_sequential_forward_and_subclass_slicing():
    class MySeq(nn.Sequential):
        pass

    s = MySeq(nn.Linear(2, 3), nn.Linear(3, 1))
    assert type(s[:1]) is MySeq and s[:1][0] is s[0]
    x = rstorch.randn(4, 2)
    assert rstorch.equal(s(x), s[1](s[0](x)))
    assert nn.Sequential()(x) is x


def test_sequential_setitem_delitem_negative():
    a, b, c = nn.Identity(), nn.Flatten(), nn.Linear(1, 1)
    s = nn.Sequential(a, b)
    s[-1] = c
    assert s[1] is c and list(s._modules) == ["0", "1"]
    del s[-2]
    assert list(s._modules) == ["0"] and s[0] is c
    with pytest.raises(IndexError, match="index 1 is out of range"):
        s[1] = a


def test_shared_modules_count_once():
    shared = nn.Linear(2, 2)
    ml = nn.ModuleList([shared, shared, nn.Linear(2, 1)])
    assert len(list(ml.parameters())) == 4
    assert len(list(ml.modules())) == 3
    assert len(list(ml.children())) == 2
    assert len(list(ml.named_parameters(remove_duplicate=False))) == 6


def test_module_dict_update_from_module_dict_and_pairs():
    a, b = nn.Identity(), nn.Linear(1, 1)
    d = nn.ModuleDict(OrderedDict(z=a))
    d.update(nn.ModuleDict({"y": b}))
    d.update([["x", a]])
    assert list(d) == ["z", "y", "x"] and d["x"] is a
    del d["z"]
    assert "z" not in d and list(d.keys()) == ["y", "x"]


def test_parameter_list_and_dict_wrap_tensors():
    t = rstorch.ones(2)
    pl = nn.ParameterList([t, 3, None])
    assert isinstance(pl[0], nn.Parameter) and pl[0].data_ptr() == t.data_ptr()
    assert pl[1] == 3 and pl[2] is None and len(pl) == 3
    assert [n for n, _ in pl.named_parameters()] == ["0"]
    pd = nn.ParameterDict({"a": t})
    assert isinstance(pd["a"], nn.Parameter) and list(pd.state_dict()) == ["a"]
    pd["b"] = nn.Parameter(rstorch.zeros(1), requires_grad=False)
    assert pd["b"].requires_grad is False
    pd |= {"c": rstorch.ones(1)}
    assert list(pd) == ["a", "b", "c"]
    both = nn.ParameterDict({"y": rstorch.ones(1)}).__ror__(nn.ParameterDict({"x": rstorch.ones(1)}))
    assert list(both) == ["x", "y"]


def test_containers_in_state_dict():
    m = nn.Module()
    m.layers = nn.ModuleList([nn.Linear(1, 1), nn.Linear(1, 1, bias=False)])
    m.table = nn.ParameterDict({"p": rstorch.ones(2)})
    m.plist = nn.ParameterList([rstorch.zeros(1)])
    assert list(m.state_dict()) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "table.p", "plist.0"]
    m2 = nn.Module()
    m2.layers = nn.ModuleList([nn.Linear(1, 1), nn.Linear(1, 1, bias=False)])
    m2.table = nn.ParameterDict({"p": rstorch.zeros(2)})
    m2.plist = nn.ParameterList([rstorch.ones(1)])
    assert repr(m2.load_state_dict(m.state_dict())) == "<All keys matched successfully>"
    assert rstorch.equal(m2.table["p"], rstorch.ones(2)) and m2.plist[0].item() == 0.0
