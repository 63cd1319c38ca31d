//! The two walks every indexing op is made of (see `ops/index.rs`): `gather_walk` reads
//! `data[walk]` into a fresh tensor (in parallel), `scatter_walk` writes or combines values into
//! `dst[walk]` in element order (serially, so duplicate indices resolve deterministically).

use crate::device::Device;
use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::iter::Plan;
use crate::layout::Layout;
use crate::ops::binary::Arith;
use crate::parallel::{SyncPtr, GRAIN};
use crate::scalar::Scalar;
use crate::shape::{self, Dims};
use crate::tensor::Tensor;

/// The addressing of one indexed op (see the module doc of `ops/index.rs`).
pub(super) struct Walk {
    pub shape: Dims,
    pub data_strides: Dims,
    pub data_offset: usize,
    /// int64 indices, already bounds-checked; negative ones count from `size`.
    pub idx: Tensor,
    pub idx_strides: Dims,
    pub mult: usize,
    pub size: i64,
}

/// Run `$body` with `$W` bound to an unsigned type of `$itemsize` bytes: moving elements needs
/// their width, not their type, so data movement is instantiated four times instead of ten.
macro_rules! by_width {
    ($itemsize:expr, $W:ident => $body:expr) => {
        match $itemsize {
            1 => { type $W = u8; $body }
            2 => { type $W = u16; $body }
            4 => { type $W = u32; $body }
            _ => { type $W = u64; $body }
        }
    };
}
pub(crate) use by_width;

/// `data[walk]` into a new contiguous tensor of the walk's shape.
pub(super) fn gather_walk(data: &Tensor, w: &Walk) -> Result<Tensor> {
    let out = Tensor::empty_on(&w.shape, data.dtype(), Device::common([data, &w.idx])?)?;
    if out.numel() == 0 || out.is_meta() {
        return Ok(out);
    }
    {
        let (dg, ig, og) = (data.storage().read()?, w.idx.storage().read()?, out.storage().write()?);
        let plan = Plan::new(&w.shape, [out.strides(), &w.data_strides, &w.idx_strides], [0, w.data_offset, w.idx.offset()]);
        let (mult, size) = (w.mult, w.size);
        by_width!(data.dtype().itemsize(), W => {
            let (op, dp, ip) = (SyncPtr(og.ptr() as *mut W), SyncPtr(dg.ptr() as *mut W), SyncPtr(ig.ptr() as *mut i64));
            plan.par_for_each_row(GRAIN, |[o, d, i], len, [so, sd, si]| unsafe {
                let (op, dp, ip) = (op.get(), dp.get() as *const W, ip.get() as *const i64);
                let at = |v: i64| (if v < 0 { v + size } else { v }) as usize * mult;
                if si == 0 {
                    // one index for the whole row (index_select, a[idx] with trailing dims)
                    let base = d + at(*ip.add(i));
                    if so == 1 && sd == 1 {
                        std::ptr::copy_nonoverlapping(dp.add(base), op.add(o), len);
                    } else {
                        for k in 0..len {
                            *op.add(o + k * so) = *dp.add(base + k * sd);
                        }
                    }
                } else {
                    for k in 0..len {
                        *op.add(o + k * so) = *dp.add(d + k * sd + at(*ip.add(i + k * si)));
                    }
                }
            });
        });
    }
    Ok(out)
}

/// How a scattered value meets the element already there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Combine {
    Assign,
    Add,
    Mul,
    /// NaN-propagating maximum / minimum (torch's amax / amin).
    Max,
    Min,
}

impl Combine {
    #[inline(always)]
    pub(super) fn apply<T: Arith>(self, old: T, v: T) -> T {
        match self {
            Combine::Assign => v,
            Combine::Add => old.add(v),
            Combine::Mul => old.mul(v),
            // a NaN (the only value unequal to itself) wins either way
            #[allow(clippy::eq_op)]
            Combine::Max => if v > old || v != v { v } else { old },
            #[allow(clippy::eq_op)]
            Combine::Min => if v < old || v != v { v } else { old },
        }
    }

    /// The value an element starts from when `include_self=False` discards its own.
    pub(super) fn identity<T: Arith>(self) -> T {
        match self {
            Combine::Assign | Combine::Add => T::zero(),
            Combine::Mul => T::one(),
            Combine::Max => lowest::<T>(),
            Combine::Min => highest::<T>(),
        }
    }
}

fn lowest<T: Element>() -> T {
    match T::DTYPE {
        DType::Bool => T::from_i64(0),
        d if d.is_floating_point() => T::from_f64(f64::NEG_INFINITY),
        DType::UInt8 => T::from_i64(0),
        DType::Int8 => T::from_i64(i8::MIN as i64),
        DType::Int16 => T::from_i64(i16::MIN as i64),
        DType::Int32 => T::from_i64(i32::MIN as i64),
        _ => T::from_i64(i64::MIN),
    }
}

