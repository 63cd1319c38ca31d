//! Factory functions of `_C` (the Python layer adds argument handling and the rest).

use pyo3::prelude::*;
use rstorch::storage::Storage;
use rstorch::{Device, Layout, Tensor};
use std::sync::Arc;

use super::{tensor_of, wrap};
use crate::convert::{extract_dtype, extract_scalar, to_usize_sizes};
use crate::error::IntoPy;

/// The device of a factory's `device=` argument: None (the CPU) or a device string such as
/// "cpu", "meta" or "wgpu:0" (Python's `rstorch.device` objects pass their `str`).
fn extract_device(device: Option<&str>) -> PyResult<Device> {
    device.map_or(Ok(Device::Cpu), |s| Device::parse(s).py_err())
}

/// A tensor of `size` filled with `fill_value`, on `device`.
#[pyfunction]
#[pyo3(signature = (size, fill_value, dtype, device=None))]
pub fn full<'py>(py: Python<'py>, size: Vec<i64>, fill_value: &Bound<'py, PyAny>, dtype: &Bound<'py, PyAny>, device: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
    let size = to_usize_sizes(&size)?;
    let d = extract_dtype(dtype)?;
    let dev = extract_device(device)?;
    let v = match extract_scalar(fill_value) {
        Some(v) => v?,
        None => {
            let t = tensor_of(fill_value)?;
            t.item().py_err()?
        }
    };
    v.check_fill(d, size.iter().product()).py_err()?;
    let t = crate::dispatch::maybe_detach(py, size.iter().product(), || Tensor::full_on(&size, v, d, dev)).py_err()?;
    wrap(py, t)
}

/// A 0-dim tensor holding the number `value` for `t[indices] = value`: torch checks that it
/// fits the dtype there without full's one-element exception for the half types.
#[pyfunction]
pub fn _index_value<'py>(py: Python<'py>, value: &Bound<'py, PyAny>, dtype: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let d = extract_dtype(dtype)?;
    let v = match extract_scalar(value) {
        Some(v) => v?,
        None => return Err(pyo3::exceptions::PyTypeError::new_err("expected a number")),
    };
    v.check_fits(d).py_err()?;
    wrap(py, Tensor::scalar(v, d).py_err()?)
}

/// A zero-filled tensor on `device` (rstorch never hands out uninitialised memory; a meta
/// tensor has none at all).
#[pyfunction]
#[pyo3(signature = (size, dtype, device=None))]
pub fn zeros<'py>(py: Python<'py>, size: Vec<i64>, dtype: &Bound<'py, PyAny>, device: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
    let size = to_usize_sizes(&size)?;
    let t = Tensor::zeros_on(&size, extract_dtype(dtype)?, extract_device(device)?).py_err()?;
    wrap(py, t)
}

/// torch's `empty_strided`: a tensor of `size` and `stride` over a fresh (zeroed on the CPU)
/// storage just big enough, on `device`.
#[pyfunction]
#[pyo3(signature = (size, stride, dtype, device=None))]
pub fn empty_strided<'py>(py: Python<'py>, size: Vec<i64>, stride: Vec<i64>, dtype: &Bound<'py, PyAny>, device: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
    let (size, stride) = (to_usize_sizes(&size)?, to_usize_sizes(&stride)?);
    if size.len() != stride.len() {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
            "mismatch in length of strides and shape: {} vs {}",
            stride.len(),
            size.len()
        )));
    }
    let (d, dev) = (extract_dtype(dtype)?, extract_device(device)?);
    wrap(py, Tensor::zeros_strided_on(&size, &stride, d, dev).py_err()?)
}

/// A tensor over memory owned by `owner` (a numpy array): `ptr` is the first byte of the buffer
/// (`nbytes` long), and the view starts `offset` elements in, with element `strides`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn _from_buffer<'py>(
    py: Python<'py>,
    ptr: usize,
    nbytes: usize,
    shape: Vec<usize>,
    strides: Vec<usize>,
    offset: usize,
    dtype: &Bound<'py, PyAny>,
    owner: Py<PyAny>,
    writable: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let d = extract_dtype(dtype)?;
    if ptr % d.itemsize() != 0 {
        return Err(pyo3::exceptions::PyValueError::new_err("buffer is not aligned for its dtype"));
    }
    // SAFETY: the caller passes the buffer of `owner` (a live numpy array), which we keep alive.
    let storage = unsafe { Storage::from_external(ptr as *mut u8, nbytes, writable, Box::new(owner)) };
    let layout = Layout::new(shape.into_iter().collect(), strides.into_iter().collect(), offset);
    let t = Tensor::from_parts(Arc::new(storage), layout, d).py_err()?;
    wrap(py, t)
}
