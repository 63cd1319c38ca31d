//! Sums and their relatives: sum, nansum, mean, nanmean, prod, all/any and count_nonzero.
//! Float sums accumulate in f64, integer sums and products in wrapping int64, like torch.

use super::driver::{reduce1, Fold, Reducer};
use super::{cast_input, count_of, not_floating, reduced_dims, Num};
use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::tensor::Tensor;

/// Float sum in f64, with the vectorised contiguous loop.
pub(super) struct FSum;
impl<S: Num> Reducer<S> for FSum {
    type Acc = f64;
    fn init(&self) -> f64 {
        0.0
    }
    #[inline(always)]
    fn fold(&self, acc: f64, x: S, _: usize) -> f64 {
        acc + x.to_f64()
    }
    #[inline(always)]
    fn fold_slice(&self, acc: f64, xs: &[S], _: usize) -> f64 {
        acc + S::fsum(xs)
    }
    #[inline(always)]
    fn fold_across(&self, accs: &mut [f64], xs: &[S], _: usize) {
        S::fsum_across(accs, xs)
    }
    fn combine(&self, a: f64, b: f64) -> f64 {
        a + b
    }
}

/// Integer sum in wrapping int64.
struct ISum;
impl<S: Num> Reducer<S> for ISum {
    type Acc = i64;
    fn init(&self) -> i64 {
        0
    }
    #[inline(always)]
    fn fold(&self, acc: i64, x: S, _: usize) -> i64 {
        acc.wrapping_add(x.to_i64())
    }
    #[inline(always)]
    fn fold_slice(&self, acc: i64, xs: &[S], _: usize) -> i64 {
        acc.wrapping_add(S::isum(xs))
    }
    fn combine(&self, a: i64, b: i64) -> i64 {
        a.wrapping_add(b)
    }
}

/// The dtype `sum` returns by default: int64 for integers and bool, else the input dtype.
fn sum_dtype(d: DType) -> DType {
    if d.is_floating_point() {
        d
    } else {
        DType::Int64
    }
}

/// `torch.sum(t, dims, keepdim, dtype=)`.
pub fn sum(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let dims = reduced_dims(t.ndim(), dims)?;
    let t = cast_input(t, dtype)?;
    // with dtype= the input is cast first and the result keeps that dtype (int32 stays int32)
    let out = dtype.unwrap_or(sum_dtype(t.dtype()));
    if crate::backend::is_backend(t.device()) {
        return Ok(crate::backend::reduce("sum", &t, &dims, keepdim, out, false)?.0);
    }
    crate::dispatch!(t.dtype(), S => {
        if out.is_floating_point() {
            reduce1::<S, _, S>(&t, &dims, keepdim, &FSum, S::from_f64)
        } else {
            reduce1::<S, _, i64>(&t, &dims, keepdim, &ISum, |a| a)?.to_dtype(out)
        }
    })
}

/// `torch.nansum`: NaNs count as zero.
pub fn nansum(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let t = cast_input(t, dtype)?;
    if !t.dtype().is_floating_point() {
        return sum(&t, dims, keepdim, dtype); // nansum(dtype=int16) stays int16
    }
    let dims = reduced_dims(t.ndim(), dims)?;
    crate::dispatch!(t.dtype(), S => {
        let r = Fold { init: 0.0f64, fold: |a: f64, x: S, _| if x.is_nan() { a } else { a + x.to_f64() }, combine: |a, b| a + b };
        reduce1::<S, _, S>(&t, &dims, keepdim, &r, S::from_f64)
    })
}

/// `torch.mean`: floating inputs only, like torch.
pub fn mean(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let out_dtype = dtype.unwrap_or(t.dtype());
    if !out_dtype.is_floating_point() {
        return Err(not_floating(format!(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
            out_dtype.scalar_type_name()
        )));
    }
    let dims = reduced_dims(t.ndim(), dims)?;
    let t = t.to_dtype(out_dtype)?;
    if crate::backend::is_backend(t.device()) {
        return Ok(crate::backend::reduce("mean", &t, &dims, keepdim, out_dtype, false)?.0);
    }
    let n = count_of(&t, &dims) as f64;
    crate::dispatch!(out_dtype, S => reduce1::<S, _, S>(&t, &dims, keepdim, &FSum, |a| S::from_f64(a / n)))
}

