"""torch 2.15's argument parser and its check order, for the op table's function forms (issue 19's
differential fuzz): each call with the exception (type and message) or the result torch 2.15.0
gives, written in (tests/tools/differential.py has the cases' origin; no torch needed here).

ARG_CASES are calls torch's parser refuses (rstorch/_ops/_overloads.py holds torch's overloads):
None for a parameter that takes none, keywords of an overload that does not exist, wrong types.
CASES are the other disagreements the fuzz found: which check comes first (a rank, a dim, a
shape, a dtype), the error's type, and a few results (take_along_dim's index wrap,
unique_consecutive's positional flags, scatter with an empty index)."""

import re
import warnings

import pytest

import rstorch as torch

Z = torch.zeros


def L(*s):
    return torch.zeros(*s, dtype=torch.int64)


def H(*s):
    return torch.zeros(*s, dtype=torch.int16)


def B(*s):
    return torch.zeros(*s, dtype=torch.bool)


x = torch.arange(6.).reshape(2, 3)


def I(*s):  # noqa: E743
    return torch.zeros(*s, dtype=torch.int64)


def _unordered_got(msg):
    """torch lists a call's keywords in its hash map's order: compare them as a set."""
    m = re.match(r"^(.*? - got \()(.*?)(\), but expected.*)$", msg, re.S)
    if not m:
        return msg
    items = m.group(2).split(", ")
    return m.group(1) + ", ".join([i for i in items if "=" not in i] + sorted(i for i in items if "=" in i)) + m.group(3)


