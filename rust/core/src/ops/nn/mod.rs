//! The kernels of `rstorch.nn` (convolution, pooling, normalisation, losses...), one file per
//! family. Like every core op they compute the output metadata first, allocate on the operands'
//! device and stop there on `meta`.

pub mod conv;
pub mod loss;
pub mod norm;
pub mod pool;

use crate::dtype::Element;
use crate::error::Result;
use crate::tensor::Tensor;

/// The float types the fused nn kernels compute in (float32 and float64): plain arithmetic for
/// the loops LLVM vectorises, plus the SIMD row kernels softmax uses.
pub(crate) trait Float:
    Element
    + PartialOrd
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
{
    /// The largest element, NaN ignored (a NaN still reaches the result through the sum).
    fn max_of(x: &[Self]) -> Self;
    /// `y = exp(x - shift)`, returning the sum of `y`.
    fn exp_shift_sum(x: &[Self], shift: Self, y: &mut [Self]) -> f64;
}

impl Float for f32 {
    fn max_of(x: &[f32]) -> f32 {
        crate::ops::reduce::fast::max_ignoring_nan_f32(x)
    }
    fn exp_shift_sum(x: &[f32], shift: f32, y: &mut [f32]) -> f64 {
        crate::ops::vecmath::exp_shift_sum_f32(x, shift, y)
    }
}

impl Float for f64 {
    fn max_of(x: &[f64]) -> f64 {
        x.iter().fold(f64::NEG_INFINITY, |m, &v| if v > m { v } else { m })
    }
    fn exp_shift_sum(x: &[f64], shift: f64, y: &mut [f64]) -> f64 {
        y.iter_mut().zip(x).for_each(|(o, &v)| *o = (v - shift).exp());
        crate::ops::reduce::fast::sum_f64(y)
    }
}

/// torch's loss reductions (`_Reduction.get_enum`: 0 none, 1 mean, 2 sum).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    None,
    Mean,
    Sum,
}

impl Reduction {
    pub fn from_enum(e: i64) -> crate::Result<Reduction> {
        match e {
            0 => Ok(Reduction::None),
            1 => Ok(Reduction::Mean),
            2 => Ok(Reduction::Sum),
            _ => Err(crate::Error::value(format!("{e} is not a valid value for reduction"))),
        }
    }
}

/// A contiguous copy's host slice of `t` (of element type T), for the duration of `f`.
pub(crate) fn with_slice<T: Element, R>(t: &Tensor, f: impl FnOnce(&[T]) -> Result<R>) -> Result<R> {
    let c = t.contiguous()?;
    let g = c.storage().read()?;
    // SAFETY: contiguous, `numel` elements of T from the offset.
    let s = unsafe { std::slice::from_raw_parts((g.ptr() as *const T).add(c.offset()), c.numel()) };
    f(s)
}

pub(crate) fn opt_slice<T: Element, R>(t: Option<&Tensor>, f: impl FnOnce(Option<&[T]>) -> Result<R>) -> Result<R> {
    match t {
        Some(t) => with_slice(t, |s| f(Some(s))),
        None => f(None),
    }
}
