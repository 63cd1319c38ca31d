//! Sorting and searching as Tensor methods and `_C` functions (the `rstorch.*` forms with
//! `out=` are in python/rstorch/_ops/sort.py).
//!
//! Ops that return (values, indices) build the namedtuple types of `rstorch.return_types`
//! (defined in _ops/sort.py). When an input tracks grad, the recorder gets `(self,)` and every
//! argument by name, so the backward rules read them from kwargs.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use rstorch::ops::sort::{self, combine, count, quantile, search, select, unique};
use rstorch::ops::Arg;
use rstorch::Tensor;

use super::{registry, tensor_of, wrap, PyTensor};
use crate::dispatch::{self, Call};
use crate::convert::{extract_dtype, extract_scalar};
use crate::error::IntoPy;

/// `rstorch.return_types.<name>((values, indices))`.
fn structseq<'py>(py: Python<'py>, name: &str, a: Tensor, b: Tensor) -> PyResult<Bound<'py, PyAny>> {
    let cls = registry(py)?.return_types.bind(py).getattr(name)?;
    cls.call1(((wrap(py, a)?, wrap(py, b)?),))
}

/// Self's core tensor and whether it tracks grad.
fn me(slf: &Bound<'_, PyTensor>) -> (Tensor, bool) {
    let m = slf.borrow();
    (m.t.clone(), m.tracks_grad())
}

/// Record `name(self, **kwargs)` when tracked (kwargs built only then).
fn done<'py>(
    slf: &Bound<'py, PyTensor>,
    name: &str,
    tracked: bool,
    out: Bound<'py, PyAny>,
    kwargs: impl FnOnce(&Bound<'py, PyDict>) -> PyResult<()>,
) -> PyResult<Bound<'py, PyAny>> {
    if !tracked {
        return Ok(out);
    }
    let py = slf.py();
    let kw = PyDict::new(py);
    kwargs(&kw)?;
    dispatch::finish(py, name, true, || PyTuple::new(py, [slf.clone().into_any()]), Some(&kw), out)
}

/// A tensor or a Python number argument.
pub(crate) enum TensorOrScalar {
    T(Tensor),
    S(rstorch::Scalar),
}

