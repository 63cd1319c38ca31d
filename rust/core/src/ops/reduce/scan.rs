//! Ops along one dim that produce a value per element: scans (cumsum, cumprod, cummax, cummin,
//! logcumsumexp) and softmax / log_softmax.
//!
//! One driver, [`map_lines`], walks the lines along the dim (split over the threads) and hands
//! each op's line kernel a source line and a destination line of the compute type. When the
//! input, compute and output types agree and the line is contiguous (the innermost dim, the
//! common softmax case), those are the input and output rows themselves, so nothing is copied;
//! otherwise the line is gathered into a buffer and the result scattered from another.

use super::{for_each_elem_in, Num};
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::iter::Plan;
use crate::parallel::{for_each_chunk, SyncPtr, GRAIN};
use crate::scalar::cast;
use crate::shape::{self, Dims};
use crate::tensor::Tensor;

/// Apply `f(src, dst, indices)` to every line of `t` along `dim`, giving a tensor of `D` (and,
/// when `with_indices`, an int64 tensor filled from the `indices` buffer). Lines are read as
/// `S`, computed as `C`; `f` writes every element of `dst`.
fn map_lines<S: Element, C: Element, D: Element>(
    t: &Tensor,
    dim: i64,
    with_indices: bool,
    f: impl Fn(&[C], &mut [C], &mut [i64]) + Sync,
) -> Result<(Tensor, Option<Tensor>)> {
    debug_assert_eq!(t.dtype(), S::DTYPE);
    let dim = shape::normalize_dim(dim, t.ndim())?;
    let out = Tensor::empty_on(t.shape(), D::DTYPE, t.device())?;
    let ind = if with_indices { Some(Tensor::empty_on(t.shape(), DType::Int64, t.device())?) } else { None };
    if t.numel() == 0 || t.is_meta() {
        return Ok((out, ind));
    }
    let (len, sin, sout) = if t.ndim() == 0 { (1, 1, 1) } else { (t.shape()[dim], t.strides()[dim], out.strides()[dim]) };
    let others = |v: &[usize]| -> Dims { v.iter().enumerate().filter(|&(d, _)| d != dim).map(|(_, &x)| x).collect() };
    let (oshape, istr, ostr) = (others(t.shape()), others(t.strides()), others(out.strides()));
    let plan = Plan::new(&oshape, [&istr, &ostr], [t.offset(), 0]);
    {
        let g = t.storage().read()?;
        let og = out.storage().write()?;
        let ig = match &ind {
            Some(i) => Some(i.storage().write()?),
            None => None,
        };
        let (ip, op) = (SyncPtr(g.ptr() as *mut S), SyncPtr(og.ptr() as *mut D));
        let xp = SyncPtr(ig.as_ref().map_or(std::ptr::null_mut(), |g| g.ptr() as *mut i64));
        let direct = S::DTYPE == C::DTYPE && C::DTYPE == D::DTYPE && sin == 1 && sout == 1;
        for_each_chunk(plan.numel(), (GRAIN / len).max(1), |range| {
            let buf_len = if direct { 0 } else { len };
            let (mut src, mut dst) = (vec![C::zero(); buf_len], vec![C::zero(); buf_len]);
            let mut idx = vec![0i64; if with_indices { len } else { 0 }];
            for_each_elem_in(&plan, range.start, range.end, |_, [io, oo]| unsafe {
                // SAFETY: each line is read inside the input's layout and written to the part of
                // the fresh outputs this line owns (the input is never the output: it is fresh).
                if direct {
                    let src = std::slice::from_raw_parts(ip.get().add(io) as *const C, len);
                    f(src, std::slice::from_raw_parts_mut(op.get().add(oo) as *mut C, len), &mut idx);
                } else {
                    for (k, b) in src.iter_mut().enumerate() {
                        *b = cast::<S, C>(*ip.get().add(io + k * sin));
                    }
                    f(&src, &mut dst, &mut idx);
                    for (k, &b) in dst.iter().enumerate() {
                        *op.get().add(oo + k * sout) = cast::<C, D>(b);
                    }
                }
                for (k, &i) in idx.iter().enumerate() {
                    *xp.get().add(oo + k * sout) = i;
                }
            });
        });
    }
    Ok((out, ind))
}

