"""Autograd by hand: fit y = sin(x) with a cubic a + b x + c x^2 + d x^3, the gradient steps
written out under no_grad (PyTorch's "tensors and autograd" tutorial, unchanged but the import).
From seed 0 it prints the numbers PyTorch prints (`--torch` runs it on PyTorch)."""

import importlib
import math
import sys

torch = importlib.import_module("torch" if "--torch" in sys.argv[1:] else "rstorch")

torch.manual_seed(0)
dtype = torch.float

x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)

a, b, c, d = (torch.randn((), dtype=dtype, requires_grad=True) for _ in range(4))

learning_rate = 1e-6
for t in range(2000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 500 == 499:
        print(f"step {t + 1:4d}  loss {loss.item():.4f}")
    loss.backward()
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= learning_rate * p.grad
            p.grad = None

print(f"Result: y = {a.item():.6f} + {b.item():.6f} x + {c.item():.6f} x^2 + {d.item():.6f} x^3")