ARG_CASES = [
    ('torch.sum(x, keepdim=True)', TypeError, 'sum() received an invalid combination of arguments - got (Tensor, keepdim=bool), but expected one of:\n * (Tensor input, *, torch.dtype dtype = None)\n * (Tensor input, tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None, Tensor out = None)\n'),
    ('torch.sum(x, keepdim=False, dtype=None)', TypeError, 'sum() missing 1 required positional arguments: "dim"'),
    ('torch.sum(x, (0, 1.5))', TypeError, 'sum(): argument \'dim\' failed to unpack the object at pos 2 with error "type must be tuple of ints,but got float"'),
    ('torch.sum(x, 0, dim=1)', TypeError, "sum() got multiple values for argument 'dim'"),
    ('torch.prod(x, None, True)', TypeError, "prod(): argument 'dim' (position 2) must be int, not NoneType"),
    ('torch.prod(x, keepdim=False)', TypeError, 'prod() received an invalid combination of arguments - got (Tensor, keepdim=bool), but expected one of:\n * (Tensor input, *, torch.dtype dtype = None)\n * (Tensor input, int dim, bool keepdim = False, *, torch.dtype dtype = None, Tensor out = None)\n'),
    ('torch.mean(x, keepdim=True, dtype=torch.float64)', TypeError, 'mean() received an invalid combination of arguments - got (Tensor, dtype=torch.dtype, keepdim=bool), but expected one of:\n * (Tensor input, *, torch.dtype dtype = None, Tensor out = None)\n * (Tensor input, tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None, Tensor out = None)\n'),
    ('torch.max(x, keepdim=True)', TypeError, 'max() received an invalid combination of arguments - got (Tensor, keepdim=bool), but expected one of:\n * (Tensor input, *, Tensor out = None)\n * (Tensor input, Tensor other, *, Tensor out = None)\n * (Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)\n'),
    ('torch.min(x, None)', TypeError, 'min() received an invalid combination of arguments - got (Tensor, NoneType), but expected one of:\n * (Tensor input, *, Tensor out = None)\n * (Tensor input, Tensor other, *, Tensor out = None)\n * (Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)\n'),
    ('torch.median(x, None)', TypeError, "median(): argument 'dim' (position 2) must be int, not NoneType"),
    ('torch.median(x, True)', TypeError, "median(): argument 'dim' (position 2) must be int, not bool"),
    ('torch.nanmedian(x, keepdim=True)', TypeError, 'nanmedian() missing 1 required positional arguments: "dim"'),
    ('torch.logsumexp(x, None)', TypeError, "logsumexp(): argument 'dim' (position 2) must be tuple of ints, not NoneType"),
    ('torch.std(x, 0, True, True, correction=1)', TypeError, 'std() received an invalid combination of arguments - got (Tensor, int, bool, bool, correction=int), but expected one of:\n * (Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False, *, Tensor out = None)\n * (Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim = False, Tensor out = None)\n * (Tensor input, bool unbiased = True)\n'),
    ('torch.var(x, unbiased=True, keepdim=True)', TypeError, 'var() received an invalid combination of arguments - got (Tensor, keepdim=bool, unbiased=bool), but expected one of:\n * (Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False, *, Tensor out = None)\n * (Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim = False, Tensor out = None)\n * (Tensor input, bool unbiased = True)\n'),
    ('torch.std_mean(x, 0, True, correction=1)', TypeError, "std_mean() received an invalid combination of arguments - got (Tensor, int, bool, correction=int), but expected one of:\n * (Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False)\n      didn't match because some of the keywords were incorrect: correction\n * (Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim = False)\n * (Tensor input, bool unbiased = True)\n"),
    ('torch.var_mean(x, None, False, True, correction=1)', TypeError, "var_mean() received an invalid combination of arguments - got (Tensor, NoneType, bool, bool, correction=int), but expected one of:\n * (Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False)\n * (Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim = False)\n      didn't match because some of the keywords were incorrect: correction\n * (Tensor input, bool unbiased = True)\n"),
    ('torch.argsort(x, 0, stable=True)', TypeError, "argsort() received an invalid combination of arguments - got (Tensor, int, stable=bool), but expected one of:\n * (Tensor input, *, bool stable, int dim = -1, bool descending = False, Tensor out = None)\n * (Tensor input, int dim = -1, bool descending = False)\n      didn't match because some of the keywords were incorrect: stable\n"),
    ('torch.squeeze(x, None)', TypeError, "squeeze() received an invalid combination of arguments - got (Tensor, NoneType), but expected one of:\n * (Tensor input)\n * (Tensor input, int dim)\n      didn't match because some of the arguments have invalid types: (Tensor, !NoneType!)\n * (Tensor input, tuple of ints dim)\n      didn't match because some of the arguments have invalid types: (Tensor, !NoneType!)\n"),
    ('torch.dsplit(x, None)', TypeError, "dsplit() received an invalid combination of arguments - got (Tensor, NoneType), but expected one of:\n * (Tensor input, int sections)\n      didn't match because some of the arguments have invalid types: (Tensor, !NoneType!)\n * (Tensor input, tuple of ints indices)\n      didn't match because some of the arguments have invalid types: (Tensor, !NoneType!)\n"),
    ('torch.hsplit(x, None)', TypeError, "hsplit() received an invalid combination of arguments - got (Tensor, NoneType), but expected one of:\n * (Tensor input, int sections)\n      didn't match because some of the arguments have invalid types: (Tensor, !NoneType!)\n * (Tensor input, tuple of ints indices)\n      didn't match because some of the arguments have invalid types: (Tensor, !NoneType!)\n"),
    ('torch.vsplit(x, None)', TypeError, "vsplit() received an invalid combination of arguments - got (Tensor, NoneType), but expected one of:\n * (Tensor input, int sections)\n      didn't match because some of the arguments have invalid types: (Tensor, !NoneType!)\n * (Tensor input, tuple of ints indices)\n      didn't match because some of the arguments have invalid types: (Tensor, !NoneType!)\n"),
    ('torch.tensor_split(x, None)', TypeError, 'tensor_split() received an invalid combination of arguments - got (Tensor, NoneType), but expected one of:\n * (Tensor input, tuple of ints indices, int dim = 0)\n * (Tensor input, Tensor tensor_indices_or_sections, int dim = 0)\n * (Tensor input, int sections, int dim = 0)\n'),
    ('torch.index_put(x, I(2), x)', TypeError, "index_put(): argument 'indices' (position 2) must be tuple of Tensors, not Tensor"),
    ('torch.index_put(x, (I(2),), x, 1)', TypeError, "index_put(): argument 'accumulate' (position 4) must be bool, not int"),
    ('torch.repeat_interleave(x, 2, 1, output_size=(2,))', TypeError, 'repeat_interleave() received an invalid combination of arguments - got (Tensor, int, int, output_size=tuple), but expected one of:\n * (Tensor input, Tensor repeats, int dim = None, *, int output_size = None)\n * (Tensor repeats, *, int output_size = None)\n * (Tensor input, int repeats, int dim = None, *, int output_size = None)\n'),
    ('torch.repeat_interleave(x, output_size=(3,))', TypeError, 'repeat_interleave() received an invalid combination of arguments - got (Tensor, output_size=tuple), but expected one of:\n * (Tensor input, Tensor repeats, int dim = None, *, int output_size = None)\n * (Tensor repeats, *, int output_size = None)\n * (Tensor input, int repeats, int dim = None, *, int output_size = None)\n'),
    ('torch.renorm(x, 2, None, 1.0)', TypeError, "renorm(): argument 'dim' (position 3) must be int, not NoneType"),
    ('torch.mvlgamma(x, 1.5)', TypeError, "mvlgamma(): argument 'p' (position 2) must be int, not float"),
    ('torch.mvlgamma(x, True)', TypeError, "mvlgamma(): argument 'p' (position 2) must be int, not bool"),
    ('torch.clamp_min(x, None)', TypeError, 'clamp_min() received an invalid combination of arguments - got (Tensor, NoneType), but expected one of:\n * (Tensor input, Tensor min, *, Tensor out = None)\n * (Tensor input, Number min, *, Tensor out = None)\n'),
    ('torch.clamp_max(x, None)', TypeError, 'clamp_max() received an invalid combination of arguments - got (Tensor, NoneType), but expected one of:\n * (Tensor input, Tensor max, *, Tensor out = None)\n * (Tensor input, Number max, *, Tensor out = None)\n'),
    ('torch.batch_norm(x, None, None, None, None, True, 0.1, None, True)', TypeError, "batch_norm(): argument 'eps' (position 8) must be float, not NoneType"),
    ('torch.batch_norm(x, 1, None, None, None, True, 0.1, 1e-5, True)', TypeError, "batch_norm(): argument 'weight' (position 2) must be Tensor, not int"),
    ('torch.native_batch_norm(x, None, None, None, None, True, None, 1e-5)', TypeError, "native_batch_norm(): argument 'momentum' (position 7) must be float, not NoneType"),
    ('torch.native_layer_norm(x, (3,), None, None, None)', TypeError, "native_layer_norm(): argument 'eps' (position 5) must be float, not NoneType"),
    ('torch.slice_scatter(x, x, 0, True)', TypeError, "slice_scatter(): argument 'start' (position 4) must be int, not bool"),
    ('torch.trapezoid(x, x, dx=None)', TypeError, 'trapezoid() received an invalid combination of arguments - got (Tensor, Tensor, dx=NoneType), but expected one of:\n * (Tensor y, Tensor x, *, int dim = -1)\n * (Tensor y, *, Number dx = 1, int dim = -1)\n'),
    ('torch.trapezoid(x, dx=None)', TypeError, 'trapezoid() received an invalid combination of arguments - got (Tensor, dx=NoneType), but expected one of:\n * (Tensor y, Tensor x, *, int dim = -1)\n * (Tensor y, *, Number dx = 1, int dim = -1)\n'),
    ('torch.cumulative_trapezoid(x, dx=None)', TypeError, 'cumulative_trapezoid() received an invalid combination of arguments - got (Tensor, dx=NoneType), but expected one of:\n * (Tensor y, Tensor x, *, int dim = -1)\n * (Tensor y, *, Number dx = 1, int dim = -1)\n'),
    ('torch.trapz(x, x, dx=1.0)', TypeError, 'trapz() received an invalid combination of arguments - got (Tensor, Tensor, dx=float), but expected one of:\n * (Tensor y, *, float dx = 1, int dim = -1)\n * (Tensor y, Tensor x, *, int dim = -1)\n'),
    ('torch.kron(x, 2.5)', TypeError, "kron(): argument 'other' (position 2) must be Tensor, not float"),
    ('torch.inner(x, 2.5)', TypeError, "inner(): argument 'other' (position 2) must be Tensor, not float"),
    ('torch.cross(x, 2.5)', TypeError, "cross(): argument 'other' (position 2) must be Tensor, not float"),
    ('torch.kron(x, x, 1)', TypeError, 'kron() takes 2 positional arguments but 3 were given'),
    ('torch.kron(x, other=x, bogus=1)', TypeError, "kron() got an unexpected keyword argument 'bogus'"),
    ('torch.scatter(x, 0, I(1, 3), x, value=None)', TypeError, 'scatter() received an invalid combination of arguments - got (Tensor, int, Tensor, Tensor, value=NoneType), but expected one of:\n * (Tensor input, int dim, Tensor index, Tensor src, *, Tensor out = None)\n * (Tensor input, int dim, Tensor index, Tensor src, *, str reduce, Tensor out = None)\n * (Tensor input, int dim, Tensor index, Number value, *, Tensor out = None)\n * (Tensor input, int dim, Tensor index, Number value, *, str reduce, Tensor out = None)\n'),
    ('torch.split_with_sizes(x, (1, 1), ())', TypeError, "split_with_sizes(): argument 'dim' (position 3) must be int, not tuple"),
    ('torch.scatter(x, 0, I(1, 3))', TypeError, 'scatter() received an invalid combination of arguments - got (Tensor, int, Tensor), but expected one of:\n * (Tensor input, int dim, Tensor index, Tensor src, *, Tensor out = None)\n * (Tensor input, int dim, Tensor index, Tensor src, *, str reduce, Tensor out = None)\n * (Tensor input, int dim, Tensor index, Number value, *, Tensor out = None)\n * (Tensor input, int dim, Tensor index, Number value, *, str reduce, Tensor out = None)\n'),
]


