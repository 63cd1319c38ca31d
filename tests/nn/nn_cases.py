"""Cases run the same way with torch (tests/nn/record_torch.py records their results into
torch_expected.json) and with rstorch (the tests compare against the recording).

Each case is a function of the library module (`torch` or `rstorch`) returning JSON-able data:
tensors become {"dtype", "shape", "values"}. The kind of a case says how its result is compared:
- "exact": bit for bit (same seed, same draws);
- "approx": to float32 tolerance (results of arithmetic whose order may differ);
- "text": strings (reprs, error messages) equal once torch's names are spelled as rstorch's.
Nothing here imports torch: the tests run without it.
"""

import collections
import math
import pickle

CASES = {}  # name -> (kind, fn)


def case(kind):
    def register(fn):
        CASES[fn.__name__] = (kind, fn)
        return fn
    return register


def T(t):
    """A tensor as JSON."""
    t = t.detach()
    return {"dtype": str(t.dtype).rsplit(".", 1)[-1], "shape": list(t.shape),
            "values": t.reshape(-1).tolist()}


def params(module):
    return {name: T(p) for name, p in module.named_parameters()}


def err(fn):
    """[exception type, message] of calling fn (None if it does not raise)."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the point is to record it
        return [type(e).__name__, str(e)]
    return None


def mlp(torch):
    nn = torch.nn

    class Tanh(nn.Module):  # (activations are outside this part of nn)
        def forward(self, x):
            return x.tanh()

    return nn.Sequential(nn.Linear(8, 16), Tanh(), nn.Linear(16, 16), Tanh(), nn.Linear(16, 3))


# ---------------------------------------------------------------------- same seed, same values

@case("exact")
def linear_default(torch):
    torch.manual_seed(0)
    return params(torch.nn.Linear(4, 3))


@case("exact")
def linear_shapes(torch):
    nn = torch.nn
    torch.manual_seed(5)
    mods = [nn.Linear(1, 1), nn.Linear(10, 7), nn.Linear(3, 5, bias=False), nn.Linear(6, 2, dtype=torch.float64),
            nn.Linear(0, 3)]
    return [params(m) for m in mods]


@case("exact")
def bilinear_default(torch):
    nn = torch.nn
    torch.manual_seed(2)
    return [params(nn.Bilinear(3, 4, 2)), params(nn.Bilinear(2, 2, 3, bias=False, dtype=torch.float64))]


@case("exact")
def mlp_params(torch):
    torch.manual_seed(0)
    return params(mlp(torch))


@case("exact")
def init_uniform_normal(torch):
    init = torch.nn.init
    torch.manual_seed(3)
    g = torch.Generator().manual_seed(7)
    return [T(init.uniform_(torch.empty(3, 5), -2, 3)), T(init.uniform_(torch.empty(4), generator=g)),
            T(init.normal_(torch.empty(2, 6), 1.0, 0.5)), T(init.normal_(torch.empty(5, dtype=torch.float64), generator=g)),
            T(init.uniform_(torch.nn.Parameter(torch.empty(3))))]


@case("exact")
def init_trunc_normal(torch):
    init = torch.nn.init
    torch.manual_seed(4)
    g = torch.Generator().manual_seed(11)
    return [T(init.trunc_normal_(torch.empty(200))),
            T(init.trunc_normal_(torch.empty(50), std=0.02)),
            T(init.trunc_normal_(torch.empty(5, 4), mean=1.0, std=0.5, a=0.5, b=1.5, generator=g)),
            # little mass inside [a, b]: the uniform-candidate path
            T(init.trunc_normal_(torch.empty(100), a=2.0, b=3.0)),
            T(init.trunc_normal_(torch.empty(30, dtype=torch.float64), mean=0.0, std=1.0, a=-3.0, b=-2.5,
                                 generator=g))]


@case("exact")
def init_xavier_kaiming(torch):
    init = torch.nn.init
    torch.manual_seed(9)
    g = torch.Generator().manual_seed(1)
    return [T(init.xavier_uniform_(torch.empty(5, 7), gain=init.calculate_gain("relu"))),
            T(init.xavier_normal_(torch.empty(6, 3, 2, 2))),
            T(init.xavier_uniform_(torch.empty(4, 4), generator=g)),
            T(init.kaiming_uniform_(torch.empty(8, 4, 3, 3))),
            T(init.kaiming_uniform_(torch.empty(5, 6), mode="fan_out", nonlinearity="relu")),
            T(init.kaiming_normal_(torch.empty(4, 6), a=0.1)),
            T(init.kaiming_normal_(torch.empty(3, 4, 5), mode="fan_out", nonlinearity="tanh", generator=g)),
            T(init.kaiming_uniform_(torch.empty(3, 2, dtype=torch.float64), a=math.sqrt(5), generator=g))]


@case("exact")
def init_sparse(torch):
    torch.manual_seed(6)
    return [T(torch.nn.init.sparse_(torch.empty(10, 4), 0.3)),
            T(torch.nn.init.sparse_(torch.empty(5, 3), 0.5, std=2.0, generator=torch.Generator().manual_seed(2)))]


@case("exact")
def init_fills(torch):
    init = torch.nn.init
    return [T(init.constant_(torch.empty(2, 3), 0.25)), T(init.ones_(torch.empty(3))), T(init.zeros_(torch.empty(2, 2))),
            T(init.eye_(torch.empty(3, 5))), T(init.eye_(torch.empty(4, 2, dtype=torch.float64))),
            T(init.dirac_(torch.empty(4, 2, 3))), T(init.dirac_(torch.empty(6, 3, 3, 3), groups=2)),
            T(init.dirac_(torch.empty(2, 2, 3, 1, 3))), T(init.dirac_(torch.empty(2, 5, 3), groups=2))]


@case("exact")
def calculate_gains(torch):
    cg = torch.nn.init.calculate_gain
    names = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
             "sigmoid", "tanh", "relu", "leaky_relu", "selu"]
    return [cg(n) for n in names] + [cg("leaky_relu", 0.2), cg("leaky_relu", 1), cg("relu", 5)]


@case("approx")
def init_orthogonal(torch):
    init = torch.nn.init
    torch.manual_seed(8)
    g = torch.Generator().manual_seed(3)
    return [T(init.orthogonal_(torch.empty(3, 5))), T(init.orthogonal_(torch.empty(5, 3))),
            T(init.orthogonal_(torch.empty(4, 2, 3), gain=2.0)), T(init.orthogonal_(torch.empty(4, 4), generator=g)),
            T(init.orthogonal_(torch.empty(3, 3, dtype=torch.float64)))]


# ---------------------------------------------------------------------- forward values, training

@case("approx")
def linear_forward(torch):
    nn = torch.nn
    torch.manual_seed(12)
    lin, bil = nn.Linear(5, 3), nn.Bilinear(4, 5, 2)
    x = torch.randn(2, 5)
    x3 = torch.randn(2, 3, 5)
    a, b = torch.randn(6, 4), torch.randn(6, 5)
    return [T(lin(x)), T(lin(x3)), T(lin(x3.transpose(0, 1))), T(lin(torch.randn(5))), T(bil(a, b)),
            T(bil(a.view(2, 3, 4), b.view(2, 3, 5))), T(nn.Flatten()(x3)), T(nn.Unflatten(1, (5, 1))(x))]


@case("approx")
def mlp_training(torch):
    """A few steps of manual SGD over parameters(): losses and final parameters."""
    torch.manual_seed(0)
    model = mlp(torch)
    x, y = torch.randn(32, 8), torch.randn(32, 3)
    losses, norms = [], []
    for step in range(8):
        loss = ((model(x) - y) ** 2).mean()
        model.zero_grad()
        loss.backward()
        norms.append(torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0 if step % 2 else 100.0).item())
        with torch.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
        losses.append(loss.item())
    return {"losses": losses, "norms": norms, "params": params(model)}


@case("approx")
def clip_grads(torch):
    utils = torch.nn.utils
    out = []
    for norm_type in (2.0, 1, 3.5, math.inf, "inf"):
        torch.manual_seed(1)
        ps = [torch.nn.Parameter(torch.randn(3, 4)), torch.nn.Parameter(torch.randn(5)),
              torch.nn.Parameter(torch.randn(2))]
        for p in ps[:2]:
            p.grad = torch.randn(p.shape)
        total = utils.clip_grad_norm_(ps, 0.5, norm_type=norm_type)
        out.append([T(total)] + [T(p.grad) for p in ps[:2]])
    torch.manual_seed(2)
    p = torch.nn.Parameter(torch.randn(6))
    p.grad = torch.randn(6) * 3
    utils.clip_grad_value_(p, 1.5)
    out.append(T(p.grad))
    q = torch.nn.Parameter(torch.randn(4))
    q.grad = torch.randn(4)
    out.append(T(utils.clip_grad_norm_(q, 10.0)))  # below max_norm: grads unchanged
    out.append(T(q.grad))
    out.append(T(utils.clip_grad_norm_([], 1.0)))
    return out


@case("approx")
def vector_conversion(torch):
    torch.manual_seed(3)
    m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Linear(2, 1, bias=False))
    v = torch.nn.utils.parameters_to_vector(m.parameters())
    torch.nn.utils.vector_to_parameters(torch.arange(v.numel(), dtype=torch.float32), m.parameters())
    return [T(v), params(m)]


@case("approx")
def backward_hooks(torch):
    nn = torch.nn
    torch.manual_seed(13)
    m = nn.Linear(3, 2)
    log = []

    def pre(mod, grad_output):
        log.append(["pre", T(grad_output[0])])
        return (grad_output[0] * 2,)

    def full(mod, grad_input, grad_output):
        log.append(["full", [None if g is None else T(g) for g in grad_input], [T(g) for g in grad_output]])
        return tuple(None if g is None else g + 1 for g in grad_input)

    m.register_full_backward_pre_hook(pre)
    m.register_full_backward_hook(full)
    x = torch.randn(4, 3, requires_grad=True)
    m(x).sum().backward()
    log.append(["x.grad", T(x.grad), "weight.grad", T(m.weight.grad)])

    class Two(nn.Module):  # two inputs, one not requiring grad; a tuple output
        def forward(self, a, k, b):
            return a * b, a + k * b

    two = Two()
    two.register_full_backward_hook(full)
    a, b = torch.randn(3, requires_grad=True), torch.randn(3)
    u, v = two(a, 2.0, b)
    (u * 3 + v).sum().backward()
    log.append(["a.grad", T(a.grad)])
    return log


# ---------------------------------------------------------------------- structure

@case("text")
def structure(torch):
    nn = torch.nn
    torch.manual_seed(0)
    inner = nn.Sequential(nn.Linear(2, 3), nn.Identity())
    shared = nn.Linear(3, 3)
    model = nn.Sequential(collections.OrderedDict([("block", inner), ("a", shared), ("b", shared),
                                                   ("head", nn.Bilinear(3, 3, 1))]))
    model.register_buffer("steps", torch.zeros(2))
    model.register_buffer("scratch", torch.ones(1), persistent=False)
    inner.register_buffer("none", None)
    sd = model.state_dict()
    dp = nn.DataParallel(nn.Linear(2, 2))
    return {
        "state_dict": [[k, list(v.shape)] for k, v in sd.items()],
        "metadata": list(sd._metadata.items()),
        "named_parameters": [[n, list(p.shape)] for n, p in model.named_parameters()],
        "named_parameters_dup": [n for n, _ in model.named_parameters(remove_duplicate=False)],
        "named_parameters_prefix": [n for n, _ in inner.named_parameters(prefix="x")],
        "local_parameters": [n for n, _ in model.named_parameters(recurse=False)],
        "named_buffers": [n for n, _ in model.named_buffers()],
        "named_modules": [n for n, _ in model.named_modules()],
        "named_modules_dup": [n for n, _ in model.named_modules(remove_duplicate=False)],
        "named_children": [n for n, _ in model.named_children()],
        "modules": [type(m).__name__ for m in model.modules()],
        "keep_vars": [type(v).__name__ for v in model.state_dict(keep_vars=True).values()],
        "prefix": list(inner.state_dict(prefix="pre.").keys()),
        "data_parallel": list(dp.state_dict().keys()),
        "data_parallel_ids": dp.device_ids,
        "get": [repr(model.get_submodule("block.0")), list(model.get_parameter("head.weight").shape),
                list(model.get_buffer("steps").shape)],
    }


@case("text")
def reprs(torch):
    nn = torch.nn
    torch.manual_seed(0)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.skip = None
            self.seq = nn.Sequential(nn.Flatten(0), nn.Unflatten(0, [2, 2]))

        def extra_repr(self):
            return "width=4,\ndepth=2"

    class Leaf(nn.Module):
        def extra_repr(self):
            return "k=1"

    seq = nn.Sequential(nn.Linear(2, 2), nn.Identity(), nn.Linear(2, 3))
    plist = nn.ParameterList([torch.randn(2, 3), nn.Parameter(torch.randn(4, dtype=torch.float64)), "x"])
    return {
        "linear": [repr(nn.Linear(4, 3)), repr(nn.Linear(1, 1, bias=False)), str(nn.Linear(2, 5))],
        "bilinear": repr(nn.Bilinear(2, 3, 4, bias=False)),
        "identity": repr(nn.Identity(54, unused="argumentA")),
        "flatten": [repr(nn.Flatten()), repr(nn.Flatten(0, 2)), repr(nn.Unflatten(1, (2, 5))),
                    repr(nn.Unflatten(-1, [2, 2]))],
        "sequential": [repr(seq), repr(seq[1:]), repr(seq[::-1]), repr(seq + nn.Sequential(nn.Flatten())),
                       repr(seq * 2), repr(nn.Sequential())],
        "nested": repr(nn.Sequential(Block(), nn.ModuleList([Leaf(), Leaf()]), nn.ModuleDict({"x": Leaf()}))),
        "module_list": [repr(nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.Identity(), nn.Identity(),
                                                                                 nn.Linear(2, 2)])),
                        repr(nn.ModuleList()), repr(nn.ModuleList([Block(), Block()]))],
        "module_dict": repr(nn.ModuleDict({"b": nn.Linear(1, 2), "a": nn.Identity()})),
        "parameter_list": repr(plist),
        "parameter_dict": [repr(nn.ParameterDict({"w": torch.randn(2, 3)})),
                           repr(nn.ParameterDict({"w": torch.randn(2), "v": nn.Parameter(torch.randn(1, 1)),
                                                  "n": None}))],
        "data_parallel": repr(nn.DataParallel(nn.Linear(2, 2))),
        "parameter": [repr(nn.Parameter(torch.ones(2, 2))), str(nn.Parameter(torch.zeros(3), requires_grad=False)),
                      repr(nn.Parameter()), repr(nn.Parameter(torch.tensor([1, 2]), requires_grad=False))],
        "keys": [repr(nn.Linear(2, 2).load_state_dict(nn.Linear(2, 2).state_dict())),
                 repr(nn.Linear(2, 2).load_state_dict({"weight": torch.zeros(2, 2), "extra": torch.zeros(1)},
                                                      strict=False))],
        "module": repr(nn.Module()),
    }


def _mods(torch):
    nn = torch.nn
    return nn, nn.Linear(3, 2)


@case("text")
def errors(torch):
    nn, lin = _mods(torch)
    F = nn.functional
    seq = nn.Sequential(nn.Linear(1, 1), nn.Identity())
    mlist = nn.ModuleList([nn.Identity()])

    def setattr_(obj, name, value):
        return lambda: setattr(obj, name, value)

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(torch.zeros(1))

    class EarlyMod(nn.Module):
        def __init__(self):
            self.m = nn.Identity()

    class EarlyBuf(nn.Module):
        def __init__(self):
            self.register_buffer("b", torch.zeros(1))

    w = torch.randn(3, 4)
    W = torch.randn(2, 3, 4)
    return {
        "register_parameter": [err(lambda: lin.register_parameter("a.b", None)),
                               err(lambda: lin.register_parameter("", None)),
                               err(lambda: lin.register_parameter(1, None)),
                               err(lambda: lin.register_parameter("training", None)),
                               err(lambda: lin.register_parameter("x", torch.zeros(2))),
                               err(lambda: lin.register_parameter("y", nn.Parameter(torch.zeros(2)) * 2))],
        "register_buffer": [err(lambda: lin.register_buffer("a.b", None)),
                            err(lambda: lin.register_buffer("weight", torch.zeros(1))),
                            err(lambda: lin.register_buffer("z", 3)),
                            err(lambda: lin.register_buffer("", None))],
        "add_module": [err(lambda: lin.add_module("x", 3)), err(lambda: lin.add_module(2, nn.Identity())),
                       err(lambda: lin.add_module("weight", nn.Identity())),
                       err(lambda: lin.add_module("a.b", nn.Identity())), err(lambda: lin.add_module("", None))],
        "setattr": [err(setattr_(lin, "weight", torch.zeros(2, 3))),
                    err(setattr_(seq, "0", 5)),
                    err(setattr_(nn.Linear(1, 1), "bias", 3.0)),
                    err(lambda: Early()), err(lambda: EarlyMod()), err(lambda: EarlyBuf())],
        "getattr": [err(lambda: lin.nope), err(lambda: delattr(lin, "nope"))],
        "init_args": [err(lambda: nn.Module(3)), err(lambda: nn.Module(a=1))],
        "forward": [err(lambda: nn.Module()(1))],
        "submodules": [err(lambda: seq.get_submodule("0.x")), err(lambda: seq.get_submodule("0.weight")),
                       err(lambda: seq.get_parameter("0.nope")), err(lambda: seq.get_parameter("0")),
                       err(lambda: seq.get_buffer("0.weight")), err(lambda: seq.set_submodule("", nn.Identity())),
                       err(lambda: seq.set_submodule("0", 3)),
                       err(lambda: seq.set_submodule("0.new", nn.Identity(), strict=True))],
        "train": [err(lambda: lin.train("yes"))],
        "to": [err(lambda: lin.to(torch.int64)), err(lambda: lin.to(torch.bool))],
        "meta": [err(lambda: nn.Linear(2, 2, device="meta").to("cpu"))],
        "load_state_dict": [
            err(lambda: lin.load_state_dict([1])),
            err(lambda: lin.load_state_dict({"weight": torch.zeros(2, 3)})),
            err(lambda: lin.load_state_dict({"weight": torch.zeros(2, 3), "bias": torch.zeros(2),
                                             "more": torch.zeros(1), "sub.x": torch.zeros(1)})),
            err(lambda: lin.load_state_dict({"weight": torch.zeros(3, 3), "bias": torch.zeros(3)})),
            err(lambda: lin.load_state_dict({"weight": [1.0], "bias": torch.zeros(2)})),
            err(lambda: nn.Sequential(nn.Linear(1, 1)).load_state_dict({"0.weight": torch.zeros(1, 1)})),
        ],
        "sequential": [err(lambda: seq[2]), err(lambda: seq[-3]), err(lambda: seq + 1), err(lambda: seq * 0),
                       err(lambda: seq * 1.5), err(lambda: seq.insert(5, nn.Identity())),
                       err(lambda: seq.insert(0, 1)), err(lambda: seq["a"])],
        "module_list": [err(lambda: mlist[1]), err(lambda: mlist.extend(3)), err(lambda: mlist.append(3))],
        "module_dict": [err(lambda: nn.ModuleDict(3)), err(lambda: nn.ModuleDict([("a", nn.Identity(), 1)])),
                        err(lambda: nn.ModuleDict([3])), err(lambda: nn.ModuleDict()["x"])],
        "parameter_list": [err(lambda: nn.ParameterList()(1)), err(lambda: nn.ParameterList(torch.zeros(2))),
                           err(lambda: nn.ParameterList()[0])],
        "parameter_dict": [err(lambda: nn.ParameterDict()(1)), err(lambda: nn.ParameterDict()[1]),
                           err(lambda: nn.ParameterDict(3)), err(lambda: nn.ParameterDict([(1, 2, 3)]))],
        "unflatten": [err(lambda: nn.Unflatten(1, 4)), err(lambda: nn.Unflatten(1, (2, 2.0)))],
        "bilinear_init": [err(lambda: nn.Bilinear(0, 2, 2))],
        "parameter": [err(lambda: nn.Parameter([1.0])), err(lambda: nn.Parameter(torch.tensor([1, 2])))],
        "linear_fn": [err(lambda: F.linear(torch.randn(2, 5), w)), err(lambda: F.linear(torch.randn(2, 5), w, torch.randn(3))),
                      err(lambda: F.linear(torch.randn(5), w)), err(lambda: F.linear(torch.randn(2, 6, 5), w, torch.randn(3))),
                      err(lambda: F.linear(torch.randn(2, 3, 6, 5), w)), err(lambda: F.linear(torch.randn(()), w)),
                      err(lambda: F.linear(torch.randn(2, 4), torch.randn(2, 3, 4)))],
        "bilinear_fn": [err(lambda: F.bilinear(torch.randn(5, 3), torch.randn(5, 4, 1), W)),
                        err(lambda: F.bilinear(torch.randn(5, 3), torch.randn(6, 4), W)),
                        err(lambda: F.bilinear(torch.randn(5, 2), torch.randn(5, 4), W)),
                        err(lambda: F.bilinear(torch.randn(5, 3), torch.randn(5, 5), W)),
                        err(lambda: F.bilinear(torch.randn(5, 3), torch.randn(5, 4), W, torch.randn(3)))],
        "init": [err(lambda: nn.init.calculate_gain("foo")), err(lambda: nn.init.calculate_gain("leaky_relu", "x")),
                 err(lambda: nn.init.calculate_gain("leaky_relu", True)),
                 err(lambda: nn.init.xavier_uniform_(torch.empty(3))),
                 err(lambda: nn.init.kaiming_uniform_(torch.empty(3, 3), mode="fan")),
                 err(lambda: nn.init.eye_(torch.empty(3))), err(lambda: nn.init.dirac_(torch.empty(3, 3))),
                 err(lambda: nn.init.dirac_(torch.empty(3, 3, 3), groups=2)),
                 err(lambda: nn.init.orthogonal_(torch.empty(3))), err(lambda: nn.init.sparse_(torch.empty(3), 0.1))],
        "utils": [err(lambda: nn.utils.vector_to_parameters([1.0], lin.parameters())),
                  err(lambda: nn.utils.clip_grad_norm_(_with_grad(torch, math.inf), 1.0, error_if_nonfinite=True)),
                  err(lambda: nn.utils.clip_grad_norm_(_with_grad(torch, 1.0), 1.0, foreach=True)),
                  err(lambda: nn.utils.clip_grad_value_(_with_grad(torch, 1.0), 1.0, foreach=True)),
                  err(lambda: nn.utils.clip_grad_norm_(_meta_grad(torch), 1.0, foreach=True)),
                  err(lambda: nn.utils.clip_grad_value_(_meta_grad(torch), 1.0, foreach=True))],
        "hooks": [err(lambda: _both_hooks(nn, "full_first")), err(lambda: _both_hooks(nn, "plain_first")),
                  err(lambda: _bad_pre_hook(torch)), err(lambda: _bad_backward_hook(torch))],
        "state_dict_hooks": [err(lambda: _post_hook_returning(nn))],
    }


def _with_grad(torch, value):
    p = torch.nn.Parameter(torch.ones(2))
    p.grad = torch.full((2,), value)
    return [p]


def _meta_grad(torch):
    p = torch.nn.Parameter(torch.ones(2, device="meta"))
    p.grad = torch.ones(2, device="meta")
    return [p]


def _both_hooks(nn, order):
    m = nn.Identity()
    hook = lambda *a: None  # noqa: E731
    if order == "full_first":
        m.register_full_backward_hook(hook)
        m.register_backward_hook(hook)
    else:
        m.register_backward_hook(hook)
        m.register_full_backward_hook(hook)


def _bad_pre_hook(torch):
    m = torch.nn.Identity()
    m.register_forward_pre_hook(lambda mod, args, kwargs: 5, with_kwargs=True)
    m(torch.zeros(1))


def _bad_backward_hook(torch):
    m = torch.nn.Linear(2, 2)
    m.register_full_backward_hook(lambda mod, gi, go: (None, None))
    m(torch.zeros(1, 2, requires_grad=True)).sum().backward()


def _post_hook_returning(nn):
    m = nn.Linear(1, 1)
    m.register_state_dict_post_hook(lambda *a: {})
    m.state_dict()


@case("text")
def forward_hooks(torch):
    nn = torch.nn
    log = []

    class Add(nn.Module):
        def forward(self, x, y=0):
            log.append(f"forward {x} {y}")
            return x + y

    m = Add()
    h1 = m.register_forward_pre_hook(lambda mod, args: log.append(f"pre1 {args}"))
    m.register_forward_pre_hook(lambda mod, args: (args[0] * 10,))
    m.register_forward_pre_hook(lambda mod, args: log.append(f"pre0 {args}"), prepend=True)
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"y": kwargs.get("y", 0) + 1}), with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: log.append(f"hook1 {args} {out}"))
    m.register_forward_hook(lambda mod, args, kwargs, out: out * 2, with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: log.append(f"hook0 {out}"), prepend=True)
    log.append(f"result {m(1, y=2)}")
    h1.remove()
    h1.remove()  # removing twice is fine
    log.append(f"result {m(3)}")

    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    b = Boom()
    b.register_forward_hook(lambda mod, args, out: log.append(f"always {args} {out}"), always_call=True)
    b.register_forward_hook(lambda mod, args, out: log.append("never"))
    log.append(str(err(lambda: b(1))))
    with b.register_forward_pre_hook(lambda mod, args: log.append("ctx")):
        log.append(str(err(lambda: b(2))))
    log.append(str(err(lambda: b(3))))
    g = nn.modules.module.register_module_forward_hook(lambda mod, args, out: log.append(f"global {type(mod).__name__}"))
    try:
        nn.Identity()(0)
    finally:
        g.remove()
    nn.Identity()(0)
    return log


@case("text")
def state_dict_semantics(torch):
    nn = torch.nn
    torch.manual_seed(0)
    out = {}
    src, dst = nn.Linear(2, 2), nn.Linear(2, 2)
    w = dst.weight
    res = dst.load_state_dict(src.state_dict())
    out["copy"] = [repr(res), dst.weight is w, bool(torch.equal(dst.weight, src.weight)),
                   dst.weight.data_ptr() != src.weight.data_ptr()]
    dst2 = nn.Linear(2, 2)
    sd = src.state_dict()
    dst2.load_state_dict(sd, assign=True)
    out["assign"] = [type(dst2.weight).__name__, dst2.weight.requires_grad,
                     dst2.weight.data_ptr() == sd["weight"].data_ptr()]
    frozen = nn.Linear(2, 2).requires_grad_(False)
    frozen.load_state_dict(sd, assign=True)
    out["assign_frozen"] = frozen.weight.requires_grad
    r = nn.Linear(2, 2).load_state_dict({"weight": torch.zeros(2, 2), "x.y": torch.zeros(1)}, strict=False)
    out["non_strict"] = [r.missing_keys, r.unexpected_keys, list(r)]

    class Scalar(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("s", torch.tensor(0.0))

    sc = Scalar()
    sc.load_state_dict({"s": torch.tensor([5.0])})  # old checkpoints saved 0-dim values as 1-element vectors
    out["scalar"] = sc.s.item()

    class Extra(nn.Module):
        def __init__(self):
            super().__init__()
            self.value = 1

        def get_extra_state(self):
            return {"value": self.value}

        def set_extra_state(self, state):
            self.value = state["value"]

    e = Extra()
    e.value = 7
    sd_e = nn.Sequential(e).state_dict()
    fresh = nn.Sequential(Extra())
    fresh.load_state_dict(sd_e)
    out["extra_state"] = [list(sd_e.keys()), fresh[0].value,
                          err(lambda: nn.Sequential(Extra()).load_state_dict({}))]
    calls = []
    m = nn.Linear(1, 1)
    m.register_state_dict_pre_hook(lambda mod, prefix, keep_vars: calls.append(f"pre {prefix!r} {keep_vars}"))
    m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: calls.append(f"post {list(sd)} {meta}"))
    m.register_load_state_dict_pre_hook(lambda mod, sd, prefix, *rest: calls.append(f"load_pre {type(mod).__name__} {list(sd)}"))
    m.register_load_state_dict_post_hook(lambda mod, keys: keys.missing_keys.clear())
    sd_m = nn.Sequential(m).state_dict()
    res = nn.Sequential(m).load_state_dict({"0.weight": sd_m["0.weight"]})
    out["hooks"] = [calls, repr(res)]
    buf = nn.Module()
    buf.register_buffer("b", torch.ones(1), persistent=False)
    buf.c = nn.Buffer(torch.ones(2))
    buf.d = nn.Buffer(torch.ones(3), persistent=False)
    out["buffers"] = [list(buf.state_dict().keys()), [n for n, _ in buf.named_buffers()],
                      sorted(buf._non_persistent_buffers_set)]
    return out


@case("text")
def attributes(torch):
    nn = torch.nn
    m = nn.Module()
    out = []
    m.w = nn.Parameter(torch.ones(1))
    m.sub = nn.Identity()
    m.register_buffer("buf", torch.zeros(1))
    m.plain = 3
    out.append([list(m._parameters), list(m._modules), list(m._buffers), "plain" in m.__dict__])
    m.w = None  # keeps the slot
    m.sub = None
    m.buf = None
    out.append([m._parameters, m._modules, m._buffers])
    m.buf = torch.ones(2)  # a tensor assigned to a buffer slot is the buffer
    m.sub = nn.Linear(1, 1)
    out.append([list(m._buffers), type(m.sub).__name__])
    m.plain = nn.Identity()  # a module replaces a plain attribute
    out.append(["plain" in m.__dict__, "plain" in m._modules])
    m.sub = nn.Parameter(torch.zeros(1))  # a parameter replaces the module
    out.append([list(m._parameters), list(m._modules)])
    del m.sub, m.buf, m.plain
    out.append([list(m._parameters), list(m._modules), list(m._buffers)])
    names = dir(nn.Sequential(nn.Linear(1, 1)))
    out.append(["0" in names, "forward" in names])
    lin = nn.Linear(2, 2)
    out.append(all(n in dir(lin) for n in ("weight", "bias", "in_features", "forward", "training")))
    pl = nn.ParameterList([torch.zeros(1)])
    out.append(["0" in dir(pl), isinstance(pl[0], nn.Parameter)])
    return out


@case("text")
def containers(torch):
    nn = torch.nn
    a, b, c, d = nn.Identity(), nn.Flatten(), nn.Linear(1, 1), nn.Linear(2, 2)
    out = {}
    s = nn.Sequential(a, b, c)
    out["index"] = [s[0] is a, s[-1] is c, type(s[1:]).__name__, len(s), [type(m).__name__ for m in s]]
    s.append(d)
    s.insert(1, nn.Identity())
    s.insert(-1, nn.Flatten(0))
    out["insert"] = [list(s._modules), [type(m).__name__ for m in s]]
    popped = s.pop(0)
    del s[-1]
    out["pop"] = [popped is a, list(s._modules), [type(m).__name__ for m in s]]
    s[0] = nn.Linear(3, 3)
    s.extend([nn.Identity(), nn.Identity()])
    s += nn.Sequential(nn.Flatten())
    del s[1:3]
    out["extend"] = [list(s._modules), [type(m).__name__ for m in s]]
    s2 = nn.Sequential(a, b)
    s2 *= 3
    out["mul"] = [list(s2._modules), s2[2] is a, len(2 * nn.Sequential(a))]
    od = nn.Sequential(collections.OrderedDict([("x", a), ("y", b)]))
    out["ordered"] = [list(od._modules), od.x is a, od[1] is b]
    ml = nn.ModuleList([a, b])
    ml.append(c).extend([d])
    ml.insert(1, nn.Identity())
    ml += [nn.Flatten()]
    both = ml + nn.ModuleList([a])
    out["module_list"] = [list(ml._modules), [type(m).__name__ for m in ml], ml[-1] is ml[5], len(both),
                          type(ml[1:3]).__name__, len(ml[::2])]
    ml.pop(1)
    del ml[::2]
    out["module_list_del"] = [list(ml._modules), [type(m).__name__ for m in ml]]
    md = nn.ModuleDict({"z": a, "y": b})
    md.update([("x", c)])
    md["w"] = d
    out["module_dict"] = [list(md.keys()), "x" in md, len(md), md.pop("z") is a, list(md),
                          [type(v).__name__ for v in md.values()], [k for k, _ in md.items()]]
    md.clear()
    out["module_dict_clear"] = len(md)
    pl = nn.ParameterList([torch.ones(1), nn.Parameter(torch.zeros(2)), "s"])
    pl.append(torch.ones(3))
    pl[0] = torch.full((1,), 2.0)
    out["parameter_list"] = [len(pl), [type(p).__name__ for p in pl], [n for n, _ in pl.named_parameters()],
                             len(pl[1:]), pl[-1].shape[0]]
    pd = nn.ParameterDict({"b": torch.ones(1), "a": torch.zeros(2)})  # a dict: sorted by key
    pd.update(collections.OrderedDict([("d", torch.ones(3)), ("c", torch.ones(4))]))
    pd["e"] = 5
    out["parameter_dict"] = [list(pd.keys()), [type(v).__name__ for v in pd.values()], "a" in pd, len(pd),
                             pd.get("zz", "dflt"), [n for n, _ in pd.named_parameters()]]
    k, v = pd.popitem()
    pd.setdefault("f", torch.ones(1))
    pd2 = pd | nn.ParameterDict({"g": torch.ones(1)})
    out["parameter_dict_ops"] = [k, v, list(pd.keys()), list(pd2.keys()), list(reversed(pd)),
                                 list(pd.copy().keys()), list(pd.fromkeys(["p", "q"]).keys())]
    pd.pop("a")
    pd.clear()
    out["parameter_dict_clear"] = len(pd)
    return out


@case("text")
def modes_and_grads(torch):
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Linear(2, 1)))
    out = [model.training, model[1][0].training]
    out.append([model.eval() is model, model.training, model[1][0].training])
    model.train()
    out.append(model[1].training)
    model.requires_grad_(False)
    out.append([p.requires_grad for p in model.parameters()])
    model.requires_grad_()
    model(torch.ones(3, 2)).sum().backward()
    out.append([p.grad is not None for p in model.parameters()])
    model.zero_grad(set_to_none=False)
    out.append([p.grad.abs().sum().item() for p in model.parameters()])
    model.zero_grad()
    out.append([p.grad is None for p in model.parameters()])
    seen = []
    model.apply(lambda m: seen.append(type(m).__name__))
    out.append(seen)
    out.append([type(c).__name__ for c in model.children()])
    return out


@case("text")
def conversions(torch):
    nn = torch.nn
    torch.manual_seed(0)
    m = nn.Linear(2, 2)
    m.register_buffer("count", torch.zeros(1, dtype=torch.int64))
    w = m.weight
    m(torch.ones(1, 2)).sum().backward()
    out = []
    for convert in ("double", "float", "half", "bfloat16", "float"):
        getattr(m, convert)()
        out.append([convert, str(m.weight.dtype), str(m.weight.grad.dtype), str(m.count.dtype), m.weight is w])
    m.to(torch.float64)
    out.append(str(m.bias.dtype))
    m.to("cpu", torch.float32)
    out.append(str(m.bias.dtype))
    m.to(torch.zeros(1, dtype=torch.float64))
    out.append(str(m.bias.dtype))
    m.to(device="cpu", dtype=torch.float32, non_blocking=True)
    m.type(torch.float64)
    out.append([str(m.weight.dtype), str(m.count.dtype)])
    m.cpu()
    out.append(str(m.weight.device))
    meta = nn.Linear(3, 2, device="meta")
    mw = meta.weight
    out.append([str(meta.weight.device), list(meta.weight.shape)])
    meta.to_empty(device="cpu")
    out.append([str(meta.weight.device), meta.weight is mw, type(meta.weight).__name__, meta.weight.requires_grad])
    out.append(m.share_memory() is m)
    return out


@case("text")
def copies(torch):
    import copy
    nn = torch.nn
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    m.register_buffer("b", torch.arange(3.0))
    m[1].weight.grad = torch.ones(1, 3)
    m2 = copy.deepcopy(m)
    p, p2 = m[0].weight, m2[0].weight
    out = [type(p2).__name__, p2 is p, bool(torch.equal(p, p2)), p2.data_ptr() != p.data_ptr(), p2.requires_grad,
           m2[1].weight.grad is None, bool(torch.equal(m2.b, m.b)), m2.b.data_ptr() != m.b.data_ptr(), repr(m2)]
    shared = nn.Linear(1, 1)
    pair = nn.Sequential(shared, shared)
    pair2 = copy.deepcopy(pair)
    out.append(pair2[0] is pair2[1])
    m3 = pickle.loads(pickle.dumps(m))
    out += [repr(m3), bool(torch.equal(m3[0].weight, p)), type(m3[0].weight).__name__, m3[0].weight.requires_grad,
            list(m3.state_dict().keys())]
    q = nn.Parameter(torch.ones(2), requires_grad=False)
    q.note = "kept"
    q2 = pickle.loads(pickle.dumps(q))
    q3 = copy.deepcopy(nn.Parameter(torch.ones(2)))
    out += [type(q2).__name__, q2.requires_grad, q2.note, type(q3).__name__, q3.requires_grad]
    # .data assignment keeps the Parameter
    r = nn.Parameter(torch.zeros(2))
    r.data = torch.ones(3, dtype=torch.float64)
    out += [type(r).__name__, r.requires_grad, list(r.shape), str(r.dtype)]
    return out


@case("text")
def parameters_semantics(torch):
    nn = torch.nn
    t = torch.ones(3)
    p = nn.Parameter(t)
    out = [p.requires_grad, p.is_leaf, p.grad_fn is None, p.data_ptr() == t.data_ptr(), t.requires_grad,
           isinstance(p, torch.Tensor), type(p * 2).__name__, type(p.detach()).__name__, type(p.data).__name__]
    p2 = nn.Parameter(torch.zeros(2, requires_grad=True) * 1)
    out += [p2.is_leaf, p2.grad_fn is None]
    out += [list(nn.Parameter().shape), nn.Parameter(requires_grad=False).requires_grad]
    b = nn.Buffer(torch.ones(2))
    out += [type(b).__name__, isinstance(b, nn.Buffer), isinstance(torch.ones(1), nn.Buffer), b.persistent]
    (p * p).sum().backward()
    out.append(p.grad.tolist())
    return out


@case("text")
def versioned_load(torch):
    """A module overriding _load_from_state_dict to upgrade old checkpoints (BatchNorm's way of
    adding num_batches_tracked), driven by the version in the state dict's _metadata."""
    nn = torch.nn
    seen = []

    class Counter(nn.Module):
        _version = 2

        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(2))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

        def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                  error_msgs):
            version = local_metadata.get("version", None)
            seen.append([prefix, version])
            key = prefix + "num_batches_tracked"
            if (version is None or version < 2) and key not in state_dict:
                state_dict[key] = torch.tensor(7, dtype=torch.long)
            super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                          error_msgs)

    model = nn.Sequential(Counter(), nn.Sequential(Counter()))
    sd = model.state_dict()
    meta = [[k, v] for k, v in sd._metadata.items()]
    old = collections.OrderedDict((k, v) for k, v in sd.items() if not k.endswith("num_batches_tracked"))
    old._metadata = collections.OrderedDict((k, {"version": 1}) for k in sd._metadata)
    fresh = nn.Sequential(Counter(), nn.Sequential(Counter()))
    res = fresh.load_state_dict(old)
    plain = nn.Sequential(Counter()).load_state_dict({"0.weight": torch.ones(2)}, strict=False)  # no metadata
    return [meta, seen, repr(res), fresh[0].num_batches_tracked.item(), fresh[1][0].num_batches_tracked.item(),
            repr(plain)]


