"""Where ops meet autograd. The Rust side computes every op, then calls `record` when grad mode is
on and an input requires grad, and sends in-place ops on such tensors to `inplace` (both in
autograd/graph.py)."""

from .autograd.graph import inplace, record  # noqa: F401