/// `cumsum`/`cumprod(dim, dtype=)`: integers and bool give int64 (accumulated in int64), floats
/// accumulate in f64.
pub fn cumsum(t: &Tensor, dim: i64, dtype: Option<DType>, prod: bool) -> Result<Tensor> {
    crate::shape::normalize_dim(dim, t.ndim())?; // torch checks the dim first
    if dtype == Some(DType::Bool) {
        // torch has no bool kernel to scan into (a bool input scans in int64)
        return Err(Error::unsupported(if prod { "cumprod_out_cpu" } else { "cumsum_out_cpu" }, DType::Bool));
    }
    let t = match dtype {
        Some(d) => t.to_dtype(d)?,
        None => t.clone(),
    };
    let r = crate::dispatch!(t.dtype(), S => {
        if t.dtype().is_floating_point() {
            map_lines::<S, f64, S>(&t, dim, false, |x, y, _| scan_line(x, y, prod))
        } else {
            map_lines::<S, i64, i64>(&t, dim, false, |x, y, _| {
                let mut a = if prod { 1i64 } else { 0 };
                for (o, &v) in y.iter_mut().zip(x) {
                    a = if prod { a.wrapping_mul(v) } else { a.wrapping_add(v) };
                    *o = a;
                }
            })
        }
    });
    // integer scans run in int64; a narrower dtype= gets the (wrapped) values cast back
    let out = r?.0;
    if t.dtype().is_floating_point() {
        Ok(out)
    } else {
        out.to_dtype(dtype.unwrap_or(DType::Int64))
    }
}

fn scan_line(x: &[f64], y: &mut [f64], prod: bool) {
    let mut a = if prod { 1.0 } else { 0.0 };
    for (o, &v) in y.iter_mut().zip(x) {
        a = if prod { a * v } else { a + v };
        *o = a;
    }
}

/// `cummax`/`cummin(dim)`: running extreme and the index where it was reached (the latest among
/// ties, and NaN sticks once seen, as in torch).
pub fn cummax(t: &Tensor, dim: i64, max: bool) -> Result<(Tensor, Tensor)> {
    fn line<S: Num, const MAX: bool>(x: &[S], out: &mut [S], idx: &mut [i64]) {
        let (mut v, mut at) = (x[0], 0);
        for (k, (o, &y)) in out.iter_mut().zip(x).enumerate() {
            if y.is_nan() || (!v.is_nan() && if MAX { y >= v } else { y <= v }) {
                v = y;
                at = k;
            }
            *o = v;
            idx[k] = at as i64;
        }
    }
    let (v, i) = crate::dispatch!(t.dtype(), S => if max {
        map_lines::<S, S, S>(t, dim, true, line::<S, true>)?
    } else {
        map_lines::<S, S, S>(t, dim, true, line::<S, false>)?
    });
    Ok((v, i.expect("indices requested")))
}

/// log(exp(a) + exp(b)) without overflow; infinities and NaN handled like torch.
fn logaddexp(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if lo == f64::NEG_INFINITY || hi == f64::INFINITY {
        return hi;
    }
    hi + (lo - hi).exp().ln_1p()
}

/// `logcumsumexp(dim)`: floating inputs only.
pub fn logcumsumexp(t: &Tensor, dim: i64) -> Result<Tensor> {
    if !t.dtype().is_floating_point() {
        return Err(Error::unsupported("logcumsumexp_out_cpu", t.dtype()));
    }
    let r = crate::dispatch!(t.dtype(), S => map_lines::<S, f64, S>(t, dim, false, |x, y, _| {
        let mut a = f64::NEG_INFINITY;
        for (o, &v) in y.iter_mut().zip(x) {
            a = logaddexp(a, v);
            *o = a;
        }
    }));
    Ok(r?.0)
}

/// The float types softmax computes in: f32 (also for float16/bfloat16) and f64. Each method is
/// one pass over a row; f32's are SIMD kernels chosen for the CPU at run time.
trait Real: Element {
    /// The largest element, NaN ignored (a NaN still makes the whole row NaN, through the sum).
    fn max_of(x: &[Self]) -> Self;
    /// `y = exp(x - shift)`, returning the sum of `y`.
    fn exp_shift_sum(x: &[Self], shift: Self, y: &mut [Self]) -> f64;
    /// `y = x - shift`.
    fn shift(x: &[Self], shift: Self, y: &mut [Self]);
    /// `y *= s`.
    fn scale(y: &mut [Self], s: Self);
}

