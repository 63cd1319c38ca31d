//! The one place where core errors become Python exceptions.
//!
//! `rstorch::Error` and `PyErr` are both foreign to this crate, so conversions go through the
//! local `PyTorchErr` (the pattern polars uses); `?` on a core `Result` inside a binding just works.

use pyo3::exceptions::{PyIndexError, PyNotImplementedError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::PyErr;
use rstorch::Error;

// torch.linalg.LinAlgError (torch._C._LinAlgError): a RuntimeError raised by linalg on valid
// input it cannot handle (a singular matrix).
pyo3::create_exception!(_C, _LinAlgError, PyRuntimeError);

pub struct PyTorchErr(pub Error);

impl From<Error> for PyTorchErr {
    fn from(e: Error) -> Self {
        PyTorchErr(e)
    }
}

impl From<PyTorchErr> for PyErr {
    fn from(e: PyTorchErr) -> PyErr {
        let msg = e.0.to_string();
        match e.0 {
            Error::DimOutOfRange { .. } | Error::IndexOutOfRange { .. } | Error::Index(_) => PyIndexError::new_err(msg),
            Error::Type(_) => PyTypeError::new_err(msg),
            Error::Value(_) => PyValueError::new_err(msg),
            Error::UnsupportedDType { .. } | Error::NotImplemented(_) | Error::NoHostData(_) => PyNotImplementedError::new_err(msg),
            Error::BroadcastMismatch { .. } | Error::Runtime(_) => PyRuntimeError::new_err(msg),
            Error::LinAlg(_) => _LinAlgError::new_err(msg),
        }
    }
}

/// Convert a core result for a binding.
pub trait IntoPy<T> {
    fn py_err(self) -> pyo3::PyResult<T>;
}

impl<T> IntoPy<T> for rstorch::Result<T> {
    #[inline]
    fn py_err(self) -> pyo3::PyResult<T> {
        self.map_err(|e| PyTorchErr(e).into())
    }
}
