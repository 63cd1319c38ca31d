"""A tour of what rstorch does today: tensors, views, broadcasting, random numbers that match
PyTorch's, numpy interop. (The training demo replaces this once nn/optim land.)"""

import numpy as np

import rstorch as torch

torch.manual_seed(0)

x = torch.arange(12.).view(3, 4)
print("x =", x)
print("x.t() is a view:", x.t().is_contiguous(), "strides", x.t().stride())
print("column means:", x.mean(0))
print("x[1:, ::2] =", x[1:, ::2])
print("x[x > 6] =", x[x > 6])

ints = torch.tensor([[1], [2], [3]])
print("int column + float row broadcasts and promotes:", ints + torch.tensor([0.5, 1.5]))

a = x.numpy()
a[0, 0] = 100.0
print("numpy() shares memory: x[0, 0] =", x[0, 0].item())

print("randn(4) with seed 0 (same as PyTorch):", torch.randn(4))

big = torch.ones(10_000_000)
print("sum of 10M float32 ones:", big.sum().item())
print("result types:", (torch.tensor([1, 2]) / 2).dtype, (torch.tensor([1, 2], dtype=torch.uint8) + torch.tensor([1], dtype=torch.int8)).dtype)
print("equal to numpy:", np.allclose((x * 2).numpy(), a * 2))

# ops and autograd
w = torch.randn(3, 2, requires_grad=True)
inp = torch.randn(4, 3)
loss = torch.softmax(inp @ w, dim=1).log().mean()
loss.backward()
print("loss:", loss, "\ngrad of w:", w.grad)
print("sorted:", torch.tensor([3.0, float("nan"), 1.0, 2.0]).sort())
print("gradcheck of exp(x) @ x.T:", torch.autograd.gradcheck(
    lambda t: t.exp() @ t.T, (torch.randn(3, 3, dtype=torch.float64, requires_grad=True),)))

# a small model trained with plain autograd: logistic regression on two Gaussian blobs
torch.manual_seed(0)
n = 512
labels = (torch.rand(n) > 0.5).float()
points = torch.randn(n, 2) + (labels * 2 - 1).unsqueeze(1) * 1.5
weight = torch.zeros(2, requires_grad=True)
bias = torch.zeros(1, requires_grad=True)
for step in range(101):
    p = torch.sigmoid(points @ weight + bias)
    loss = -(labels * p.log() + (1 - labels) * (1 - p).log()).mean()
    loss.backward()
    with torch.no_grad():
        weight -= 0.5 * weight.grad
        bias -= 0.5 * bias.grad
        weight.grad = None
        bias.grad = None
    if step % 25 == 0:
        accuracy = ((p > 0.5).float() == labels).float().mean().item()
        print(f"step {step:3d}  loss {loss.item():.4f}  accuracy {accuracy:.3f}")
