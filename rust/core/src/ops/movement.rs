//! Data movement: cat, flip, roll, repeat. These rearrange elements without arithmetic, so
//! kernels move raw bits (`u8`/`u16`/`u32`/`u64` by item size) and are instantiated once per
//! width. The strided copy itself (`copy_`, `contiguous()`, the cache-blocked transpose) sits
//! below `Tensor`, in `copy.rs`.

use crate::bail;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::parallel::{self, SyncPtr, GRAIN};
use crate::shape::{self, normalize_dim};
use crate::tensor::Tensor;
use super::index::by_width;

// ------------------------------------------------------------------ cat

/// `torch.cat(tensors, dim)`: the promoted dtype of all inputs; 1-D empty tensors are skipped
/// (legacy torch behaviour that torch keeps). Each input is copied into its slice of the result
/// (whole contiguous runs per memcpy, in parallel when big).
pub fn cat(tensors: &[&Tensor], dim: i64) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(Error::value("torch.cat(): expected a non-empty list of Tensors"));
    }
    let dtype = tensors.iter().map(|t| t.dtype()).reduce(DType::promote).unwrap();
    let skip = |t: &Tensor| t.ndim() == 1 && t.numel() == 0;
    for (i, t) in tensors.iter().enumerate() {
        if t.ndim() == 0 {
            bail!("zero-dimensional tensor (at position {i}) cannot be concatenated");
        }
    }
    let device = crate::Device::common(tensors.iter().copied())?;
    let Some(first) = tensors.iter().position(|t| !skip(t)) else {
        return Tensor::empty_on(&[0], dtype, device);
    };
    let reference = tensors[first];
    let dim = normalize_dim(dim, reference.ndim())?;
    let mut shape: shape::Dims = reference.shape().into();
    shape[dim] = 0;
    for (i, t) in tensors.iter().enumerate() {
        if skip(t) {
            continue;
        }
        if t.ndim() != reference.ndim() {
            bail!("Tensors must have same number of dimensions: got {} and {}", reference.ndim(), t.ndim());
        }
        for d in 0..t.ndim() {
            if d != dim && t.shape()[d] != reference.shape()[d] {
                bail!(
                    "Sizes of tensors must match except in dimension {dim}. Expected size {} but got size {} for tensor number {i} in the list.",
                    reference.shape()[d], t.shape()[d]
                );
            }
        }
        shape[dim] += t.shape()[dim];
    }
    let out = Tensor::empty_on(&shape, dtype, device)?;
    cat_into(&out, tensors, dim)?;
    Ok(out)
}

/// Copy the (checked) inputs of `cat` into consecutive slices of `out` along `dim`.
fn cat_into(out: &Tensor, tensors: &[&Tensor], dim: usize) -> Result<()> {
    let mut at = 0;
    for t in tensors {
        if t.ndim() == 1 && t.numel() == 0 && out.ndim() != 1 {
            continue;
        }
        let n = t.shape()[dim];
        out.narrow(dim as i64, at as i64, n as i64)?.copy_(t)?;
        at += n;
    }
    Ok(())
}

// ------------------------------------------------------------------ flip, roll, repeat

/// `torch.flip(self, dims)`: a copy with the listed dims reversed. Strides are unsigned here,
/// so the kernel walks rows of the last dim and computes each row's source start with the
/// flipped coordinates (the row itself goes backwards when the last dim is flipped).
pub fn flip(t: &Tensor, dims: &[i64]) -> Result<Tensor> {
    let flipped = shape::normalize_dims(dims, t.ndim())?;
    let out = Tensor::empty_on(t.shape(), t.dtype(), t.device())?;
    let n = t.numel();
    if n == 0 || t.is_meta() {
        return Ok(out);
    }
    if t.ndim() == 0 {
        out.copy_(t)?;
        return Ok(out);
    }
    let nd = t.ndim();
    let (shape, strides) = (t.shape(), t.strides());
    let rev: Vec<bool> = (0..nd).map(|d| flipped.contains(&d)).collect();
    let (len, last_stride) = (shape[nd - 1], strides[nd - 1]);
    let rows = n / len;
    {
        let (sg, og) = (t.storage().read()?, out.storage().write()?);
        by_width!(t.dtype().itemsize(), W => {
            let (sp, op) = (SyncPtr(sg.ptr() as *mut W), SyncPtr(og.ptr() as *mut W));
            parallel::for_each_chunk(rows, GRAIN.div_ceil(len).max(1), |range| {
                let (sp, op) = (sp.get() as *const W, op.get());
                for r in range {
                    // source start of row r
                    let (mut rem, mut off) = (r, t.offset());
                    for d in (0..nd - 1).rev() {
                        let i = rem % shape[d];
                        rem /= shape[d];
                        off += (if rev[d] { shape[d] - 1 - i } else { i }) * strides[d];
                    }
                    // SAFETY: every offset lies inside the source layout; row r of out is its own.
                    unsafe {
                        let dst = op.add(r * len);
                        if rev[nd - 1] {
                            let end = off + (len - 1) * last_stride;
                            for k in 0..len {
                                *dst.add(k) = *sp.add(end - k * last_stride);
                            }
                        } else {
                            for k in 0..len {
                                *dst.add(k) = *sp.add(off + k * last_stride);
                            }
                        }
                    }
                }
            });
        });
    }
    Ok(out)
}

