"""nn.functional: the CTC loss (torch's `ctc_loss`, the CPU algorithm of aten's LossCTC.cpp).

Graves et al.'s forward-backward in log space: the alphas (forward) and betas (backward) over the
extended label sequence l' (blank, l1, blank, l2, ..., blank; L = 2 * max(target_lengths) + 1
positions), one step per time step, each step vectorised over the batch and the positions. The
recursion's tensor is laid out (T, L + 2, N), positions before the batch, so the three shifted
reads of a step (s, s-1, s-2) are contiguous slices of one row; the two extra positions are -inf
padding. Each step is torch's `log(exp(a1 - m) + exp(a2 - m) + exp(a3 - m)) + m +
log_probs[t, l'(s)]` with `m` the largest of the three (the lowest finite number where all
three are -inf, which gives torch's -inf). The betas are the alphas of each sample's time- and
label-reversed sequence, so when the gradient is wanted they run in the same recursion, as N
more columns (the loop's cost is per op, not per element, at these sizes).

The gradient is torch's `_ctc_loss_backward`, not the plain derivative of the loss: it assumes
log_probs came out of log_softmax, `grad = exp(log_probs) - exp(log(sum over s with l'(s) = c of
alpha_t(s) beta_t(s)) + nll - log_probs)`, times the output gradient, zero from each input's
length on and, with zero_infinity, for the infinite losses. The sum over the positions of one
class is a batched matmul with the labels' one-hot matrix, where torch log-adds the terms one at
a time (the same value, to rounding). Like torch, nothing checks that the labels are in
[0, C): an out-of-range label raises an IndexError here (torch reads past the
row).
"""

import functools
import math
import operator

import rstorch

from ... import _C
from ...autograd.function import Function
from .. import _reduction as _Reduction
from ._common import _scalar_name, _tracked

__all__ = ["ctc_loss"]

_WHERE = " (while checking arguments for ctc_loss_allocate_outputs)"
_SIGNATURES = (
    "(Tensor log_probs, Tensor targets, tuple of ints input_lengths, tuple of ints target_lengths, int blank = 0, "
    "int reduction = at::Reduction::Mean, bool zero_infinity = False)",
    "(Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, int blank = 0, "
    "int reduction = at::Reduction::Mean, bool zero_infinity = False)",
)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """The Connectionist Temporal Classification loss of log_probs `(T, N, C)` (or unbatched
    `(T, C)`) against targets padded `(N, S)` or concatenated `(sum(target_lengths),)`."""
    enum = _Reduction.get_enum(reduction)
    il, tl = _lengths(log_probs, targets, input_lengths, target_lengths, blank, enum, zero_infinity)
    batched = log_probs.dim() == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    targets = targets.long()
    dtype = lp.dtype
    if dtype not in (rstorch.float32, rstorch.float64):
        raise NotImplementedError(f"\"ctc_loss_cpu\" not implemented for '{_dtype_name(dtype)}'")
    _check(lp, targets, il, tl, blank)
    res = _CtcLoss.apply(lp, targets, il, tl, blank, bool(zero_infinity), _tracked(lp))
    if zero_infinity:
        res = rstorch.where(res == math.inf, rstorch.zeros((), dtype=dtype), res)
    if enum == 1:
        return (res / rstorch.tensor(tl, dtype=dtype).clamp_min(1)).mean()
    if enum == 2:
        return res.sum()
    return res if batched else res.squeeze(0)


# ---------------------------------------------------------------------- arguments

def _dtype_name(dtype):
    try:
        return _scalar_name(dtype)
    except KeyError:
        return {"complex64": "ComplexFloat", "complex128": "ComplexDouble"}.get(str(dtype).rsplit(".", 1)[-1],
                                                                               str(dtype))


def _is_int(v):
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    if isinstance(v, rstorch.Tensor):
        return v.numel() == 1 and not v.is_floating_point() and not v.is_complex() and v.dtype != rstorch.bool
    return hasattr(v, "__index__")


def _int_seq(v):
    return isinstance(v, (list, tuple)) and all(_is_int(e) for e in v)


