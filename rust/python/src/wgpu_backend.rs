//! The wgpu backend of the core ([`rstorch::backend::Backend`]), implemented by calling the
//! Python runtime (`rstorch._wgpu.backend.Backend`, registered by `rstorch/__init__.py` through
//! [`_register_wgpu_backend`]). A device storage's opaque buffer is the Python `Region`
//! (a `Py<PyAny>`); tensors reach Python as views `(region, shape, strides, offset, dtype)`.
//! The core computes every layout; this file only forwards.

use std::any::Any;

use pyo3::exceptions::PyNotImplementedError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rstorch::backend::Backend;
use rstorch::{Device, Error, Result, Scalar, Storage, Tensor};

struct PyBackend {
    obj: Py<PyAny>,
}

/// A Python exception as a core error: NotImplementedError stays one, the rest are RuntimeErrors
/// (an out-of-memory error keeps its message).
fn core_err(py: Python<'_>, e: PyErr) -> Error {
    let msg = e.value(py).str().map(|s| s.to_string()).unwrap_or_default();
    if e.is_instance_of::<PyNotImplementedError>(py) {
        Error::NotImplemented(msg)
    } else if e.is_instance_of::<pyo3::exceptions::PyIndexError>(py) {
        Error::index(msg) // a device-side bounds error (an out-of-range target)
    } else {
        Error::runtime(msg)
    }
}

fn region<'a, 'py>(py: Python<'py>, s: &'a Storage) -> Result<&'a Bound<'py, PyAny>> {
    s.backend_buffer()
        .and_then(|b| b.downcast_ref::<Py<PyAny>>())
        .map(|r| r.bind(py))
        .ok_or_else(|| Error::runtime("wgpu: storage has no wgpu region"))
}

fn view<'py>(py: Python<'py>, t: &Tensor) -> Result<Bound<'py, PyAny>> {
    let r = region(py, t.storage())?;
    let shape = pyo3::types::PyTuple::new(py, t.shape()).map_err(|e| core_err(py, e))?;
    let strides = pyo3::types::PyTuple::new(py, t.strides()).map_err(|e| core_err(py, e))?;
    Ok((r, shape, strides, t.offset(), t.dtype().name()).into_pyobject(py).map_err(|e| core_err(py, e))?.into_any())
}

fn scalar<'py>(py: Python<'py>, v: Scalar) -> Bound<'py, PyAny> {
    match v {
        Scalar::Bool(b) => b.into_pyobject(py).unwrap().to_owned().into_any(),
        Scalar::Int(i) => i.into_pyobject(py).unwrap().into_any(),
        Scalar::Float(f) => f.into_pyobject(py).unwrap().into_any(),
    }
}

impl Backend for PyBackend {
    fn alloc(&self, device: Device, nbytes: usize, zeroed: bool) -> Result<Box<dyn Any + Send + Sync>> {
        Python::attach(|py| {
            let r = self.obj.bind(py).call_method1("alloc", (device.index().unwrap_or(0), nbytes, zeroed)).map_err(|e| core_err(py, e))?;
            Ok(Box::new(r.unbind()) as Box<dyn Any + Send + Sync>)
        })
    }

    fn upload(&self, dst: &Storage, byte_offset: usize, bytes: &[u8]) -> Result<()> {
        Python::attach(|py| {
            let r = region(py, dst)?;
            self.obj.bind(py).call_method1("upload", (r, byte_offset, PyBytes::new(py, bytes))).map_err(|e| core_err(py, e))?;
            Ok(())
        })
    }

    fn download(&self, src: &Storage) -> Result<Vec<u8>> {
        Python::attach(|py| {
            let r = region(py, src)?;
            let b = self.obj.bind(py).call_method1("download", (r,)).map_err(|e| core_err(py, e))?;
            let b = b.cast_into::<PyBytes>().map_err(|e| core_err(py, e.into()))?;
            Ok(b.as_bytes().to_vec())
        })
    }

