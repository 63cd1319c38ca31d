//! Statistics and norms: var/std (with the mean), vector_norm and logsumexp, all computed in
//! f64 whatever the input's float type.

use super::driver::{reduce1, reduce2, Fold, Reducer};
use super::{cast_input, not_floating, reduced_dims, Num};
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Count, mean and sum of squared deviations, merged with Chan's formula (stable, ordered).
#[derive(Clone, Copy)]
struct Moments {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Moments {
    const ZERO: Moments = Moments { n: 0.0, mean: 0.0, m2: 0.0 };

    #[inline(always)]
    fn merge(a: Moments, b: Moments) -> Moments {
        if b.n == 0.0 {
            return a;
        }
        if a.n == 0.0 {
            return b;
        }
        let n = a.n + b.n;
        let d = b.mean - a.mean;
        Moments { n, mean: a.mean + d * b.n / n, m2: a.m2 + b.m2 + d * d * a.n * b.n / n }
    }
}

struct MomentsR;
impl<S: Num> Reducer<S> for MomentsR {
    type Acc = Moments;
    fn init(&self) -> Moments {
        Moments::ZERO
    }
    #[inline(always)]
    fn fold(&self, a: Moments, x: S, _: usize) -> Moments {
        // Welford's update
        let (x, n) = (x.to_f64(), a.n + 1.0);
        let d = x - a.mean;
        let mean = a.mean + d / n;
        Moments { n, mean, m2: a.m2 + d * (x - mean) }
    }
    /// Two passes over a contiguous run (vectorised), merged into the running moments.
    fn fold_slice(&self, a: Moments, xs: &[S], _: usize) -> Moments {
        if xs.is_empty() {
            return a;
        }
        let n = xs.len() as f64;
        let mean = S::fsum(xs) / n;
        let mut acc = [0.0f64; 8];
        let mut it = xs.chunks_exact(8);
        for c in &mut it {
            for j in 0..8 {
                let d = c[j].to_f64() - mean;
                acc[j] += d * d;
            }
        }
        let m2 = acc.iter().sum::<f64>() + it.remainder().iter().map(|x| (x.to_f64() - mean).powi(2)).sum::<f64>();
        Moments::merge(a, Moments { n, mean, m2 })
    }
    fn combine(&self, a: Moments, b: Moments) -> Moments {
        Moments::merge(a, b)
    }
}

/// Which of variance, standard deviation and mean `var_std` returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moment {
    Var,
    Std,
}

/// `var`/`std` over `dims` with `correction` (the divisor is `max(0, N - correction)`, so too
/// few elements give nan or inf, like torch); with `with_mean` also the mean.
pub fn var_std(t: &Tensor, dims: Option<&[i64]>, correction: f64, keepdim: bool, which: Moment, with_mean: bool) -> Result<(Tensor, Option<Tensor>)> {
    if !t.dtype().is_floating_point() {
        return Err(not_floating("std and var only support floating point and complex dtypes".into()));
    }
    let dims = reduced_dims(t.ndim(), dims)?;
    crate::dispatch!(t.dtype(), S => {
        let fin = move |m: Moments| {
            let n = if m.n == 0.0 { f64::NAN } else { m.mean };
            let v = m.m2 / (m.n - correction).max(0.0);
            (S::from_f64(if which == Moment::Std { v.sqrt() } else { v }), S::from_f64(n))
        };
        if with_mean {
            let (v, m) = reduce2::<S, _, S, S>(t, &dims, keepdim, &MomentsR, fin)?;
            Ok((v, Some(m)))
        } else {
            Ok((reduce1::<S, _, S>(t, &dims, keepdim, &MomentsR, move |m| fin(m).0)?, None))
        }
    })
}

// ------------------------------------------------------------------------------- norms, logsumexp