/// `torch.nanmean`: the mean of the non-NaN elements.
pub fn nanmean(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    // torch checks the input's own dtype, before dtype= casts it
    if !t.dtype().is_floating_point() {
        return Err(not_floating(format!(
            "nanmean(): expected input to have floating point or complex dtype but got {}",
            t.dtype().scalar_type_name()
        )));
    }
    let t = cast_input(t, dtype)?;
    let dims = reduced_dims(t.ndim(), dims)?;
    crate::dispatch!(t.dtype(), S => {
        let r = Fold {
            init: (0.0f64, 0usize),
            fold: |(s, n): (f64, usize), x: S, _| if x.is_nan() { (s, n) } else { (s + x.to_f64(), n + 1) },
            combine: |a: (f64, usize), b: (f64, usize)| (a.0 + b.0, a.1 + b.1),
        };
        reduce1::<S, _, S>(&t, &dims, keepdim, &r, |(s, n)| S::from_f64(s / n as f64))
    })
}

/// `torch.prod(t, dim=None, keepdim, dtype=)`: integers and bool give int64.
pub fn prod(t: &Tensor, dim: Option<i64>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let dims = match dim {
        Some(d) => reduced_dims(t.ndim(), Some(&[d]))?,
        None => reduced_dims(t.ndim(), None)?,
    };
    let t = cast_input(t, dtype)?;
    crate::dispatch!(t.dtype(), S => {
        if t.dtype().is_floating_point() {
            let r = Fold { init: 1.0f64, fold: |a: f64, x: S, _| a * x.to_f64(), combine: |a, b| a * b };
            reduce1::<S, _, S>(&t, &dims, keepdim, &r, S::from_f64)
        } else {
            let r = Fold { init: 1i64, fold: |a: i64, x: S, _| a.wrapping_mul(x.to_i64()), combine: |a: i64, b| a.wrapping_mul(b) };
            reduce1::<S, _, i64>(&t, &dims, keepdim, &r, |a| a)?.to_dtype(dtype.unwrap_or(DType::Int64))
        }
    })
}

// ------------------------------------------------------------------------------- logical

/// `all`/`any` over `dims`: bool results (uint8 inputs give uint8, like torch).
pub fn all_any(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, all: bool) -> Result<Tensor> {
    if matches!(dims, Some(d) if d.is_empty()) {
        // dim=(): no dim reduced (torch 2.15), each element's truth
        let r = crate::ops::binary::binary(crate::ops::binary::BinaryOp::Ne, crate::ops::Arg::Tensor(t), crate::ops::Arg::Scalar(crate::scalar::Scalar::Int(0)))?;
        return if t.dtype() == DType::UInt8 { r.to_dtype(DType::UInt8) } else { Ok(r) };
    }
    let dims = reduced_dims(t.ndim(), dims)?;
    crate::dispatch!(t.dtype(), S => {
        let r = Fold {
            init: all,
            fold: move |a: bool, x: S, _| if all { a && x != S::zero() } else { a || x != S::zero() },
            combine: move |a: bool, b: bool| if all { a && b } else { a || b },
        };
        if t.dtype() == DType::UInt8 {
            reduce1::<S, _, u8>(t, &dims, keepdim, &r, |a| a as u8)
        } else {
            reduce1::<S, _, bool>(t, &dims, keepdim, &r, |a| a)
        }
    })
}

/// `count_nonzero(dim=None)`: int64.
pub fn count_nonzero(t: &Tensor, dims: Option<&[i64]>) -> Result<Tensor> {
    let dims = reduced_dims(t.ndim(), dims)?;
    crate::dispatch!(t.dtype(), S => {
        let r = Fold { init: 0i64, fold: |a: i64, x: S, _| a + (x != S::zero()) as i64, combine: |a, b| a + b };
        reduce1::<S, _, i64>(t, &dims, false, &r, |a| a)
    })
}