    fn fill(&self, out: &Tensor, value: Scalar) -> Result<()> {
        Python::attach(|py| {
            self.obj.bind(py).call_method1("fill", (view(py, out)?, scalar(py, value))).map_err(|e| core_err(py, e))?;
            Ok(())
        })
    }

    fn unary(&self, op: &str, out: &Tensor, a: &Tensor) -> Result<()> {
        Python::attach(|py| {
            self.obj.bind(py).call_method1("unary", (op, view(py, out)?, view(py, a)?)).map_err(|e| core_err(py, e))?;
            Ok(())
        })
    }

    fn binary(&self, op: &str, out: &Tensor, a: &Tensor, b: &Tensor, alpha: f64) -> Result<()> {
        Python::attach(|py| {
            self.obj.bind(py).call_method1("binary", (op, view(py, out)?, view(py, a)?, view(py, b)?, alpha)).map_err(|e| core_err(py, e))?;
            Ok(())
        })
    }

    fn ternary(&self, op: &str, out: &Tensor, a: &Tensor, b: &Tensor, c: &Tensor) -> Result<()> {
        Python::attach(|py| {
            let args = (op, view(py, out)?, view(py, a)?, view(py, b)?, view(py, c)?);
            self.obj.bind(py).call_method1("ternary", args).map_err(|e| core_err(py, e))?;
            Ok(())
        })
    }

    fn reduce(&self, op: &str, out: &Tensor, indices: Option<&Tensor>, a: &Tensor, dims: &[usize]) -> Result<()> {
        Python::attach(|py| {
            let idx = match indices {
                Some(i) => Some(view(py, i)?),
                None => None,
            };
            let dims = pyo3::types::PyTuple::new(py, dims).map_err(|e| core_err(py, e))?;
            self.obj.bind(py).call_method1("reduce", (op, view(py, out)?, idx, view(py, a)?, dims)).map_err(|e| core_err(py, e))?;
            Ok(())
        })
    }

    fn softmax(&self, op: &str, out: &Tensor, a: &Tensor, dim: usize) -> Result<()> {
        Python::attach(|py| {
            self.obj.bind(py).call_method1("softmax", (op, view(py, out)?, view(py, a)?, dim)).map_err(|e| core_err(py, e))?;
            Ok(())
        })
    }

    fn cross_entropy(&self, loss: &Tensor, lse: &Tensor, x: &Tensor, target: &Tensor, ignore_index: i64) -> Result<()> {
        Python::attach(|py| {
            let args = (view(py, loss)?, view(py, lse)?, view(py, x)?, view(py, target)?, ignore_index);
            self.obj.bind(py).call_method1("cross_entropy", args).map_err(|e| core_err(py, e))?;
            Ok(())
        })
    }

    fn cross_entropy_backward(&self, out: &Tensor, x: &Tensor, target: &Tensor, lse: &Tensor, g: &Tensor, ignore_index: i64) -> Result<()> {
        Python::attach(|py| {
            let args = (view(py, out)?, view(py, x)?, view(py, target)?, view(py, lse)?, view(py, g)?, ignore_index);
            self.obj.bind(py).call_method1("cross_entropy_backward", args).map_err(|e| core_err(py, e))?;
            Ok(())
        })
    }

    fn matmul(&self, out: &Tensor, a: &Tensor, b: &Tensor, alpha: f64, accumulate: bool) -> Result<()> {
        Python::attach(|py| {
            let args = (view(py, out)?, view(py, a)?, view(py, b)?, alpha, accumulate);
            self.obj.bind(py).call_method1("matmul", args).map_err(|e| core_err(py, e))?;
            Ok(())
        })
    }
}

/// Install the Python wgpu runtime as the core's wgpu backend (rstorch/__init__.py calls it;
/// it opens nothing).
#[pyfunction]
pub fn _register_wgpu_backend(backend: Py<PyAny>) {
    rstorch::backend::register(Box::new(PyBackend { obj: backend }));
}
