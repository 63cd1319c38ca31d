"""torch.distributions.relaxed_bernoulli's import path:
LogitRelaxedBernoulli, RelaxedBernoulli (defined in .compound)."""

from .compound import LogitRelaxedBernoulli, RelaxedBernoulli

__all__ = ["LogitRelaxedBernoulli", "RelaxedBernoulli"]
