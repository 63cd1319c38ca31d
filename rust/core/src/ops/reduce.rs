//! Reductions over all dims, one dim or a set of dims, with `keepdim`.
//!
//! This file holds what every reduction shares (the dims and output shape of a reduction and
//! the [`Num`] element trait); the rest lives in `reduce/`:
//! - `driver.rs`: the `Reducer` trait and the one driver, `reduce_into`;
//! - `sum.rs`: sum, nansum, mean, nanmean, prod, all/any, count_nonzero;
//! - `extreme.rs`: amax/amin, max/min, argmax/argmin, aminmax;
//! - `stats.rs`: var/std, vector_norm, logsumexp;
//! - `scan.rs`: scans (cumsum...) and softmax; `fast.rs`: the vectorised contiguous loops.
//!
//! Every reduction is a `Reducer` (an accumulator with `init`, `fold` and an ordered
//! `combine`) run by one driver, `reduce_into`, which picks the layout:
//! - one output (a full reduction): the reduced block is cut into fixed-size chunks, folded in
//!   parallel and the partials combined in chunk order, so results do not depend on the thread
//!   count;
//! - reduced dims innermost ("horizontal"): each output folds its own rows (slices when
//!   contiguous), outputs split over the threads;
//! - kept dims innermost ("vertical", e.g. `sum(dim=0)` of a matrix): a block of adjacent outputs
//!   accumulates whole input rows at a time, so memory is read sequentially rather than walked
//!   with a large stride.
//!
//! Float sums accumulate in f64 (exact for 10M float32 ones), integer sums and products in int64
//! like torch.

mod driver;
mod extreme;
pub(crate) mod fast;
pub mod scan;
mod stats;
mod sum;

pub(crate) use driver::for_each_elem_in;
use extreme::lanes_extreme;
pub use extreme::{amax, aminmax, argmax, max_all, max_dim};
pub use stats::{check_norm_dtype, logsumexp, var_std, vector_norm, Moment};
pub use sum::{all_any, count_nonzero, mean, nanmean, nansum, prod, sum};

use crate::dtype::{bf16, f16, DType, Element};
use crate::halfconv::HalfFloat;
use crate::error::{Error, Result};
use crate::shape::{self, Dims};
use crate::tensor::Tensor;

// ------------------------------------------------------------------------------- dims and shapes

/// Resolve `dims` (None or empty = all dims) into a sorted, deduplicated list.
pub fn reduced_dims(ndim: usize, dims: Option<&[i64]>) -> Result<Dims> {
    match dims {
        None => Ok((0..ndim).collect()),
        Some(d) if d.is_empty() => Ok((0..ndim).collect()),
        Some(d) => {
            let mut v = shape::normalize_dims(d, ndim)?;
            // a 0-dim tensor accepts dim 0 / -1 and has nothing to reduce
            v.retain(|&mut x| x < ndim);
            v.sort_unstable();
            Ok(v)
        }
    }
}

/// The output shape of a reduction over `dims`.
pub(crate) fn reduced_shape(shape: &[usize], dims: &[usize], keepdim: bool) -> Dims {
    let mut out = Dims::new();
    for (d, &s) in shape.iter().enumerate() {
        if dims.contains(&d) {
            if keepdim {
                out.push(1);
            }
        } else {
            out.push(s);
        }
    }
    out
}

/// torch's error for reducing a zero-size dim with an op that has no identity (max, argmax...).
fn check_nonempty(name: &str, t: &Tensor, dims: &[usize]) -> Result<()> {
    for &d in dims {
        if t.shape()[d] == 0 {
            return Err(Error::index(format!("{name}(): Expected reduction dim {d} to have non-zero size.")));
        }
    }
    Ok(())
}

/// The number of elements each output of a reduction over `dims` folds.
fn count_of(t: &Tensor, dims: &[usize]) -> usize {
    dims.iter().map(|&d| t.shape()[d]).product()
}

fn not_floating(msg: String) -> Error {
    Error::NotImplemented(msg)
}

/// `t` converted to `dtype` when one is given (torch casts the input before reducing).
fn cast_input(t: &Tensor, dtype: Option<DType>) -> Result<Tensor> {
    match dtype {
        Some(d) => t.to_dtype(d),
        None => Ok(t.clone()),
    }
}

// ------------------------------------------------------------------------------- element traits

