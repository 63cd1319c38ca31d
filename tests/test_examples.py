"""The examples run as users run them (a child process, the rstorch under test): the digits demo
of the README's first command trains to a real accuracy, saves a checkpoint that --resume
continues from, and draws its curve; the tour runs."""

import os
import re
import subprocess
import sys

import rstorch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the rstorch this suite imports (the installed wheel in CI, the source tree locally)
ENV = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(rstorch.__file__)))


def run(*args):
    p = subprocess.run([sys.executable, *args], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    return p.stdout


def test_train_digits_trains_resumes_and_plots(tmp_path):
    out = run("examples/train_digits.py", "--epochs", "3", "--out", str(tmp_path))
    accs = [float(a) for a in re.findall(r"val accuracy ([0-9.]+)%", out)]
    assert len(accs) == 3 and accs[-1] > 85.0, out
    # the recorded torch curve of this seed (benchmarks/RESULTS.md has the 12-epoch one)
    assert "epoch  1  train loss 2.0173  val loss 1.2208  val accuracy 69.08%" in out, out
    assert (tmp_path / "checkpoint.pt").exists() and (tmp_path / "curve.png").read_bytes()[:4] == b"\x89PNG"
    more = run("examples/train_digits.py", "--epochs", "4", "--resume", "--no-plot", "--out", str(tmp_path))
    assert "resumed from" in more and "after epoch 3" in more
    assert re.findall(r"epoch +(\d+) +train", more) == ["4"]


def test_tour_runs():
    out = run("examples/tour.py")
    assert "tensor(" in out


def test_fit_sine_gives_torchs_coefficients():
    out = run("examples/fit_sine_autograd.py")
    # what the same script prints under PyTorch 2.15 (seed 0); float32 sums may differ in the last digit
    torch_out = [0.058623, 0.837247, -0.010114, -0.090558]
    got = [float(v) for v in re.search(r"Result: y = (\S+) \+ (\S+) x \+ (\S+) x\^2 \+ (\S+) x\^3", out).groups()]
    assert all(abs(g - w) < 2e-5 for g, w in zip(got, torch_out)), out
    assert "step 2000  loss 12.28" in out, out


def test_mlp_sequential_gives_torchs_curve():
    out = run("examples/mlp_sequential.py", "--epochs", "3")
    assert "(2): Dropout(p=0.1, inplace=False)" in out, out
    # PyTorch 2.15 prints these accuracies from seed 0 (the shuffles and dropout masks are torch's)
    assert re.findall(r"test accuracy ([0-9.]+)", out) == ["0.8855", "0.9192", "0.9697"], out


def test_train_digits_amp_matches_float32(tmp_path):
    # --amp: the forward and loss under bfloat16 CPU autocast (float32 weights, optimizer and grads)
    def final(*extra):
        out = run("examples/train_digits.py", "--no-plot", "--out", str(tmp_path / "o"), *extra)
        return out, float(re.search(r"final validation accuracy ([0-9.]+)%", out).group(1))
    out32, acc32 = final()
    out16, acc16 = final("--amp")
    assert "autocast bfloat16" in out16 and "autocast" not in out32
    assert acc32 > 95.0 and abs(acc16 - acc32) <= 1.0, (out32, out16)
