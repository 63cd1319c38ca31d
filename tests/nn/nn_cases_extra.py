"""Cases of SyncBatchNorm (one process), AdaptiveLogSoftmaxWithLoss, CrossMapLRN2d, the legacy
Container, nn.utils' fusion/memory_format/skip_init and F.pdist: seeded parameters (torch's
init, bit for bit), values and gradients, reprs and errors, recorded from torch like those of
nn_cases.py (which imports this module into its CASES table)."""

import math

from nn_cases import T, case, err, params
from nn_cases_layers import rnd


def _grads(module):
    return {name: T(p.grad) for name, p in module.named_parameters() if p.grad is not None}


@case("exact")
def adaptive_init(torch):
    torch.manual_seed(0)
    m = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [5, 10], div_value=2.0, head_bias=True)
    return {"params": params(m), "repr": repr(m), "sizes": [m.shortlist_size, m.n_clusters, m.head_size, m.cutoffs]}


@case("approx")
def adaptive_forward(torch):
    torch.manual_seed(0)
    m = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [5, 10], div_value=2.0)
    x = rnd(torch, 7, 16, seed=3).requires_grad_()
    target = torch.tensor([0, 3, 7, 12, 19, 5, 4])
    out = m(x, target)
    out.loss.backward()
    single = m(rnd(torch, 16, seed=4), torch.tensor(11))
    return {"output": T(out.output), "loss": T(out.loss), "names": list(out._fields), "type": type(out).__name__,
            "x_grad": T(x.grad), "grads": _grads(m), "log_prob": T(m.log_prob(x)), "predict": T(m.predict(x)),
            "predict_big": T(m.predict(rnd(torch, 40, 16, seed=5, scale=3.0))),
            "single": [T(single.output), T(single.loss)], "grad_fn": type(out.output.grad_fn).__name__}


@case("text")
def adaptive_errors(torch):
    A = torch.nn.AdaptiveLogSoftmaxWithLoss
    m = A(8, 10, [4])
    return [err(lambda: A(8, 10, [])), err(lambda: A(8, 10, [4, 2])), err(lambda: A(8, 10, [0, 4])),
            err(lambda: A(8, 10, [10])), err(lambda: A(8, 10, [4, 4])), err(lambda: A(8, 10, [2.5])),
            err(lambda: m(torch.zeros(3, 8), torch.tensor([0, 1, 10]))),
            err(lambda: m(torch.zeros(3, 8), torch.tensor([0, 1]))),
            err(lambda: m(torch.zeros(3, 2, 8), torch.tensor([0, 1, 2]))),
            err(lambda: m(torch.zeros(3, 8), torch.tensor(1))),
            err(lambda: m(torch.zeros(3, 8), torch.zeros(3, 2, dtype=torch.long))),
            err(lambda: m(torch.zeros(3, 8), torch.tensor([-1, 1, 2])))]


@case("approx")
def crossmap_lrn(torch):
    out = {}
    for size, alpha, beta, k in ((3, 0.5, 0.75, 1), (4, 0.3, 0.6, 2.0), (5, 1.0, 0.9, 1), (2, 0.2, 0.75, 1),
                                 (9, 0.5, 0.75, 1)):
        x = rnd(torch, 2, 6, 3, 2, seed=size).requires_grad_()
        w = rnd(torch, 2, 6, 3, 2, seed=10 + size)
        m = torch.nn.CrossMapLRN2d(size, alpha, beta, k)
        y = m(x)
        (y * w).sum().backward()
        out[str(size)] = {"y": T(y), "grad": T(x.grad), "repr": repr(m)}
    return out


@case("text")
def crossmap_lrn_text(torch):
    x = torch.ones(1, 6, 2, 2, requires_grad=True)
    y = torch.nn.CrossMapLRN2d(1, 0.5)(x)
    return [repr(torch.nn.CrossMapLRN2d(3)), err(lambda: torch.nn.CrossMapLRN2d(3)(torch.zeros(2, 3, 4))),
            T(y), err(lambda: y.sum().backward())]


