//! rstorch: the tensor core of rstorch, usable on its own from Rust.
//!
//! - [`dtype`]: element types and PyTorch's promotion rules
//! - [`layout`] / [`shape`]: shape, strides and offset; every view op computed without copying
//! - [`device`] / [`storage`]: where the bytes live (cpu, meta, a GPU backend's buffers);
//!   reference-counted buffers shared by views
//! - [`tensor`]: a dtype + storage + layout, with copies, conversions and kernels
//!
//! The modules form layers, each using only those below it (tests aside):
//! 1. vocabulary: `error`, `dtype`, `scalar`, `device`, `shape`, `parallel`, `allocator`,
//!    `simd` (CPU-feature dispatch), `halfconv` (float32 <-> 16-bit float slice conversions);
//! 2. geometry and memory: `layout`, `iter` (strided iteration plans), `storage`, `copy` (the
//!    strided copy kernel);
//! 3. `tensor`: the `Tensor` type, its views and data movers (no `ops::` module);
//! 4. `ops`: the kernel families, which build on `Tensor`.
//!
//! `random` (torch's CPU generators, filling plain slices) stands apart: it uses only `error`.

pub mod allocator;
pub mod backend;
mod copy;
pub mod device;
pub mod dtype;
pub mod error;
pub mod halfconv;
pub mod random;
pub mod iter;
pub mod ops;
pub mod parallel;
pub mod scalar;
pub mod storage;
pub mod tensor;
pub mod layout;
pub mod shape;
mod simd;

pub use device::Device;
pub use dtype::{DType, Element};
pub use error::{Error, Result};
pub use layout::Layout;
pub use scalar::Scalar;
pub use storage::Storage;
pub use tensor::Tensor;
