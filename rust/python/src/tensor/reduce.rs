//! Reductions as Tensor methods.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use rstorch::ops::reduce;
use rstorch::DType;

use super::{finish, wrap, PyTensor};
use crate::convert::{extract_dtype, extract_int_seq};
use crate::error::IntoPy;

type ReduceFn = fn(&rstorch::Tensor, Option<&[i64]>, bool, Option<DType>) -> rstorch::Result<rstorch::Tensor>;

/// A `(dim=None, keepdim=False, *, dtype=None)` reduction, or the autograd path.
fn reduction<'py>(
    slf: &Bound<'py, PyTensor>,
    name: &str,
    f: ReduceFn,
    dim: Option<&Bound<'py, PyAny>>,
    keepdim: bool,
    dtype: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let dims = match dim {
        Some(d) if !d.is_none() => Some(extract_int_seq(d, &format!("{name}(): argument 'dim'"))?),
        _ => None,
    };
    let dtype_obj = dtype;
    let dtype = match dtype {
        Some(d) if !d.is_none() => Some(extract_dtype(d)?),
        _ => None,
    };
    let me = slf.borrow();
    let (t, tracked) = (me.t.clone(), me.tracks_grad());
    drop(me);
    let out = super::elementwise::maybe_detach(py, t.numel(), || f(&t, dims.as_deref(), keepdim, dtype)).py_err()?;
    let out = wrap(py, out)?;
    if !tracked {
        return Ok(out);
    }
    let kw = PyDict::new(py);
    kw.set_item("dim", dim)?;
    kw.set_item("keepdim", keepdim)?;
    kw.set_item("dtype", dtype_obj)?;
    finish(py, name, true, || PyTuple::new(py, [slf.clone().into_any()]), Some(&kw), out)
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn sum<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool, dtype: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        reduction(slf, "sum", reduce::sum, dim, keepdim, dtype)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn mean<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>, keepdim: bool, dtype: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        reduction(slf, "mean", reduce::mean, dim, keepdim, dtype)
    }
}

/// Add this family's module-level functions to `_C`.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