@case("approx")
def sync_batchnorm_single_process(torch):
    torch.manual_seed(0)
    m = torch.nn.SyncBatchNorm(3, momentum=0.2)
    with torch.no_grad():
        m.weight.copy_(torch.tensor([1.0, 2.0, -0.5]))
        m.bias.copy_(torch.tensor([0.0, 0.5, 1.0]))
    x = rnd(torch, 4, 3, 2, 2, seed=1).requires_grad_()
    y = m(x)
    (y * rnd(torch, 4, 3, 2, 2, seed=2)).sum().backward()
    m.eval()
    z = m(rnd(torch, 2, 3, 5, seed=3))
    cma = torch.nn.SyncBatchNorm(3, momentum=None, affine=False)
    for s in range(3):
        cma(rnd(torch, 5, 3, seed=20 + s))
    return {"y": T(y), "x_grad": T(x.grad), "grads": _grads(m), "running": [T(m.running_mean), T(m.running_var)],
            "tracked": T(m.num_batches_tracked), "eval": T(z), "cma": [T(cma.running_mean), T(cma.running_var)],
            "repr": repr(m), "process_group": m.process_group}


@case("text")
def sync_batchnorm_convert(torch):
    nn = torch.nn
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4), nn.Sequential(nn.BatchNorm1d(5, affine=False)),
                        nn.BatchNorm3d(2, bias=False).eval())
    bn = net[1]
    conv = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    single = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(3, eps=1e-3, momentum=0.3))
    return {"repr": repr(conv), "same": [conv is net, conv[1].weight is bn.weight, conv[1].running_mean is bn.running_mean,
                                         conv[0] is net[0], conv[3].training, conv[3].bias is None],
            "single": [repr(single), type(single).__name__],
            "errors": [err(lambda: nn.SyncBatchNorm(3)(torch.zeros(3))), err(lambda: nn.SyncBatchNorm(0)(torch.zeros(2, 0))),
                       err(lambda: nn.SyncBatchNorm(3)(torch.zeros(1, 3)))]}


@case("text")
def container_legacy(torch):
    nn = torch.nn
    c = nn.Container(a=nn.Linear(2, 3), b=nn.ReLU())
    return [repr(c), [n for n, _ in c.named_children()], isinstance(c, nn.Module)]


def _bn_with_stats(torch, bn, seed):
    g = torch.Generator().manual_seed(seed)
    n = bn.num_features
    with torch.no_grad():
        bn.running_mean.copy_(torch.randn(n, generator=g))
        bn.running_var.copy_(torch.rand(n, generator=g) + 0.5)
        if bn.weight is not None:
            bn.weight.copy_(torch.randn(n, generator=g))
        if bn.bias is not None:
            bn.bias.copy_(torch.randn(n, generator=g))
    return bn.eval()


@case("approx")
def fuse_conv_bn(torch):
    nn, U = torch.nn, torch.nn.utils
    torch.manual_seed(0)
    out = {}
    for name, conv, bn, transpose in (
            ("conv2d", nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), False),
            ("conv1d_nobias", nn.Conv1d(2, 3, 2, bias=False), nn.BatchNorm1d(3, affine=False), False),
            ("convT2d", nn.ConvTranspose2d(3, 4, 2), nn.BatchNorm2d(4), True)):
        conv.eval()
        bn = _bn_with_stats(torch, bn, 5)
        fused = U.fuse_conv_bn_eval(conv, bn, transpose=transpose)
        x = rnd(torch, 2, conv.in_channels, *([5] * (conv.weight.dim() - 2)), seed=7)
        out[name] = {"w": T(fused.weight), "b": T(fused.bias), "y": T(fused(x)), "ref": T(bn(conv(x))),
                     "types": [type(fused.weight).__name__, fused.weight.requires_grad, fused is conv,
                               conv.bias is None]}
    w, b = U.fuse_conv_bn_weights(rnd(torch, 4, 2, 3, seed=1), None, rnd(torch, 4, seed=2), rnd(torch, 4, seed=3).abs(),
                                  1e-3, None, None)
    out["weights_fn"] = [T(w), T(b), type(w).__name__, w.requires_grad]
    return out


