//! The crate's one error type. Each variant says which Python exception it becomes
//! (the bindings map them in one place), and messages are worded like PyTorch's so
//! users recognise them.

use std::borrow::Cow;

use crate::dtype::DType;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    // ---- index errors (Python `IndexError`) ----
    /// A dimension index outside `[-ndim, ndim - 1]`.
    #[error("Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")]
    DimOutOfRange { dim: i64, lo: i64, hi: i64 },
    /// An element index outside a dimension's size.
    #[error("index {index} is out of bounds for dimension {dim} with size {size}")]
    IndexOutOfRange { index: i64, dim: usize, size: usize },
    /// Any other indexing error, with its message.
    #[error("{0}")]
    Index(String),

    // ---- shape errors (Python `RuntimeError`) ----
    /// Two shapes that cannot be broadcast together.
    #[error("The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton dimension {dim}")]
    BroadcastMismatch { a: usize, b: usize, dim: usize },
    /// A runtime error with its message (shape mismatches, invalid views...).
    #[error("{0}")]
    Runtime(String),
    /// A linear-algebra failure on valid input (a singular matrix): torch's `LinAlgError`, a
    /// `RuntimeError` subclass.
    #[error("{0}")]
    LinAlg(String),

    // ---- argument errors ----
    /// Python `TypeError`: an argument of the wrong kind.
    #[error("{0}")]
    Type(String),
    /// Python `ValueError`: an argument with a bad value.
    #[error("{0}")]
    Value(String),

    // ---- missing kernels (Python `NotImplementedError`) ----
    /// A kernel torch has no instance of for a dtype: `"bitwise_and_cpu" not implemented for
    /// 'Float'` (`op` is the name torch's dispatch macro reports, often not the op's own name).
    #[error("\"{op}\" not implemented for '{dtype}'")]
    UnsupportedDType { op: Cow<'static, str>, dtype: DType },
    /// Any other unsupported input, with torch's message ("Boolean inputs not supported for relu").
    #[error("{0}")]
    NotImplemented(String),
    /// Host access to the bytes of a tensor that has none here: a meta tensor (no data at all)
    /// or a GPU tensor (its bytes belong to the backend). Kernels never get that far for ops
    /// that support the device; this is what every other op raises.
    #[error("{}", no_host_data_message(*.0))]
    NoHostData(crate::device::Device),
}

fn no_host_data_message(d: crate::device::Device) -> String {
    match d {
        crate::device::Device::Meta => "Could not run this operator on the 'meta' device: its result depends on the tensor's data, and meta tensors have none (they carry only shape, dtype and strides)".to_string(),
        d => format!("This operator cannot run on a tensor on device '{d}' here: its data is not in host memory (copy it with .cpu() first)"),
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Return early with an `Error::Runtime` built like `format!`.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => { return Err($crate::Error::Runtime(format!($($arg)*))) };
}

impl Error {
    pub fn runtime(msg: impl Into<String>) -> Self {
        Error::Runtime(msg.into())
    }
    pub fn index(msg: impl Into<String>) -> Self {
        Error::Index(msg.into())
    }
    pub fn type_error(msg: impl Into<String>) -> Self {
        Error::Type(msg.into())
    }
    pub fn value(msg: impl Into<String>) -> Self {
        Error::Value(msg.into())
    }
    /// `"op" not implemented for 'dtype'` (see `Error::UnsupportedDType`).
    pub fn unsupported(op: impl Into<Cow<'static, str>>, dtype: DType) -> Self {
        Error::UnsupportedDType { op: op.into(), dtype }
    }
}
