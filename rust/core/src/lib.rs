//! rstorch: the tensor core of rstorch, usable on its own from Rust.
//!
//! - [`dtype`]: element types and PyTorch's promotion rules
//! - [`layout`] / [`shape`]: shape, strides and offset; every view op computed without copying
//! - [`device`] / [`storage`]: where the bytes live (cpu, meta, a GPU backend's buffers);
//!   reference-counted buffers shared by views
//! - [`tensor`]: a dtype + storage + layout, with copies, conversions and kernels

pub mod allocator;
pub mod device;
pub mod dtype;
pub mod error;
pub mod random;
pub mod iter;
pub mod ops;
pub mod parallel;
pub mod scalar;
pub mod storage;
pub mod tensor;
pub mod layout;
pub mod shape;

pub use device::Device;
pub use dtype::{DType, Element};
pub use error::{Error, Result};
pub use layout::Layout;
pub use scalar::Scalar;
pub use storage::Storage;
pub use tensor::Tensor;