/// `torch.roll(self, shifts, dims)`: without dims the tensor is rolled flat. Each rolled dim
/// is two slices swapped (one `cat`).
pub fn roll(t: &Tensor, shifts: &[i64], dims: &[i64]) -> Result<Tensor> {
    // torch takes shifts as SymInts: one below -2**62 is heap-allocated there, which roll's
    // kernel cannot read (torch's error, without its build path)
    if let Some(i) = shifts.iter().position(|&s| s < -(1i64 << 62)) {
        let list: Vec<String> = shifts.iter().map(|s| s.to_string()).collect();
        bail!(
            "SymIntArrayRef expected to contain only concrete integers that are stored inline and can be viewed as an IntArrayRef. Found heap-allocated concrete SymInt at index {i}: {} in SymIntArrayRef [{}]. This value is concrete, but the non-owning IntArrayRef conversion used here cannot represent heap-allocated SymInt values. Use an owning conversion such as asIntArrayRefSlowAlloc to materialize the values into a DimVector before this call.",
            shifts[i],
            list.join(", ")
        );
    }
    if dims.is_empty() {
        if shifts.len() != 1 {
            bail!("shifts and dimensions must align. shifts: {}, dims:{}", shifts.len(), dims.len());
        }
        let flat = t.reshape(&[-1])?;
        let shape: Vec<i64> = t.shape().iter().map(|&s| s as i64).collect();
        return roll(&flat, shifts, &[0])?.view(&shape);
    }
    if shifts.len() != dims.len() {
        bail!("shifts and dimensions must align. shifts: {}, dims:{}", shifts.len(), dims.len());
    }
    let mut cur = t.clone();
    for (&s, &d) in shifts.iter().zip(dims) {
        let d = normalize_dim(d, t.ndim())?;
        let size = cur.shape().get(d).copied().unwrap_or(1) as i64;
        let s = if size == 0 { 0 } else { s.rem_euclid(size) };
        if t.ndim() == 0 || s == 0 {
            cur = cur.contiguous_owned()?;
            continue;
        }
        let (tail, head) = (cur.narrow(d as i64, size - s, s)?, cur.narrow(d as i64, 0, size - s)?);
        cur = cat(&[&tail, &head], d as i64)?;
    }
    Ok(cur)
}

impl Tensor {
    /// A copy in a storage of its own: ops that return new tensors never alias their input.
    fn contiguous_owned(&self) -> Result<Tensor> {
        self.copy_as(self.dtype())
    }
}

/// `self.repeat(*repeats)`: the tensor viewed as `[1, s0, 1, s1, ...]`, expanded to
/// `[r0, s0, r1, s1, ...]` and copied out (the copy reads each source row `r` times).
pub fn repeat(t: &Tensor, repeats: &[i64]) -> Result<Tensor> {
    if repeats.len() < t.ndim() {
        bail!("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
    }
    let out_shape: Vec<i64> = {
        let pad = repeats.len() - t.ndim();
        repeats.iter().enumerate().map(|(d, &r)| r * if d < pad { 1 } else { t.shape()[d - pad] as i64 }).collect()
    };
    if let Some(neg) = out_shape.iter().find(|&&s| s < 0) {
        bail!("Trying to create tensor with negative dimension {neg}: {}", shape::fmt_list(&out_shape));
    }
    let pad = repeats.len() - t.ndim();
    let mut padded: Vec<i64> = vec![1; pad];
    padded.extend(t.shape().iter().map(|&s| s as i64));
    let src = t.reshape(&padded)?;
    let mut inter: Vec<i64> = Vec::with_capacity(2 * repeats.len());
    let mut expanded: Vec<i64> = Vec::with_capacity(2 * repeats.len());
    for (d, &r) in repeats.iter().enumerate() {
        inter.extend([1, padded[d]]);
        expanded.extend([r, padded[d]]);
    }
    let expanded = src.reshape(&inter)?.expand(&expanded)?;
    let dims: Vec<usize> = out_shape.iter().map(|&s| s as usize).collect();
    let out = Tensor::empty_on(&dims, t.dtype(), t.device())?;
    let out_view: Vec<i64> = expanded.shape().iter().map(|&s| s as i64).collect();
    out.view(&out_view)?.copy_(&expanded)?;
    Ok(out)
}
