//! max and min: amax/amin, max()/min() with and without a dim, argmax/argmin and aminmax.
//! The running extreme is NaN-propagating and keeps the first of tied positions, like torch.

use super::driver::{reduce1, reduce2, Fold, Reducer};
use super::{check_nonempty, count_of, reduced_dims, Num};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Whether `x` replaces the running extreme `acc`: strictly better (ties keep the first), or NaN
/// (which then sticks, since nothing compares greater than NaN).
#[inline(always)]
fn better<S: Num, const MAX: bool>(x: S, acc: S) -> bool {
    (if MAX { x > acc } else { x < acc }) || x.is_nan()
}

/// `extreme` of a run with 32 independent lanes, so the compare-selects vectorise instead of
/// forming one serial chain (values are order-free: any NaN wins, ties are equal values).
#[inline(always)]
pub(crate) fn lanes_extreme<S: Num, const MAX: bool>(xs: &[S]) -> S {
    const L: usize = 32;
    let init = if MAX { S::LOWEST } else { S::HIGHEST };
    let pick = |x: S, a: S| if better::<S, MAX>(x, a) { x } else { a };
    let mut acc = [init; L];
    let mut it = xs.chunks_exact(L);
    for c in &mut it {
        for j in 0..L {
            acc[j] = pick(c[j], acc[j]);
        }
    }
    for (a, &x) in acc.iter_mut().zip(it.remainder()) {
        *a = pick(x, *a);
    }
    let mut w = L / 2;
    while w > 0 {
        for j in 0..w {
            acc[j] = pick(acc[j + w], acc[j]);
        }
        w /= 2;
    }
    acc[0]
}

/// amax / amin.
struct Extreme<const MAX: bool>;
impl<S: Num, const MAX: bool> Reducer<S> for Extreme<MAX> {
    type Acc = S;
    fn init(&self) -> S {
        if MAX {
            S::LOWEST
        } else {
            S::HIGHEST
        }
    }
    #[inline(always)]
    fn fold(&self, a: S, x: S, _: usize) -> S {
        if better::<S, MAX>(x, a) {
            x
        } else {
            a
        }
    }
    #[inline(always)]
    fn fold_slice(&self, a: S, xs: &[S], _: usize) -> S {
        self.combine(a, S::extreme_of::<MAX>(xs))
    }
    fn combine(&self, a: S, b: S) -> S {
        self.fold(a, b, 0)
    }
}

/// The extreme with its index (max(dim), argmax...): the first occurrence among ties, the first
/// NaN if any.
struct ArgExtreme<const MAX: bool>;
impl<S: Num, const MAX: bool> Reducer<S> for ArgExtreme<MAX> {
    type Acc = (S, usize);
    fn init(&self) -> (S, usize) {
        (if MAX { S::LOWEST } else { S::HIGHEST }, 0)
    }
    #[inline(always)]
    fn fold(&self, a: (S, usize), x: S, i: usize) -> (S, usize) {
        if !a.0.is_nan() && better::<S, MAX>(x, a.0) {
            (x, i)
        } else {
            a
        }
    }
    /// Two vectorised passes instead of one serial compare chain: the extreme value, then the
    /// first position holding it (or the first NaN).
    #[inline(always)]
    fn fold_slice(&self, a: (S, usize), xs: &[S], i0: usize) -> (S, usize) {
        if xs.is_empty() {
            return a;
        }
        let m = S::extreme_of::<MAX>(xs);
        let k = if m.is_nan() { xs.iter().position(|x| x.is_nan()) } else { xs.iter().position(|&x| x == m) };
        // the extreme is in the slice (a NaN, or a value equal to it), so `k` is found
        let k = k.unwrap_or(0);
        self.combine(a, (xs[k], i0 + k))
    }
    fn combine(&self, a: (S, usize), b: (S, usize)) -> (S, usize) {
        self.fold(a, b.0, b.1)
    }
}