/// What the reduction kernels need of every element type: bounds for max/min and the
/// contiguous sums (overridden with the vectorised loops for f32/f64).
pub(crate) trait Num: Element + PartialOrd {
    const LOWEST: Self;
    const HIGHEST: Self;
    #[inline(always)]
    fn is_nan(self) -> bool {
        #[allow(clippy::eq_op)]
        let nan = self != self;
        nan
    }
    /// Sum of a contiguous run as f64.
    #[inline]
    fn fsum(xs: &[Self]) -> f64 {
        let mut acc = [0.0f64; 8];
        let mut it = xs.chunks_exact(8);
        for c in &mut it {
            for j in 0..8 {
                acc[j] += c[j].to_f64();
            }
        }
        acc.iter().sum::<f64>() + it.remainder().iter().map(|x| x.to_f64()).sum::<f64>()
    }
    /// `accs[j] += xs[j]` in f64 (vertical sums; overridden with SIMD for f32/f64).
    #[inline]
    fn fsum_across(accs: &mut [f64], xs: &[Self]) {
        for (a, x) in accs.iter_mut().zip(xs) {
            *a += x.to_f64();
        }
    }
    /// Wrapping int64 sum of a contiguous run.
    #[inline]
    fn isum(xs: &[Self]) -> i64 {
        xs.iter().fold(0i64, |a, x| a.wrapping_add(x.to_i64()))
    }
    /// The largest (`MAX`) or smallest element of a contiguous run, NaN if there is one
    /// (overridden with run-time-dispatched SIMD for f32/f64).
    #[inline]
    fn extreme_of<const MAX: bool>(xs: &[Self]) -> Self {
        lanes_extreme::<Self, MAX>(xs)
    }
}

macro_rules! num_int {
    ($($t:ty),*) => {$(
        impl Num for $t {
            const LOWEST: Self = <$t>::MIN;
            const HIGHEST: Self = <$t>::MAX;
        }
    )*};
}
num_int!(u8, i8, i16, i32, i64);