def _lengths(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity):
    """The two lengths as lists of ints, from two integer tensors or two int sequences; torch's
    argument parser's TypeError for any other combination."""
    Tensor = rstorch.Tensor
    args = (log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity)
    common = isinstance(log_probs, Tensor) and isinstance(targets, Tensor) and _is_int(blank) and \
        isinstance(zero_infinity, bool)
    if common and _int_seq(input_lengths) and _int_seq(target_lengths):
        return ([int(e) if isinstance(e, Tensor) else operator.index(e) for e in input_lengths],
                [int(e) if isinstance(e, Tensor) else operator.index(e) for e in target_lengths])
    if common and isinstance(input_lengths, Tensor) and isinstance(target_lengths, Tensor):
        for name, t in (("input_lengths", input_lengths), ("target_lengths", target_lengths)):
            if t.is_floating_point() or t.is_complex() or t.dtype == rstorch.bool:
                raise RuntimeError(f"{name} must be integral")
        return input_lengths.reshape(-1).tolist(), target_lengths.reshape(-1).tolist()
    raise TypeError(_invalid_combination(args))


def _describe(v):
    """An argument as torch's argument parser names it."""
    if isinstance(v, rstorch.Tensor):
        return "Tensor"
    if isinstance(v, list):
        return "list of [" + ", ".join(_plain(e) for e in v) + "]"
    if isinstance(v, tuple):
        return "tuple of (" + ", ".join(_plain(e) for e in v) + ")"
    return _plain(v)


def _plain(v):
    return "Tensor" if isinstance(v, rstorch.Tensor) else type(v).__name__


def _invalid_combination(args):
    # torch marks every argument but the tensors given for Tensor parameters
    def marked(tensor_params):
        return ", ".join(_describe(a) if i < tensor_params and isinstance(a, rstorch.Tensor) else f"!{_describe(a)}!"
                         for i, a in enumerate(args))
    lines = [f"ctc_loss() received an invalid combination of arguments - got ({', '.join(_plain(a) for a in args)}), "
             "but expected one of:"]
    for sig, tensor_params in zip(_SIGNATURES, (2, 4)):
        lines.append(f" * {sig}")
        lines.append(f"      didn't match because some of the arguments have invalid types: ({marked(tensor_params)})")
    return "\n".join(lines) + "\n"


def _check(lp, targets, il, tl, blank):
    """torch's checks of ctc_loss_cpu / ctc_loss_allocate_outputs, in its order."""
    if lp.numel() == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    if lp.dim() != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {lp.dim()}-dimensional tensor for argument #1 "
                           f"'log_probs'{_WHERE}")
    if not 1 <= targets.dim() <= 2:
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {targets.dim()}-dimensional tensor for argument #2 "
                           f"'targets'{_WHERE}")
    T, N, C = lp.shape
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    if len(il) != N:
        raise RuntimeError("input_lengths must be of size batch_size")
    if len(tl) != N:
        raise RuntimeError("target_lengths must be of size batch_size")
    for v in tl:
        if v < 0:
            raise RuntimeError(f"Expected target_lengths to have value at least 0, but got value {v}{_WHERE}")
    want = sum(tl) if targets.dim() == 1 else N
    if targets.shape[0] != want:
        raise RuntimeError(f"Expected tensor to have size {want} at dimension 0, but got size {targets.shape[0]} "
                           f"for argument #2 'targets'{_WHERE}")
    if targets.dim() == 2 and targets.shape[1] < max(tl, default=0):
        raise RuntimeError(f"Expected tensor to have size at least {max(tl)} at dimension 1, but got size "
                           f"{targets.shape[1]} for argument #2 'targets'{_WHERE}")
    for v in il:
        if v < 0:
            raise RuntimeError(f"Expected input_lengths to have value at least 0, but got value {v}{_WHERE}")
        if v > T:
            raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value {v}{_WHERE}")


# ---------------------------------------------------------------------- the algorithm

class _Consts:
    """The scalars of one dtype, as 0-dim tensors (in-place ops with them are the fast ones)."""

    def __init__(self, dtype):
        lowest = rstorch.finfo(dtype).min
        self.ninf = rstorch.full((), -math.inf, dtype=dtype)
        self.lowest = rstorch.full((), lowest, dtype=dtype)
        self.impossible = lowest / 2  # below it, a log alpha or beta stands for -inf
        # exp's floor: exp(-87) is below half an ulp of the sum's largest term, exp(0) = 1, so
        # flooring the smaller terms changes no sum, and keeps float32 exp off its slow path
        self.floor = rstorch.full((), -87.0, dtype=dtype)


