"""The typed stub python/rstorch/_C.pyi: mypy's stubtest finds it consistent with the built
extension, and regenerating it (scripts/gen_stub.py) gives exactly the committed file, so a new
_C function, argument or class without a stub entry fails here."""

import difflib
import os
import pathlib
import subprocess
import sys

import pytest

import rstorch

REPO = pathlib.Path(__file__).resolve().parent.parent
STUB = REPO / "python" / "rstorch" / "_C.pyi"
ALLOWLIST = REPO / "tests" / "stubtest_allowlist.txt"
REGEN = "run `PYTHONPATH=python python scripts/gen_stub.py` (after rebuilding _C) and commit the stub"

# The package these tests import: python/ in a checkout, or site-packages after `pip install .`
# (then the stub checked is the one the wheel shipped next to _C).
PKG_DIR = pathlib.Path(rstorch.__file__).resolve().parent
PKG_ROOT = PKG_DIR.parent


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PKG_ROOT)] + (
        [env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    if PKG_ROOT == REPO / "python":
        env["MYPYPATH"] = str(PKG_ROOT)  # an installed package is found through its py.typed
    else:
        env.pop("MYPYPATH", None)
    return env


def test_stub_is_shipped_next_to_the_module():
    assert (PKG_DIR / "_C.pyi").is_file(), f"no _C.pyi next to {PKG_DIR}: {REGEN}"
    assert (PKG_DIR / "py.typed").is_file(), f"no py.typed in {PKG_DIR}"


def test_stubtest_passes(tmp_path):
    pytest.importorskip("mypy.stubtest", reason='needs mypy (pip install ".[test]")')
    config = tmp_path / "mypy.ini"
    # mypy's cache goes under the test's tmp dir, never into the checkout
    config.write_text(f"[mypy]\ncache_dir = {tmp_path / 'mypy_cache'}\n")
    cmd = [sys.executable, "-m", "mypy.stubtest", "rstorch._C",
           "--mypy-config-file", str(config), "--allowlist", str(ALLOWLIST)]
    proc = subprocess.run(cmd, cwd=tmp_path, env=_env(), capture_output=True, text=True,
                          timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"stubtest failed ({REGEN}):\n{out[-20000:]}"
    assert "Success" in out, out


def test_stub_is_up_to_date():
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "gen_stub.py"), "--stdout"],
                          cwd=REPO, env=_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    committed = STUB.read_text()
    if proc.stdout != committed:
        diff = "".join(difflib.unified_diff(
            committed.splitlines(True), proc.stdout.splitlines(True),
            "python/rstorch/_C.pyi (committed)", "gen_stub.py output (built _C)"))
        pytest.fail(f"python/rstorch/_C.pyi is out of date: {REGEN}\n{diff[:20000]}")
