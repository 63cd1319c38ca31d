//! `Tensor`: a dtype, a shared `Storage` and a `Layout`.
//!
//! Cloning a `Tensor` is cheap (it clones the `Arc`); view ops return tensors that share the
//! storage with a new layout; `contiguous`, `to_dtype` and `copy_` are the data movers every
//! other kernel builds on.

use std::sync::Arc;

use crate::allocator;
use crate::device::Device;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::iter::Plan;
use crate::layout::Layout;
use crate::scalar::Scalar;
use crate::shape;
use crate::storage::Storage;

/// torch's error for reading a meta tensor's values into another device.
const META_COPY_OUT: &str = "Cannot copy out of meta tensor; no data! Please use torch.nn.Module.to_empty() instead of torch.nn.Module.to() when moving module from meta to a different device.";

#[derive(Clone)]
pub struct Tensor {
    storage: Arc<Storage>,
    layout: Layout,
    dtype: DType,
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tensor(shape={:?}, strides={:?}, offset={}, dtype={})", self.shape(), self.strides(), self.offset(), self.dtype.name())
    }
}

impl Tensor {
    // ---------------------------------------------------------------- construction

    /// A tensor over `storage` with `layout`; fails when the layout reaches past the storage.
    pub fn from_parts(storage: Arc<Storage>, layout: Layout, dtype: DType) -> Result<Tensor> {
        let need = allocator::storage_bytes(Some(layout.max_offset_plus_one()), dtype.itemsize(), layout.shape(), Some(layout.strides()))?;
        if need > storage.nbytes() {
            return Err(Error::runtime(format!(
                "setStorage: sizes {:?}, strides {:?}, storage offset {}, and itemsize {} requiring a storage size of {} are out of bounds for storage of size {}",
                layout.shape(), layout.strides(), layout.offset(), dtype.itemsize(), need, storage.nbytes()
            )));
        }
        Ok(Tensor { storage, layout, dtype })
    }

    /// A storage for `numel` elements of `dtype` on `device` (a meta one allocates nothing);
    /// `numel` None (it overflowed), or too many bytes, is torch's overflow error naming `sizes`.
    fn new_storage(numel: Option<usize>, sizes: &[usize], strides: Option<&[usize]>, dtype: DType, device: Device, zeroed: bool) -> Result<Arc<Storage>> {
        let nbytes = allocator::storage_bytes(numel, dtype.itemsize(), sizes, strides)?;
        Ok(Arc::new(match device {
            Device::Cpu if zeroed => Storage::zeroed(nbytes)?,
            Device::Cpu => Storage::uninit(nbytes)?,
            Device::Meta => Storage::meta(nbytes),
            d => {
                crate::backend::check_dtype(dtype, d)?;
                let s = Storage::from_backend(d, nbytes, crate::backend::get(d)?.alloc(d, nbytes, zeroed)?);
                if zeroed {
                    s.backend_written(); // zero-filled at allocation: that was its creation
                }
                s
            }
        }))
    }

    /// A contiguous CPU tensor whose contents the caller fills completely.
    pub fn empty(shape: &[usize], dtype: DType) -> Result<Tensor> {
        Tensor::empty_on(shape, dtype, Device::Cpu)
    }

    /// A contiguous tensor on `device` (an op's output: on `Meta` it has no data, and the op
    /// stops after computing its shape). GPU storages are made by their backend.
    pub fn empty_on(shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
        let storage = Tensor::new_storage(shape::checked_numel(shape).ok(), shape, None, dtype, device, false)?;
        Ok(Tensor { storage, layout: Layout::contiguous(shape), dtype })
    }

