"""The smallest real training script: an nn.Sequential MLP on scikit-learn's bundled 8x8 digits,
full-batch-free minibatches drawn with randperm, SGD with momentum, accuracy on a held-out split.
Runs unchanged under PyTorch (`--torch`) and gives the same numbers from the same seed."""

import argparse
import importlib

from sklearn.datasets import load_digits

ap = argparse.ArgumentParser()
ap.add_argument("--torch", action="store_true", help="run on PyTorch instead of rstorch")
ap.add_argument("--epochs", type=int, default=10)
args = ap.parse_args()
torch = importlib.import_module("torch" if args.torch else "rstorch")
nn = torch.nn

torch.manual_seed(0)
digits = load_digits()
X = torch.tensor(digits.data, dtype=torch.float32) / 16.0
Y = torch.tensor(digits.target)
order = torch.randperm(len(X))
train, test = order[:1500], order[1500:]

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 10))
print(model)
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(args.epochs):
    model.train()
    perm = train[torch.randperm(len(train))]
    for i in range(0, len(perm), 32):
        idx = perm[i:i + 32]
        opt.zero_grad()
        loss = loss_fn(model(X[idx]), Y[idx])
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(X[test]).argmax(1) == Y[test]).float().mean().item()
    print(f"epoch {epoch + 1:2d}  last batch loss {loss.item():.4f}  test accuracy {acc:.4f}")