/// `amax`/`amin` over `dims` (all when None or empty).
pub fn amax(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, max: bool) -> Result<Tensor> {
    let name = if max { "amax" } else { "amin" };
    if t.numel() == 0 && dims.is_none_or(|d| d.is_empty()) {
        return Err(Error::runtime(format!(
            "{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."
        )));
    }
    let dims = reduced_dims(t.ndim(), dims)?;
    check_nonempty(name, t, &dims)?;
    if crate::backend::is_backend(t.device()) {
        return Ok(crate::backend::reduce(name, t, &dims, keepdim, t.dtype(), false)?.0);
    }
    crate::dispatch!(t.dtype(), S => if max {
        reduce1::<S, _, S>(t, &dims, keepdim, &Extreme::<true>, |a| a)
    } else {
        reduce1::<S, _, S>(t, &dims, keepdim, &Extreme::<false>, |a| a)
    })
}

/// `max()`/`min()` without dim: the extreme of all elements (NaN if any).
pub fn max_all(t: &Tensor, max: bool) -> Result<Tensor> {
    if t.numel() == 0 {
        return Err(Error::runtime(format!(
            "{}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
            if max { "max" } else { "min" }
        )));
    }
    amax(t, None, false, max)
}

/// `max(dim)`/`min(dim)`: (values, int64 indices).
pub fn max_dim(t: &Tensor, dim: i64, keepdim: bool, max: bool) -> Result<(Tensor, Tensor)> {
    let dims = reduced_dims(t.ndim(), Some(&[dim]))?;
    check_nonempty(if max { "max" } else { "min" }, t, &dims)?;
    if crate::backend::is_backend(t.device()) {
        let (v, i) = crate::backend::reduce(if max { "argmax" } else { "argmin" }, t, &dims, keepdim, t.dtype(), true)?;
        return Ok((v, i.expect("indices")));
    }
    crate::dispatch!(t.dtype(), S => if max {
        reduce2::<S, _, S, i64>(t, &dims, keepdim, &ArgExtreme::<true>, |(v, i)| (v, i as i64))
    } else {
        reduce2::<S, _, S, i64>(t, &dims, keepdim, &ArgExtreme::<false>, |(v, i)| (v, i as i64))
    })
}

/// `argmax`/`argmin`: over one dim, or the flattened tensor when `dim` is None.
pub fn argmax(t: &Tensor, dim: Option<i64>, keepdim: bool, max: bool) -> Result<Tensor> {
    let name = if max { "argmax" } else { "argmin" };
    if t.dtype() == DType::Bool {
        return Err(Error::NotImplemented(format!("{name}(): does not support bool input")));
    }
    if dim.is_none() && t.numel() == 0 {
        return Err(Error::index(format!("{name}(): Expected reduction dim to be specified for input.numel() == 0.")));
    }
    let dims = reduced_dims(t.ndim(), dim.as_ref().map(std::slice::from_ref))?;
    check_nonempty(name, t, &dims)?;
    if crate::backend::is_backend(t.device()) {
        return Ok(crate::backend::reduce(name, t, &dims, keepdim, t.dtype(), true)?.1.expect("indices"));
    }
    // dim=None with keepdim keeps every dim as size 1, like torch
    crate::dispatch!(t.dtype(), S => if max {
        reduce1::<S, _, i64>(t, &dims, keepdim, &ArgExtreme::<true>, |(_, i)| i as i64)
    } else {
        reduce1::<S, _, i64>(t, &dims, keepdim, &ArgExtreme::<false>, |(_, i)| i as i64)
    })
}

/// `aminmax(dim=None, keepdim)`: (min, max).
pub fn aminmax(t: &Tensor, dim: Option<i64>, keepdim: bool) -> Result<(Tensor, Tensor)> {
    let dims = reduced_dims(t.ndim(), dim.as_ref().map(std::slice::from_ref))?;
    if let (Some(d), true) = (dims.first(), dim.is_some() && count_of(t, &dims) == 0) {
        return Err(Error::index(format!("aminmax: Expected reduction dim {d} to have non-zero size.")));
    }
    if count_of(t, &dims) == 0 || t.numel() == 0 && dim.is_none() {
        return Err(Error::runtime(
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.",
        ));
    }
    crate::dispatch!(t.dtype(), S => {
        let pick = |(lo, hi): (S, S), x: S| (if better::<S, false>(x, lo) { x } else { lo }, if better::<S, true>(x, hi) { x } else { hi });
        let r = Fold { init: (S::HIGHEST, S::LOWEST), fold: move |a, x, _| pick(a, x), combine: move |a, b: (S, S)| pick(pick(a, b.0), b.1) };
        reduce2::<S, _, S, S>(t, &dims, keepdim, &r, |a| a)
    })
}