@case("text")
def meta_models(torch):
    nn = torch.nn
    torch.manual_seed(0)
    src = nn.Linear(3, 2)
    m = nn.Linear(3, 2, device="meta")
    out = [m.weight.is_meta, repr(m)]
    res = m.load_state_dict(src.state_dict(), assign=True)
    out += [repr(res), m.weight.is_meta, type(m.weight).__name__, m.weight.requires_grad,
            bool(torch.equal(m.weight, src.weight))]
    m2 = nn.Linear(3, 2, device="meta")
    m2.load_state_dict(src.state_dict())  # warns: copying into a meta parameter is a no-op
    out.append(m2.weight.is_meta)
    m3 = nn.Sequential(nn.Linear(2, 2, device="meta")).to_empty(device="cpu")
    out += [str(m3[0].weight.device), str(m3[0].bias.dtype)]
    return out


@case("approx")
def deprecated_backward_hook(torch):
    """The deprecated hook sees the grads of the output's last node: a one-node module here (which
    node Linear ends in is an implementation detail: rstorch's linear is mm + add)."""
    nn = torch.nn
    torch.manual_seed(14)

    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.randn(3))

        def forward(self, x):
            return x * self.w

    m = Scale()
    log = []
    m.register_backward_hook(lambda mod, gi, go: log.append([[None if g is None else T(g) for g in gi],
                                                             [T(g) for g in go]]))
    x = torch.randn(4, 3, requires_grad=True)
    (m(x) * 2).sum().backward()
    return log


import nn_cases_layers  # noqa: E402,F401  (the layers' cases register into CASES)
import nn_cases_vision  # noqa: E402,F401  (resampling, attention, lazy, weight norms)
import nn_cases_fused  # noqa: E402,F401  (the fused kernels' cases register into CASES)
import nn_cases_conv  # noqa: E402,F401  (the convolution cases register into CASES)
import nn_cases_pool  # noqa: E402,F401  (the pooling cases register into CASES)
import nn_cases_ctc  # noqa: E402,F401  (the CTC loss cases register into CASES)
import nn_cases_extra  # noqa: E402,F401  (SyncBatchNorm, adaptive softmax, CrossMapLRN2d, fusion, pdist)
