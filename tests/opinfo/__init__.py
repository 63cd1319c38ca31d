"""The op tables (OpInfo entries) and their harness, like torch's common_methods_invocations.

`opinfo.core` is the harness (OpInfo, Sample, ErrorInput, realize, check_op, sample helpers,
tolerances, DEVICES); each family module (`binary`, `unary`, `reduce`, `index`, `linalg`, `sort`,
`tensor_ops`, `conv`, `nn`, `pool`, `special`) holds that family's table as `OPS`. `op_db` is every entry of
every table, each tagged with its `family`; tests/test_ops.py runs it over op x device x dtype (x layout) and
tests/test_gradcheck_ops.py runs its differentiable entries through gradcheck.
"""

from .core import *  # noqa: F401,F403  (the harness names, as `from opinfo import check_op`)
from . import binary, conv, index, linalg, nn, pool, reduce, sort, special, tensor_ops, unary

FAMILIES = {"binary": binary, "conv": conv, "index": index, "linalg": linalg, "nn": nn, "pool": pool,
            "reduce": reduce, "sort": sort, "special": special, "tensor_ops": tensor_ops, "unary": unary}

op_db = []
for _family, _mod in FAMILIES.items():
    for _info in _mod.OPS:
        _info.family = _family
        op_db.append(_info)