fn highest<T: Element>() -> T {
    match T::DTYPE {
        DType::Bool => T::from_i64(1),
        d if d.is_floating_point() => T::from_f64(f64::INFINITY),
        DType::UInt8 => T::from_i64(u8::MAX as i64),
        DType::Int8 => T::from_i64(i8::MAX as i64),
        DType::Int16 => T::from_i64(i16::MAX as i64),
        DType::Int32 => T::from_i64(i32::MAX as i64),
        _ => T::from_i64(i64::MAX),
    }
}

/// What a scatter writes: a tensor of the target's dtype seen over the walk's shape, or one value.
pub(super) enum Values<'a> {
    Tensor(&'a Tensor),
    /// A tensor whose elements are multiplied by a factor as they are read (index_add's
    /// `alpha`), in the destination dtype's arithmetic: no scaled temporary.
    Scaled(&'a Tensor, Scalar),
    Scalar(Scalar),
}

/// Combine `values` into `dst[walk]` in element order. With `count`, also count the hits of every
/// destination element (scatter_reduce's mean), in a buffer parallel to `dst`'s storage. All
/// tensors must be on one device; on meta nothing is written.
pub(super) fn scatter_walk(dst: &Tensor, w: &Walk, values: Values, how: Combine, mut count: Option<&mut [u32]>) -> Result<()> {
    let (src, scale, fill) = match values {
        Values::Tensor(v) => (Some(v), None, Scalar::Int(0)),
        Values::Scaled(v, alpha) => (Some(v), Some(alpha), Scalar::Int(0)),
        Values::Scalar(s) => (None, None, s),
    };
    Device::common([dst, &w.idx].into_iter().chain(src))?;
    if shape::numel(&w.shape) == 0 || dst.is_meta() {
        return Ok(());
    }
    // a source sharing the destination's memory is read from a copy (written under one lock)
    let owned;
    let src = match src {
        Some(v) if v.shares_storage(dst) => {
            owned = v.contiguous_copy()?;
            Some(&owned)
        }
        v => v,
    };
    let idx = w.idx.with_layout(Layout::new(w.shape.clone(), w.idx_strides.clone(), w.idx.offset()));
    let idx = if idx.shares_storage(dst) { idx.contiguous_copy()? } else { idx };
    let vstrides: Dims = src.map_or_else(|| Dims::from_elem(0, w.shape.len()), |v| v.strides().into());
    let ig = idx.storage().read()?;
    let vg = src.map(|v| v.storage().read()).transpose()?;
    let dg = dst.storage().write()?;
    let plan = Plan::new(
        &w.shape,
        [&w.data_strides, idx.strides(), &vstrides],
        [w.data_offset, idx.offset(), src.map_or(0, |v| v.offset())],
    );
    let (mult, size) = (w.mult, w.size);
    crate::dispatch!(dst.dtype(), T => {
        let dp = dg.ptr() as *mut T;
        let ip = ig.ptr() as *const i64;
        let (fill, scale): (T, Option<T>) = (fill.to::<T>(), scale.map(Scalar::to::<T>));
        let vp = vg.as_ref().map(|g| g.ptr() as *const T);
        plan.for_each_row(|[d, i, v], len, [sd, si, sv]| unsafe {
            for k in 0..len {
                let x = *ip.add(i + k * si);
                let at = d + k * sd + (if x < 0 { x + size } else { x }) as usize * mult;
                let val = match vp { Some(p) => *p.add(v + k * sv), None => fill };
                let val = match scale { Some(a) => val.mul(a), None => val };
                *dp.add(at) = how.apply(*dp.add(at), val);
                if let Some(c) = count.as_deref_mut() {
                    c[at] += 1;
                }
            }
        });
    });
    Ok(())
}

impl Tensor {
    /// A contiguous copy in a storage of its own (even when already contiguous).
    pub(super) fn contiguous_copy(&self) -> Result<Tensor> {
        self.copy_as(self.dtype())
    }
}

/// Shape and strides with 0-dim tensors seen as 1-D of one element (torch's gather/scatter do).
pub(super) fn dims1(t: &Tensor) -> (Dims, Dims) {
    if t.ndim() == 0 {
        (Dims::from_elem(1, 1), Dims::from_elem(1, 1))
    } else {
        (t.shape().into(), t.strides().into())
    }
}

pub(super) fn with_zero(strides: &[usize], dim: usize) -> Dims {
    let mut s: Dims = strides.into();
    s[dim] = 0;
    s
}