# The method forms: torch prints their overloads without `Tensor input` and `out` (and a
# keyword-only call as "got (keepdim=bool, )"); the kernel-bound methods are checked too.
ARG_CASES += [
    ('x.sum(keepdim=True)', TypeError, 'sum() received an invalid combination of arguments - got (keepdim=bool, ), but expected one of:\n * (*, torch.dtype dtype = None)\n * (tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None)\n'),
    ('x.prod(keepdim=True)', TypeError, 'prod() received an invalid combination of arguments - got (keepdim=bool, ), but expected one of:\n * (*, torch.dtype dtype = None)\n * (int dim, bool keepdim = False, *, torch.dtype dtype = None)\n'),
    ('x.squeeze("a")', TypeError, "squeeze() received an invalid combination of arguments - got (str), but expected one of:\n * ()\n      didn't match because some of the arguments have invalid types: (!str!)\n * (int dim)\n      didn't match because some of the arguments have invalid types: (!str!)\n * (tuple of ints dim)\n      didn't match because some of the arguments have invalid types: (!str!)\n"),
    ('x.squeeze(None, 1)', TypeError, 'squeeze() received an invalid combination of arguments - got (NoneType, int), but expected one of:\n * ()\n * (int dim)\n * (tuple of ints dim)\n'),
    ('x.max(None, True)', TypeError, "max(): argument 'dim' (position 1) must be int, not NoneType"),
    ('x.median(keepdim=True)', TypeError, 'median() missing 1 required positional arguments: "dim"'),
    ('x.std(0, True, correction=1)', TypeError, "std() received an invalid combination of arguments - got (int, bool, correction=int), but expected one of:\n * (tuple of ints dim, bool unbiased = True, bool keepdim = False)\n      didn't match because some of the keywords were incorrect: correction\n * (tuple of ints dim = None, *, Number correction = None, bool keepdim = False)\n * (bool unbiased = True)\n"),
    ('x.clamp_min(None)', TypeError, "clamp_min() received an invalid combination of arguments - got (NoneType), but expected one of:\n * (Tensor min)\n      didn't match because some of the arguments have invalid types: (!NoneType!)\n * (Number min)\n      didn't match because some of the arguments have invalid types: (!NoneType!)\n"),
    ('x.sort(0, stable=True)', TypeError, "sort() received an invalid combination of arguments - got (int, stable=bool), but expected one of:\n * (*, bool stable, int dim = -1, bool descending = False)\n * (int dim = -1, bool descending = False)\n      didn't match because some of the keywords were incorrect: stable\n"),
    ('torch.sort(x, 0, stable=True)', TypeError, 'sort() received an invalid combination of arguments - got (Tensor, int, stable=bool), but expected one of:\n * (Tensor input, *, bool stable, int dim = -1, bool descending = False, tuple of Tensors out = None)\n * (Tensor input, int dim = -1, bool descending = False, *, tuple of Tensors out = None)\n'),
    ('x.diff(1, 0, [1])', TypeError, "diff(): argument 'prepend' (position 3) must be Tensor, not list"),
    ('torch.stack([], [])', TypeError, "stack(): argument 'dim' (position 2) must be int, not list"),
    ('torch.narrow_copy(x, 1, 0, None)', TypeError, "narrow_copy(): argument 'length' (position 4) must be int, not NoneType"),
    ('torch.matrix_power(x, None)', TypeError, "matrix_power(): argument 'n' (position 2) must be int, not NoneType"),
    ('torch.take_along_dim(x, I(1), [2])', TypeError, "take_along_dim(): argument 'dim' (position 3) must be int, not list"),
    ('x.atan2(2.5)', TypeError, "atan2(): argument 'other' (position 1) must be Tensor, not float"),
    ('x.maximum(0.5)', TypeError, "maximum(): argument 'other' (position 1) must be Tensor, not float"),
    ('x.logical_and(1)', TypeError, "logical_and(): argument 'other' (position 1) must be Tensor, not int"),
    ('x.hypot_(2.)', TypeError, "hypot_(): argument 'other' (position 1) must be Tensor, not float"),
]