    /// An elementwise op's output over `operands` (broadcast to `shape`): laid out in their
    /// memory order as torch's TensorIterator lays it out (`Layout::elementwise_strides`);
    /// contiguous when every operand is, decided without sorting (the common case).
    pub fn empty_for(shape: &[usize], operands: &[&Tensor], dtype: DType, device: Device) -> Result<Tensor> {
        if operands.iter().all(|t| t.is_contiguous()) || shape.contains(&0) {
            return Tensor::empty_on(shape, dtype, device);
        }
        let strides: smallvec::SmallVec<[shape::Dims; 3]> = operands
            .iter()
            .map(|t| if t.shape() == shape { Ok(t.strides().into()) } else { t.layout.broadcast_to(shape).map(|l| l.strides().into()) })
            .collect::<Result<_>>()?;
        let refs: smallvec::SmallVec<[&[usize]; 3]> = strides.iter().map(|s| s.as_slice()).collect();
        match crate::layout::elementwise_strides(shape, &refs) {
            None => Tensor::empty_on(shape, dtype, device),
            Some(st) => {
                let storage = Tensor::new_storage(shape::checked_numel(shape).ok(), shape, None, dtype, device, false)?;
                Ok(Tensor { storage, layout: Layout::new(shape.into(), st, 0), dtype })
            }
        }
    }

    pub fn zeros(shape: &[usize], dtype: DType) -> Result<Tensor> {
        Tensor::zeros_on(shape, dtype, Device::Cpu)
    }

    pub fn zeros_on(shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
        let storage = Tensor::new_storage(shape::checked_numel(shape).ok(), shape, None, dtype, device, true)?;
        Ok(Tensor { storage, layout: Layout::contiguous(shape), dtype })
    }

    pub fn full(shape: &[usize], value: Scalar, dtype: DType) -> Result<Tensor> {
        Tensor::full_on(shape, value, dtype, Device::Cpu)
    }

    pub fn full_on(shape: &[usize], value: Scalar, dtype: DType, device: Device) -> Result<Tensor> {
        let t = Tensor::empty_on(shape, dtype, device)?;
        t.fill_(value)?;
        Ok(t)
    }

    /// A tensor of `size` and `stride` on `device` over a fresh zero-filled storage just big
    /// enough (torch's `empty_strided`, without uninitialised memory).
    pub fn zeros_strided_on(size: &[usize], stride: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
        let layout = Layout::new(size.into(), stride.into(), 0);
        let n = shape::checked_numel(size).ok().map(|_| layout.max_offset_plus_one());
        let storage = Tensor::new_storage(n, size, Some(stride), dtype, device, true)?;
        Ok(Tensor { storage, layout, dtype })
    }

    pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Result<Tensor> {
        Tensor::from_slice(&data, shape)
    }