@case("approx")
def fuse_linear_bn(torch):
    nn, U = torch.nn, torch.nn.utils
    torch.manual_seed(0)
    lin = nn.Linear(5, 4).eval()
    bn = _bn_with_stats(torch, nn.BatchNorm1d(4), 6)
    fused = U.fuse_linear_bn_eval(lin, bn)
    x = rnd(torch, 3, 5, seed=8)
    lin1 = nn.Linear(5, 4, bias=False).eval()
    bn1 = _bn_with_stats(torch, nn.BatchNorm1d(1), 9)
    fused1 = U.fuse_linear_bn_eval(lin1, bn1)
    w, b = U.fuse_linear_bn_weights(rnd(torch, 4, 5, seed=1), None, rnd(torch, 4, seed=2), rnd(torch, 4, seed=3).abs(),
                                    1e-5, rnd(torch, 4, seed=4), rnd(torch, 4, seed=5))
    return {"w": T(fused.weight), "b": T(fused.bias), "y": T(fused(x)), "ref": T(bn(lin(x))),
            "one": [T(fused1.weight), T(fused1.bias)], "fn": [T(w), T(b)]}


@case("text")
def fusion_errors(torch):
    nn, U = torch.nn, torch.nn.utils
    return [err(lambda: U.fuse_conv_bn_eval(nn.Conv2d(1, 2, 1), nn.BatchNorm2d(2))),
            err(lambda: U.fuse_linear_bn_eval(nn.Linear(2, 3).eval(), nn.BatchNorm1d(2).eval())),
            err(lambda: U.fuse_linear_bn_eval(nn.Linear(2, 3), nn.BatchNorm1d(3).eval())),
            err(lambda: U.fuse_conv_bn_eval(nn.Conv2d(1, 2, 1).eval(),
                                            nn.BatchNorm2d(2, track_running_stats=False).eval())),
            sorted(n for n in ("fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
                               "fuse_linear_bn_weights") if n in U.fusion.__all__)]


@case("text")
def memory_format_and_skip_init(torch):
    nn, U = torch.nn, torch.nn.utils
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(2, 3, 3), nn.Sequential(nn.ConvTranspose2d(3, 2, 2)), nn.Conv3d(1, 1, 1))
    before = [p.detach().clone() for p in net.parameters()]
    same = U.convert_conv2d_weight_memory_format(net, torch.channels_last) is net
    same3 = U.convert_conv3d_weight_memory_format(net, torch.channels_last_3d) is net
    kept = [bool((a == b).all()) for a, b in zip(before, net.parameters())]
    s = U.skip_init(nn.Linear, 3, 4, bias=False)
    return {"same": [same, same3], "kept": kept, "types": [type(p).__name__ for p in net.parameters()],
            "skip": [repr(s), list(s.weight.shape), str(s.weight.device), s.bias is None],
            "errors": [err(lambda: U.skip_init(int)), err(lambda: U.skip_init(nn.ReLU))]}


def _pdist_input(torch):
    x = rnd(torch, 5, 3, seed=11, dtype=torch.float64)
    x[1] = x[0]  # a zero distance
    x[3, 1] = x[2, 1] + (x[3, 0] - x[2, 0])  # a tie for p = inf
    return x


@case("approx")
def pdist_values_and_grads(torch):
    F = torch.nn.functional
    out = {}
    for p in (0, 0.5, 1, 1.5, 2, 3, math.inf):
        x = _pdist_input(torch).requires_grad_()
        d = F.pdist(x, p)
        (d * torch.arange(1.0, d.numel() + 1, dtype=torch.float64)).sum().backward()
        out[str(p)] = {"d": T(d), "grad": T(x.grad)}
    f = rnd(torch, 4, 6, seed=12)
    out["float32"] = T(F.pdist(f))
    out["default"] = T(F.pdist(f, 2.0))
    return out


@case("text")
def pdist_errors(torch):
    F = torch.nn.functional
    return [err(lambda: F.pdist(torch.ones(3))), err(lambda: F.pdist(torch.ones(3, 2), p=-1)),
            err(lambda: F.pdist(torch.ones(3, 2, dtype=torch.int64))), err(lambda: F.pdist(torch.ones(2, 3, 2))),
            err(lambda: F.pdist(torch.ones(3, 2, dtype=torch.float16))),
            [list(F.pdist(torch.ones(n, 2)).shape) for n in (0, 1, 2, 6)], list(F.pdist(torch.ones(3, 0)).tolist())]
