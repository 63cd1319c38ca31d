//! Index arguments: dtype (int64, or int32 where torch converts it) and range checks. The range
//! checks read the indices; a meta index has no values, so it passes (torch's meta kernels check
//! shapes only).

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::iter::Plan;
use crate::tensor::Tensor;

/// `index` as int64 (converting int32), or torch's dtype error for `op`.
pub(super) fn long_index(index: &Tensor, allow_int32: bool, msg: impl FnOnce() -> String) -> Result<Tensor> {
    match index.dtype() {
        DType::Int64 => Ok(index.clone()),
        DType::Int32 if allow_int32 => index.to_dtype(DType::Int64),
        _ => Err(Error::runtime(msg())),
    }
}

/// The first index outside `[-size, size)` (or `[0, size)` without `allow_negative`).
pub(super) fn first_out_of_range(index: &Tensor, size: usize, allow_negative: bool) -> Result<Option<i64>> {
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

pub(super) fn check_range(index: &Tensor, dim: usize, size: usize, allow_negative: bool, as_index_error: bool) -> Result<()> {
    match first_out_of_range(index, size, allow_negative)? {
        None => Ok(()),
        Some(v) if as_index_error => Err(Error::IndexOutOfRange { index: v, dim, size }),
        Some(v) => Err(Error::runtime(format!("index {v} is out of bounds for dimension {dim} with size {size}"))),
    }
}