    pub fn from_slice<T: Element>(data: &[T], shape: &[usize]) -> Result<Tensor> {
        let n = shape::checked_numel(shape)?;
        if n != data.len() {
            return Err(Error::runtime(format!("shape {shape:?} is invalid for input of size {}", data.len())));
        }
        let t = Tensor::empty(shape, T::DTYPE)?;
        {
            let g = t.storage.write()?;
            // SAFETY: fresh storage of exactly n elements of T, aligned for T.
            unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), g.ptr() as *mut T, n) };
        }
        Ok(t)
    }

    /// A 0-dim tensor holding `value`.
    pub fn scalar(value: Scalar, dtype: DType) -> Result<Tensor> {
        Tensor::full(&[], value, dtype)
    }

    // ---------------------------------------------------------------- metadata

    pub fn dtype(&self) -> DType {
        self.dtype
    }
    pub fn layout(&self) -> &Layout {
        &self.layout
    }
    pub fn shape(&self) -> &[usize] {
        self.layout.shape()
    }
    pub fn strides(&self) -> &[usize] {
        self.layout.strides()
    }
    pub fn offset(&self) -> usize {
        self.layout.offset()
    }
    pub fn ndim(&self) -> usize {
        self.layout.ndim()
    }
    pub fn numel(&self) -> usize {
        self.layout.numel()
    }
    pub fn is_contiguous(&self) -> bool {
        self.layout.is_contiguous()
    }
    pub fn storage(&self) -> &Arc<Storage> {
        &self.storage
    }
    pub fn device(&self) -> Device {
        self.storage.device()
    }
    /// A meta tensor: shape, dtype and strides, no data. Ops stop after computing their output.
    pub fn is_meta(&self) -> bool {
        self.device() == Device::Meta
    }
    pub fn shares_storage(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.storage, &other.storage)
    }

    /// The same storage seen through another layout (no copy).
    pub fn with_layout(&self, layout: Layout) -> Tensor {
        Tensor { storage: self.storage.clone(), layout, dtype: self.dtype }
    }

    // ---------------------------------------------------------------- views

    pub fn view(&self, shape: &[i64]) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.view(shape)?))
    }

    /// A view when the strides allow it, else a contiguous copy (torch's reshape).
    pub fn reshape(&self, shape: &[i64]) -> Result<Tensor> {
        let target = shape::infer_size(shape, self.numel())?;
        match self.layout.try_view(&target) {
            Some(l) => Ok(self.with_layout(l)),
            None => Ok(self.contiguous()?.with_layout(Layout::contiguous(&target))),
        }
    }

    pub fn permute(&self, dims: &[i64]) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.permute(dims)?))
    }
    pub fn transpose(&self, d0: i64, d1: i64) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.transpose(d0, d1)?))
    }
    pub fn t(&self) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.t()?))
    }
    pub fn expand(&self, shape: &[i64]) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.expand(shape)?))
    }
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.broadcast_to(shape)?))
    }
    pub fn squeeze(&self, dims: Option<&[i64]>) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.squeeze(dims)?))
    }
    pub fn unsqueeze(&self, dim: i64) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.unsqueeze(dim)?))
    }
    pub fn flatten(&self, start: i64, end: i64) -> Result<Tensor> {
        let target = self.layout.flatten_shape(start, end)?;
        let target: Vec<i64> = target.iter().map(|&s| s as i64).collect();
        self.reshape(&target)
    }
    pub fn unflatten(&self, dim: i64, sizes: &[i64]) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.unflatten(dim, sizes)?))
    }
    pub fn narrow(&self, dim: i64, start: i64, length: i64) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.narrow(dim, start, length)?))
    }
    pub fn select(&self, dim: i64, index: i64) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.select(dim, index)?))
    }
    pub fn slice(&self, dim: i64, start: Option<i64>, stop: Option<i64>, step: i64) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.slice(dim, start, stop, step)?))
    }
    pub fn as_strided(&self, size: &[usize], stride: &[usize], offset: Option<usize>) -> Result<Tensor> {
        let l = self.layout.as_strided(size, stride, offset.unwrap_or(self.offset()))?;
        Tensor::from_parts(self.storage.clone(), l, self.dtype)
    }
    pub fn unfold(&self, dim: i64, size: i64, step: i64) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.unfold(dim, size, step)?))
    }
    pub fn split(&self, split_size: usize, dim: i64) -> Result<Vec<Tensor>> {
        Ok(self.layout.split(dim, split_size)?.into_iter().map(|l| self.with_layout(l)).collect())
    }
    pub fn split_with_sizes(&self, sizes: &[usize], dim: i64) -> Result<Vec<Tensor>> {
        Ok(self.layout.split_with_sizes(dim, sizes)?.into_iter().map(|l| self.with_layout(l)).collect())
    }
    pub fn chunk(&self, chunks: usize, dim: i64) -> Result<Vec<Tensor>> {
        Ok(self.layout.chunk(chunks, dim)?.into_iter().map(|l| self.with_layout(l)).collect())
    }
    pub fn unbind(&self, dim: i64) -> Result<Vec<Tensor>> {
        Ok(self.layout.unbind(dim)?.into_iter().map(|l| self.with_layout(l)).collect())
    }
    pub fn movedim(&self, src: &[i64], dst: &[i64]) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.movedim(src, dst)?))
    }
    pub fn diagonal(&self, offset: i64, d1: i64, d2: i64) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.diagonal(offset, d1, d2)?))
    }

    /// Reinterpret the bytes as another dtype (`view(dtype)`). With a different element size the
    /// last dim must be contiguous and its byte extent divisible by the new size, as in torch.
    pub fn view_dtype(&self, dtype: DType) -> Result<Tensor> {
        let (old, new) = (self.dtype.itemsize(), dtype.itemsize());
        if old == new {
            return Ok(Tensor { storage: self.storage.clone(), layout: self.layout.clone(), dtype });
        }
        let nd = self.ndim();
        if nd == 0 {
            return Err(Error::runtime(format!(
                "self.dim() cannot be 0 to view {} as {} (different element sizes)",
                self.dtype.scalar_type_name(), dtype.scalar_type_name()
            )));
        }
        if self.strides()[nd - 1] != 1 && self.shape()[nd - 1] != 1 {
            return Err(Error::runtime("self.stride(-1) must be 1 to view ".to_string() + self.dtype.scalar_type_name() + " as " + dtype.scalar_type_name() + " (different element sizes), but got " + &self.strides()[nd - 1].to_string()));
        }
        let last_bytes = self.shape()[nd - 1] * old;
        let off_bytes = self.offset() * old;
        if last_bytes % new != 0 || off_bytes % new != 0 || self.strides()[..nd - 1].iter().any(|s| (s * old) % new != 0) {
            return Err(Error::runtime(format!(
                "self.size(-1) must be divisible by {} to view {} as {} (different element sizes), but got {}",
                new / old.min(new), self.dtype.scalar_type_name(), dtype.scalar_type_name(), self.shape()[nd - 1]
            )));
        }
        let mut shape: crate::shape::Dims = self.shape().into();
        let mut strides: crate::shape::Dims = self.strides().iter().map(|s| s * old / new).collect();
        shape[nd - 1] = last_bytes / new;
        strides[nd - 1] = 1;
        Ok(Tensor { storage: self.storage.clone(), layout: Layout::new(shape, strides, off_bytes / new), dtype })
    }

    // ---------------------------------------------------------------- data movement

    /// `self` when already contiguous, else a contiguous copy.
    pub fn contiguous(&self) -> Result<Tensor> {
        if self.is_contiguous() {
            return Ok(self.clone());
        }
        self.copy_as(self.dtype)
    }

    /// A new contiguous tensor with this one's values converted to `dtype`.
    pub fn copy_as(&self, dtype: DType) -> Result<Tensor> {
        let out = Tensor::empty_on(self.shape(), dtype, self.device())?;
        out.copy_(self)?;
        Ok(out)
    }

    /// A new tensor of `dtype` for `self`'s values to be written into, laid out like `self`
    /// (torch's `preserve_format`, see [`Layout::preserved_strides`]: the copy of a transposed
    /// tensor is transposed too, and copying it is one straight pass).
    pub fn empty_like_preserving(&self, dtype: DType) -> Result<Tensor> {
        self.empty_like_preserving_on(dtype, self.device())
    }

    /// [`Tensor::empty_like_preserving`] on another device.
    fn empty_like_preserving_on(&self, dtype: DType, device: Device) -> Result<Tensor> {
        if self.is_contiguous() || self.numel() == 0 {
            return Tensor::empty_on(self.shape(), dtype, device);
        }
        let strides = self.layout.preserved_strides();
        let storage = Tensor::new_storage(Some(self.numel()), self.shape(), None, dtype, device, false)?;
        Ok(Tensor { storage, layout: Layout::new(self.shape().into(), strides, 0), dtype })
    }

    /// `to(device)`: `self` when already there, else a copy laid out like `self` (torch's
    /// preserve_format). To `meta` it copies nothing; out of `meta` there is nothing to copy.
    pub fn to_device(&self, device: Device) -> Result<Tensor> {
        if device == self.device() {
            return Ok(self.clone());
        }
        let out = self.empty_like_preserving_on(self.dtype, device)?;
        out.copy_(self)?;
        Ok(out)
    }

    /// `clone()` / `to(dtype)` as torch does them: a copy converted to `dtype`, in `self`'s
    /// layout when that is dense (see [`Tensor::empty_like_preserving`]).
    pub fn copy_preserving(&self, dtype: DType) -> Result<Tensor> {
        let out = self.empty_like_preserving(dtype)?;
        out.copy_(self)?;
        Ok(out)
    }

    /// `to(dtype)`: `self` if the dtype already matches, else a converted copy.
    pub fn to_dtype(&self, dtype: DType) -> Result<Tensor> {
        if dtype == self.dtype {
            return Ok(self.clone());
        }
        self.copy_as(dtype)
    }

    /// torch's `assert_no_internal_overlap`, for ops that write through `self`: several elements
    /// sharing one memory location (an expanded view) would make the result depend on the order
    /// of the writes. In-place ops and `out=` reach it through `copy_`; kernels that write in
    /// place themselves (scatter_, index_copy_, put_...) call it first. fill_, masked_fill_,
    /// index_fill_ and index_put_ skip it, as in torch.
    pub fn check_no_internal_overlap(&self) -> Result<()> {
        if self.layout.has_internal_overlap() {
            return Err(Error::runtime(
                "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.",
            ));
        }
        Ok(())
    }

    /// Copy `src` into `self`, broadcasting `src` to `self`'s shape and converting its dtype.
    /// Safe when the two overlap: an aliased source is copied out first.
    pub fn copy_(&self, src: &Tensor) -> Result<()> {
        // torch returns early for a tensor copied onto itself (before its overlap check)
        if self.shares_storage(src) && self.layout == src.layout && self.dtype == src.dtype {
            return Ok(());
        }
        self.check_no_internal_overlap()?;
        let src_l = src.layout.broadcast_to(self.shape()).map_err(|_| {
            Error::runtime(format!(
                "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}",
                self.shape().last().copied().unwrap_or(1),
                src.shape().last().copied().unwrap_or(1),
                self.ndim().saturating_sub(1)
            ))
        })?;
        match (self.device(), src.device()) {
            (Device::Cpu, Device::Cpu) => {}
            (d @ Device::Wgpu(_), s) if s == d => {
                crate::backend::get(d)?.unary("copy", self, &src.with_layout(src_l))?;
                self.storage.backend_written();
                return Ok(());
            }
            (d @ Device::Wgpu(_), Device::Cpu) => {
                // the values in this dtype and in this tensor's memory order on the host, then one
                // upload: straight into a contiguous or dense (to()'s preserved-layout) destination,
                // else into a contiguous temporary and a device copy into this layout
                let dense = self.offset() == 0 && self.layout.max_offset_plus_one() == self.numel();
                let host = if dense && !self.is_contiguous() {
                    let h = Tensor::zeros_strided_on(self.shape(), self.strides(), self.dtype, Device::Cpu)?;
                    h.copy_(&src.with_layout(src_l.clone()))?;
                    h
                } else {
                    src.with_layout(src_l).copy_as(self.dtype)?
                };
                let bytes = {
                    let g = host.storage.read()?;
                    // SAFETY: a fresh contiguous tensor of numel elements from offset 0
                    unsafe { std::slice::from_raw_parts(g.ptr(), host.numel() * self.dtype.itemsize()) }.to_vec()
                };
                let backend = crate::backend::get(d)?;
                if self.is_contiguous() || dense {
                    backend.upload(&self.storage, self.offset() * self.dtype.itemsize(), &bytes)?;
                } else {
                    let tmp = Tensor::empty_on(self.shape(), self.dtype, d)?;
                    backend.upload(&tmp.storage, 0, &bytes)?;
                    backend.unary("copy", self, &tmp)?;
                }
                self.storage.backend_written();
                return Ok(());
            }
            (Device::Cpu, d @ Device::Wgpu(_)) => {
                // download the whole storage, then the CPU copy walks src's layout
                let bytes = crate::backend::get(d)?.download(&src.storage)?;
                let host = Storage::zeroed(src.storage.nbytes())?;
                {
                    let g = host.write()?;
                    let n = bytes.len().min(src.storage.nbytes());
                    // SAFETY: host holds nbytes, n <= nbytes
                    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), g.ptr(), n) };
                }
                let h = Tensor { storage: Arc::new(host), layout: src_l, dtype: src.dtype };
                return self.copy_(&h);
            }
            // the shapes were checked: writing into a meta tensor is all bookkeeping
            (Device::Meta, _) => return Ok(()),
            (_, Device::Meta) => return Err(Error::NotImplemented(META_COPY_OUT.into())),
            (d, _) => return Err(Error::NoHostData(d)),
        }
        let src = src.with_layout(src_l);
        let src = if self.shares_storage(&src) { src.detached_copy()? } else { src };
        let rg = src.storage.read()?;
        let wg = self.storage.write()?;
        let plan = Plan::new(self.shape(), [self.strides(), src.strides()], [self.offset(), src.offset()]);
        // SAFETY: both guards are held for the whole copy; the plan walks the two layouts,
        // which lie inside their storages; an aliased source was copied out above. Rows write
        // disjoint destination elements (expanded destinations were rejected above; an
        // as_strided one that overlaps gets its last writer's value).
        unsafe { crate::copy::copy_strided(&plan, wg.ptr(), self.dtype, rg.ptr(), src.dtype) };
        Ok(())
    }

    /// A contiguous copy in a storage of its own.
    fn detached_copy(&self) -> Result<Tensor> {
        // copy_ into a fresh tensor never aliases, so this does not recurse
        self.copy_as(self.dtype)
    }

    /// Set every element to `value` (converted to this dtype).
    pub fn fill_(&self, value: Scalar) -> Result<()> {
        if self.is_meta() {
            return Ok(());
        }
        if crate::backend::is_backend(self.device()) {
            crate::backend::get(self.device())?.fill(self, value)?;
            self.storage.backend_written();
            return Ok(());
        }
        let wg = self.storage.write()?;
        let plan = Plan::new(self.shape(), [self.strides()], [self.offset()]);
        crate::dispatch!(self.dtype, T => {
            let v: T = value.to::<T>();
            let p = wg.ptr() as *mut T;
            plan.for_each_row(|[o], len, [s]| unsafe {
                for k in 0..len {
                    *p.add(o + k * s) = v;
                }
            });
        });
        Ok(())
    }

    /// The elements in row-major order, as `T` (which must be this tensor's element type).
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        if T::DTYPE != self.dtype {
            return Err(Error::runtime(format!("to_vec: tensor is {}, asked for {}", self.dtype.name(), T::DTYPE.name())));
        }
        if crate::backend::is_backend(self.device()) {
            return self.to_device(Device::Cpu)?.to_vec();
        }
        let c = self.contiguous()?;
        let g = c.storage.read()?;
        // SAFETY: contiguous, `numel` elements of T from the offset.
        let s = unsafe { std::slice::from_raw_parts((g.ptr() as *const T).add(c.offset()), c.numel()) };
        Ok(s.to_vec())
    }

    /// The single element of a one-element tensor.
    pub fn item(&self) -> Result<Scalar> {
        if self.numel() != 1 {
            return Err(Error::runtime(format!(
                "a Tensor with {} elements cannot be converted to Scalar",
                self.numel()
            )));
        }
        if self.is_meta() {
            return Err(Error::runtime("Tensor.item() cannot be called on meta tensors"));
        }
        if crate::backend::is_backend(self.device()) {
            return self.to_device(Device::Cpu)?.item();
        }
        let g = self.storage.read()?;
        Ok(crate::dispatch!(self.dtype, T => {
            // SAFETY: one element at the offset, inside the storage.
            let v = unsafe { *(g.ptr() as *const T).add(self.offset()) };
            Scalar::from_element(v)
        }))
    }
}

