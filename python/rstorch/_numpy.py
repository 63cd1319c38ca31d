"""numpy, loaded on first use: `import rstorch` does not import it (numpy costs more import time
than the rest of the package). The code that needs arrays (`Tensor.numpy()`, `from_numpy`,
`tensor(ndarray)`, pickling, gradcheck, the rare creation forms that go through numpy) calls
`numpy()`; `is_ndarray(x)` / `is_numpy_scalar(x)` test for numpy objects without importing it
(while numpy is not loaded, nothing can be one). Creating tensors from Python numbers, printing,
`tolist()`, indexing and every op run without numpy.

numpy's BLAS threads: the first time rstorch loads numpy, it sets `OPENBLAS_NUM_THREADS=1`
(read by numpy's bundled OpenBLAS) and `MKL_NUM_THREADS=1` (numpy built against MKL) unless the
user has set that variable, `OMP_NUM_THREADS` (which both fall back to) or, for OpenBLAS,
`GOTO_NUM_THREADS`. rstorch's own pool (rust/core/src/parallel.rs) reads none of them. Without
this, a numpy BLAS call (`orthogonal_`'s QR, gradcheck, the user's own) leaves one spinning
OpenBLAS thread per core competing with rstorch's pool for the same cores. Set any of these
variables to choose numpy's thread count yourself; when numpy was imported before rstorch
loads it, its BLAS already read the environment and rstorch changes nothing.
"""

import os
import sys

_np = None


def _blas_thread_defaults(environ=os.environ):
    """Single-threaded BLAS for numpy, unless the environment already chose (see above)."""
    if not any(v in environ for v in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")):
        environ["OPENBLAS_NUM_THREADS"] = "1"
    if not any(v in environ for v in ("MKL_NUM_THREADS", "OMP_NUM_THREADS")):
        environ["MKL_NUM_THREADS"] = "1"


def numpy():
    """The numpy module, imported on the first call."""
    global _np
    if _np is None:
        if "numpy" not in sys.modules:
            _blas_thread_defaults()
        import numpy
        _np = numpy
    return _np


def is_ndarray(x):
    np = sys.modules.get("numpy")
    return np is not None and isinstance(x, np.ndarray)


def is_numpy_scalar(x):
    np = sys.modules.get("numpy")
    return np is not None and isinstance(x, np.generic)