@functools.lru_cache(maxsize=None)
def _consts(dtype):
    return _Consts(dtype)


@functools.lru_cache(maxsize=256)
def _arange(n, step=1):
    """0, step, ..., (n - 1) step as int64 (cached: the index arithmetic only reads it)."""
    return rstorch.tensor(list(range(0, n * step, step)), dtype=rstorch.int64)


def _extended_labels(targets, tl, blank, n):
    """l' as a (L, N) int64 tensor: blank at the even positions, the targets at the odd ones,
    blank past each target's end (the padding of the targets is never read, as in torch)."""
    smax = max(tl, default=0)
    labels = rstorch.full((smax + 1, 2, n), blank, dtype=rstorch.int64)
    if smax:
        if targets.dim() == 1:
            starts, pos = [], 0
            for v in tl:
                starts.append(pos)
                pos += v
            idx = (rstorch.tensor(starts).unsqueeze(1) + _arange(smax)).clamp_max_(pos - 1)
            padded = targets.index_select(0, idx.view(-1)).view(n, smax)
        else:
            padded = targets.narrow(1, 0, smax)
        odd = labels.narrow(0, 0, smax).select(1, 1)
        odd.copy_(padded.t())
        if min(tl) < smax:
            odd.masked_fill_(_arange(smax).unsqueeze(1) >= rstorch.tensor(tl), blank)
    return labels.view(2 * smax + 2, n).narrow(0, 0, 2 * smax + 1)


def _no_skip(labels, consts):
    """0 where alpha[s] may come from alpha[s - 2] (l'(s) != l'(s - 2)), -inf elsewhere; (L, N)."""
    L, N = labels.shape
    mask = rstorch.full((L, N), -math.inf, dtype=consts.ninf.dtype)
    if L > 2:
        mask.narrow(0, 2, L - 2).masked_fill_(labels.narrow(0, 2, L - 2) != labels.narrow(0, 0, L - 2), 0.0)
    return mask


def _step(prev, length, lowest, floor, no_skip, lpe_t, dst):
    """One log-space step: dst = logsumexp(prev[s], prev[s - 1], prev[s - 2] + no_skip) + lpe_t,
    the three reads being slices of prev (which has two padding rows first): torch's
    `log(exp(a1 - m) + exp(a2 - m) + exp(a3 - m)) + m + lp`, m the largest of the three.
    (lowest, floor: full-size constants; the in-place ops with them skip broadcasting.)"""
    a1 = prev.narrow(0, 2, length)
    a2 = prev.narrow(0, 1, length)
    a3 = prev.narrow(0, 0, length) + no_skip
    m = a1.maximum(a2)
    m.maximum_(a3)
    m.maximum_(lowest)  # where all three are -inf (torch takes 0): the sum is -inf alike
    s = (a1 - m).maximum_(floor).exp_()
    s += (a2 - m).maximum_(floor).exp_()
    s += a3.sub_(m).maximum_(floor).exp_()  # (a3 is a temporary)
    return dst.copy_(s.log_()).add_(m).add_(lpe_t)


def _alphas(lpe, no_skip, n_steps, c):
    """(T, L + 2, W) log alphas at positions 2.. (the first two: -inf padding), W columns (the
    samples, and their reversed copies when the betas ride along). Unreachable states are -inf
    or about the lowest float (the floor of exp): below `impossible`."""
    T, L, W = lpe.shape
    alpha = rstorch.full((T, L + 2, W), -math.inf, dtype=lpe.dtype)
    alpha.select(0, 0).narrow(0, 2, min(L, 2)).copy_(lpe.select(0, 0).narrow(0, 0, min(L, 2)))
    lowest, floor = c.lowest.expand(L, W).contiguous(), c.floor.expand(L, W).contiguous()
    for t in range(1, n_steps):
        _step(alpha.select(0, t - 1), L, lowest, floor, no_skip, lpe.select(0, t), alpha.select(0, t).narrow(0, 2, L))
    return alpha


