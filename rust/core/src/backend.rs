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
    /// `out = op(a, b, c)`, all broadcast to `out`'s shape ("where": `a` the bool condition).
    fn ternary(&self, op: &str, out: &Tensor, _a: &Tensor, _b: &Tensor, _c: &Tensor) -> Result<()> {
        Err(not_implemented(op, out.device()))
    }
    /// The reduction `op` of `a` over `dims` into `out` (and the int64 `indices` of argmax-like
    /// ops); both come with keepdim's shape, so every dim of `a` has one in `out`.
    fn reduce(&self, op: &str, out: &Tensor, _indices: Option<&Tensor>, _a: &Tensor, _dims: &[usize]) -> Result<()> {
        Err(not_implemented(op, out.device()))
    }
    /// `out = softmax(a, dim)` or `log_softmax` (`op`), same shapes.
    fn softmax(&self, op: &str, out: &Tensor, _a: &Tensor, _dim: usize) -> Result<()> {
        Err(not_implemented(op, out.device()))
    }
    /// `out = alpha * a @ b` (`out += ...` when `accumulate`) for `batch + [m, k]` and
    /// `batch + [k, n]` with equal (already broadcast) batch dims.
    fn matmul(&self, out: &Tensor, _a: &Tensor, _b: &Tensor, _alpha: f64, _accumulate: bool) -> Result<()> {
        Err(not_implemented("mm", out.device()))
    }
    /// Cross-entropy of logits `x` [N, C] against int64 `target` [N]: each row's loss (0 where
    /// the target is `ignore_index`) into `loss` and its log-sum-exp into `lse` (both [N]). An
    /// out-of-range target raises IndexError at the next sync point.
    fn cross_entropy(&self, loss: &Tensor, _lse: &Tensor, _x: &Tensor, _target: &Tensor, _ignore_index: i64) -> Result<()> {
        Err(not_implemented("cross_entropy_loss", loss.device()))
    }
    /// Its gradient: `out = g[r] * (softmax(x)[r] - onehot(target[r]))`, 0 on ignored rows.
    fn cross_entropy_backward(&self, out: &Tensor, _x: &Tensor, _target: &Tensor, _lse: &Tensor, _g: &Tensor, _ignore_index: i64) -> Result<()> {
        Err(not_implemented("cross_entropy_loss_backward", out.device()))
    }
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
    out.storage().backend_written();
    Ok(out)
}

/// A ternary elementwise op on a backend device (`where`), laid out as the CPU path lays it out.
pub(crate) fn ternary(op: &str, a: &Tensor, b: &Tensor, c: &Tensor, dtype: crate::dtype::DType) -> Result<Tensor> {
    let device = Device::common([a, b, c])?;
    let (a, b, c) = (on_device(a, device)?, on_device(b, device)?, on_device(c, device)?);
    let shape = crate::shape::broadcast_shapes_many(&[a.shape(), b.shape(), c.shape()])?;
    let out = Tensor::empty_for(&shape, &[&a, &b, &c], dtype, device)?;
    get(device)?.ternary(op, &out, &a, &b, &c)?;
    out.storage().backend_written();
    Ok(out)
}

/// A reduction over `dims` on a backend device: the output (and int64 indices when
/// `with_indices`) laid out as the CPU path lays them out, handed to the kernel with keepdim's
/// shape.
pub(crate) fn reduce(
    op: &str,
    t: &Tensor,
    dims: &[usize],
    keepdim: bool,
    dtype: crate::dtype::DType,
    with_indices: bool,
) -> Result<(Tensor, Option<Tensor>)> {
    let device = t.device();
    let shape = crate::ops::reduce::reduced_shape(t.shape(), dims, keepdim);
    let out = Tensor::empty_on(&shape, dtype, device)?;
    let idx = if with_indices { Some(Tensor::empty_on(&shape, crate::dtype::DType::Int64, device)?) } else { None };
    let kept: Vec<i64> = crate::ops::reduce::reduced_shape(t.shape(), dims, true).iter().map(|&s| s as i64).collect();
    let ko = out.reshape(&kept)?;
    let ki = match &idx {
        Some(i) => Some(i.reshape(&kept)?),
        None => None,
    };
    get(device)?.reduce(op, &ko, ki.as_ref(), t, dims)?;
    out.storage().backend_written();
    if let Some(i) = &idx {
        i.storage().backend_written();
    }
    Ok((out, idx))
}

/// softmax/log_softmax along `dim` on a backend device.
pub(crate) fn softmax(t: &Tensor, dim: usize, log: bool) -> Result<Tensor> {
    let out = Tensor::empty_on(t.shape(), t.dtype(), t.device())?;
    get(t.device())?.softmax(if log { "log_softmax" } else { "softmax" }, &out, t, dim)?;
    out.storage().backend_written();
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