# torch reports an element of a bad int list while unpacking it (its message is its own)
TYPE_ONLY = {"torch.sum(x, (0, 1.5))"}


@pytest.mark.parametrize("call, exc, msg", ARG_CASES, ids=[c[0] for c in ARG_CASES])
def test_argument_parser(call, exc, msg):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc) as e:
            eval(call)
    if call not in TYPE_ONLY:
        assert _unordered_got(str(e.value)) == _unordered_got(msg)


def test_valid_calls_still_pass():
    """The calls torch accepts pass the check (and each overload's own form)."""
    assert torch.sum(x).item() == 15 and torch.sum(x, None, True).shape == (1, 1)
    assert torch.sum(x, dim=0, keepdim=True).shape == (1, 3) and torch.sum(x, (0, 1)).item() == 15
    assert torch.median(x, torch.tensor(1)).values.tolist() == [1., 4.]  # a 0-dim integer tensor is an int
    assert torch.max(x, 1).values.tolist() == [2., 5.] and torch.max(x, x).shape == (2, 3)
    assert torch.std(x, None, True).shape == () and torch.std(x, 0, correction=0).shape == (3,)
    assert torch.std(x, unbiased=False).shape == () and torch.var_mean(x, 1, keepdim=True)[0].shape == (2, 1)
    assert torch.median(x, 1, True).values.shape == (2, 1) and torch.argsort(x, stable=True, dim=0).shape == (2, 3)
    assert torch.renorm(x, torch.tensor(2.), 0, 1).shape == (2, 3)  # a 0-dim tensor is a Number
    assert torch.clamp_min(x, torch.tensor(1.)).min().item() == 1 and torch.clamp_max(x, 1).max().item() == 1
    assert len(torch.tensor_split(x, [1], 1)) == 2 and len(torch.hsplit(x, 3)) == 3
    assert torch.repeat_interleave(torch.tensor([2, 1])).tolist() == [0, 0, 1]
    assert torch.trapezoid(x, dx=2).tolist() == [4., 16.] and torch.kron(x, x).shape == (4, 9)
    # the method forms
    assert x.sum().item() == 15 and x.sum(0).tolist() == [3., 5., 7.] and x.sum(dim=1, keepdim=True).shape == (2, 1)
    assert x.max().item() == 5 and x.max(1).values.tolist() == [2., 5.] and x.squeeze().shape == (2, 3)
    assert x.std(0, correction=0).shape == (3,) and x.sort(stable=True, dim=0).values.shape == (2, 3)
    assert x.fmod(2).tolist() == [[0., 1., 0.], [1., 0., 1.]] and x.copysign(-1.).max().item() == 0
    with pytest.raises(TypeError, match="^sum\\(\\) got multiple values for argument 'dim'$"):
        torch.sum(x, 0, dim=1)


def test_the_check_keeps_the_function_forms():
    """The check sits in front of the generated and hand-written forms alike: their names,
    docs and declared signatures stay (tests/test_op_table.py checks the signatures)."""
    import inspect
    assert torch.sum.__name__ == "sum" and "dim" in inspect.signature(torch.sum).parameters
    assert list(inspect.signature(torch.kron).parameters) == ["input", "other", "out"]
    assert torch.Tensor.kron is torch.kron  # a FUNCTION-form method gets the check too
    with pytest.raises(TypeError):
        x.kron(2.5)