def _nll(alpha, il, tl, c):
    """-log(alpha[il-1, 2 tl] (+) alpha[il-1, 2 tl - 1]) of the first N columns (torch's -0. or
    inf where il = 0)."""
    _, L2, W = alpha.shape
    N = len(il)
    # flat indices into alpha; index b (row 0 at t = 0, padding) holds -inf
    i1 = [((v - 1) * L2 + 2 + 2 * k) * W + b if v else b for b, (v, k) in enumerate(zip(il, tl))]
    i2 = [((v - 1) * L2 + 1 + 2 * k) * W + b if v and k else b for b, (v, k) in enumerate(zip(il, tl))]
    ends = alpha.view(-1).index_select(0, rstorch.tensor(i1 + i2))
    ends.masked_fill_(ends < c.impossible, -math.inf)
    if 0 in il:  # no input: log likelihood 0 for an empty target, else -inf
        ends[[b for b, (v, k) in enumerate(zip(il, tl)) if not v and not k]] = 0.0
    l1, l2 = ends.narrow(0, 0, N), ends.narrow(0, N, N)
    m = l1.maximum(l2).maximum_(c.lowest)
    s = (l1 - m).exp_().add_((l2 - m).exp_())
    return s.log_().add_(m).neg_()


class _Reversal:
    """Each sample's time (up to its input length) and extended labels (up to 2 tl) reversed:
    its betas are the alphas of the reversed sequence, beta[t, s] = alpha'[il-1-t, 2 tl - s],
    so one recursion computes both, every sample starting at t = 0. (Flat indices are sums of
    a (T, 1, N) and a (1, L, N) part: one full-size integer op each.)"""

    def __init__(self, T, L, il, tl):
        N = len(il)
        self.rt = (rstorch.tensor(il).view(1, 1, N) - 1 - _arange(T).view(T, 1, 1)).clamp_min_(0)
        self.back = rstorch.tensor([2 * k for k in tl]).view(1, 1, N) - _arange(L).view(1, L, 1)  # 2 tl - s
        self.cols = _arange(N)
        self.shape = (T, L, N)

    def labels(self, labels, blank):
        rev = labels.gather(0, self.back[0].clamp_min(0))
        return rev.masked_fill_(self.back[0] < 0, blank)

    def log_probs(self, lpe):
        T, L, N = self.shape
        return lpe.view(-1).take((self.rt * (L * N) + self.cols) + self.back.clamp_min(0) * N)

    def betas(self, alpha):
        """beta (T, L, N) out of the reversed alphas, the columns N.. of alpha (T, L + 2, 2N):
        past a target's end the index falls on the -inf padding (rows t >= il are not read)."""
        T, L, N = self.shape
        W = 2 * N
        return alpha.view(-1).take((self.rt * ((L + 2) * W) + (N + self.cols)) + (self.back + 2).clamp_min_(0) * W)


def _last_blank_quirk(q, labels, il, tl, blank):
    """torch's backward sets (not log-adds) the last two positions' terms at t = il - 1, the
    last label's after the final blank's: where the last label is the blank itself, the final
    blank's term is dropped. The same here (q: (T, L, N) alpha + beta, contiguous)."""
    L, N = labels.shape
    ends = [b for b in range(N) if il[b] and tl[b]]
    if not ends:
        return
    last = labels.view(-1).index_select(0, rstorch.tensor([(2 * tl[b] - 1) * N + b for b in ends])).tolist()
    drop = [((il[b] - 1) * L + 2 * tl[b]) * N + b for b, v in zip(ends, last) if v == blank]
    if drop:
        q.view(-1).index_fill_(0, rstorch.tensor(drop), -math.inf)