impl TensorOrScalar {
    fn from_py(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Self> {
        if let Ok(t) = obj.cast::<PyTensor>() {
            return Ok(TensorOrScalar::T(t.borrow().t.clone()));
        }
        match extract_scalar(obj) {
            Some(s) => Ok(TensorOrScalar::S(s?)),
            None => Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "{what} must be Tensor or Number, not {}",
                obj.get_type().name()?
            ))),
        }
    }
    fn arg(&self) -> Arg<'_> {
        match self {
            TensorOrScalar::T(t) => Arg::Tensor(t),
            TensorOrScalar::S(s) => Arg::Scalar(*s),
        }
    }
    fn numel(&self) -> usize {
        match self {
            TensorOrScalar::T(t) => t.numel(),
            TensorOrScalar::S(_) => 1,
        }
    }
    /// The device a kernel on it runs on (a number goes with any: the CPU).
    fn device(&self) -> rstorch::Device {
        match self {
            TensorOrScalar::T(t) => t.device(),
            TensorOrScalar::S(_) => rstorch::Device::Cpu,
        }
    }
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (dim=-1, descending=false, *, stable=None))]
    fn sort<'py>(slf: &Bound<'py, Self>, dim: i64, descending: bool, stable: Option<bool>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (t, tracked) = me(slf);
        let (v, i) = dispatch::kernel(py, "sort", t.device(), t.numel(), || sort::sort(&t, dim, descending, stable.unwrap_or(false)))?;
        done(slf, "sort", tracked, structseq(py, "sort", v, i)?, |kw| {
            kw.set_item("dim", dim)?;
            kw.set_item("descending", descending)?;
            kw.set_item("stable", stable)
        })
    }

    #[pyo3(signature = (dim=-1, descending=false, *, stable=false))]
    fn argsort<'py>(slf: &Bound<'py, Self>, dim: i64, descending: bool, stable: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let t = slf.borrow().t.clone();
        let i = dispatch::kernel(py, "argsort", t.device(), t.numel(), || sort::argsort(&t, dim, descending, stable))?;
        wrap(py, i)
    }

    /// Sorted along dim 0 (the values of `sort(0)`).
    fn msort<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (t, tracked) = me(slf);
        let (v, _) = dispatch::kernel(py, "msort", t.device(), t.numel(), || sort::sort(&t, 0, false, false))?;
        done(slf, "msort", tracked, wrap(py, v)?, |_| Ok(()))
    }

    #[pyo3(signature = (k, dim=-1, largest=true, sorted=true))]
    fn topk<'py>(slf: &Bound<'py, Self>, k: i64, dim: i64, largest: bool, sorted: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (t, tracked) = me(slf);
        let (v, i) = dispatch::kernel(py, "topk", t.device(), t.numel(), || select::topk(&t, k, dim, largest, sorted))?;
        done(slf, "topk", tracked, structseq(py, "topk", v, i)?, |kw| {
            kw.set_item("k", k)?;
            kw.set_item("dim", dim)?;
            kw.set_item("largest", largest)?;
            kw.set_item("sorted", sorted)
        })
    }

    #[pyo3(signature = (k, dim=-1, keepdim=false))]
    fn kthvalue<'py>(slf: &Bound<'py, Self>, k: i64, dim: i64, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (t, tracked) = me(slf);
        let (v, i) = dispatch::kernel(py, "kthvalue", t.device(), t.numel(), || select::kthvalue(&t, k, dim, keepdim))?;
        done(slf, "kthvalue", tracked, structseq(py, "kthvalue", v, i)?, |kw| {
            kw.set_item("k", k)?;
            kw.set_item("dim", dim)?;
            kw.set_item("keepdim", keepdim)
        })
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn median<'py>(slf: &Bound<'py, Self>, dim: Option<i64>, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        median_impl(slf, "median", dim, keepdim, false)
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn nanmedian<'py>(slf: &Bound<'py, Self>, dim: Option<i64>, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        median_impl(slf, "nanmedian", dim, keepdim, true)
    }

    #[pyo3(signature = (dim=-1, keepdim=false))]
    fn mode<'py>(slf: &Bound<'py, Self>, dim: i64, keepdim: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let (t, tracked) = me(slf);
        let (v, i) = dispatch::kernel(py, "mode", t.device(), t.numel(), || select::mode(&t, dim, keepdim))?;
        done(slf, "mode", tracked, structseq(py, "mode", v, i)?, |kw| {
            kw.set_item("dim", dim)?;
            kw.set_item("keepdim", keepdim)
        })
    }

    #[pyo3(signature = (q, dim=None, keepdim=false, *, interpolation="linear"))]
    fn quantile<'py>(slf: &Bound<'py, Self>, q: &Bound<'py, PyAny>, dim: Option<i64>, keepdim: bool, interpolation: &str) -> PyResult<Bound<'py, PyAny>> {
        quantile_impl(slf, "quantile", q, dim, keepdim, interpolation, false)
    }

    #[pyo3(signature = (q, dim=None, keepdim=false, *, interpolation="linear"))]
    fn nanquantile<'py>(slf: &Bound<'py, Self>, q: &Bound<'py, PyAny>, dim: Option<i64>, keepdim: bool, interpolation: &str) -> PyResult<Bound<'py, PyAny>> {
        quantile_impl(slf, "nanquantile", q, dim, keepdim, interpolation, true)
    }

    /// The unique elements (or slices along `dim`), sorted; with the inverse and/or counts as
    /// torch returns them (a tensor, or a 2- or 3-tuple).
    #[pyo3(signature = (sorted=true, return_inverse=false, return_counts=false, dim=None))]
    fn unique<'py>(slf: &Bound<'py, Self>, sorted: bool, return_inverse: bool, return_counts: bool, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        let _ = sorted; // torch's CPU kernel sorts either way
        unique_impl(slf, return_inverse, return_counts, dim, false)
    }

    #[pyo3(signature = (return_inverse=false, return_counts=false, dim=None))]
    fn unique_consecutive<'py>(slf: &Bound<'py, Self>, return_inverse: bool, return_counts: bool, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        unique_impl(slf, return_inverse, return_counts, dim, true)
    }

    #[pyo3(signature = (weights=None, minlength=0))]
    fn bincount<'py>(slf: &Bound<'py, Self>, weights: Option<&Bound<'py, PyAny>>, minlength: i64) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let t = slf.borrow().t.clone();
        let w = weights.filter(|w| !w.is_none()).map(tensor_of).transpose()?;
        let out = dispatch::kernel(py, "bincount", t.device(), t.numel(), || count::bincount(&t, w.as_ref(), minlength))?;
        wrap(py, out)
    }

    #[pyo3(signature = (bins=100, min=0.0, max=0.0))]
    fn histc<'py>(slf: &Bound<'py, Self>, bins: i64, min: f64, max: f64) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let t = slf.borrow().t.clone();
        let out = dispatch::kernel(py, "histc", t.device(), t.numel(), || count::histc(&t, bins, min, max))?;
        wrap(py, out)
    }
}