CASES = [
    ('torch.addbmm(Z(2, 2), Z(2), Z(2, 2, 2))', IndexError, 'Dimension out of range (expected to be in range of [-1, 0], but got 1)'),
    ('torch.addbmm(Z(2, 2), Z(2, 2, 2), Z(()))', IndexError, 'Dimension specified as 2 but tensor has no dimensions'),
    ('torch.addbmm(Z(2, 2), Z(2, 2), Z(2, 2, 2))', RuntimeError, 'batch1 must be a 3D tensor'),
    ('torch.baddbmm(Z(2, 2), Z(2, 2, 2), Z(2, 2))', IndexError, 'Dimension out of range (expected to be in range of [-2, 1], but got 2)'),
    ('torch.baddbmm(Z(2, 2), Z(()), Z(2, 2, 2))', IndexError, 'Dimension specified as 0 but tensor has no dimensions'),
    ('torch.baddbmm(Z(2, 2), Z(2, 2), Z(2, 2, 2))', RuntimeError, 'batch1 must be a 3D tensor'),
    ('torch.mv(Z(()), Z(()))', IndexError, 'Dimension specified as 0 but tensor has no dimensions'),
    ('torch.mv(Z(2), Z(2))', RuntimeError, 'vector + matrix @ vector expected, got 1, 1, 1'),
    ('torch.put(Z(3), L(2), Z(3))', IndexError, 'put_(): Expected source and index to have the same number of elements, but got source.numel() = 3, index.numel() = 2'),
    ('torch.index_add(Z(2, 3), 1, L(2, 3), Z(2, 3))', IndexError, 'index_add_(): Index is supposed to be a vector, but got dim: 2 with type: Long and size: [2, 3]'),
    ('torch.index_add(Z(2, 3), 1, torch.zeros(2, 3, dtype=torch.int32), Z(2, 3).double())', IndexError, 'index_add_(): Index is supposed to be a vector, but got dim: 2 with type: Int and size: [2, 3]'),
    ('torch.index_copy(Z(2, 3), 1, L(2, 3), Z(2, 3))', IndexError, 'index_copy_(): Index should have dimension 1 or 0 (got 2)'),
    ("torch.scatter(Z(1, 3, 4), 3, L(1, 1, 1), value=1.0, reduce='bogus')", IndexError, 'Dimension out of range (expected to be in range of [-3, 2], but got 3)'),
    ("torch.scatter(Z(1, 3, 4), 0, L(()), value=1.0, reduce='bogus')", RuntimeError, 'Index tensor must have the same number of dimensions as self tensor'),
    ("torch.scatter(Z(1, 3, 4), 0, L(1, 1, 1), value=1.0, reduce='bogus')", RuntimeError, 'reduce argument must be either add or multiply.'),
    ("torch.scatter_reduce(Z(1, 3, 4), -4, L(0), Z(1, 3, 4), 'max')", IndexError, 'Dimension out of range (expected to be in range of [-3, 2], but got -4)'),
    ("torch.scatter_reduce(Z(1, 3, 4), 0, L(0), Z(1, 3, 4), 'bogus')", RuntimeError, 'reduce argument must be either sum, prod, mean, amax or amin, got bogus'),
    ('torch.split_with_sizes(Z(3), (1, 0, -1), 1)', IndexError, 'Dimension out of range (expected to be in range of [-1, 0], but got 1)'),
    ('torch.split_with_sizes(Z(3), (1, 0, -1), 0)', RuntimeError, 'split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[1, 0, -1]'),
    ('torch.cross(Z(()), Z(3), 1)', RuntimeError, 'linalg.cross: inputs must have the same number of dimensions.'),
    ('torch.cross(Z(1), B(1), 1)', IndexError, 'Dimension out of range (expected to be in range of [-1, 0], but got 1)'),
    ('torch.cross(Z(3), B(3), 0)', RuntimeError, 'expected scalar type Float but found Bool'),
    ('torch.linalg.cross(Z(3), Z(2, 3))', RuntimeError, 'linalg.cross: inputs must have the same number of dimensions.'),
    ('torch.linalg.cross(Z(2, 3), Z(2, 2), dim=0)', RuntimeError, 'linalg.cross: inputs dimension 0 must have length 3. Got 2 and 2'),
    ('torch.linalg.cross(Z(()), Z(()))', IndexError, 'Dimension specified as -1 but tensor has no dimensions'),
    ('torch.narrow_copy(Z(3), 2, 2, 1)', RuntimeError, 'Expected dim < static_cast<int64_t>(self_sizes.size()) to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)'),
    ('torch.narrow_copy(Z(3), -2, 2, 1)', IndexError, 'Dimension out of range (expected to be in range of [-1, 0], but got -2)'),
    ('torch.histc(L(3), min=1)', RuntimeError, 'torch.histc: max must be larger than min'),
    ('torch.histc(L(3), min=0, max=1)', NotImplementedError, '"histogram_cpu" not implemented for \'Long\''),
    ("torch.histc(H(3), 1, float('inf'), False)", RuntimeError, 'torch.histc: range of [inf, 0] is not finite'),
    ('torch.histc(B(3), 2, 1e10, False)', RuntimeError, 'torch.histc: max must be larger than min'),
    ('torch.histc(L(3), -1)', RuntimeError, 'torch.histogram(): bins must be > 0, but got -1 for dimension 0'),
    ("torch.histc(Z(3), 1, float('inf'), 0)", RuntimeError, 'torch.histc: range of [inf, 0] is not finite'),
    ('torch.histogram(H(3), 0)', RuntimeError, 'torch.histogram(): bins must be > 0, but got 0 for dimension 0'),
    ('torch.histogram(H(3), 2)', NotImplementedError, '"histogramdd" not implemented for \'Short\''),
    ('torch.histogram(H(3), 2, range=(1., 0.))', RuntimeError, 'torch.histogramdd: min should not exceed max, but got min 1 max 0 for dimension 0'),
    ('torch.histogram(B(3), 2)', NotImplementedError, '"histogramdd" not implemented for \'Bool\''),
    ('torch.histogram(H(3), H(3))', NotImplementedError, '"histogram_cpu" not implemented for \'Short\''),
    ('torch.histogram(Z(3).half(), -1)', RuntimeError, 'torch.histogram(): bins must be > 0, but got -1 for dimension 0'),
    ('torch.histogram(Z(3), 2, weight=Z(2))', RuntimeError, 'torch.histogramdd: if weight tensor is provided it should have the same shape as the input tensor excluding its innermost dimension, but got input with shape [3, 1] and weight with shape [2]'),
    ('torch.histogram(Z(3), 2, weight=Z(3).half())', RuntimeError, 'torch.histogramdd: if weight tensor is provided, input tensor and weight tensor should have the same dtype, but got input(float), and weight(c10::Half)'),
    ('torch.histogram(L(3), 2, weight=L(2))', NotImplementedError, '"histogramdd" not implemented for \'Long\''),
    ('torch.histogram(L(3), L(3), weight=L(2))', RuntimeError, 'torch.histogramdd: if weight tensor is provided it should have the same shape as the input tensor excluding its innermost dimension, but got input with shape [3, 1] and weight with shape [2]'),
    ('torch.histogram(L(3), Z(3))', RuntimeError, 'torch.histogramdd: input tensor and bins tensors should have the same dtype, but got input with dtype long int and bins for dimension 0 with dtype float'),
    ('torch.histogram(L(3), 2, range=(1., 0.), weight=L(2))', RuntimeError, 'torch.histogramdd: min should not exceed max, but got min 1 max 0 for dimension 0'),
    ('torch.tensor([1., 2.], dtype=torch.float16).pow(1e10)', RuntimeError, 'value cannot be converted to type c10::Half without overflow'),
    ('torch.tensor([1., 2.], dtype=torch.float16) ** -70000.', RuntimeError, 'value cannot be converted to type c10::Half without overflow'),
    ('torch.tensor([1., 2.], dtype=torch.float16).pow_(100000)', RuntimeError, 'value cannot be converted to type c10::Half without overflow'),
    ('torch.tensor([1., 2.], dtype=torch.bfloat16).pow(1e39)', RuntimeError, 'value cannot be converted to type c10::BFloat16 without overflow'),
    ('torch.tensor([1., 2.], dtype=torch.float16).pow(65504.)', None, ('T', 'float16', [2], [1.0, float('inf')])),
    ('torch.tensor([1., 2.]).pow(1e39)', None, ('T', 'float32', [2], [1.0, float('inf')])),
    ('torch.slogdet(H(3, 1))', RuntimeError, 'linalg.slogdet: A must be batches of square matrices, but they are 3 by 1 matrices'),
    ('torch.slogdet(H(3, 3))', NotImplementedError, 'linalg.slogdet: Expected a floating point or complex tensor as input. Got Short'),
    ('torch.linalg.inv(H(3, 1))', RuntimeError, 'linalg.inv: A must be batches of square matrices, but they are 3 by 1 matrices'),
    ('torch.linalg.det(Z(3, 1).half())', RuntimeError, 'linalg.det: A must be batches of square matrices, but they are 3 by 1 matrices'),
    ('torch.linalg.cholesky(H(3, 1))', RuntimeError, 'linalg.cholesky: A must be batches of square matrices, but they are 3 by 1 matrices'),
    ('torch.linalg.eigh(H(3, 1))', RuntimeError, 'linalg.eigh: A must be batches of square matrices, but they are 3 by 1 matrices'),
    ('torch.linalg.eigvalsh(H(3, 1))', RuntimeError, 'linalg.eigh: A must be batches of square matrices, but they are 3 by 1 matrices'),
    ('torch.linalg.eigvalsh(Z(3))', RuntimeError, 'linalg.eigh: The input tensor A must have at least 2 dimensions.'),
    ('torch.linalg.svdvals(Z(3))', RuntimeError, 'linalg.svd: The input tensor A must have at least 2 dimensions.'),
    ('torch.linalg.svdvals(H(3, 3))', NotImplementedError, 'linalg.svd: Expected a floating point or complex tensor as input. Got Short'),
    ('torch.kthvalue(B(0), -2)', IndexError, 'kthvalue(): Expected reduction dim 0 to have non-zero size.'),
    ('torch.kthvalue(B(3), 5)', RuntimeError, 'kthvalue(): selected number k out of range for dimension 0'),
    ('torch.kthvalue(B(3), 1)', NotImplementedError, '"kthvalue_cpu" not implemented for \'Bool\''),
    ('torch.log_softmax(L(()), -2)', IndexError, 'Dimension out of range (expected to be in range of [-1, 0], but got -2)'),
    ('torch.softmax(L(2), 3)', IndexError, 'Dimension out of range (expected to be in range of [-1, 0], but got 3)'),
    ('torch.log_softmax(L(()), 0)', NotImplementedError, '"log_softmax_lastdim_kernel_impl" not implemented for \'Long\''),
    ('torch.hypot(H(4, 4), H(0))', RuntimeError, 'The size of tensor a (4) must match the size of tensor b (0) at non-singleton dimension 1'),
    ('torch.remainder(B(4, 4), B(2, 0, 3))', RuntimeError, 'The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 2'),
    ('torch.remainder(B(4, 4), B(4, 4))', NotImplementedError, '"remainder_cpu" not implemented for \'Bool\''),
    ("torch.allclose(Z(2), Z(2), float('nan'))", RuntimeError, 'rtol must be greater than or equal to zero, but got nan'),
    ("torch.isclose(Z(2), Z(2), 0.1, float('nan'))", RuntimeError, 'atol must be greater than or equal to zero, but got nan'),
    ('torch.sub(Z(2), 1.0, alpha=True)', RuntimeError, 'Boolean alpha only supported for Boolean results.'),
    ('torch.add(Z(2), Z(2), alpha=True)', RuntimeError, 'Boolean alpha only supported for Boolean results.'),
    ('torch.add(L(2), L(2), alpha=1.0)', RuntimeError, 'For integral input tensors, argument alpha must not be a floating point number.'),
    ('torch.add(L(2), 2, alpha=False)', RuntimeError, 'Boolean alpha only supported for Boolean results.'),
    ('torch.add(B(2), B(2), alpha=True)', None, ('T', 'bool', [2], [False, False])),
    ('Z(2).add_(Z(2), alpha=True)', RuntimeError, 'Boolean alpha only supported for Boolean results.'),
    ('L(2).add_(L(2), alpha=1.0)', RuntimeError, 'For integral input tensors, argument alpha must not be a floating point number.'),
    ('torch.ldexp(Z(0), B(1))', NotImplementedError, '"ldexp_cpu_exp" not implemented for \'Bool\''),
    ('torch.ldexp(Z(2, 3), B(2))', RuntimeError, 'The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1'),
    ('Z(2).ldexp_(B(2))', NotImplementedError, '"ldexp_cpu_exp" not implemented for \'Bool\''),
    ('torch.ldexp(B(2), B(2))', None, ('T', 'float32', [2], [0.0, 0.0])),
    ('torch.einsum(Z(3))', ValueError, 'einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list'),
    ("torch.einsum('i')", ValueError, 'einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list'),
    ('torch.einsum()', ValueError, 'einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list'),
    ('torch.native_batch_norm(L(2, 3), Z(5), None, None, None, True, 0.1, 1e-5)', NotImplementedError, '"batch_norm" not implemented for \'Long\''),
    ('torch.native_batch_norm(Z(2, 0), Z(5), None, None, None, True, 0.1, 1e-5)', RuntimeError, 'input tensor must have at least one element, but got input_sizes = [2, 0]'),
    ('torch.native_batch_norm(Z(2, 0), None, None, Z(0), Z(0), False, 0.1, 1e-5)', None, (('T', 'float32', [2, 0], [[], []]), ('T', 'float32', [0], []), ('T', 'float32', [0], []))),
    ('torch.trapezoid(B(3))', NotImplementedError, 'trapezoid: received a bool input for `y`, but bool is not supported'),
    ('torch.trapezoid(Z(3), B(3))', NotImplementedError, 'trapezoid: received a bool input for `x` or `y`, but bool is not supported'),
    ('torch.cumulative_trapezoid(B(3))', NotImplementedError, 'cumulative_trapezoid: received a bool input for `y`, but bool is not supported'),
    ('torch.trapezoid(torch.zeros(2, 0, dtype=torch.int8))', None, ('T', 'int8', [2], [0, 0])),
    ('torch.cumulative_trapezoid(torch.zeros(2, 0, dtype=torch.int8))', None, ('T', 'float32', [2, 0], [[], []])),
    ('torch.take_along_dim(torch.tensor([1, 2, 3]), torch.tensor([-1, 0, -3, 3, -7]), 0)', None, ('T', 'int64', [5], [3, 1, 1, 1, 3])),
    ('torch.take_along_dim(torch.arange(6).reshape(2, 3), torch.tensor([[5]]), 0)', None, ('T', 'int64', [1, 3], [[3, 4, 5]])),
    ('torch.take_along_dim(torch.tensor([1, 2, 3]), torch.tensor([-1]))', RuntimeError, 'index -1 is out of bounds for dimension 0 with size 3'),
    ('torch.take_along_dim(torch.tensor([1, 2, 3]), torch.tensor([2], dtype=torch.int32))', None, ('T', 'int64', [1], [3])),
    ('torch.take_along_dim(Z(0), torch.tensor([0]), 0)', RuntimeError, 'ZeroDivisionError'),
    ('torch.take_along_dim(Z(3), torch.tensor([0], dtype=torch.int32), 0)', RuntimeError, 'torch.take_along_dim(): dtype of indices should be Long but got Int'),
    ('torch.scatter_add(torch.arange(4.), 0, L(0), Z(1, 4))', None, ('T', 'float32', [4], [0.0, 1.0, 2.0, 3.0])),
    ('torch.scatter(torch.arange(4.), 0, Z(0), Z(1, 4))', None, ('T', 'float32', [4], [0.0, 1.0, 2.0, 3.0])),
    ('torch.gather(torch.arange(4.).reshape(2, 2), 1, L(0))', None, ('T', 'float32', [0], [])),
    ('torch.unique_consecutive(torch.tensor([1, 1, 2]), True)', None, (('T', 'int64', [2], [1, 2]), ('T', 'int64', [0], []))),
    ('torch.unique_consecutive(torch.tensor([1, 1, 2]), False, True)', None, (('T', 'int64', [2], [1, 2]), ('T', 'int64', [0], []))),
    ('torch.unique_consecutive(torch.tensor([[0], [1], [1]]), True, dim=-1)', None, (('T', 'int64', [3, 1], [[0], [1], [1]]), ('T', 'int64', [1], [1]))),
    ('torch.unique_consecutive(torch.tensor([[0], [1], [1]]), True, True, dim=1)', None, (('T', 'int64', [3, 1], [[0], [1], [1]]), ('T', 'int64', [1], [0]), ('T', 'int64', [1], [1]))),
    ('torch.unique_consecutive(torch.tensor([1, 1, 2]), return_inverse=True)', None, (('T', 'int64', [2], [1, 2]), ('T', 'int64', [3], [0, 0, 1]))),
    ("torch.scatter_reduce(torch.tensor([1., 5, 3]), 0, torch.tensor([0, 0, 1]), torch.tensor([4., 2, 9]), 'max')", None, ('T', 'float32', [3], [4.0, 9.0, 3.0])),
    ("torch.scatter_reduce(torch.tensor([1., 5, 3]), 0, torch.tensor([0, 0, 1]), torch.tensor([4., 2, 9]), 'min')", None, ('T', 'float32', [3], [1.0, 5.0, 3.0])),
]



