//! `TensorBase`: the Rust base class of `rstorch.Tensor`.
//!
//! The hot paths (operators, metadata, views, conversions) live here so a small op costs a few
//! hundred nanoseconds; the Python subclass adds the rest of the API. Results are created as
//! instances of the registered Python subclass by calling this class's `tp_new` with the subclass
//! as the type (what `TensorBase.__new__(Tensor)` does), which skips the Python-level `__new__`
//! and `__init__`.
//!
//! Every op binding in the family modules (unary.rs, reduce.rs, ...) goes through the op gateway,
//! crate::dispatch: the binding parses its arguments and hands a [`Call`](crate::dispatch::Call)
//! and a kernel closure to `dispatch::run` (or `run_inplace`, `run_with`, `compute`), which
//! routes the call to its device's implementation, releases the GIL for large work, converts
//! core errors once, wraps the result and records autograd.
//!
//! Autograd lives in Python, with a native fast path for the hot ops (crate::autograd). An op
//! always computes its result here; when grad mode is on and an input requires grad, the
//! gateway's `finish` then attaches the graph node of `(name, args, kwargs, result)`: natively
//! when the op has a native rule, else through the registered Python recorder (either way the
//! node keeps exactly what the user passed). In-place ops on tensors that track grad go to the
//! Python in-place path instead (`dispatch::inplace_py`), which checks leaves and versions and
//! rebases the history.
//!
//! A view remembers its base (torch's `_base`), so an in-place op on the view can give the base
//! a history (CopySlices), and a view whose storage was written in place through another tensor
//! regenerates its `grad_fn` from the base's history when next read ([`refresh_view`], torch's
//! lazy view-grad_fn regeneration). It also remembers how it was made (torch's CreationMeta):
//! views made in no_grad or inference mode, the outputs of multi-view ops (split, chunk,
//! unbind) and views returned by a custom Function may not be modified in place while autograd
//! would have to track it.
//!
//! This file holds the class itself, wrapping core tensors, metadata and conversions;
//! `history.rs` the autograd fields and the bookkeeping of views; `state.rs` the registry of
//! Python objects and grad mode; the other files one op family each.

pub mod conv;
pub mod creation;
pub mod elementwise;
pub use elementwise::can_cast;
mod history;
pub use history::{creation_meta, refresh_view, wrap_view};
pub mod index;
pub mod linalg;
pub mod movement;
pub mod nn;
pub mod optim;
pub mod pool;
pub mod reduce;
pub mod sort;
mod state;
pub use state::{_register, _set_grad_enabled, _set_inference_mode, grad_enabled, is_grad_enabled, is_inference_mode_enabled, registry};
mod ternary;
pub mod unary;
mod views;

/// Register every op family's module-level functions.
pub fn register_ops(m: &Bound<'_, PyModule>) -> PyResult<()> {
    ternary::register(m)?;
    conv::register(m)?;
    reduce::register(m)?;
    linalg::register(m)?;
    index::register(m)?;
    movement::register(m)?;
    sort::register(m)?;
    nn::register(m)?;
    pool::register(m)?;
    optim::register(m)?;
    Ok(())
}

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};
use pyo3::{ffi, PyTraverseError, PyVisit};
use rstorch::Tensor;

use crate::convert::dtype_object;
use crate::dispatch::{self, Call};
use crate::error::IntoPy;

#[pyclass(subclass, name = "TensorBase", module = "rstorch._C", weakref)]
pub struct PyTensor {
    pub t: Tensor,
    pub requires_grad: bool,
    pub grad: Option<Py<PyAny>>,
    pub grad_fn: Option<Py<PyAny>>,
    /// Which output of `grad_fn` this tensor is (multi-output ops such as split).
    pub output_nr: u32,
    /// For a view made by a view op in grad mode: the tensor owning the storage (torch's
    /// `_base`; always a non-view, also for views of views).
    pub base: Option<Py<PyTensor>>,
    /// The storage version when `grad_fn` was last set (or the view made): a view seeing a
    /// newer version may have been written through its base or another view.
    pub view_version: u64,
    /// A weak reference to this leaf's AccumulateGrad node, shared by the graphs that hold it.
    pub grad_acc: Option<Py<pyo3::types::PyWeakrefReference>>,
    /// For a view: how it was made (`creation_meta::*`).
    pub creation_meta: u8,
}

static EMPTY_TUPLE: PyOnceLock<Py<PyTuple>> = PyOnceLock::new();