impl Real for f32 {
    fn max_of(x: &[f32]) -> f32 {
        super::fast::max_ignoring_nan_f32(x)
    }
    fn exp_shift_sum(x: &[f32], shift: f32, y: &mut [f32]) -> f64 {
        crate::ops::vecmath::exp_shift_sum_f32(x, shift, y)
    }
    fn shift(x: &[f32], shift: f32, y: &mut [f32]) {
        super::fast::shift_f32(x, shift, y)
    }
    fn scale(y: &mut [f32], s: f32) {
        super::fast::scale_f32(y, s)
    }
}

impl Real for f64 {
    fn max_of(x: &[f64]) -> f64 {
        x.iter().fold(f64::NEG_INFINITY, |m, &v| if v > m { v } else { m })
    }
    fn exp_shift_sum(x: &[f64], shift: f64, y: &mut [f64]) -> f64 {
        y.iter_mut().zip(x).for_each(|(o, &v)| *o = (v - shift).exp());
        super::fast::sum_f64(y)
    }
    fn shift(x: &[f64], shift: f64, y: &mut [f64]) {
        y.iter_mut().zip(x).for_each(|(o, &v)| *o = v - shift)
    }
    fn scale(y: &mut [f64], s: f64) {
        y.iter_mut().for_each(|v| *v *= s)
    }
}

/// softmax (or log_softmax) of one line, shifted by its max so exp cannot overflow: three passes,
/// the last two over `y` while it is still in L1. A NaN, or an infinity (inf - inf), anywhere in
/// the line makes the sum NaN and so every output NaN, as in torch.
fn softmax_line<C: Real>(x: &[C], y: &mut [C], log: bool) {
    let m = C::max_of(x);
    let s = C::exp_shift_sum(x, m, y);
    if log {
        C::shift(x, C::from_f64(m.to_f64() + s.ln()), y);
    } else {
        C::scale(y, C::from_f64(1.0 / s));
    }
}

/// `softmax`/`log_softmax(dim, dtype=)`: floating inputs (after the optional cast).
pub fn softmax(t: &Tensor, dim: i64, dtype: Option<DType>, log: bool) -> Result<Tensor> {
    let t = match dtype {
        Some(d) => t.to_dtype(d)?,
        None => t.clone(),
    };
    // the dim is checked before the dtype (a 0-dim tensor takes -1 and 0)
    let d = shape::normalize_dim(dim, t.ndim().max(1))?;
    if !t.dtype().is_floating_point() {
        let name = if log { "log_softmax" } else { "softmax" };
        let last = t.ndim() == 0 || d + 1 == t.ndim();
        let kernel = format!("{name}_{}kernel_impl", if last { "lastdim_" } else { "" });
        return Err(Error::unsupported(kernel, t.dtype()));
    }
    if crate::backend::is_backend(t.device()) {
        return crate::backend::softmax(&t, d, log);
    }
    let r = match t.dtype() {
        DType::Float64 => map_lines::<f64, f64, f64>(&t, dim, false, |x, y, _| softmax_line(x, y, log)),
        d => crate::dispatch!(d, S => map_lines::<S, f32, S>(&t, dim, false, |x, y, _| softmax_line(x, y, log))),
    };
    Ok(r?.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_along_each_dim() {
        let t = Tensor::from_vec((1..=6).map(|x| x as f32).collect(), &[2, 3]).unwrap();
        assert_eq!(cumsum(&t, 1, None, false).unwrap().to_vec::<f32>().unwrap(), vec![1., 3., 6., 4., 9., 15.]);
        assert_eq!(cumsum(&t, 0, None, false).unwrap().to_vec::<f32>().unwrap(), vec![1., 2., 3., 5., 7., 9.]);
        assert_eq!(cumsum(&t, 0, None, true).unwrap().to_vec::<f32>().unwrap(), vec![1., 2., 3., 4., 10., 18.]);
        let (v, i) = cummax(&Tensor::from_vec(vec![2f32, 1., 2., 1.], &[4]).unwrap(), 0, true).unwrap();
        assert_eq!(v.to_vec::<f32>().unwrap(), vec![2., 2., 2., 2.]);
        assert_eq!(i.to_vec::<i64>().unwrap(), vec![0, 0, 2, 2]);
    }

    #[test]
    fn softmax_rows_sum_to_one() {
        let t = Tensor::from_vec((0..12).map(|x| x as f32 * 0.5).collect(), &[3, 4]).unwrap();
        for dim in [0, 1] {
            let s = softmax(&t, dim, None, false).unwrap();
            let total = super::super::sum(&s, Some(&[dim]), false, None).unwrap().to_vec::<f32>().unwrap();
            assert!(total.iter().all(|&x| (x - 1.0).abs() < 1e-6), "{total:?}");
        }
    }
}