impl Device {
    /// The one device of an op's tensor operands, with torch's error when they differ. A 0-dim
    /// CPU tensor goes with any device (torch moves such scalars along, as it does Python
    /// numbers); an op with only such operands runs on the CPU.
    pub fn common<'a>(tensors: impl IntoIterator<Item = &'a Tensor>) -> Result<Device> {
        let mut found: Option<Device> = None;
        for t in tensors {
            let d = t.device();
            if d == Device::Cpu && t.ndim() == 0 {
                continue;
            }
            match found {
                None => found = Some(d),
                Some(f) if f == d => {}
                Some(f) => {
                    return Err(Error::runtime(format!(
                        "Expected all tensors to be on the same device, but found at least two devices, {f} and {d}!"
                    )))
                }
            }
        }
        Ok(found.unwrap_or(Device::Cpu))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_device() {
        let c = Tensor::zeros(&[2], DType::Float32).unwrap();
        let s = Tensor::zeros(&[], DType::Float32).unwrap();
        let m = Tensor::empty_on(&[2], DType::Float32, Device::Meta).unwrap();
        assert_eq!(Device::common([&c, &s]).unwrap(), Device::Cpu);
        assert_eq!(Device::common([&s, &m]).unwrap(), Device::Meta);
        let e = Device::common([&c, &m]).unwrap_err().to_string();
        assert_eq!(e, "Expected all tensors to be on the same device, but found at least two devices, cpu and meta!");
    }
}
