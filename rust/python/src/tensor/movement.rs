//! Data movement (cat, flip, roll, repeat) as Tensor methods and `_C` functions.

use pyo3::prelude::*;
use pyo3::types::{PySequence, PyTuple};
use rstorch::ops::movement as core;
use rstorch::Tensor;

use super::views::run1;
use super::PyTensor;
use crate::convert::{extract_int_seq, extract_sizes};
use crate::dispatch::{self, maybe_detach, Call};

fn obj<'py>(py: Python<'py>, v: Vec<i64>) -> PyResult<Bound<'py, PyAny>> {
    Ok(v.into_pyobject(py)?.into_any())
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (*dims))]
    fn flip<'py>(slf: &Bound<'py, Self>, dims: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        let d = extract_sizes(dims, "flip(): argument 'dims'")?;
        let py = slf.py();
        run1(slf, "flip", &[obj(py, d.clone())?], |t| maybe_detach(py, t.numel(), || core::flip(t, &d)))
    }

    #[pyo3(signature = (shifts, dims=None))]
    fn roll<'py>(slf: &Bound<'py, Self>, shifts: &Bound<'py, PyAny>, dims: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let s = extract_int_seq(shifts, "roll(): argument 'shifts'")?;
        let d = match dims {
            Some(d) if !d.is_none() => extract_int_seq(d, "roll(): argument 'dims'")?,
            _ => vec![],
        };
        run1(slf, "roll", &[obj(py, s.clone())?, obj(py, d.clone())?], |t| maybe_detach(py, t.numel(), || core::roll(t, &s, &d)))
    }

    #[pyo3(signature = (*repeats))]
    fn repeat<'py>(slf: &Bound<'py, Self>, repeats: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        let r = extract_sizes(repeats, "repeat(): argument 'repeats'")?;
        let py = slf.py();
        run1(slf, "repeat", &[obj(py, r.clone())?], |t| maybe_detach(py, t.numel(), || core::repeat(t, &r)))
    }
}

/// `torch.cat(tensors, dim)`: recorded as "cat" with the tensors as one list argument.
#[pyfunction]
#[pyo3(signature = (tensors, dim=0))]
fn cat<'py>(py: Python<'py>, tensors: &Bound<'py, PyAny>, dim: i64) -> PyResult<Bound<'py, PyAny>> {
    let seq = tensors.cast::<PySequence>().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "cat() received an invalid combination of arguments - got ({}, int), expected tuple of Tensors",
            tensors.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })?;
    let items: Vec<Bound<'py, PyAny>> = (0..seq.len()?).map(|i| seq.get_item(i)).collect::<PyResult<_>>()?;
    let mut ts: Vec<Tensor> = Vec::with_capacity(items.len());
    let mut tracked = false;
    for (i, it) in items.iter().enumerate() {
        let t = it.cast::<PyTensor>().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "expected Tensor as element {i} in argument 0, but got {}",
                it.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))
        })?;
        let t = t.borrow();
        tracked |= t.tracks_grad();
        ts.push(t.t.clone());
    }
    let refs: Vec<&Tensor> = ts.iter().collect();
    let n: usize = ts.iter().map(|t| t.numel()).sum();
    let device = ts.first().map_or(rstorch::Device::Cpu, |t| t.device());
    let args = || PyTuple::new(py, [pyo3::types::PyList::new(py, &items)?.into_any(), dim.into_pyobject(py)?.into_any()]);
    dispatch::run(py, Call::new("cat", tracked, n, device), args, None, || core::cat(&refs, dim))
}

/// Add this family's module-level functions to `_C`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cat, m)?)?;
    Ok(())
}