def _grad(grad_out, lp, lpe, labels, alpha, beta, nll, il, tl, blank, zero_infinity):
    """torch's `(exp(lp) - exp(log(sum_{s: l'(s) = c} alpha beta) + nll - lp)) * grad_out`. The sum
    is taken as `exp(lp) * sum_s exp(q_s)`, q = alpha + beta - lp(l'(s)) = log(Z gamma_t(s)) (one
    log prob comes twice in alpha beta), shifted by its largest value per time step and sample:
    gamma sums to 1 over s, so nothing that counts underflows, whatever the log probs."""
    T, N, C = lp.shape
    L = labels.shape[0]
    dtype = lp.dtype
    c = _consts(dtype)
    q = alpha.narrow(1, 2, L).narrow(2, 0, N) + beta
    _last_blank_quirk(q, labels, il, tl, blank)
    # (same-shape operands below: rstorch's broadcasting ops are the slower ones)
    if lpe.min().item() == -math.inf:  # a -inf log prob: q stays -inf there
        q -= lpe.maximum(c.lowest)
    else:
        q -= lpe
    shift = q.amax(1, keepdim=True).maximum_(c.lowest)  # (T, 1, N)
    q -= shift.expand(T, L, N).contiguous()
    q.maximum_(rstorch.full((T, L, N), -87.0, dtype=dtype)).exp_()
    onehot = (labels.t().unsqueeze(2) == _arange(C)).to(dtype)  # (N, L, C)
    gamma = rstorch.bmm(q.permute(2, 0, 1), onehot).log_().permute(1, 0, 2)  # (T, N, C)
    # log(sum alpha beta) + nll - lp; `lp - lp` keeps torch's nan where lp is infinite
    h = (lp - lp).add_(gamma).add_(shift.permute(0, 2, 1) + nll.view(1, N, 1))
    floor = rstorch.full((T, N, C), -87.0, dtype=dtype)
    tiny = h < floor  # (exp's slow path: those are exp(h) = 0 or a subnormal)
    h = h.maximum_(floor).exp_().masked_fill_(tiny, 0.0)
    g = (lp.exp() - h).mul_(grad_out.view(1, N, 1))
    infinite = [v == math.inf for v in nll.tolist()]
    zero = rstorch.zeros((), dtype=dtype)
    if any(infinite):  # no alignment: torch's sums are all empty, its gradient nan (or zero)
        g = rstorch.where(rstorch.tensor(infinite).view(1, N, 1), zero if zero_infinity else
                          rstorch.full((), math.nan, dtype=dtype), g)
    if min(il) < T:
        g = rstorch.where(_arange(T).view(T, 1, 1) < rstorch.tensor(il).view(1, N, 1), g, zero)
    return g.contiguous()


class _CtcLoss(Function):
    """The per-sample negative log likelihoods (N,) of log_probs (T, N, C), with torch's
    backward (the one that assumes log_softmax inputs). When the gradient is wanted, the
    forward runs the betas' recursion with the alphas' (the same steps, twice as wide)."""

    @staticmethod
    def forward(ctx, lp, targets, il, tl, blank, zero_infinity, want_grad):
        T, N, C = lp.shape
        labels = _extended_labels(targets, tl, blank, N)
        L = labels.shape[0]
        flat = (labels + _arange(N, C)).view(-1)
        lpe = lp.reshape(T, N * C).index_select(1, flat).view(T, L, N)  # lp[t, b, l'(s)] at [t, s, b]
        c = _consts(lp.dtype)
        n_steps = max(il, default=0)
        if not want_grad:
            return _nll(_alphas(lpe, _no_skip(labels, c), n_steps, c), il, tl, c)
        rev = _Reversal(T, L, il, tl)
        both = _alphas(rstorch.cat([lpe, rev.log_probs(lpe)], 2),
                       rstorch.cat([_no_skip(labels, c), _no_skip(rev.labels(labels, blank), c)], 1), n_steps, c)
        nll = _nll(both, il, tl, c)
        ctx.save_for_backward(lp, nll)
        ctx.ctc = (lpe, labels, both, rev.betas(both), il, tl, blank, zero_infinity)
        return nll

    @staticmethod
    def backward(ctx, grad_out):
        lp, nll = ctx.saved_tensors
        lpe, labels, alpha, beta, il, tl, blank, zero_infinity = ctx.ctc
        differentiable = _C.is_grad_enabled()
        with rstorch.no_grad():
            g = _grad(grad_out, lp, lpe, labels, alpha, beta, nll, il, tl, blank, zero_infinity)
        if differentiable:  # create_graph: a gradient torch cannot differentiate again
            g = _CtcLossBackwardResult.apply(g, lp, grad_out)
        return g, None, None, None, None, None, None


class _CtcLossBackwardResult(Function):
    """The gradient under create_graph=True: its own backward raises torch's error."""

    @staticmethod
    def forward(ctx, g, lp, grad_out):
        return g.clone()

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")


def _node_name(fn, name):
    """Give a Function's node torch's name for its op (and repr: a built-in node's)."""
    cls = fn._backward_cls
    cls.__name__ = cls.__qualname__ = name
    cls.__repr__ = lambda self: f"<{name} object at {hex(id(self))}>"


_node_name(_CtcLoss, "CtcLossBackward0")
_node_name(_CtcLossBackwardResult, "CtcLossBackwardBackward0")
