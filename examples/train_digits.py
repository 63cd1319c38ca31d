"""Train a LeNet-style CNN on scikit-learn's bundled 8x8 handwritten digits (real data, no
download), the everyday PyTorch way: a Dataset split with random_split, a shuffling DataLoader, a
model, an optimizer with a scheduler, a train/validation loop with checkpoints.

    python examples/train_digits.py                 # rstorch, CPU
    python examples/train_digits.py --torch         # the same script on real PyTorch
    python examples/train_digits.py --resume        # continue from the last checkpoint
    python examples/train_digits.py --amp           # mixed precision: bfloat16 autocast on the CPU,
                                                    # float16 autocast + GradScaler on a GPU

The script is plain PyTorch code: with --torch it imports `torch` instead of `rstorch` and
nothing else changes. From the same seed both give the same split, the same batches and the
same initial weights, so the curves agree (benchmarks/RESULTS.md shows both).
"""

import argparse
import os
import sys
import time

ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--torch", action="store_true", help="run on PyTorch instead of rstorch")
ap.add_argument("--epochs", type=int, default=12)
ap.add_argument("--batch-size", type=int, default=32)
ap.add_argument("--lr", type=float, default=3e-3)
ap.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
ap.add_argument("--workers", type=int, default=0, help="DataLoader worker processes")
ap.add_argument("--device", default="cpu", help="cpu, wgpu or cuda")
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--out", default="runs/digits", help="folder for the checkpoint and the curve")
ap.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
ap.add_argument("--amp", action="store_true",
                help="autocast (bfloat16 on cpu, float16 on a GPU, with a GradScaler for float16)")
ap.add_argument("--no-plot", action="store_true", help="skip the PNG curve")
args = ap.parse_args()

if args.torch:
    import torch
else:
    import rstorch as torch

nn, F = torch.nn, torch.nn.functional
data = torch.utils.data


class LeNet(nn.Module):
    """Two conv + max-pool stages and three linear layers, sized for 8x8 inputs."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)   # 16 x 8 x 8 -> pool -> 16 x 4 x 4
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)  # 32 x 4 x 4 -> pool -> 32 x 2 x 2
        self.fc1 = nn.Linear(32 * 2 * 2, 64)
        self.fc2 = nn.Linear(64, 10)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(self.dropout(F.relu(self.fc1(x))))


def load_digits():
    from sklearn.datasets import load_digits as sk_digits

    d = sk_digits()
    x = torch.tensor(d.images / 16.0, dtype=torch.float32).unsqueeze(1)  # N x 1 x 8 x 8 in [0, 1]
    y = torch.tensor(d.target, dtype=torch.int64)
    return data.TensorDataset(x, y)


def progress(iterable, desc):
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, desc=desc, leave=False, ncols=80)


def evaluate(model, loader, device):
    model.eval()
    correct = total = 0
    loss_sum = 0.0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            out = model(x)
            loss_sum += F.cross_entropy(out, y, reduction="sum").item()
            correct += (out.argmax(1) == y).sum().item()
            total += y.numel()
    return loss_sum / total, correct / total


def main():
    start = time.perf_counter()
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    full = load_digits()
    n_val = len(full) // 5
    train_set, val_set = data.random_split(full, [len(full) - n_val, n_val],
                                           generator=torch.Generator().manual_seed(args.seed))
    train_loader = data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True, num_workers=args.workers)
    val_loader = data.DataLoader(val_set, batch_size=256, num_workers=args.workers)

    model = LeNet().to(device)
    if args.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=args.lr * 10, momentum=0.9)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    # mixed precision: the forward and the loss under autocast; float16 needs loss scaling
    amp_device = "cuda" if device.type in ("cuda", "wgpu") else device.type
    amp_dtype = torch.float16 if amp_device == "cuda" else torch.bfloat16
    scaler = torch.amp.GradScaler(amp_device, enabled=args.amp and amp_dtype == torch.float16)

    os.makedirs(args.out, exist_ok=True)
    ckpt_path = os.path.join(args.out, "checkpoint.pt")
    history, first_epoch = [], 0
    if args.resume and os.path.exists(ckpt_path):
        ckpt = torch.load(ckpt_path, map_location=device)
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        sched.load_state_dict(ckpt["scheduler"])
        torch.set_rng_state(ckpt["rng"])
        history, first_epoch = ckpt["history"], ckpt["epoch"]
        print(f"resumed from {ckpt_path} after epoch {first_epoch}")

    print(f"{type(model).__name__} on {args.device} with {torch.__name__}: {len(train_set)} train / "
          f"{len(val_set)} validation digits, {sum(p.numel() for p in model.parameters())} parameters"
          + (f", autocast {str(amp_dtype).split('.')[-1]}" if args.amp else ""))
    for epoch in range(first_epoch, args.epochs):
        model.train()
        loss_sum, seen = 0.0, 0
        for x, y in progress(train_loader, f"epoch {epoch + 1}/{args.epochs}"):
            x, y = x.to(device), y.to(device)
            opt.zero_grad()
            with torch.autocast(amp_device, dtype=amp_dtype, enabled=args.amp):
                loss = F.cross_entropy(model(x), y)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            loss_sum += loss.item() * y.numel()
            seen += y.numel()
        sched.step()
        val_loss, val_acc = evaluate(model, val_loader, device)
        history.append({"epoch": epoch + 1, "train_loss": loss_sum / seen, "val_loss": val_loss, "val_acc": val_acc})
        print(f"epoch {epoch + 1:2d}  train loss {loss_sum / seen:.4f}  val loss {val_loss:.4f}  "
              f"val accuracy {100 * val_acc:.2f}%")
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
                    "rng": torch.get_rng_state(), "history": history, "epoch": epoch + 1}, ckpt_path)

    if not args.no_plot and history:
        plot(history, os.path.join(args.out, "curve.png"))
    final = history[-1]["val_acc"] if history else float("nan")
    print(f"final validation accuracy {100 * final:.2f}% in {time.perf_counter() - start:.1f} s "
          f"(checkpoint: {ckpt_path})")


def plot(history, path):
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no curve")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [h["epoch"] for h in history]
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    a.plot(epochs, [h["train_loss"] for h in history], label="train")
    a.plot(epochs, [h["val_loss"] for h in history], label="validation")
    a.set_xlabel("epoch"), a.set_ylabel("cross-entropy"), a.legend()
    b.plot(epochs, [100 * h["val_acc"] for h in history])
    b.set_xlabel("epoch"), b.set_ylabel("validation accuracy (%)")
    fig.tight_layout()
    fig.savefig(path)
    print(f"curve saved to {path}")


if __name__ == "__main__":
    main()
