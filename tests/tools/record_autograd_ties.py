"""Prints the CASES of tests/test_autograd_ties.py: each expression's gradients under torch 2.15
(run with the torch venv: /root/.cache/rstorch-torch-venv/bin/python tests/tools/record_autograd_ties.py)."""

import torch, math
nan, inf = float('nan'), float('inf')
s = [0., 1., -1., nan, nan, 0., 2.]
b = [0., 0., 0., 0., nan, nan, 1.]
CASES = [
 ("torch.fmax(a, b)", [[1., 2., nan, 1., nan, -0.], [1., 3., 1., nan, nan, 0.]]),
 ("torch.fmin(a, b)", [[1., 2., nan, 1., nan, -0.], [1., 3., 1., nan, nan, 0.]]),
 ("torch.maximum(a, b)", [[1., 2., nan, 1., nan, 4.], [1., 3., 1., nan, nan, 2.]]),
 ("torch.minimum(a, b)", [[1., 2., nan, 1., nan, 4.], [1., 3., 1., nan, nan, 2.]]),
 ("torch.max(a, b)", [[1., 2.], [1., 3.]]),
 ("torch.copysign(a, b)", [[1., 2., 0., -3.], [-1., 3., -1., -0.]]),
 ("torch.atan2(a, b)", [[0., 1., 0.], [0., 0., 2.]]),
 ("a.clamp(0., 1.)", [[0., 1., 0.5, 2., -1., nan]]),
 ("a.clamp(min=0.)", [[0., 1., -1., nan]]),
 ("a.clamp(max=1.)", [[0., 1., 2., nan]]),
 ("torch.clamp_min(a, 0.)", [[0., 1., -1., nan]]),
 ("torch.clamp_max(a, 1.)", [[0., 1., 2., nan]]),
 ("a.clamp(b, c)", [[0., 1., 0.5, 2., -1., 1., 3., 5., nan], [0., 0., 0., 0., 0., 1., 4., 5., 0.], [1., 1., 1., 1., 1., 1., 2., 5., 1.]]),
 ("a.clamp(b, c)", [[0.5, 0.5, 0.5, nan, 1., 0.], [nan, 0., nan, 0., 1., 0.], [1., nan, nan, 1., 1., 0.]]),
 ("a.clip(b, c)", [[0., 1., 0.5], [0., 0., 0.], [1., 1., 1.]]),
 ("a.clamp(min=b)", [s, b]),
 ("a.clamp(max=b)", [s, b]),
 ("a.clamp_min(b)", [s, b]),
 ("a.clamp_max(b)", [s, b]),
 ("torch.clamp(a, torch.tensor(0., dtype=torch.float64), b)", [[0., 1., 2.], [1., 1., 1.]]),
 ("a.max()", [[1., 2., 2.]]),
 ("a.min()", [[1., 1., 2.]]),
 ("a.max()", [[1., nan, 2.]]),
 ("a.max()", [[nan, nan, 2.]]),
 ("a.min()", [[1., nan, 2.]]),
 ("a.max(1)[0]", [[[1., 2., 2.], [3., 3., 0.]]]),
 ("a.min(1)[0]", [[[1., 1., 2.], [0., 3., 0.]]]),
 ("a.max(1)[0]", [[[nan, nan, 1.], [2., 2., 2.]]]),
 ("a.amax()", [[1., 2., 2.]]),
 ("a.amin()", [[1., 1., 2.]]),
 ("a.amax(1)", [[[1., 2., 2.], [3., 3., 3.]]]),
 ("a.amax()", [[1., nan, nan]]),
 ("sum(torch.aminmax(a))", [[1., 2., 2., 1.]]),
 ("a.norm()", [[0., 0.]]),
 ("a.norm(dim=1)", [[[0., 0.], [3., 4.]]]),
 ("a.norm(1)", [[0., 1., -2.]]),
 ("a.norm(inf)", [[1., -2., 2.]]),
 ("a.norm(-inf)", [[1., -1., 2.]]),
 ("a.norm(0)", [[0., 1., 2.]]),
 ("a.norm(0.5)", [[0., 1., 2.]]),
 ("a.norm(0.5)", [[0., 0.]]),
 ("a.norm(-1)", [[1., 2.]]),
 ("a.norm(-1)", [[0., 2.]]),
 ("a.norm(3)", [[0., 1., -2.]]),
 ("a.norm(3)", [[0., 0.]]),
 ("torch.linalg.vector_norm(a, 0.5)", [[0., 1., 2.]]),
 ("a.abs()", [[0., -0., 1., -1.]]),
 ("a.sign()", [[0., 1.]]),
]
def enc(v):
    if isinstance(v, list): return "[" + ", ".join(enc(x) for x in v) + "]"
    if v is None: return "None"
    if math.isnan(v): return "nan"
    if math.isinf(v): return "inf" if v > 0 else "-inf"
    return repr(v)
print("CASES = [")
for expr, vals in CASES:
    xs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in vals]
    env = dict(torch=torch, inf=inf, nan=nan, **dict(zip("abc", xs)))
    eval(expr, env).sum().backward()
    grads = [None if x.grad is None else x.grad.tolist() for x in xs]
    print(f"    ({expr!r}, {enc(vals)},\n     {enc(grads)}),")
print("]")