fn median_impl<'py>(slf: &Bound<'py, PyTensor>, name: &str, dim: Option<i64>, keepdim: bool, ignore_nan: bool) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let (t, tracked) = me(slf);
    let out = match dim {
        None => wrap(py, dispatch::kernel(py, "median", t.device(), t.numel(), || select::median_all(&t, ignore_nan))?)?,
        Some(d) => {
            let (v, i) = dispatch::kernel(py, "median", t.device(), t.numel(), || select::median_dim(&t, d, keepdim, ignore_nan))?;
            structseq(py, name, v, i)?
        }
    };
    done(slf, name, tracked, out, |kw| {
        kw.set_item("dim", dim)?;
        kw.set_item("keepdim", keepdim)
    })
}

fn quantile_impl<'py>(
    slf: &Bound<'py, PyTensor>,
    name: &str,
    q: &Bound<'py, PyAny>,
    dim: Option<i64>,
    keepdim: bool,
    interpolation: &str,
    ignore_nan: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let (t, mut tracked) = me(slf);
    let err = |m: String| pyo3::exceptions::PyRuntimeError::new_err(m);
    let q_arg = TensorOrScalar::from_py(q, &format!("{name}(): argument 'q'"))?;
    if let TensorOrScalar::T(qt) = &q_arg {
        if t.dtype().is_floating_point() && qt.dtype() != t.dtype() {
            return Err(err(format!("{name}() q tensor must be same dtype as the input tensor")));
        }
        if qt.ndim() > 1 {
            return Err(err(format!("{name}() q must be a scalar or 1D tensor")));
        }
    }
    let how = quantile::Interpolation::parse(interpolation, name).py_err()?;
    // q is differentiable only through linear interpolation's weights (torch: the other modes
    // round the rank, so their result does not depend on q)
    if how == quantile::Interpolation::Linear {
        tracked |= q.cast::<PyTensor>().is_ok_and(|q| q.borrow().tracks_grad());
    }
    // recorded as name(self, q, dim=, keepdim=, interpolation=): q positional so it gets an edge
    let kw = if tracked {
        let kw = PyDict::new(py);
        kw.set_item("dim", dim)?;
        kw.set_item("keepdim", keepdim)?;
        kw.set_item("interpolation", interpolation)?;
        Some(kw)
    } else {
        None
    };
    let args = || PyTuple::new(py, [slf.clone().into_any(), q.clone()]);
    let qv = match &q_arg {
        TensorOrScalar::S(s) => quantile::Q::Scalar(s.to_f64()),
        TensorOrScalar::T(qt) => quantile::Q::Tensor(qt),
    };
    dispatch::run(py, Call::on(name, tracked, &t), args, kw.as_ref(), || quantile::quantile(&t, qv, dim, keepdim, how, ignore_nan))
}

fn unique_impl<'py>(slf: &Bound<'py, PyTensor>, return_inverse: bool, return_counts: bool, dim: Option<i64>, consecutive: bool) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let t = slf.borrow().t.clone();
    let u = dispatch::kernel(py, "unique", t.device(), t.numel(), || unique::unique(&t, dim, consecutive))?;
    let mut outs = vec![wrap(py, u.values)?];
    if return_inverse {
        outs.push(wrap(py, u.inverse)?);
    }
    if return_counts {
        outs.push(wrap(py, u.counts)?);
    }
    if outs.len() == 1 {
        return Ok(outs.pop().unwrap());
    }
    Ok(PyTuple::new(py, outs)?.into_any())
}

/// `torch.searchsorted` without `out=` (side/right are reconciled in Python).
#[pyfunction]
#[pyo3(signature = (sorted_sequence, input, out_int32, right, sorter))]
fn _searchsorted<'py>(
    py: Python<'py>,
    sorted_sequence: &Bound<'py, PyAny>,
    input: &Bound<'py, PyAny>,
    out_int32: bool,
    right: bool,
    sorter: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let b = tensor_of(sorted_sequence)?;
    let v = TensorOrScalar::from_py(input, "searchsorted(): argument 'input'")?;
    let s = sorter.map(tensor_of).transpose()?;
    let out = dispatch::kernel(py, "searchsorted", b.device(), v.numel(), || search::searchsorted(&b, v.arg(), right, s.as_ref(), out_int32))?;
    wrap(py, out)
}