/// `linalg.vector_norm(t, ord, dims, keepdim, dtype=)`: float inputs; `ord` any float, inf, -inf
/// or 0 (the count of non-zeros, NaN counting as non-zero). `dtype` may only widen the input's.
pub fn vector_norm(t: &Tensor, ord: f64, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    if !t.dtype().is_floating_point() {
        return Err(not_floating(format!(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got {}",
            t.dtype().scalar_type_name()
        )));
    }
    check_norm_dtype("linalg.vector_norm", t.dtype(), dtype)?;
    let t = cast_input(t, dtype)?;
    let dims = reduced_dims(t.ndim(), dims)?;
    // orders whose reduction has no identity (max/min of |x|, negative powers) need elements
    if ord < 0.0 || ord == f64::INFINITY {
        let name = if ord.is_infinite() { (if ord > 0.0 { "inf" } else { "-inf" }).to_string() } else { format!("{ord}") };
        if t.numel() == 0 && dims.len() == t.ndim() {
            return Err(Error::runtime(format!(
                "linalg.vector_norm cannot compute the {name} norm on an empty tensor because the operation does not have an identity"
            )));
        }
        if let Some(d) = dims.iter().find(|&&d| t.shape()[d] == 0) {
            return Err(Error::runtime(format!(
                "linalg.vector_norm cannot compute the {name} norm on the dimension {d}because this dimension is empty and the operation does not have an identity"
            )));
        }
    }
    fn run<S: Num>(t: &Tensor, dims: &[usize], keepdim: bool, init: f64, map: impl Fn(f64) -> f64 + Sync, comb: impl Fn(f64, f64) -> f64 + Sync + Copy, fin: impl Fn(f64) -> f64 + Sync) -> Result<Tensor> {
        let r = Fold { init, fold: |a: f64, x: S, _| comb(a, map(x.to_f64())), combine: comb };
        reduce1::<S, _, S>(t, dims, keepdim, &r, |a| S::from_f64(fin(a)))
    }
    let add = |a: f64, b: f64| a + b;
    // NaN-propagating max/min of |x|
    let max = |a: f64, b: f64| if b > a || b.is_nan() { b } else { a };
    let min = |a: f64, b: f64| if b < a || b.is_nan() { b } else { a };
    crate::dispatch!(t.dtype(), S => {
        if ord == 2.0 {
            run::<S>(&t, &dims, keepdim, 0.0, |x| x * x, add, f64::sqrt)
        } else if ord == 1.0 {
            run::<S>(&t, &dims, keepdim, 0.0, f64::abs, add, |a| a)
        } else if ord == 0.0 {
            run::<S>(&t, &dims, keepdim, 0.0, |x| (x != 0.0) as u8 as f64, add, |a| a)
        } else if ord == f64::INFINITY {
            run::<S>(&t, &dims, keepdim, 0.0, f64::abs, max, |a| a)
        } else if ord == f64::NEG_INFINITY {
            run::<S>(&t, &dims, keepdim, f64::INFINITY, f64::abs, min, |a| a)
        } else {
            run::<S>(&t, &dims, keepdim, 0.0, move |x| x.abs().powf(ord), add, move |a| a.powf(1.0 / ord))
        }
    })
}

/// torch's checks of a norm's `dtype=`: floating, and no narrower than the input's (`op` names
/// the norm in the error).
pub fn check_norm_dtype(op: &str, input: DType, dtype: Option<DType>) -> Result<()> {
    let Some(d) = dtype else { return Ok(()) };
    if !d.is_floating_point() {
        return Err(Error::runtime(format!("{op}: dtype should be floating point or complex, but got {}", d.scalar_type_name())));
    }
    if input.promote(d) != d {
        return Err(Error::runtime(format!(
            "{op}: the dtype of the input ({}) should be convertible without narrowing to the specified dtype ({})",
            input.scalar_type_name(),
            d.scalar_type_name()
        )));
    }
    Ok(())
}

/// `logsumexp(dims, keepdim)`: a running (max, sum of exp(x - max)), so one pass and no
/// overflow; integer inputs give the default float dtype.
pub fn logsumexp(t: &Tensor, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
    let t = if t.dtype().is_floating_point() { t.clone() } else { t.to_dtype(crate::ops::default_float())? };
    let dims = reduced_dims(t.ndim(), dims)?;
    // merge (m, s) pairs; m = +-inf or NaN decide the result on their own (see `fin`)
    fn merge(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
        if a.0.is_nan() || b.0.is_nan() {
            return (f64::NAN, 0.0);
        }
        if b.0 == f64::NEG_INFINITY {
            return a;
        }
        if a.0 == f64::NEG_INFINITY {
            return b;
        }
        if a.0 >= b.0 {
            (a.0, a.1 + b.1 * (b.0 - a.0).exp())
        } else {
            (b.0, b.1 + a.1 * (a.0 - b.0).exp())
        }
    }
    crate::dispatch!(t.dtype(), S => {
        let r = Fold { init: (f64::NEG_INFINITY, 0.0), fold: |a, x: S, _| merge(a, (x.to_f64(), 1.0)), combine: merge };
        reduce1::<S, _, S>(&t, &dims, keepdim, &r, |(m, s)| S::from_f64(if m.is_infinite() || m.is_nan() { m } else { m + s.ln() }))
    })
}
