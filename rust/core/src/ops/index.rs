//! Indexing kernels: gather/scatter, index_select/index_add/index_copy/index_fill/index_put,
//! advanced indexing, masked ops, take, nonzero. Out-of-range indices are errors that name the
//! sizes, raised before anything is written.
//!
//! Every op here is one of two walks over an iteration shape (`Walk`): element `e` of the shape
//! addresses the indexed tensor at `data_offset + sum(data_strides[d] * e[d]) + idx[e] * mult`,
//! where the indexed dims have a data stride of 0 and `idx` is an int64 tensor seen through
//! strides over the same shape (0 where it does not vary). `gather_walk` reads through it into a
//! fresh output (parallel: outputs never collide); `scatter_walk` writes or combines values into
//! the indexed tensor in element order (serial, so duplicate indices resolve deterministically:
//! the last write wins, reductions see values in order).

use crate::bail;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::iter::Plan;
use crate::layout::Layout;
use crate::ops::binary::Arith;
use crate::parallel::{SyncPtr, GRAIN};
use crate::scalar::Scalar;
use crate::shape::{self, normalize_dim, Dims};
use crate::tensor::Tensor;

// ------------------------------------------------------------------ the two walks

/// The addressing of one indexed op (see the module doc).
struct Walk {
    shape: Dims,
    data_strides: Dims,
    data_offset: usize,
    /// int64 indices, already bounds-checked; negative ones count from `size`.
    idx: Tensor,
    idx_strides: Dims,
    mult: usize,
    size: i64,
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
fn gather_walk(data: &Tensor, w: &Walk) -> Result<Tensor> {
    let out = Tensor::empty_on(&w.shape, data.dtype(), crate::Device::common([data, &w.idx])?)?;
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
pub enum Combine {
    Assign,
    Add,
    Mul,
    /// NaN-propagating maximum / minimum (torch's amax / amin).
    Max,
    Min,
}

impl Combine {
    #[inline(always)]
    fn apply<T: Arith>(self, old: T, v: T) -> T {
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
    fn identity<T: Arith>(self) -> T {
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
enum Values<'a> {
    Tensor(&'a Tensor),
    Scalar(Scalar),
}

/// Combine `values` into `dst[walk]` in element order. With `count`, also count the hits of every
/// destination element (scatter_reduce's mean), in a buffer parallel to `dst`'s storage.
fn scatter_walk(dst: &Tensor, w: &Walk, values: Values, how: Combine, mut count: Option<&mut [u32]>) -> Result<()> {
    if shape::numel(&w.shape) == 0 || dst.is_meta() {
        return Ok(());
    }
    // a source sharing the destination's memory is read from a copy (written under one lock)
    let owned;
    let values = match values {
        Values::Tensor(v) if v.shares_storage(dst) => {
            owned = v.contiguous_copy()?;
            Values::Tensor(&owned)
        }
        v => v,
    };
    let idx = w.idx.with_layout(Layout::new(w.shape.clone(), w.idx_strides.clone(), w.idx.offset()));
    let idx = if idx.shares_storage(dst) { idx.contiguous_copy()? } else { idx };
    let (vt, vstrides): (Option<&Tensor>, Dims) = match &values {
        Values::Tensor(v) => (Some(*v), v.strides().into()),
        Values::Scalar(_) => (None, Dims::from_elem(0, w.shape.len())),
    };
    let ig = idx.storage().read()?;
    let vg = vt.map(|v| v.storage().read()).transpose()?;
    let dg = dst.storage().write()?;
    let plan = Plan::new(
        &w.shape,
        [&w.data_strides, idx.strides(), &vstrides],
        [w.data_offset, idx.offset(), vt.map_or(0, |v| v.offset())],
    );
    let (mult, size) = (w.mult, w.size);
    crate::dispatch!(dst.dtype(), T => {
        let dp = dg.ptr() as *mut T;
        let ip = ig.ptr() as *const i64;
        let scalar: T = match values { Values::Scalar(s) => s.to::<T>(), Values::Tensor(_) => T::zero() };
        let vp = vg.as_ref().map(|g| g.ptr() as *const T);
        plan.for_each_row(|[d, i, v], len, [sd, si, sv]| unsafe {
            for k in 0..len {
                let x = *ip.add(i + k * si);
                let at = d + k * sd + (if x < 0 { x + size } else { x }) as usize * mult;
                let val = match vp { Some(p) => *p.add(v + k * sv), None => scalar };
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
    fn contiguous_copy(&self) -> Result<Tensor> {
        self.copy_as(self.dtype())
    }
}

// ------------------------------------------------------------------ index checks

/// `index` as int64 (converting int32), or torch's dtype error for `op`.
fn long_index(index: &Tensor, allow_int32: bool, msg: impl FnOnce() -> String) -> Result<Tensor> {
    match index.dtype() {
        DType::Int64 => Ok(index.clone()),
        DType::Int32 if allow_int32 => index.to_dtype(DType::Int64),
        _ => Err(Error::runtime(msg())),
    }
}

/// The first index outside `[-size, size)` (or `[0, size)` without `allow_negative`).
fn first_out_of_range(index: &Tensor, size: usize, allow_negative: bool) -> Result<Option<i64>> {
    if index.is_meta() {
        return Ok(None); // no values to check: a meta op only computes its output's shape
    }
    let g = index.storage().read()?;
    let p = g.ptr() as *const i64;
    let plan = Plan::new(index.shape(), [index.strides()], [index.offset()]);
    let (lo, hi) = (if allow_negative { -(size as i64) } else { 0 }, size as i64);
    let mut bad = None;
    plan.for_each_row(|[o], len, [s]| {
        if bad.is_none() {
            for k in 0..len {
                // SAFETY: inside the index tensor's layout, under its read guard.
                let v = unsafe { *p.add(o + k * s) };
                if v < lo || v >= hi {
                    bad = Some(v);
                    break;
                }
            }
        }
    });
    Ok(bad)
}

fn check_range(index: &Tensor, dim: usize, size: usize, allow_negative: bool, as_index_error: bool) -> Result<()> {
    match first_out_of_range(index, size, allow_negative)? {
        None => Ok(()),
        Some(v) if as_index_error => Err(Error::IndexOutOfRange { index: v, dim, size }),
        Some(v) => Err(Error::runtime(format!("index {v} is out of bounds for dimension {dim} with size {size}"))),
    }
}

/// Shape and strides with 0-dim tensors seen as 1-D of one element (torch's gather/scatter do).
fn dims1(t: &Tensor) -> (Dims, Dims) {
    if t.ndim() == 0 {
        (Dims::from_elem(1, 1), Dims::from_elem(1, 1))
    } else {
        (t.shape().into(), t.strides().into())
    }
}

fn with_zero(strides: &[usize], dim: usize) -> Dims {
    let mut s: Dims = strides.into();
    s[dim] = 0;
    s
}

// ------------------------------------------------------------------ gather / scatter

/// The walk of gather/scatter along `dim` over `index`'s shape.
fn dim_walk(t: &Tensor, dim: usize, index: &Tensor) -> Walk {
    let (tshape, tstrides) = dims1(t);
    let (ishape, istrides) = dims1(index);
    Walk {
        shape: ishape,
        data_strides: with_zero(&tstrides, dim),
        data_offset: t.offset(),
        idx: index.clone(),
        idx_strides: istrides,
        mult: tstrides[dim],
        size: tshape[dim] as i64,
    }
}

/// `torch.gather(self, dim, index)`.
pub fn gather(t: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    let dim = normalize_dim(dim, t.ndim())?;
    let index = long_index(index, true, || "gather(): Expected dtype int32/int64 for index".into())?;
    if index.ndim().max(1) != t.ndim().max(1) {
        return Err(Error::runtime("Index tensor must have the same number of dimensions as input tensor"));
    }
    let ((ts, _), (is, _)) = (dims1(t), dims1(&index));
    if index.numel() > 0 {
        for d in 0..ts.len() {
            if d != dim && is[d] > ts[d] {
                return Err(Error::runtime(format!(
                    "Size does not match at dimension {d} expected index {} to be no larger than self {} apart from dimension {dim}",
                    shape::fmt_list(index.shape()), shape::fmt_list(t.shape())
                )));
            }
        }
    }
    check_range(&index, dim, ts[dim], false, false)?;
    let out = gather_walk(t, &dim_walk(t, dim, &index))?;
    Ok(out.with_layout(Layout::contiguous(index.shape())))
}

/// The reduction of `scatter`/`scatter_reduce`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScatterReduce {
    Sum,
    Prod,
    Mean,
    Amax,
    Amin,
}

impl ScatterReduce {
    /// `scatter_reduce`'s names.
    pub fn parse(name: &str) -> Result<ScatterReduce> {
        Ok(match name {
            "sum" => ScatterReduce::Sum,
            "prod" => ScatterReduce::Prod,
            "mean" => ScatterReduce::Mean,
            "amax" => ScatterReduce::Amax,
            "amin" => ScatterReduce::Amin,
            _ => bail!("reduce argument must be either sum, prod, mean, amax or amin, got {name}"),
        })
    }

    /// The deprecated `scatter(..., reduce=)` names.
    pub fn parse_legacy(name: &str) -> Result<ScatterReduce> {
        Ok(match name {
            "add" => ScatterReduce::Sum,
            "multiply" => ScatterReduce::Prod,
            _ => bail!("reduce argument must be either add or multiply."),
        })
    }

    fn combine(self) -> Combine {
        match self {
            ScatterReduce::Sum | ScatterReduce::Mean => Combine::Add,
            ScatterReduce::Prod => Combine::Mul,
            ScatterReduce::Amax => Combine::Max,
            ScatterReduce::Amin => Combine::Min,
        }
    }
}

/// The source of a scatter: a tensor or a scalar value.
pub enum ScatterSrc<'a> {
    Tensor(&'a Tensor),
    Value(Scalar),
}

/// `self.scatter_(dim, index, src|value, reduce=None)`, `scatter_add_` (reduce Sum) and
/// `scatter_reduce_` (with `include_self`), in place.
pub fn scatter_(t: &Tensor, dim: i64, index: &Tensor, src: ScatterSrc, reduce: Option<ScatterReduce>, include_self: bool) -> Result<()> {
    t.check_no_internal_overlap()?;
    let dim = normalize_dim(dim, t.ndim())?;
    let index = long_index(index, true, || "scatter(): Expected dtype int32/int64 for index".into())?;
    if let ScatterSrc::Tensor(s) = src {
        if s.dtype() != t.dtype() {
            bail!("scatter(): Expected self.dtype to be equal to src.dtype");
        }
    }
    if index.ndim().max(1) != t.ndim().max(1) {
        bail!("Index tensor must have the same number of dimensions as self tensor");
    }
    let ((ts, _), (is, _)) = (dims1(t), dims1(&index));
    if let ScatterSrc::Tensor(s) = src {
        if s.ndim().max(1) != t.ndim().max(1) {
            bail!("Index tensor must have the same number of dimensions as src tensor");
        }
        let (ss, _) = dims1(s);
        if index.numel() > 0 && (0..ts.len()).any(|d| (d != dim && is[d] > ts[d]) || is[d] > ss[d]) {
            bail!(
                "Expected index {} to be no larger than self {} apart from dimension {dim} and to be no larger size than src {}",
                shape::fmt_list(index.shape()), shape::fmt_list(t.shape()), shape::fmt_list(s.shape())
            );
        }
    } else if index.numel() > 0 && (0..ts.len()).any(|d| d != dim && is[d] > ts[d]) {
        bail!(
            "Expected index {} to be no larger than self {} apart from dimension {dim}",
            shape::fmt_list(index.shape()), shape::fmt_list(t.shape())
        );
    }
    check_range(&index, dim, ts[dim], false, false)?;
    if let ScatterSrc::Value(v) = src {
        v.check_fits(t.dtype())?;
    }
    if reduce == Some(ScatterReduce::Mean) && t.dtype() == DType::Bool {
        return Err(Error::unsupported("scatter_gather_tensor_cpu_reduce_mean", DType::Bool));
    }
    let walk = dim_walk(t, dim, &index);
    // the source is read at index positions: its own strides over the index's shape
    let src_view;
    let values = match src {
        ScatterSrc::Tensor(s) => {
            let (_, sstr) = dims1(s);
            src_view = s.with_layout(Layout::new(walk.shape.clone(), sstr, s.offset()));
            Values::Tensor(&src_view)
        }
        ScatterSrc::Value(v) => Values::Scalar(v),
    };
    let Some(red) = reduce else {
        return scatter_walk(t, &walk, values, Combine::Assign, None);
    };
    scatter_reduce_walk(t, &walk, values, red, include_self)
}

/// A reducing scatter: reset the touched elements when `include_self` is false, combine, and
/// divide by the hit counts for mean (floor division for integers, like torch).
fn scatter_reduce_walk(t: &Tensor, walk: &Walk, values: Values, red: ScatterReduce, include_self: bool) -> Result<()> {
    let how = red.combine();
    if !include_self {
        let reset = crate::dispatch!(t.dtype(), T => Scalar::from_element::<T>(how.identity::<T>()));
        scatter_walk(t, walk, Values::Scalar(reset), Combine::Assign, None)?;
    }
    if red != ScatterReduce::Mean {
        return scatter_walk(t, walk, values, how, None);
    }
    let n = t.storage().nbytes() / t.dtype().itemsize();
    let mut count = vec![0u32; n];
    scatter_walk(t, walk, values, how, Some(&mut count))?;
    let g = t.storage().write()?;
    crate::dispatch!(t.dtype(), T => {
        let p = g.ptr() as *mut T;
        for (at, &c) in count.iter().enumerate() {
            if c > 0 {
                let c = c as f64 + include_self as u8 as f64;
                // SAFETY: `at` is an element of the storage (it was written above).
                unsafe {
                    let v = (*p.add(at)).to_f64() / c;
                    *p.add(at) = T::from_f64(if T::DTYPE.is_floating_point() { v } else { v.floor() });
                }
            }
        }
    });
    Ok(())
}

// ------------------------------------------------------------------ index_* along one dim

/// The walk of the index_* ops: `index` (1-D) picks positions along `dim` of `t`, for a value
/// tensor shaped like `t` with `dim` resized to the number of indices.
fn select_walk(t: &Tensor, dim: usize, index: &Tensor) -> Walk {
    let (tshape, tstrides) = dims1(t);
    let mut shape = tshape.clone();
    shape[dim] = index.numel();
    let mut idx_strides = Dims::from_elem(0, shape.len());
    idx_strides[dim] = if index.ndim() == 0 { 0 } else { index.strides()[0] };
    Walk {
        shape,
        data_strides: with_zero(&tstrides, dim),
        data_offset: t.offset(),
        idx: index.clone(),
        idx_strides,
        mult: tstrides[dim],
        size: tshape[dim] as i64,
    }
}

/// `torch.index_select(self, dim, index)`.
pub fn index_select(t: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    let dim = normalize_dim(dim, t.ndim())?;
    if index.ndim() > 1 {
        return Err(Error::index("index_select(): Index is supposed to be a vector"));
    }
    let index = long_index(index, true, || "index_select(): Expected dtype int32 or int64 for index".into())?;
    if first_out_of_range(&index, dims1(t).0[dim], false)?.is_some() {
        return Err(Error::index("index out of range in self"));
    }
    let out = gather_walk(t, &select_walk(t, dim, &index))?;
    if t.ndim() == 0 && out.numel() == 1 {
        return Ok(out.with_layout(Layout::contiguous(&[])));
    }
    Ok(out)
}

/// The value tensor of an index_* op, checked against the walk's shape.
fn index_source(op: &str, t: &Tensor, dim: usize, index: &Tensor, source: &Tensor, walk: &Walk) -> Result<Tensor> {
    let (ss, sstr) = dims1(source);
    let n = index.numel();
    if ss.len() != walk.shape.len() || ss[dim] != n {
        bail!(
            "{op}(): Number of indices ({n}) should be equal to source.size(dim): ({}), for dim: {dim}",
            ss.get(dim).copied().unwrap_or(0)
        );
    }
    if ss != walk.shape {
        bail!(
            "{op}(): Source/destination tensor must have same slice shapes. Destination slice shape: {} at dimension {dim} and source slice shape: {} at dimension 0.",
            shape::fmt_list(t.shape()), shape::fmt_list(source.shape())
        );
    }
    Ok(source.with_layout(Layout::new(ss, sstr, source.offset())))
}

/// `self.index_add_(dim, index, source, alpha=)` (alpha already applied to `source`),
/// `index_copy_` (`accumulate` false).
pub fn index_add_or_copy_(op: &str, t: &Tensor, dim: i64, index: &Tensor, source: &Tensor, accumulate: bool) -> Result<()> {
    t.check_no_internal_overlap()?;
    let dim = normalize_dim(dim, t.ndim())?;
    let index = if accumulate {
        long_index(index, true, || format!("{op}(): Expected dtype int32/int64 for index but got: {}", index.dtype()))?
    } else {
        long_index(index, false, || format!("{op}(): Expected a long tensor for index, but got {}", index.dtype()))?
    };
    if index.ndim() > 1 {
        bail!("{op}(): Index is supposed to be a vector");
    }
    if source.dtype() != t.dtype() {
        bail!("{op}(): self ({}) and source ({}) must have the same scalar type", t.dtype(), source.dtype());
    }
    let walk = select_walk(t, dim, &index);
    let src = index_source(op, t, dim, &index, source, &walk)?;
    let size = walk.size as usize;
    if let Some(v) = first_out_of_range(&index, size, false)? {
        return Err(if accumulate {
            Error::runtime(format!("index {v} is out of bounds for dimension {dim} with size {size}"))
        } else {
            Error::index(format!("{op}(): index {v} is out of bounds for dimension {dim} with size {size}"))
        });
    }
    scatter_walk(t, &walk, Values::Tensor(&src), if accumulate { Combine::Add } else { Combine::Assign }, None)
}

/// `self.index_fill_(dim, index, value)`.
pub fn index_fill_(t: &Tensor, dim: i64, index: &Tensor, value: Scalar) -> Result<()> {
    let dim = normalize_dim(dim, t.ndim())?;
    value.check_fits(t.dtype())?;
    let index = long_index(index, false, String::new).map_err(|_| Error::index("index_fill_(): Expected dtype int64 for index."))?;
    if index.ndim() > 1 {
        bail!("Index has to be a vector/scalar");
    }
    let walk = select_walk(t, dim, &index);
    check_range(&index, dim, walk.size as usize, true, true)?;
    scatter_walk(t, &walk, Values::Scalar(value), Combine::Assign, None)
}

/// `self.take(index)`: `self` read as 1-D, negative indices counting from the end.
pub fn take(t: &Tensor, index: &Tensor) -> Result<Tensor> {
    let index = long_index(index, false, || format!("take(): Expected a long tensor for index, but got {}", index.dtype()))?;
    let flat = t.contiguous()?;
    let n = flat.numel();
    if let Some(v) = first_out_of_range(&index, n, true)? {
        return Err(Error::index(format!("out of range: tried to access index {v} on a tensor of {n} elements.")));
    }
    let walk = Walk {
        shape: index.shape().into(),
        data_strides: Dims::from_elem(0, index.ndim()),
        data_offset: flat.offset(),
        idx: index.clone(),
        idx_strides: index.strides().into(),
        mult: 1,
        size: n as i64,
    };
    gather_walk(&flat, &walk)
}

/// `self.put_(index, source, accumulate)`: `take`'s inverse.
pub fn put_(t: &Tensor, index: &Tensor, source: &Tensor, accumulate: bool) -> Result<()> {
    t.check_no_internal_overlap()?;
    let index = long_index(index, false, || format!("put_(): Expected a long tensor for index, but got {}", index.dtype()))?;
    if source.dtype() != t.dtype() {
        bail!("put_(): self and source expected to have the same dtype, but got self.dtype = {} and source.dtype = {}", t.dtype(), source.dtype());
    }
    if source.numel() != index.numel() {
        bail!("put_(): Expected source and index to have the same number of elements, but got source.numel() = {}, index.numel() = {}", source.numel(), index.numel());
    }
    let n = t.numel();
    if let Some(v) = first_out_of_range(&index, n, true)? {
        return Err(Error::index(format!("out of range: tried to access index {v} on a tensor of {n} elements.")));
    }
    // the walk goes over the flattened index; the target as 1-D (a contiguous buffer, copied
    // back when `t` is not contiguous)
    let target = if t.is_contiguous() { t.clone() } else { t.contiguous_copy()? };
    let (idx, src) = (index.reshape(&[-1])?, source.reshape(&[-1])?);
    let walk = Walk {
        shape: Dims::from_elem(idx.numel(), 1),
        data_strides: Dims::from_elem(0, 1),
        data_offset: target.offset(),
        idx: idx.clone(),
        idx_strides: idx.strides().into(),
        mult: 1,
        size: n as i64,
    };
    scatter_walk(&target, &walk, Values::Tensor(&src), if accumulate { Combine::Add } else { Combine::Assign }, None)?;
    if !target.shares_storage(t) {
        t.copy_(&target)?;
    }
    Ok(())
}

// ------------------------------------------------------------------ advanced indexing

/// The walk of `t[indices]` (torch's `aten::index` with a list of optional int64 index
/// tensors, bool masks already turned into `nonzero` columns). The index tensors broadcast
/// together; their shape replaces the indexed dims in place when those are adjacent, else it
/// goes first (numpy's rule). One index keeps its own values (with the dim's stride); several
/// are folded into one tensor of element offsets first.
fn advanced_walk(t: &Tensor, indices: &[Option<Tensor>]) -> Result<Walk> {
    let nd = t.ndim();
    if indices.len() > nd {
        return Err(Error::index(format!("too many indices for tensor of dimension {nd} (got {})", indices.len())));
    }
    let positions: Vec<usize> = (0..indices.len()).filter(|&d| indices[d].is_some()).collect();
    let shapes: Vec<&[usize]> = positions.iter().map(|&d| indices[d].as_ref().unwrap().shape()).collect();
    let bshape = shape::broadcast_shapes_many(&shapes).map_err(|_| {
        let list: Vec<String> = shapes.iter().map(|s| shape::fmt_list(s)).collect();
        Error::index(format!("shape mismatch: indexing tensors could not be broadcast together with shapes {}", list.join(", ")))
    })?;
    for &d in &positions {
        check_range(indices[d].as_ref().unwrap(), d, t.shape()[d], true, true)?;
    }
    // one index: its values and the dim's stride; several: the summed element offsets
    let (idx, mult, size) = if positions.len() == 1 {
        let d = positions[0];
        (indices[d].clone().unwrap().broadcast_to(&bshape)?, t.strides()[d], t.shape()[d] as i64)
    } else {
        let offsets = Tensor::zeros(&bshape, DType::Int64)?;
        {
            let og = offsets.storage().write()?;
            for &d in &positions {
                let ix = indices[d].as_ref().unwrap().broadcast_to(&bshape)?;
                let ig = ix.storage().read()?;
                let (size, stride) = (t.shape()[d] as i64, t.strides()[d] as i64);
                let plan = Plan::new(&bshape, [offsets.strides(), ix.strides()], [0, ix.offset()]);
                let (op, ip) = (og.ptr() as *mut i64, ig.ptr() as *const i64);
                plan.for_each_row(|[o, i], len, [so, si]| unsafe {
                    for k in 0..len {
                        let v = *ip.add(i + k * si);
                        *op.add(o + k * so) += (if v < 0 { v + size } else { v }) * stride;
                    }
                });
            }
        }
        (offsets, 1, i64::MAX)
    };
    let adjacent = positions.windows(2).all(|w| w[1] == w[0] + 1);
    let (mut shape, mut data_strides, mut idx_strides) = (Dims::new(), Dims::new(), Dims::new());
    let push_index = |shape: &mut Dims, ds: &mut Dims, is: &mut Dims| {
        shape.extend_from_slice(&bshape);
        ds.extend(std::iter::repeat_n(0, bshape.len()));
        is.extend_from_slice(idx.strides());
    };
    if !adjacent {
        push_index(&mut shape, &mut data_strides, &mut idx_strides);
    }
    for d in 0..nd {
        if positions.contains(&d) {
            if adjacent && d == positions[0] {
                push_index(&mut shape, &mut data_strides, &mut idx_strides);
            }
            continue;
        }
        shape.push(t.shape()[d]);
        data_strides.push(t.strides()[d]);
        idx_strides.push(0);
    }
    Ok(Walk { shape, data_strides, data_offset: t.offset(), idx, idx_strides, mult, size })
}

/// Turn `t[indices]`'s index list into int64 index tensors: int32 converted, bool/uint8 masks
/// replaced by their `nonzero` columns (a k-dim mask indexes k dims). Other dtypes are errors.
pub fn expand_masks(t: &Tensor, indices: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
    let mut out = Vec::with_capacity(indices.len());
    for ix in indices {
        let Some(ix) = ix else {
            out.push(None);
            continue;
        };
        match ix.dtype() {
            DType::Int64 => out.push(Some(ix.clone())),
            DType::Int32 => out.push(Some(ix.to_dtype(DType::Int64)?)),
            DType::Bool | DType::UInt8 => {
                let d = out.len();
                for k in 0..ix.ndim() {
                    if d + k >= t.ndim() || ix.shape()[k] != t.shape()[d + k] {
                        return Err(Error::index(format!(
                            "The shape of the mask {} at index {k} does not match the shape of the indexed tensor {} at index {}",
                            shape::fmt_list(ix.shape()), shape::fmt_list(t.shape()), d + k
                        )));
                    }
                }
                let nz = nonzero(ix)?;
                for k in 0..ix.ndim() {
                    out.push(Some(nz.select(1, k as i64)?));
                }
            }
            _ => return Err(Error::index("tensors used as indices must be long, int, byte or bool tensors")),
        }
    }
    Ok(out)
}

/// `t[indices]` for a list of optional index tensors (int64/int32/bool/uint8).
pub fn index(t: &Tensor, indices: &[Option<Tensor>]) -> Result<Tensor> {
    let indices = expand_masks(t, indices)?;
    if indices.iter().all(Option::is_none) {
        return Ok(t.clone());
    }
    gather_walk(t, &advanced_walk(t, &indices)?)
}

/// `t.index_put_(indices, values, accumulate)`: `values` broadcast to `t[indices]`'s shape.
pub fn index_put_(t: &Tensor, indices: &[Option<Tensor>], values: &Tensor, accumulate: bool) -> Result<()> {
    if values.dtype() != t.dtype() {
        bail!(
            "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
            t.dtype(), values.dtype()
        );
    }
    let indices = expand_masks(t, indices)?;
    if indices.iter().all(Option::is_none) {
        return t.copy_(values);
    }
    let walk = advanced_walk(t, &indices)?;
    let v = values.broadcast_to(&walk.shape).map_err(|_| {
        Error::runtime(format!(
            "shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of shape {}",
            shape::fmt_list(values.shape()), shape::fmt_list(&walk.shape)
        ))
    })?;
    scatter_walk(t, &walk, Values::Tensor(&v), if accumulate { Combine::Add } else { Combine::Assign }, None)
}

// ------------------------------------------------------------------ masks

fn check_bool_mask(op: &str, mask: &Tensor) -> Result<()> {
    if mask.dtype() != DType::Bool {
        bail!("{op} only supports boolean masks, but got mask with dtype {}", mask.dtype().cpp_name());
    }
    Ok(())
}

/// `self.masked_fill_(mask, value)`: `mask` broadcasts to `self`.
pub fn masked_fill_(t: &Tensor, mask: &Tensor, value: Scalar) -> Result<()> {
    check_bool_mask("masked_fill_", mask)?;
    value.check_fits(t.dtype())?;
    let m = mask_for(t, mask)?;
    if t.is_meta() {
        return Ok(());
    }
    let m = if m.shares_storage(t) { m.contiguous_copy()? } else { m };
    let mg = m.storage().read()?;
    let tg = t.storage().write()?;
    let plan = Plan::new(t.shape(), [t.strides(), m.strides()], [t.offset(), m.offset()]);
    crate::dispatch!(t.dtype(), T => {
        let v: T = value.to::<T>();
        let (tp, mp) = (SyncPtr(tg.ptr() as *mut T), SyncPtr(mg.ptr() as *mut bool));
        plan.par_for_each_row(GRAIN, |[o, i], len, [so, si]| unsafe {
            let (tp, mp) = (tp.get(), mp.get() as *const bool);
            for k in 0..len {
                if *mp.add(i + k * si) {
                    *tp.add(o + k * so) = v;
                }
            }
        });
    });
    Ok(())
}

/// `mask` broadcast to `self`'s shape for an in-place masked op, with torch's errors: sizes
/// that do not broadcast name self as tensor a; a mask that would grow self is "output with shape".
fn mask_for(t: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let shape = shape::broadcast_shapes(t.shape(), mask.shape())?;
    if shape.as_slice() != t.shape() {
        bail!("output with shape {} doesn't match the broadcast shape {}", shape::fmt_list(t.shape()), shape::fmt_list(&shape));
    }
    mask.broadcast_to(t.shape())
}

/// The elements of `t` where `mask` is true (both broadcast), in row-major order, as 1-D.
pub fn masked_select(t: &Tensor, mask: &Tensor) -> Result<Tensor> {
    if mask.dtype() != DType::Bool {
        bail!("masked_select: expected BoolTensor for mask");
    }
    let shape = shape::broadcast_shapes(t.shape(), mask.shape())?;
    let (tb, mb) = (t.broadcast_to(&shape)?, mask.broadcast_to(&shape)?);
    let nz = nonzero(&mb)?;
    if shape.is_empty() {
        return tb.reshape(&[1])?.narrow(0, 0, nz.shape()[0] as i64)?.contiguous();
    }
    let cols: Vec<Option<Tensor>> = (0..shape.len()).map(|k| nz.select(1, k as i64).map(Some)).collect::<Result<_>>()?;
    index(&tb, &cols)
}

/// `self.masked_scatter_(mask, source)`: the true positions of `mask` (broadcast to `self`),
/// in row-major order, take `source`'s elements in order.
pub fn masked_scatter_(t: &Tensor, mask: &Tensor, source: &Tensor) -> Result<()> {
    t.check_no_internal_overlap()?;
    if mask.dtype() != DType::Bool {
        // unlike masked_fill_, torch names the dtype by its ScalarType here ("Byte")
        bail!("masked_scatter_ only supports boolean masks, but got mask with dtype {}", mask.dtype());
    }
    if source.dtype() != t.dtype() {
        bail!("masked_scatter: expected self and source to have same dtypes but got{} and {}", t.dtype(), source.dtype());
    }
    let m = mask_for(t, mask)?;
    let nz = nonzero(&m)?;
    if nz.shape()[0] > source.numel() {
        bail!("Number of elements of source < number of ones in mask");
    }
    let src = source.contiguous()?.reshape(&[-1])?.narrow(0, 0, nz.shape()[0] as i64)?;
    if t.ndim() == 0 {
        return if nz.shape()[0] == 1 { t.copy_(&src.reshape(&[])?) } else { Ok(()) };
    }
    let cols: Vec<Option<Tensor>> = (0..t.ndim()).map(|k| nz.select(1, k as i64).map(Some)).collect::<Result<_>>()?;
    index_put_(t, &cols, &src, false)
}

/// `torch.nonzero(self)`: an int64 `(n, ndim)` tensor of the indices of non-zero elements, in
/// row-major order.
pub fn nonzero(t: &Tensor) -> Result<Tensor> {
    let nd = t.ndim();
    let g = t.storage().read()?;
    let plan = Plan::new(t.shape(), [t.strides()], [t.offset()]);
    // positions (row-major linear indices) of the non-zeros, then unravelled
    let mut hits: Vec<usize> = Vec::new();
    let row = plan.row_len();
    crate::dispatch!(t.dtype(), T => {
        let p = g.ptr() as *const T;
        let zero = T::zero();
        let mut base = 0;
        plan.for_each_row(|[o], len, [s]| {
            for k in 0..len {
                // SAFETY: inside the tensor's layout under its read guard.
                if unsafe { *p.add(o + k * s) } != zero {
                    hits.push(base + k);
                }
            }
            base += row;
        });
    });
    drop(g);
    let mut data = Vec::with_capacity(hits.len() * nd);
    let shape = t.shape();
    for &h in &hits {
        let start = data.len();
        data.resize(start + nd, 0i64);
        let mut rem = h;
        for d in (0..nd).rev() {
            data[start + d] = (rem % shape[d]) as i64;
            rem /= shape[d];
        }
    }
    Tensor::from_vec(data, &[hits.len(), nd])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[f32], s: &[usize]) -> Tensor {
        Tensor::from_slice(v, s).unwrap()
    }
    fn ix(v: &[i64], s: &[usize]) -> Tensor {
        Tensor::from_slice(v, s).unwrap()
    }

    #[test]
    fn gather_and_bounds() {
        let x = t(&[0., 1., 2., 3., 4., 5.], &[2, 3]);
        let g = gather(&x, 1, &ix(&[2, 0, 1, 1], &[2, 2])).unwrap();
        assert_eq!(g.to_vec::<f32>().unwrap(), vec![2., 0., 4., 4.]);
        let e = gather(&x, 1, &ix(&[3], &[1, 1])).unwrap_err();
        assert_eq!(e.to_string(), "index 3 is out of bounds for dimension 1 with size 3");
    }

    #[test]
    fn advanced_index_placement() {
        let x = Tensor::from_vec((0..24).map(|v| v as f32).collect(), &[2, 3, 4]).unwrap();
        // adjacent: shape stays in place
        let r = index(&x, &[None, Some(ix(&[0, 2], &[2])), Some(ix(&[1, 3], &[2]))]).unwrap();
        assert_eq!(r.shape(), &[2, 2]);
        assert_eq!(r.to_vec::<f32>().unwrap(), vec![1., 11., 13., 23.]);
        // separated: index dims first
        let r = index(&x, &[Some(ix(&[1], &[1])), None, Some(ix(&[0], &[1]))]).unwrap();
        assert_eq!(r.shape(), &[1, 3]);
        assert_eq!(r.to_vec::<f32>().unwrap(), vec![12., 16., 20.]);
    }

    #[test]
    fn scatter_reduce_mean_floors_ints() {
        let x = Tensor::from_vec(vec![1i64, 2, 3], &[3]).unwrap();
        let src = Tensor::from_vec(vec![4i64, 5, -7], &[3]).unwrap();
        scatter_(&x, 0, &ix(&[0, 0, 1], &[3]), ScatterSrc::Tensor(&src), Some(ScatterReduce::Mean), true).unwrap();
        assert_eq!(x.to_vec::<i64>().unwrap(), vec![3, -3, 3]);
    }
}