/// Wrap a core tensor as a new Python `Tensor`.
pub fn wrap(py: Python<'_>, t: Tensor) -> PyResult<Bound<'_, PyAny>> {
    let reg = registry(py)?;
    let base = py.get_type::<PyTensor>();
    let args = EMPTY_TUPLE.get_or_init(py, || PyTuple::empty(py).unbind());
    // SAFETY: TensorBase is a heap type, so Py_tp_new can be read from it; calling it with a
    // subtype is what `TensorBase.__new__(subtype)` does.
    let obj = unsafe {
        let new = ffi::PyType_GetSlot(base.as_type_ptr(), ffi::Py_tp_new);
        let new: ffi::newfunc = std::mem::transmute(new);
        let raw = new(reg.tensor_type.as_ptr() as *mut ffi::PyTypeObject, args.as_ptr(), std::ptr::null_mut());
        Bound::from_owned_ptr_or_err(py, raw)?
    };
    obj.cast::<PyTensor>()?.borrow_mut().t = t;
    Ok(obj)
}

pub fn wrap_all(py: Python<'_>, ts: Vec<Tensor>) -> PyResult<Bound<'_, PyTuple>> {
    let items = ts.into_iter().map(|t| wrap(py, t)).collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, items)
}

/// The Python `Size` of a shape.
fn size_object<'py>(py: Python<'py>, shape: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    let tup = PyTuple::new(py, shape)?;
    registry(py)?.size_type.bind(py).call1((tup,))
}


/// Borrow the core tensor of a Python tensor argument.
pub fn tensor_of(obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    match obj.cast::<PyTensor>() {
        Ok(t) => Ok(t.try_borrow()?.t.clone()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "expected Tensor as argument, but got {}",
            obj.get_type().name()?
        ))),
    }
}