#[pyfunction]
fn _bucketize<'py>(py: Python<'py>, input: &Bound<'py, PyAny>, boundaries: &Bound<'py, PyAny>, out_int32: bool, right: bool) -> PyResult<Bound<'py, PyAny>> {
    let v = TensorOrScalar::from_py(input, "bucketize(): argument 'input'")?;
    let b = tensor_of(boundaries)?;
    let out = dispatch::kernel(py, "bucketize", b.device(), v.numel(), || search::bucketize(v.arg(), &b, right, out_int32))?;
    wrap(py, out)
}

#[pyfunction]
fn _isin<'py>(py: Python<'py>, elements: &Bound<'py, PyAny>, test_elements: &Bound<'py, PyAny>, invert: bool) -> PyResult<Bound<'py, PyAny>> {
    let e = TensorOrScalar::from_py(elements, "isin(): argument 'elements'")?;
    let t = TensorOrScalar::from_py(test_elements, "isin(): argument 'test_elements'")?;
    let out = dispatch::kernel(py, "isin", e.device(), e.numel() + t.numel(), || search::isin(e.arg(), t.arg(), invert))?;
    wrap(py, out)
}

/// `torch.histogram`: `bins` is an int (with `range`) or a tensor of edges; returns
/// `return_types.histogram(hist, bin_edges)`.
#[pyfunction]
#[pyo3(signature = (input, bins, range, weight, density))]
fn _histogram<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    bins: &Bound<'py, PyAny>,
    range: Option<(f64, f64)>,
    weight: Option<&Bound<'py, PyAny>>,
    density: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let t = tensor_of(input)?;
    let w = weight.map(tensor_of).transpose()?;
    let edges = bins.cast::<PyTensor>().ok().map(|b| b.borrow().t.clone());
    let how = match &edges {
        Some(e) => count::Bins::Edges(e),
        None => count::Bins::Count(bins.extract::<i64>()?, range),
    };
    let (h, e) = dispatch::kernel(py, "histogram", t.device(), t.numel(), || count::histogram(&t, how, w.as_ref(), density))?;
    structseq(py, "histogram", h, e)
}

/// `torch.cartesian_prod` of two or more tensors.
#[pyfunction]
fn _cartesian_prod<'py>(py: Python<'py>, tensors: Vec<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    let ts: Vec<Tensor> = tensors.iter().map(tensor_of).collect::<PyResult<_>>()?;
    let tracked = tensors.iter().any(|t| t.cast::<PyTensor>().is_ok_and(|t| t.borrow().tracks_grad()));
    let device = ts.first().map_or(rstorch::Device::Cpu, |t| t.device());
    // no GIL release (numel 0): the output size is the product of the inputs'
    dispatch::run(py, Call::new("cartesian_prod", tracked, 0, device), || PyTuple::new(py, &tensors), None, || combine::cartesian_prod(&ts))
}

#[pyfunction]
fn _combinations<'py>(py: Python<'py>, input: &Bound<'py, PyTensor>, r: i64, with_replacement: bool) -> PyResult<Bound<'py, PyAny>> {
    let (t, tracked) = me(input);
    let kw = PyDict::new(py);
    kw.set_item("r", r)?;
    kw.set_item("with_replacement", with_replacement)?;
    let args = || PyTuple::new(py, [input.clone().into_any()]);
    dispatch::run(py, Call::new("combinations", tracked, 0, t.device()), args, Some(&kw), || combine::combinations(&t, r, with_replacement))
}

/// `torch.tril_indices` (`upper` false) / `torch.triu_indices`.
#[pyfunction]
fn _tri_indices<'py>(py: Python<'py>, row: i64, col: i64, offset: i64, dtype: &Bound<'py, PyAny>, upper: bool) -> PyResult<Bound<'py, PyAny>> {
    let d = extract_dtype(dtype)?;
    wrap(py, combine::tri_indices(row, col, offset, d, upper).py_err()?)
}

/// Add this family's module-level functions to `_C`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_searchsorted, m)?)?;
    m.add_function(wrap_pyfunction!(_bucketize, m)?)?;
    m.add_function(wrap_pyfunction!(_isin, m)?)?;
    m.add_function(wrap_pyfunction!(_histogram, m)?)?;
    m.add_function(wrap_pyfunction!(_cartesian_prod, m)?)?;
    m.add_function(wrap_pyfunction!(_combinations, m)?)?;
    m.add_function(wrap_pyfunction!(_tri_indices, m)?)?;
    Ok(())
}
