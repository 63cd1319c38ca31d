"""Run ../shared/tools/peer_bench.py on rstorch before nn exists.

peer_bench reads `torch.nn` and `torch.exp` at import time; until those land, this stands in an
empty namespace for them so the script loads, and every case that needs them reports ERROR
(a missing feature is a result, not a crash). Usage, from the repo root:

    python benchmarks/peer_bench_rstorch.py [--only a,b,...]
"""

import os
import runpy
import sys
import types

import rstorch

here = os.path.dirname(os.path.abspath(__file__))
if not hasattr(rstorch, "nn"):
    rstorch.nn = types.SimpleNamespace(functional=types.SimpleNamespace())
for name in ("exp",):
    if not hasattr(rstorch, name):
        setattr(rstorch, name, None)
sys.argv = ["peer_bench.py", "rstorch"] + sys.argv[1:]
runpy.run_path(os.path.join(here, "..", "..", "shared", "tools", "peer_bench.py"), run_name="__main__")
