"""`rstorch.return_types`: torch's structseqs, the named tuples that ops with several results
return (`max(dim)`, `sort`, `linalg.slogdet`...).

Each class is a tuple subclass with named fields, as torch's: indexing, unpacking, `len`, `==`
with plain tuples, `n_fields`, `__match_args__` (`match r: case max(values=v)`), read-only
fields, construction from one sequence only, and a pickling round trip. They print as torch prints them,
`torch.return_types.max(\\nvalues=tensor(...),\\nindices=tensor(...))`, so that scripts written
with `import rstorch as torch` print what torch would. The Rust side builds them through the
registry (`_C._register(return_types=...)`), as `return_types.<name>((a, b))`.

This module imports nothing of rstorch: it sits at the bottom of the package.
"""

__all__ = [
    "max", "min", "cummax", "cummin", "aminmax", "sort", "topk", "kthvalue", "median",
    "nanmedian", "mode", "histogram", "slogdet", "linalg_slogdet", "linalg_cholesky_ex", "linalg_inv_ex",
    "linalg_solve_ex", "linalg_qr", "linalg_eigh", "linalg_svd", "svd", "linalg_lstsq", "linalg_lu_factor",
    "linalg_lu_factor_ex", "linalg_lu", "lu_unpack", "triangular_solve", "frexp",
]


def _structseq(name, fields):
    """A tuple subclass with named fields, built from one sequence of the field values and
    printed like torch's structseqs."""
    n = len(fields)

    def __new__(cls, sequence, dict=None):
        try:
            values = tuple(sequence)
        except TypeError:
            raise TypeError("constructor requires a sequence") from None
        if len(values) != n:
            raise TypeError(f"torch.return_types.{name}() takes a {n}-sequence ({len(values)}-sequence given)")
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    def __reduce__(self):
        return (type(self), (tuple(self), {}))

    ns = {"__new__": __new__, "__repr__": __repr__, "__reduce__": __reduce__, "__slots__": (),
          "__match_args__": fields, "n_fields": n, "n_sequence_fields": n, "n_unnamed_fields": 0,
          "__module__": __name__, "__qualname__": name,
          "__doc__": f"torch.return_types.{name}({', '.join(fields)})"}
    for i, f in enumerate(fields):
        ns[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
    return type(name, (tuple,), ns)


_VI = ("values", "indices")

max = _structseq("max", _VI)
min = _structseq("min", _VI)
cummax = _structseq("cummax", _VI)
cummin = _structseq("cummin", _VI)
aminmax = _structseq("aminmax", ("min", "max"))
sort = _structseq("sort", _VI)
topk = _structseq("topk", _VI)
kthvalue = _structseq("kthvalue", _VI)
median = _structseq("median", _VI)
nanmedian = _structseq("nanmedian", _VI)
mode = _structseq("mode", _VI)
histogram = _structseq("histogram", ("hist", "bin_edges"))
slogdet = _structseq("slogdet", ("sign", "logabsdet"))
linalg_slogdet = _structseq("linalg_slogdet", ("sign", "logabsdet"))
linalg_cholesky_ex = _structseq("linalg_cholesky_ex", ("L", "info"))
linalg_inv_ex = _structseq("linalg_inv_ex", ("inverse", "info"))
linalg_solve_ex = _structseq("linalg_solve_ex", ("result", "info"))
linalg_qr = _structseq("linalg_qr", ("Q", "R"))
linalg_eigh = _structseq("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_svd = _structseq("linalg_svd", ("U", "S", "Vh"))
svd = _structseq("svd", ("U", "S", "V"))
linalg_lstsq = _structseq("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
linalg_lu_factor = _structseq("linalg_lu_factor", ("LU", "pivots"))
linalg_lu_factor_ex = _structseq("linalg_lu_factor_ex", ("LU", "pivots", "info"))
linalg_lu = _structseq("linalg_lu", ("P", "L", "U"))
lu_unpack = _structseq("lu_unpack", ("P", "L", "U"))
_lu_with_info = _structseq("_lu_with_info", ("LU", "pivots", "info"))
triangular_solve = _structseq("triangular_solve", ("solution", "cloned_coefficient"))
frexp = _structseq("frexp", ("mantissa", "exponent"))