#[pymethods]
impl PyTensor {
    /// An empty float tensor; Python constructors fill it in with `_set`.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn __new__(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Ok(PyTensor {
            t: Tensor::empty(&[0], rstorch::ops::default_float()).py_err()?,
            requires_grad: false,
            grad: None,
            grad_fn: None,
            output_nr: 0,
            base: None,
            view_version: 0,
            grad_acc: None,
            creation_meta: creation_meta::DEFAULT,
        })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Some(g) = &self.grad {
            visit.call(g)?;
        }
        if let Some(f) = &self.grad_fn {
            visit.call(f)?;
        }
        if let Some(b) = &self.base {
            visit.call(b)?;
        }
        if let Some(w) = &self.grad_acc {
            visit.call(w)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.grad = None;
        self.grad_fn = None;
        self.base = None;
        self.grad_acc = None;
    }

    /// Make this tensor a view of `other`'s data (same storage and layout).
    fn _set(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        // `other` is read before `slf` is borrowed mutably: `t.data = t` is the same object
        let t = tensor_of(other)?;
        slf.borrow_mut().t = t;
        Ok(())
    }

    // ------------------------------------------------------------ metadata

    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        size_object(py, self.t.shape())
    }

    #[pyo3(signature = (dim=None))]
    fn size<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        match dim {
            None => size_object(py, self.t.shape()),
            Some(d) => {
                let d = rstorch::shape::normalize_dim(d, self.t.ndim()).py_err()?;
                Ok(self.t.shape().get(d).copied().unwrap_or(1).into_pyobject(py)?.into_any())
            }
        }
    }

    #[pyo3(signature = (dim=None))]
    fn stride<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        match dim {
            None => Ok(PyTuple::new(py, self.t.strides())?.into_any()),
            Some(d) => {
                let d = rstorch::shape::normalize_dim(d, self.t.ndim()).py_err()?;
                Ok(self.t.strides().get(d).copied().unwrap_or(1).into_pyobject(py)?.into_any())
            }
        }
    }

    fn dim(&self) -> usize {
        self.t.ndim()
    }
    fn ndimension(&self) -> usize {
        self.t.ndim()
    }
    #[getter]
    fn ndim(&self) -> usize {
        self.t.ndim()
    }
    fn numel(&self) -> usize {
        self.t.numel()
    }
    fn nelement(&self) -> usize {
        self.t.numel()
    }
    #[getter]
    fn dtype(&self, py: Python<'_>) -> Py<crate::convert::PyDType> {
        dtype_object(py, self.t.dtype())
    }
    fn storage_offset(&self) -> usize {
        self.t.offset()
    }
    #[pyo3(signature = (memory_format=None))]
    fn is_contiguous(&self, memory_format: Option<&Bound<'_, PyAny>>) -> bool {
        let _ = memory_format;
        self.t.is_contiguous()
    }
    fn element_size(&self) -> usize {
        self.t.dtype().itemsize()
    }
    #[getter]
    fn itemsize(&self) -> usize {
        self.t.dtype().itemsize()
    }
    #[getter]
    fn nbytes(&self) -> usize {
        self.t.numel() * self.t.dtype().itemsize()
    }
    fn is_floating_point(&self) -> bool {
        self.t.dtype().is_floating_point()
    }
    fn is_complex(&self) -> bool {
        false
    }
    fn is_signed(&self) -> bool {
        self.t.dtype().is_signed()
    }
    /// Address of the first element (like torch's data_ptr; 0 for a tensor without host
    /// memory, as torch's meta tensors report).
    fn data_ptr(&self) -> usize {
        match self.t.storage().data_ptr() as usize {
            0 => 0,
            p => p + self.t.offset() * self.t.dtype().itemsize(),
        }
    }
    /// The device as torch spells it: "cpu", "meta", "wgpu:0" (Python's `Tensor.device` makes
    /// the device object).
    #[getter]
    fn _device(&self) -> String {
        self.t.device().to_string()
    }
    #[getter]
    fn is_meta(&self) -> bool {
        self.t.is_meta()
    }
    #[getter]
    fn is_cpu(&self) -> bool {
        self.t.device() == rstorch::Device::Cpu
    }
    /// The core device move (`to(device)`); returns self when already there.
    fn _to_device<'py>(slf: &Bound<'py, Self>, device: &str) -> PyResult<Bound<'py, PyAny>> {
        let d = rstorch::Device::parse(device).py_err()?;
        let me = slf.borrow();
        if d == me.t.device() {
            return Ok(slf.clone().into_any());
        }
        let (src, tracked) = (me.t.clone(), me.tracks_grad());
        drop(me);
        let py = slf.py();
        let args = || PyTuple::new(py, [slf.clone().into_any(), device.into_pyobject(py)?.into_any()]);
        dispatch::run(py, Call::on("_to_device", tracked, &src), args, None, || src.to_device(d))
    }
    /// Address of the storage's first byte (identity of the storage).
    fn _storage_ptr(&self) -> usize {
        self.t.storage().data_ptr() as usize
    }
    fn _storage_nbytes(&self) -> usize {
        self.t.storage().nbytes()
    }
    #[getter]
    fn _version(&self) -> PyResult<u64> {
        if self.t.storage().is_inference() {
            return Err(PyRuntimeError::new_err("Inference tensors do not track version counter."));
        }
        Ok(self.t.storage().version())
    }
    fn _bump_version(&self) {
        self.t.storage().bump_version()
    }
    #[getter]
    fn _is_view_of_writable(&self) -> bool {
        self.t.storage().is_writable()
    }

    // ------------------------------------------------------------ conversions

    fn item<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        scalar_to_py(py, self.t.item().py_err()?)
    }

    /// The core dtype conversion (`to(dtype)`); returns self when the dtype matches.
    fn _to_dtype<'py>(slf: &Bound<'py, Self>, dtype: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let d = crate::convert::extract_dtype(dtype)?;
        let me = slf.borrow();
        if d == me.t.dtype() {
            return Ok(slf.clone().into_any());
        }
        let (src, tracked) = (me.t.clone(), me.tracks_grad());
        drop(me);
        let py = slf.py();
        let args = || PyTuple::new(py, [slf.clone().into_any(), dtype.clone()]);
        dispatch::run(py, Call::on("_to_dtype", tracked, &src), args, None, || src.copy_preserving(d))
    }

    /// Everything a buffer export needs: (address, shape, byte strides, dtype name, writable).
    fn _array_interface(&self) -> (usize, Vec<usize>, Vec<usize>, &'static str, bool) {
        let item = self.t.dtype().itemsize();
        (
            self.data_ptr(),
            self.t.shape().to_vec(),
            self.t.strides().iter().map(|s| s * item).collect(),
            self.t.dtype().name(),
            self.t.storage().is_writable(),
        )
    }
}

fn scalar_to_py(py: Python<'_>, s: rstorch::Scalar) -> PyResult<Bound<'_, PyAny>> {
    Ok(match s {
        rstorch::Scalar::Bool(b) => pyo3::types::PyBool::new(py, b).to_owned().into_any(),
        rstorch::Scalar::Int(i) => i.into_pyobject(py)?.into_any(),
        rstorch::Scalar::Float(f) => f.into_pyobject(py)?.into_any(),
    })
}
