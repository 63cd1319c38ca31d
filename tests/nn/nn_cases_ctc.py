"""Cases of the CTC loss (F.ctc_loss, nn.CTCLoss: values, torch's gradient, grad_fn names,
reprs, errors), recorded from torch like those of nn_cases.py (which imports this module, so
record_torch.py and test_torch_parity.py see them in the one CASES table). The log probs are a
float64 log_softmax of seeded draws rounded to the case's dtype, so both libraries start from
the same numbers."""

import math

from nn_cases import T, case, err
from nn_cases_layers import rnd


def log_probs(torch, T_, N, C, seed=1, dtype=None):
    x = rnd(torch, T_, N, C, seed=seed, dtype=torch.float64).log_softmax(2)
    return x.to(dtype or torch.float32)


def ints(torch, lo, hi, shape, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(lo, hi, shape, generator=g)


def run(torch, lp, targets, il, tl, **kw):
    """[loss, grad of log_probs under a random output weight, grad_fn name]."""
    x = lp.detach().clone().requires_grad_(True)
    loss = torch.nn.functional.ctc_loss(x, targets, il, tl, **kw)
    w = rnd(torch, *loss.shape, seed=9, dtype=loss.dtype)
    (loss * w).sum().backward()
    return [T(loss), T(x.grad), loss.grad_fn.name()]


def _setup(torch):
    lp = log_probs(torch, 12, 4, 6)
    tg = ints(torch, 1, 6, (4, 5), 2)
    return lp, tg, [12, 10, 7, 12], [5, 3, 0, 4]


@case("approx")
def ctc_reductions(torch):
    lp, tg, il, tl = _setup(torch)
    return {f"{red}_{zi}": run(torch, lp, tg, il, tl, reduction=red, zero_infinity=zi)
            for red in ("none", "mean", "sum") for zi in (False, True)}


@case("approx")
def ctc_forms(torch):
    """Lengths as tensors, lists, tuples; padded and concatenated targets; unbatched."""
    lp, tg, il, tl = _setup(torch)
    cat = torch.cat([tg[b, :tl[b]] for b in range(4)])
    return {
        "tensor_lengths": run(torch, lp, tg, torch.tensor(il), torch.tensor(tl), reduction="none"),
        "int32_lengths": run(torch, lp, tg, torch.tensor(il, dtype=torch.int32), torch.tensor(tl, dtype=torch.int16)),
        "tuple_lengths": run(torch, lp, tg, tuple(il), tuple(tl), reduction="sum"),
        "concatenated": run(torch, lp, cat, il, tl, reduction="none"),
        "concatenated_tensor": run(torch, lp, cat, torch.tensor(il), torch.tensor(tl)),
        "int32_targets": run(torch, lp, tg.int(), il, tl, reduction="none"),
        "wide_padding": run(torch, lp, torch.cat([tg, torch.full((4, 3), -1)], 1), il, tl, reduction="none"),
        "unbatched": run(torch, lp[:, 0], tg[0], [12], [5], reduction="none"),
        "unbatched_tensor": run(torch, lp[:, 1], tg[1, :3], torch.tensor(10), torch.tensor(3)),
        "unbatched_padded": run(torch, lp[:, 1], tg[1:2], [10], [3], reduction="sum"),
        "non_contiguous": run(torch, lp.transpose(0, 1).contiguous().transpose(0, 1), tg, il, tl, reduction="none"),
    }


@case("approx")
def ctc_labels(torch):
    """Repeated labels (no skip between equal neighbours), blank != 0, a blank inside a target,
    a single class besides blank, empty targets. (A target ending in the blank meets torch's
    backward quirk: the final blank's term is dropped at the last time step.)"""
    lp, tg, il, tl = _setup(torch)
    rep = torch.tensor([[2, 2, 3, 3, 3], [1, 1, 1, 1, 1], [4, 4, 4, 4, 4], [2, 3, 2, 3, 2]])
    return {
        "repeats": run(torch, lp, rep, [12, 12, 11, 12], [5, 5, 2, 5], reduction="none"),
        "blank3": run(torch, lp, tg, il, tl, blank=3, reduction="none"),
        "blank_last": run(torch, lp, ints(torch, 0, 5, (4, 5), 3), il, tl, blank=5, reduction="mean"),
        "blank_in_target": run(torch, lp, torch.tensor([[1, 0, 2, 0, 0]] * 4), il, [3, 2, 3, 1], reduction="none"),
        "two_classes": run(torch, log_probs(torch, 9, 3, 2, seed=5), torch.ones(3, 4, dtype=torch.long),
                           [9, 9, 8], [4, 2, 0], reduction="none"),
        "empty_targets": run(torch, lp, torch.empty(0, dtype=torch.long), il, [0, 0, 0, 0], reduction="none"),
        "empty_padded": run(torch, lp, torch.empty(4, 0, dtype=torch.long), il, [0, 0, 0, 0]),
    }


@case("approx")
def ctc_infinite(torch):
    """Inputs too short for their targets (inf loss: nan gradient, or zero with zero_infinity),
    zero-length inputs (loss -0. or inf, gradient zero)."""
    lp, tg, il, tl = _setup(torch)
    rep = torch.tensor([[2, 2, 3, 3, 3]] * 4)
    out = {}
    for zi in (False, True):
        out[f"short_{zi}"] = run(torch, lp, tg, [3, 1, 7, 2], [5, 3, 1, 4], reduction="none", zero_infinity=zi)
        out[f"repeats_need_blanks_{zi}"] = run(torch, lp, rep, [9, 10, 6, 5], [5, 5, 2, 3], reduction="none",
                                               zero_infinity=zi)
        out[f"no_input_{zi}"] = run(torch, lp, tg, [0, 0, 7, 12], [0, 3, 0, 4], reduction="none", zero_infinity=zi)
        out[f"mean_{zi}"] = run(torch, lp, tg, [3, 10, 7, 12], [5, 3, 0, 4], zero_infinity=zi)
        out[f"sum_{zi}"] = run(torch, lp, tg, [3, 10, 7, 12], [5, 3, 0, 4], reduction="sum", zero_infinity=zi)
    return out


@case("approx")
def ctc_inputs(torch):
    """float64; raw (not normalised) inputs, where torch's gradient is not the loss's
    derivative; -inf log probs; very unlikely labels; a longer sequence."""
    lp, tg, il, tl = _setup(torch)
    masked = lp.clone()
    masked[:, :, 5] = -math.inf  # a class no target uses, masked out
    # log probs down to -200 (float64: in float32 both libraries' gradients are off by 1e-4
    # there, torch's exp(lcab + nll - lp) adding terms of a few hundred)
    peaky = log_probs(torch, 12, 4, 6, seed=3, dtype=torch.float64) * 40
    long_lp = log_probs(torch, 60, 3, 8, seed=6, dtype=torch.float64)  # (float32: losses ~80, ulp 8e-6)
    return {
        "f64": run(torch, log_probs(torch, 12, 4, 6, dtype=torch.float64), tg, il, tl, reduction="none"),
        "f64_mean": run(torch, log_probs(torch, 12, 4, 6, dtype=torch.float64), tg, il, tl),
        "raw": run(torch, rnd(torch, 12, 4, 6, seed=4) * 3, tg, il, tl, reduction="none"),
        "masked_class": run(torch, masked, ints(torch, 1, 5, (4, 5), 7), il, tl, reduction="none"),
        "peaky": run(torch, peaky, tg, il, tl, reduction="none"),
        "peaky_f32": run(torch, log_probs(torch, 12, 4, 6, seed=3) * 6, tg, il, tl, reduction="none"),
        "long": run(torch, long_lp, ints(torch, 1, 8, (3, 20), 8), [60, 55, 41], [20, 17, 9], reduction="none"),
    }


@case("text")
def ctc_modules(torch):
    nn = torch.nn
    mods = [nn.CTCLoss(), nn.CTCLoss(blank=2, reduction="sum", zero_infinity=True), nn.CTCLoss(reduction="none")]
    lp, tg, il, tl = _setup(torch)
    out = [[repr(m), m.blank, m.reduction, m.zero_infinity] for m in mods]
    out.append([T(m(lp, tg, il, tl)) for m in mods])
    out.append(err(lambda: nn.CTCLoss(reduction="avg")(lp, tg, il, tl)))
    out.append(sorted(nn.CTCLoss.__constants__))
    return out


@case("text")
def ctc_errors(torch):
    F = torch.nn.functional
    lp, tg, il, tl = _setup(torch)
    ilt, tlt = torch.tensor(il), torch.tensor(tl)
    calls = [
        lambda: F.ctc_loss(lp, tg, il, tl, reduction="avg"),
        lambda: F.ctc_loss(lp, tg, il, tlt),
        lambda: F.ctc_loss(lp, tg, ilt, tl),
        lambda: F.ctc_loss(lp, tg, tuple(il), tlt),
        lambda: F.ctc_loss(lp[:, 0], tg[0], 12, 5),
        lambda: F.ctc_loss(lp, tg, None, tl),
        lambda: F.ctc_loss(lp, tg, [12.0, 10, 7, 12], tl),
        lambda: F.ctc_loss(lp, tg, [True, 10, 7, 12], tl),
        lambda: F.ctc_loss(lp, tg, [], None),
        lambda: F.ctc_loss(lp, tg, il, tl, blank=1.5),
        lambda: F.ctc_loss(lp, tg, il, tl, blank=True),
        lambda: F.ctc_loss(lp, tg, il, tl, zero_infinity=1),
        lambda: F.ctc_loss(lp.tolist(), tg, il, tl),
        lambda: F.ctc_loss(lp, [1, 2], il, tl),
        lambda: F.ctc_loss(lp, tg, ilt.float(), tlt),
        lambda: F.ctc_loss(lp, tg, ilt, tlt.double()),
        lambda: F.ctc_loss(lp, tg, ilt, tlt.bool()),
        lambda: F.ctc_loss(lp.half(), tg, il, tl),
        lambda: F.ctc_loss(lp.bfloat16(), tg, il, tl),
        lambda: F.ctc_loss(lp.long(), tg, il, tl),
        lambda: F.ctc_loss(lp[:0], tg, [0] * 4, tl),
        lambda: F.ctc_loss(lp[:, :0], tg[:0], [], []),
        lambda: F.ctc_loss(lp[0, 0, 0], tg, il, tl),
        lambda: F.ctc_loss(lp[:, 0, 0], tg, il, tl),
        lambda: F.ctc_loss(lp.unsqueeze(3), tg, il, tl),
        lambda: F.ctc_loss(lp, tg.view(4, 5, 1), il, tl),
        lambda: F.ctc_loss(lp, tg.view(4, 5, 1, 1), il, tl),
        lambda: F.ctc_loss(lp, tg, il, tl, blank=6),
        lambda: F.ctc_loss(lp, tg, il, tl, blank=-1),
        lambda: F.ctc_loss(lp, tg, il[:3], tl),
        lambda: F.ctc_loss(lp, tg, il, tl + [1]),
        lambda: F.ctc_loss(lp, tg, torch.tensor(12), tlt),
        lambda: F.ctc_loss(lp, tg, [13, 10, 7, 12], tl),
        lambda: F.ctc_loss(lp, tg, [12, -1, 7, 12], tl),
        lambda: F.ctc_loss(lp, tg, il, [5, 3, 0, 6]),
        lambda: F.ctc_loss(lp, tg, il, [5, -2, 0, 4]),
        lambda: F.ctc_loss(lp, tg.view(-1), il, tl),
        lambda: F.ctc_loss(lp, tg[:3], il, tl),
        lambda: F.ctc_loss(lp, tg[0, :3], [12] * 4, [1, 1, 1, 1]),
        lambda: F.ctc_loss(lp, tg.view(-1)[:12], il, [5, -3, 0, 4]),
        lambda: F.ctc_loss(lp[:, 0], tg[0, :4], [12], [5]),
        lambda: F.ctc_loss(lp[:, 0], tg[0], [12, 12], [5]),
    ]
    return [err(c) for c in calls]


@case("text")
def ctc_double_backward(torch):
    lp, tg, il, tl = _setup(torch)
    x = lp.clone().requires_grad_(True)
    loss = torch.nn.functional.ctc_loss(x, tg, il, tl)
    (g,) = torch.autograd.grad(loss, x, create_graph=True)
    return [g.requires_grad, err(lambda: g.sum().backward())]
