"""Cases of the convolution layers (Conv1d/2d/3d, ConvTranspose1d/2d/3d, Fold/Unfold and their
functional forms), recorded from torch like those of nn_cases.py (which imports this module, so
record_torch.py and test_torch_parity.py see them in the one CASES table). Weights come from
torch's default initialisation under a seed: rstorch's draws are torch's, bit for bit."""

from nn_cases import T, case, err, params
from nn_cases_layers import rnd, value_and_grads


def _modules(torch):
    nn = torch.nn
    return {
        "conv1d": nn.Conv1d(3, 4, 3),
        "conv1d_nobias": nn.Conv1d(4, 6, 2, stride=2, padding=1, groups=2, bias=False),
        "conv2d": nn.Conv2d(3, 8, 3),
        "conv2d_args": nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2),
        "conv2d_same": nn.Conv2d(2, 3, 4, padding="same"),
        "conv2d_reflect": nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"),
        "conv2d_circular": nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode="circular"),
        "conv2d_replicate": nn.Conv2d(2, 2, 3, padding=2, padding_mode="replicate", bias=False),
        "conv3d": nn.Conv3d(2, 3, (2, 3, 2), stride=(1, 2, 1), padding=(0, 1, 1)),
        "convt1d": nn.ConvTranspose1d(3, 4, 3, stride=2, output_padding=1),
        "convt2d": nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
        "convt2d_dil": nn.ConvTranspose2d(2, 3, (2, 3), dilation=2, bias=False),
        "convt3d": nn.ConvTranspose3d(2, 2, 2, stride=2),
    }


_INPUTS = {
    "conv1d": (2, 3, 9), "conv1d_nobias": (2, 4, 7), "conv2d": (2, 3, 7, 6), "conv2d_args": (2, 4, 7, 7),
    "conv2d_same": (1, 2, 5, 6), "conv2d_reflect": (2, 2, 5, 5), "conv2d_circular": (1, 2, 5, 6),
    "conv2d_replicate": (1, 2, 4, 4), "conv3d": (1, 2, 3, 5, 4), "convt1d": (2, 3, 5), "convt2d": (1, 4, 3, 4),
    "convt2d_dil": (2, 2, 3, 3), "convt3d": (1, 2, 2, 3, 2),
}


@case("exact")
def conv_default_init(torch):
    """The default initialisation (kaiming_uniform_(a=sqrt(5)) and the bias bound) under seed 0:
    every parameter, in construction order, equals torch's bit for bit."""
    torch.manual_seed(0)
    return {name: params(m) for name, m in _modules(torch).items()}


@case("text")
def conv_reprs(torch):
    mods = _modules(torch)
    out = {name: repr(m) for name, m in mods.items()}
    nn = torch.nn
    out["fold"] = repr(nn.Fold((4, 5), 2, dilation=1, padding=1, stride=2))
    out["unfold"] = repr(nn.Unfold(3, padding=1))
    out["state_dict"] = repr({n: list(m.state_dict()) for n, m in mods.items()})
    out["shapes"] = repr({n: [(k, list(p.shape)) for k, p in m.named_parameters()] for n, m in mods.items()})
    return out


@case("approx")
def conv_forward_backward(torch):
    """Each module's output and the gradients of its input and parameters for a random
    cotangent."""
    torch.manual_seed(1)
    out = {}
    for i, (name, m) in enumerate(_modules(torch).items()):
        x = rnd(torch, *_INPUTS[name], seed=10 + i).requires_grad_(True)
        y = m(x)
        w = rnd(torch, *y.shape, seed=50 + i)
        (y * w).sum().backward()
        out[name] = {"y": T(y), "dx": T(x.grad), "grads": {k: T(p.grad) for k, p in m.named_parameters()}}
    return out


@case("approx")
def conv_functional(torch):
    """The functional forms: unbatched inputs, padding='valid', output_size, float64, fold/unfold."""
    F = torch.nn.functional
    x = rnd(torch, 3, 6, 5, seed=3)
    w = rnd(torch, 4, 3, 2, 2, seed=4)
    x64 = rnd(torch, 1, 2, 5, 4, seed=5, dtype=torch.float64)
    w64 = rnd(torch, 2, 2, 3, 3, seed=6, dtype=torch.float64)
    ct = torch.nn.ConvTranspose2d(2, 2, 3, stride=2)
    torch.manual_seed(2)
    ct.reset_parameters()
    xi = rnd(torch, 1, 2, 3, 3, seed=8)
    u = rnd(torch, 2, 3, 4, 5, seed=9)
    cols = F.unfold(u, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    return {
        "unbatched": T(F.conv2d(x, w, padding=1)),
        "valid": T(F.conv2d(x, w, padding="valid", stride=2)),
        "f64": value_and_grads(torch, lambda a, b: F.conv2d(a, b, padding=(2, 1), dilation=(2, 1)), x64, w64),
        "f64_t": value_and_grads(torch, lambda a, b: F.conv_transpose2d(a, b, stride=(1, 2), output_padding=(0, 1)),
                                 x64, w64),
        "output_size": T(ct(xi, output_size=[8, 8])),
        "unfold": value_and_grads(torch, lambda a: F.unfold(a, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), u),
        "fold": value_and_grads(torch, lambda c: F.fold(c, (4, 5), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
                                cols.detach()),
        "grad_fn": type(F.conv2d(x[None], w.detach().requires_grad_(True)).grad_fn).__name__,
    }


@case("exact")
def conv_errors(torch):
    nn, F = torch.nn, torch.nn.functional
    x = torch.zeros(2, 4, 8, 8)
    c = nn.Conv2d(3, 6, 3)
    return {
        "channels": err(lambda: c(x)),
        "kernel": err(lambda: nn.Conv2d(4, 2, 9)(x)),
        "groups_in": err(lambda: nn.Conv2d(4, 6, 3, groups=3)),
        "groups_out": err(lambda: nn.Conv2d(4, 6, 3, groups=4)),
        "groups_zero": err(lambda: nn.Conv2d(4, 6, 3, groups=0)),
        "same_strided": err(lambda: nn.Conv2d(4, 6, 3, stride=2, padding="same")),
        "transpose_mode": err(lambda: nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect")),
        "output_size": err(lambda: nn.ConvTranspose2d(4, 6, 3, stride=2)(x, output_size=[30, 30])),
        "output_size_len": err(lambda: nn.ConvTranspose2d(4, 6, 3, stride=2)(x, output_size=[30])),
        "rank": err(lambda: c(torch.zeros(3, 8))),
        "long": err(lambda: F.conv2d(x.bool(), torch.zeros(6, 4, 3, 3, dtype=torch.bool))),
        "unfold_blocks": err(lambda: F.unfold(x, 9)),
        "fold_blocks": err(lambda: F.fold(torch.zeros(2, 36, 9), (4, 4), 3)),
        "fold_divisible": err(lambda: F.fold(torch.zeros(2, 35, 4), (4, 4), 3)),
        "fold_stride": err(lambda: F.fold(torch.zeros(2, 36, 4), (4, 4), 3, stride=0)),
        "unfold_long": err(lambda: F.unfold(x.long(), 3)),
        "zero_batch": list(c(torch.zeros(0, 3, 5, 5)).shape),
    }
