"""Where ops meet autograd. The Rust side computes every op, then calls `record` when grad mode is
on and an input requires grad, sends in-place ops on such tensors to `inplace`, and asks
`view_grad_fn` for the node of a view whose base was modified in place (autograd/graph.py
and autograd/inplace.py)."""

from .autograd.graph import record  # noqa: F401
from .autograd.inplace import inplace, view_grad_fn  # noqa: F401