impl Num for bool {
    const LOWEST: Self = false;
    const HIGHEST: Self = true;
}
/// The half types' sums: blocks converted to float32 in registers (`halfconv`), then the
/// float32 loops (exact: every half value is a float32, and the sums accumulate in f64).
macro_rules! num_half {
    ($($t:ty),*) => {$(
        impl Num for $t {
            const LOWEST: Self = <$t>::NEG_INFINITY;
            const HIGHEST: Self = <$t>::INFINITY;
            #[inline]
            fn fsum(xs: &[Self]) -> f64 {
                let mut buf = [0f32; HALF_BLOCK];
                xs.chunks(HALF_BLOCK)
                    .map(|c| {
                        let b = &mut buf[..c.len()];
                        HalfFloat::to_f32s(c, b);
                        fast::sum_f32(b)
                    })
                    .sum()
            }
            #[inline]
            fn fsum_across(accs: &mut [f64], xs: &[Self]) {
                let mut buf = [0f32; HALF_BLOCK];
                for (a, c) in accs.chunks_mut(HALF_BLOCK).zip(xs.chunks(HALF_BLOCK)) {
                    let b = &mut buf[..c.len()];
                    HalfFloat::to_f32s(c, b);
                    fast::add_across_f32(a, b);
                }
            }
        }
    )*};
}
/// Elements per float32 block of the half types' sums (4 KiB on the stack).
const HALF_BLOCK: usize = 1024;
num_half!(f16, bf16);
impl Num for f32 {
    const LOWEST: Self = f32::NEG_INFINITY;
    const HIGHEST: Self = f32::INFINITY;
    #[inline]
    fn fsum(xs: &[Self]) -> f64 {
        fast::sum_f32(xs)
    }
    #[inline]
    fn fsum_across(accs: &mut [f64], xs: &[Self]) {
        fast::add_across_f32(accs, xs)
    }
    #[inline]
    fn extreme_of<const MAX: bool>(xs: &[Self]) -> Self {
        if MAX {
            fast::amax_f32(xs)
        } else {
            fast::amin_f32(xs)
        }
    }
}
impl Num for f64 {
    const LOWEST: Self = f64::NEG_INFINITY;
    const HIGHEST: Self = f64::INFINITY;
    #[inline]
    fn fsum(xs: &[Self]) -> f64 {
        fast::sum_f64(xs)
    }
    #[inline]
    fn fsum_across(accs: &mut [f64], xs: &[Self]) {
        fast::add_across_f64(accs, xs)
    }
    #[inline]
    fn extreme_of<const MAX: bool>(xs: &[Self]) -> Self {
        if MAX {
            fast::amax_f64(xs)
        } else {
            fast::amin_f64(xs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::Scalar;

    fn t(v: Vec<f32>, shape: &[usize]) -> Tensor {
        Tensor::from_vec(v, shape).unwrap()
    }

    #[test]
    fn sum_dims_and_keepdim() {
        let t = t((0..24).map(|x| x as f32).collect(), &[2, 3, 4]);
        let s = sum(&t, Some(&[1]), false, None).unwrap();
        assert_eq!(s.shape(), &[2, 4]);
        assert_eq!(s.to_vec::<f32>().unwrap(), vec![12., 15., 18., 21., 48., 51., 54., 57.]);
        let s = sum(&t, Some(&[0, 2]), true, None).unwrap();
        assert_eq!(s.shape(), &[1, 3, 1]);
        assert_eq!(s.to_vec::<f32>().unwrap(), vec![60., 92., 124.]);
        let s = sum(&t.transpose(0, 2).unwrap(), None, false, None).unwrap();
        assert_eq!(s.to_vec::<f32>().unwrap(), vec![276.]);
        let s = sum(&t, Some(&[2]), false, None).unwrap();
        assert_eq!(s.to_vec::<f32>().unwrap(), vec![6., 22., 38., 54., 70., 86.]);
    }

    #[test]
    fn vertical_layout_matches_horizontal() {
        let v: Vec<f32> = (0..300 * 700).map(|x| ((x * 7919) % 1000) as f32 - 500.0).collect();
        let a = t(v, &[300, 700]);
        let s0 = sum(&a, Some(&[0]), false, None).unwrap().to_vec::<f32>().unwrap();
        let s0t = sum(&a.t().unwrap().contiguous().unwrap(), Some(&[1]), false, None).unwrap().to_vec::<f32>().unwrap();
        assert_eq!(s0, s0t);
        let (v0, i0) = max_dim(&a, 0, false, true).unwrap();
        let (v1, i1) = max_dim(&a.t().unwrap().contiguous().unwrap(), 1, false, true).unwrap();
        assert_eq!(v0.to_vec::<f32>().unwrap(), v1.to_vec::<f32>().unwrap());
        assert_eq!(i0.to_vec::<i64>().unwrap(), i1.to_vec::<i64>().unwrap());
    }

    #[test]
    fn sum_of_ten_million_ones_is_exact() {
        let t = Tensor::full(&[10_000_000], Scalar::Float(1.0), DType::Float32).unwrap();
        assert_eq!(sum(&t, None, false, None).unwrap().to_vec::<f32>().unwrap(), vec![1e7]);
    }

    #[test]
    fn deterministic_whatever_the_threads() {
        let v: Vec<f32> = (0..1_000_003).map(|x| ((x as f32) * 0.37).sin()).collect();
        let a = t(v, &[1_000_003]);
        crate::parallel::set_num_threads(1);
        let one = sum(&a, None, false, None).unwrap().to_vec::<f32>().unwrap();
        crate::parallel::set_num_threads(3);
        let three = sum(&a, None, false, None).unwrap().to_vec::<f32>().unwrap();
        crate::parallel::set_num_threads(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
        assert_eq!(one, three);
    }

    #[test]
    fn zero_dim_reduces_over_dim_zero() {
        let t = Tensor::scalar(Scalar::Float(2.0), DType::Float32).unwrap();
        let s = sum(&t, Some(&[0]), true, None).unwrap();
        assert_eq!(s.shape(), &[] as &[usize]);
        assert_eq!(s.to_vec::<f32>().unwrap(), vec![2.0]);
    }

    #[test]
    fn int_sum_is_int64() {
        let t = Tensor::from_vec(vec![true, true, false], &[3]).unwrap();
        let s = sum(&t, None, false, None).unwrap();
        assert_eq!(s.dtype(), DType::Int64);
        assert_eq!(s.to_vec::<i64>().unwrap(), vec![2]);
    }

    #[test]
    fn argmax_first_tie_and_nan() {
        let a = t(vec![1., 3., 3., f32::NAN, 3., f32::NAN], &[6]);
        assert_eq!(argmax(&a, None, false, true).unwrap().to_vec::<i64>().unwrap(), vec![3]);
        let b = t(vec![1., 3., 0., 3., 0.], &[5]);
        assert_eq!(argmax(&b, None, false, true).unwrap().to_vec::<i64>().unwrap(), vec![1]);
        assert_eq!(argmax(&b, None, false, false).unwrap().to_vec::<i64>().unwrap(), vec![2]);
        assert!(max_all(&a, true).unwrap().to_vec::<f32>().unwrap()[0].is_nan());
    }

    #[test]
    fn moments() {
        let a = t(vec![1., 2., 3., 4.], &[4]);
        let (v, m) = var_std(&a, None, 1.0, false, Moment::Var, true).unwrap();
        assert!((v.to_vec::<f32>().unwrap()[0] - 5.0 / 3.0).abs() < 1e-6);
        assert_eq!(m.unwrap().to_vec::<f32>().unwrap(), vec![2.5]);
    }
}
