"""`rstorch.linalg`: norms, inverses, determinants and solves (torch.linalg)."""

__all__ = []