def _show(r):
    if isinstance(r, torch.Tensor):
        return ("T", str(r.dtype).rsplit(".", 1)[-1], list(r.shape), r.tolist())
    if isinstance(r, (tuple, list)):
        return tuple(_show(v) for v in r)
    return r


@pytest.mark.parametrize("call, exc, want", CASES, ids=[c[0] for c in CASES])
def test_check_order_and_results(call, exc, want):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if exc is None:
            assert _show(eval(call)) == want
            return
        with pytest.raises(exc) as e:
            eval(call)
    assert str(e.value) == want
ARANGE = [
    ('torch.arange(0, -1, 1)', RuntimeError, 'upper bound and lower bound inconsistent with step sign'),
    ('torch.arange(0., 2**63)', RuntimeError, 'IntArrayRef contains an int that cannot be represented as a SymInt: -9223372036854775808'),
    ('torch.arange(2**63-10, 2**63-1, 5)', None, [9223372036854775798, 9223372036854775803]),
    ('torch.arange(0, 2**63-1, 2)', RuntimeError, 'invalid size, possible overflow?'),
    ('torch.arange(-2**63, 0)', RuntimeError, 'invalid size, possible overflow?'),
    ('torch.arange(-2**63+1, 2**62, 3)', RuntimeError, 'invalid size, possible overflow?'),
    ('torch.arange(0, 2**63-1, dtype=torch.float32)', RuntimeError, 'IntArrayRef contains an int that cannot be represented as a SymInt: -9223372036854775808'),
    ('torch.arange(0, 10, 2**63-1)', None, []),
    ('torch.arange(5, -2**63, -1)', RuntimeError, 'invalid size, possible overflow?'),
    ('torch.arange(0, 2**63-1)', RuntimeError, 'IntArrayRef contains an int that cannot be represented as a SymInt: -9223372036854775808'),
    ('torch.arange(0, 2**63)', RuntimeError, 'value cannot be converted to type int64_t without overflow'),
    ('torch.arange(-2**63, 2**63-1)', RuntimeError, 'invalid size, possible overflow?'),
    ('torch.arange(0, 2**62, 1)', RuntimeError, 'Storage size calculation overflowed with sizes=[4611686018427387904]'),
    ('torch.arange(1, 2.5, 0.5)', None, [1.0, 1.5, 2.0]),
    ('torch.arange(10, 0, -3)', None, [10, 7, 4, 1]),
    ('torch.arange(2**62, 2**62+3)', None, [4611686018427387904, 4611686018427387905, 4611686018427387906]),
]


