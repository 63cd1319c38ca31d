//! Closeness and equality of whole tensors: isclose, allclose and equal.

use super::{binary, BinaryOp};
use crate::dtype::{bf16, f16, DType, Element};
use crate::error::Result;
use crate::iter::Plan;
use crate::ops::{map2, Arg};
use crate::tensor::Tensor;

/// `torch.isclose`: `|a - b| <= atol + rtol * |b|` with a finite difference, or equal (and both
/// NaN when `equal_nan`). Both tensors must have the same dtype, as in torch. Floats compute in
/// their own precision (halves through f32), integers and bool in float64.
pub fn isclose(a: &Tensor, b: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<Tensor> {
    if a.dtype() != b.dtype() {
        crate::bail!("{} did not match {}", a.dtype().scalar_type_name(), b.dtype().scalar_type_name());
    }
    if !(rtol >= 0.0) {
        crate::bail!("rtol must be greater than or equal to zero, but got {}", fmt_num(rtol));
    }
    if !(atol >= 0.0) {
        crate::bail!("atol must be greater than or equal to zero, but got {}", fmt_num(atol));
    }
    macro_rules! close {
        ($x:expr, $y:expr, $t:ty) => {{
            let (x, y) = ($x, $y);
            if x == y {
                true
            } else if x.is_nan() || y.is_nan() {
                equal_nan && x.is_nan() && y.is_nan()
            } else {
                let diff = (x - y).abs();
                diff.is_finite() && diff <= atol as $t + (rtol as $t * y).abs()
            }
        }};
    }
    match a.dtype() {
        DType::Float64 => map2::<f64, bool>(a, b, |x, y| close!(x, y, f64)),
        DType::Float32 => map2::<f32, bool>(a, b, |x, y| close!(x, y, f32)),
        DType::Float16 => map2::<f16, bool>(a, b, |x, y| close!(x.to_f32(), y.to_f32(), f32)),
        DType::BFloat16 => map2::<bf16, bool>(a, b, |x, y| close!(x.to_f32(), y.to_f32(), f32)),
        d => crate::dispatch!(d, T => map2::<T, bool>(a, b, |x, y| close!(x.to_f64(), y.to_f64(), f64))),
    }
}

/// A float the way torch prints it in messages ("-1" for -1.0, "0.5").
fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        "nan".into() // as C++ prints it
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Whether every element of a bool tensor is true.
fn all_true(t: &Tensor) -> Result<bool> {
    let g = t.storage().read()?;
    let plan = Plan::new(t.shape(), [t.strides()], [t.offset()]);
    let p = g.ptr() as *const bool;
    let mut all = true;
    plan.for_each_row(|[o], len, [s]| {
        // SAFETY: offsets come from the tensor's own layout.
        all &= (0..len).all(|k| unsafe { *p.add(o + k * s) });
    });
    Ok(all)
}

/// `torch.allclose`: isclose everywhere (the shapes broadcast).
pub fn allclose(a: &Tensor, b: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<bool> {
    all_true(&isclose(a, b, rtol, atol, equal_nan)?)
}

/// `torch.equal`: same shape and equal elements (after promotion; NaN is never equal).
pub fn equal(a: &Tensor, b: &Tensor) -> Result<bool> {
    if a.shape() != b.shape() {
        return Ok(false);
    }
    all_true(&binary(BinaryOp::Eq, Arg::Tensor(a), Arg::Tensor(b))?)
}
