//! Device backends: who allocates a device storage and runs an op on it.
//!
//! The core keeps every layout, broadcast, promotion and output-shape computation for all
//! devices: an op on a backend device computes its output's metadata exactly as on the CPU or
//! meta device, allocates the output's storage through [`Backend::alloc`] (an opaque handle the
//! storage owns), then calls the backend's entry point with the tensors (storage + layout +
//! dtype). The backend only launches kernels. The Python bindings register the wgpu backend
//! ([`register`]); an op the backend has no kernel for fails with [`not_implemented`].

use std::any::Any;
use std::sync::OnceLock;

use crate::device::Device;
use crate::error::{Error, Result};
use crate::scalar::Scalar;
use crate::storage::Storage;
use crate::tensor::Tensor;

/// One device backend (today: wgpu, implemented by the Python bindings).
pub trait Backend: Send + Sync {
    /// A buffer of `nbytes` on `device` (zero-filled when `zeroed`), owned by the storage.
    fn alloc(&self, device: Device, nbytes: usize, zeroed: bool) -> Result<Box<dyn Any + Send + Sync>>;
    /// Write `bytes` at `byte_offset` into the device storage `dst` (queued work goes first).
    fn upload(&self, dst: &Storage, byte_offset: usize, bytes: &[u8]) -> Result<()>;
    /// All bytes of the device storage `src` (a sync point).
    fn download(&self, src: &Storage) -> Result<Vec<u8>>;
    /// Set every element of `out` (any layout) to `value`.
    fn fill(&self, out: &Tensor, value: Scalar) -> Result<()>;
    /// `out = op(a)`, `a` broadcast to `out`'s shape; "copy" is the layout copy.
    fn unary(&self, op: &str, out: &Tensor, a: &Tensor) -> Result<()>;
    /// `out = op(a, b)`, both broadcast to `out`'s shape (add/sub: `a + alpha * b`).
    fn binary(&self, op: &str, out: &Tensor, a: &Tensor, b: &Tensor, alpha: f64) -> Result<()>;
}

static WGPU: OnceLock<Box<dyn Backend>> = OnceLock::new();

/// Install the wgpu backend (once; later calls are ignored).
pub fn register(backend: Box<dyn Backend>) {
    let _ = WGPU.set(backend);
}

/// The backend of `device`.
pub fn get(device: Device) -> Result<&'static dyn Backend> {
    match device {
        Device::Wgpu(_) => WGPU.get().map(|b| b.as_ref()).ok_or_else(|| Error::NotImplemented("no wgpu backend is registered".into())),
        d => Err(Error::NotImplemented(format!("device {d} has no backend"))),
    }
}

/// Whether `device`'s ops run through a backend.
#[inline]
pub fn is_backend(device: Device) -> bool {
    matches!(device, Device::Wgpu(_))
}

/// torch's error for an op without a kernel for a device.
pub fn not_implemented(op: &str, device: Device) -> Error {
    Error::NotImplemented(format!("Could not run 'aten::{op}' with arguments from the '{}' backend.", device.type_name()))
}

/// A CPU tensor operand of a device op (a 0-dim one, or a scalar made into a tensor) moved to
/// `device` without a sync (a queued fill).
pub(crate) fn on_device(t: &Tensor, device: Device) -> Result<Tensor> {
    if t.device() == device {
        return Ok(t.clone());
    }
    Tensor::full_on(&[], t.item()?, t.dtype(), device)
}

/// A binary elementwise op on a backend device: output laid out as the CPU path lays it out.
pub(crate) fn binary(op: &str, a: &Tensor, b: &Tensor, dtype: crate::dtype::DType, device: Device) -> Result<Tensor> {
    let (a, b) = (on_device(a, device)?, on_device(b, device)?);
    let shape = crate::shape::broadcast_shapes(a.shape(), b.shape())?;
    let out = Tensor::empty_for(&shape, &[&a, &b], dtype, device)?;
    get(device)?.binary(op, &out, &a, &b, 1.0)?;
    Ok(out)
}

/// An op's torch-style name from its Debug form ("Relu" -> "relu", "Round { .. }" -> "round").
pub(crate) fn op_name(op: impl std::fmt::Debug) -> String {
    let s = format!("{op:?}");
    s.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("").to_lowercase()
}

/// The dtypes a backend device stores: float64 (and complex128) need `shader-f64`, which no
/// kernel uses yet, so they are refused with a clear error (MPS does the same).
pub(crate) fn check_dtype(dtype: crate::dtype::DType, device: Device) -> Result<()> {
    use crate::dtype::DType;
    if dtype == DType::Float64 {
        return Err(Error::runtime(format!(
            "Cannot create a {} tensor on the {} device: float64 is not supported on wgpu (no shader-f64 kernels); use float32",
            dtype.name(),
            device.type_name()
        )));
    }
    Ok(())
}