@pytest.mark.parametrize("call, exc, want", ARANGE, ids=[c[0] for c in ARANGE])
def test_arange_size(call, exc, want):
    """arange's size as torch computes it: in wrapping int64 arithmetic for an int64 result,
    else in float64, with torch's checks (and messages) on it."""
    if exc is None:
        assert eval(call).tolist() == want
        return
    with pytest.raises(exc) as e:
        eval(call)
    assert str(e.value) == want


def test_set_():
    """Tensor.set_ (torch 2.15's results, written in): a view of another tensor's storage, with
    its geometry or a given one, of an UntypedStorage (its bytes in this dtype), or of nothing."""
    x, y = torch.zeros(3), torch.arange(6.)
    assert x.set_(y, 2, (2, 2), (1, 2)) is x
    assert x.tolist() == [[2., 4.], [3., 5.]] and x.storage_offset() == 2 and x.stride() == (1, 2)
    y[2] = 100
    assert x.tolist() == [[100., 4.], [3., 5.]]  # shares y's storage
    z = torch.zeros(3)
    assert z.set_(source=y).tolist() == [0., 1., 100., 3., 4., 5.] and z.data_ptr() == y.data_ptr()
    assert z.set_(y.untyped_storage(), 1, (2,)).tolist() == [1., 100.] and z.stride() == (1,)
    assert z.set_(torch.ones(4, dtype=torch.float64).untyped_storage()).tolist() == [0., 1.875] * 4
    assert z.set_().shape == (0,)
    with pytest.raises(RuntimeError, match="^Could not set tensor of type double to a tensor of type float$"):
        z.set_(torch.ones(2, dtype=torch.float64))
    with pytest.raises(TypeError, match=r"^set_\(\) received an invalid combination of arguments - got \(Tensor, int\)"):
        z.set_(y, 1)
    with pytest.raises(RuntimeError, match="^a leaf Variable that requires grad is being used in an in-place "
                                           "operation.$"):
        torch.zeros(2, requires_grad=True).set_(y)


def test_overloads_name_rows():
    """Each op with torch's overloads listed is a row of the op table, and each overload parses
    (its types are the parser's)."""
    from rstorch._ops._overloads import OVERLOADS, Overloads
    from rstorch._ops._table import ROWS
    assert set(OVERLOADS) <= set(ROWS)
    for name, texts in OVERLOADS.items():
        assert len(Overloads(name, texts).overloads) == len(texts)
