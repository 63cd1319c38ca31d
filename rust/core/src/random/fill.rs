//! The in-place random fills of a tensor (`Tensor.uniform_`, `normal_`, `random_`,
//! `bernoulli_`, `exponential_`, `geometric_`, `log_normal_`, `cauchy_`), with torch's argument
//! and dtype checks in torch's order, over the slice samplers of the sibling files.
//!
//! Values are drawn in the order torch's `cpu_serial_kernel` visits the output, its *memory*
//! order (TensorIterator sorts dimensions by stride): a contiguous tensor is filled in place
//! under its write lock; a strided one gets its values in a contiguous buffer that is then
//! copied through the tensor permuted into memory order. `normal_` on a non-contiguous tensor
//! also switches to torch's scalar Box-Muller, as torch does. A meta tensor is checked and
//! left alone: nothing is drawn, so the generator does not move.

// The `!(x > 0.0)`-style checks are deliberate: like torch's, they reject NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use super::continuous::{check_cauchy, check_exponential, check_geometric, check_log_normal};
use super::{fmt_double, Generator, ProbFloat, RandElem};
use crate::error::{Error, Result};
use crate::ops::binary::dispatch_float;
use crate::{DType, Device, Element, Tensor};

/// `Tensor.uniform_(from, to)` (`torch.rand` is `uniform_(0, 1)`): floating dtypes only, both
/// bounds inside the dtype's range, `from <= to` and `to - from` finite in the dtype.
pub fn uniform_(t: &Tensor, from: f64, to: f64, g: &mut Generator) -> Result<()> {
    let d = t.dtype();
    dispatch_float!(d, T => {
        let (_, max, name) = float_info::<T>();
        for (v, what) in [(from, "from"), (to, "to")] {
            if !(v >= -max && v <= max) {
                return Err(Error::runtime(format!("{what} is out of bounds for {name}")));
            }
        }
        if !(from <= to) {
            return Err(Error::runtime(format!(
                "uniform_ expects to return a [from, to) range, but found from={} > to={}",
                fmt_double(from),
                fmt_double(to)
            )));
        }
        if !(to - from <= max) {
            return Err(Error::runtime(format!(
                "uniform_ expects to-from <= std::numeric_limits<{}>::max(), but found to={} and from={} which result in to-from to exceed the limit",
                d.scalar_type_name(),
                fmt_double(to),
                fmt_double(from)
            )));
        }
        fill::<T>(t, |s, _| {
            g.uniform(s, from, to);
            Ok(())
        })
    }, Error::unsupported("check_uniform_bounds", d))
}

/// `Tensor.normal_(mean, std)` (`torch.randn` is `normal_(0, 1)`): floating dtypes, `std >= 0`.
/// A contiguous tensor takes [`Generator::normal`], a strided one torch's scalar path
/// ([`Generator::normal_serial`]).
pub fn normal_(t: &Tensor, mean: f64, std: f64, g: &mut Generator) -> Result<()> {
    check_normal_std(std)?;
    let d = t.dtype();
    dispatch_float!(d, T => fill::<T>(t, |s, contiguous| {
        if contiguous {
            g.normal(s, mean, std);
        } else {
            g.normal_serial(s, mean, std);
        }
        Ok(())
    }), Error::unsupported("normal_kernel_cpu", d))
}

pub(super) fn check_normal_std(std: f64) -> Result<()> {
    if !(std >= 0.0) {
        return Err(Error::runtime(format!("normal expects std >= 0.0, but found std {}", fmt_double(std))));
    }
    Ok(())
}

/// `Tensor.random_(from, to)` as Python spells it: `(None, None)` is `random_()` (see
/// [`Generator::random`]); `(from, Some(to))` draws from `[from, to)` (`from` defaults to 0,
/// [`Generator::random_from_to`]); `(Some(from), None)` draws from `[from, max]` with torch's
/// largest value per dtype (`2^digits` for floating dtypes), and `from = i64::MIN` takes the
/// full 64-bit range ([`Generator::random_full_range`], int64/float64/float32/bfloat16 only).
pub fn random_(t: &Tensor, from: Option<i64>, to: Option<i64>, g: &mut Generator) -> Result<()> {
    let d = t.dtype();
    match (from, to) {
        (None, None) => crate::dispatch!(d, T => fill::<T>(t, |s, _| {
            g.random(s);
            Ok(())
        })),
        (from, Some(to)) => {
            let from = from.unwrap_or(0);
            crate::dispatch!(d, T => fill::<T>(t, |s, _| g.random_from_to(s, from, to)))
        }
        (Some(from), None) => random_from(t, from, g),
    }
}

/// `random_(from, None)`: `[from, max]` with torch's `to_inc` per dtype.
fn random_from(t: &Tensor, from: i64, g: &mut Generator) -> Result<()> {
    let d = t.dtype();
    if from == i64::MIN {
        if matches!(d, DType::Bool | DType::Float16) {
            return Err(Error::unsupported("random_full_64_bits_range_kernel_cpu", d));
        }
        if !matches!(d, DType::Int64 | DType::Float64 | DType::Float32 | DType::BFloat16) {
            return Err(Error::runtime("random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16"));
        }
        return crate::dispatch!(d, T => fill::<T>(t, |s, _| {
            g.random_full_range(s);
            Ok(())
        }));
    }
    let to_inc: i64 = match d {
        // [from, 2^63 - 1] does not fit the [from, to) form: draw with that range directly
        DType::Int64 => {
            let range = (i64::MAX as u64).wrapping_sub(from as u64).wrapping_add(1);
            return fill::<i64>(t, |s, _| {
                g.random_range(s, range, from as u64);
                Ok(())
            });
        }
        DType::Float32 => 1 << 24,
        DType::Float64 => 1 << 53,
        DType::Float16 => 1 << 11,
        DType::BFloat16 => 1 << 8,
        DType::Bool => 1,
        DType::UInt8 => u8::MAX as i64,
        DType::Int8 => i8::MAX as i64,
        DType::Int16 => i16::MAX as i64,
        DType::Int32 => i32::MAX as i64,
    };
    if d.is_floating_point() && from >= to_inc {
        return Err(Error::runtime(format!(
            "random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, but got from={from} > to_inc={to_inc}"
        )));
    }
    crate::dispatch!(d, T => fill::<T>(t, |s, _| g.random_from_to(s, from, to_inc + 1)))
}

/// `Tensor.bernoulli_(p)` with a float `p` in `[0, 1]`, any dtype (see
/// [`Generator::bernoulli_scalar`]).
pub fn bernoulli_(t: &Tensor, p: f64, g: &mut Generator) -> Result<()> {
    crate::dispatch!(t.dtype(), T => fill::<T>(t, |s, _| g.bernoulli_scalar(s, p)))
}

/// `Tensor.bernoulli_(probs)` / `torch.bernoulli(probs)`: one probability per element of `t`
/// (`probs` broadcasts to `t`'s shape), floating and within `[0, 1]` (see
/// [`Generator::bernoulli_tensor`]).
pub fn bernoulli_tensor_(t: &Tensor, probs: &Tensor, g: &mut Generator) -> Result<()> {
    let pd = probs.dtype();
    if !pd.is_floating_point() {
        return Err(Error::unsupported("bernoulli_tensor_cpu_p_", pd));
    }
    let probs = in_fill_order(t, probs)?;
    if t.is_meta() {
        return Ok(());
    }
    dispatch_float!(pd, P => {
        let pv = probs.to_vec::<P>()?;
        if pv.iter().any(|&v| !(0.0..=1.0).contains(&ProbFloat::to_f64(v))) {
            return Err(Error::runtime(
                "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)",
            ));
        }
        crate::dispatch!(t.dtype(), T => fill::<T>(t, |s, _| {
            g.bernoulli_tensor(s, &pv);
            Ok(())
        }))
    }, Error::unsupported("bernoulli_tensor_cpu_p_", pd))
}

/// `Tensor.exponential_(lambd)`: `lambd > 0`, floating dtypes (see [`Generator::exponential`]).
pub fn exponential_(t: &Tensor, lambd: f64, g: &mut Generator) -> Result<()> {
    check_exponential(lambd)?;
    let d = t.dtype();
    dispatch_float!(d, T => fill::<T>(t, |s, _| g.exponential(s, lambd)), Error::runtime(format!(
        "Exponential distribution is a continuous probability distribution. dtype must be a floating point but you specified {}",
        d.scalar_type_name()
    )))
}

/// `Tensor.geometric_(p)`: `p` in `(0, 1)`, any dtype but bool (see [`Generator::geometric`]).
pub fn geometric_(t: &Tensor, p: f64, g: &mut Generator) -> Result<()> {
    check_geometric(p)?;
    let d = t.dtype();
    if d == DType::Bool {
        return Err(Error::unsupported("geometric_cpu", d));
    }
    crate::dispatch!(d, T => fill::<T>(t, |s, _| g.geometric(s, p)))
}

/// `Tensor.log_normal_(mean, std)`: `std > 0`, floating dtypes (see [`Generator::log_normal`]).
pub fn log_normal_(t: &Tensor, mean: f64, std: f64, g: &mut Generator) -> Result<()> {
    check_log_normal(std)?;
    let d = t.dtype();
    dispatch_float!(d, T => fill::<T>(t, |s, _| g.log_normal(s, mean, std)), Error::unsupported("log_normal_cpu", d))
}

/// `Tensor.cauchy_(median, sigma)`: `sigma > 0`, floating dtypes (see [`Generator::cauchy`]).
pub fn cauchy_(t: &Tensor, median: f64, sigma: f64, g: &mut Generator) -> Result<()> {
    check_cauchy(sigma)?;
    let d = t.dtype();
    dispatch_float!(d, T => fill::<T>(t, |s, _| g.cauchy(s, median, sigma)), Error::unsupported("cauchy_cpu", d))
}

// ------------------------------------------------------------------------------------------
// Filling a tensor in torch's order
// ------------------------------------------------------------------------------------------

/// `(digits, max, C++ type name)` of a floating dtype (every `RandFloat` has them).
fn float_info<T: RandElem>() -> (u32, f64, &'static str) {
    T::FLOAT_INFO.expect("floating dtypes have FLOAT_INFO")
}

/// The permutation (outermost first) that views `t` in memory order.
fn memory_order_dims(t: &Tensor) -> Vec<i64> {
    t.layout().memory_order().iter().rev().map(|&d| d as i64).collect()
}

/// Runs `f` on `t`'s elements (type `T`) as one slice in torch's visiting order, telling it
/// whether `t` is contiguous (`normal_` changes algorithm on that). A meta `t` gets an empty
/// slice: `f` checks its arguments and draws nothing.
fn fill<T: Element>(t: &Tensor, f: impl FnOnce(&mut [T], bool) -> Result<()>) -> Result<()> {
    debug_assert_eq!(T::DTYPE, t.dtype());
    match t.device() {
        Device::Cpu => {}
        Device::Meta => return f(&mut [], t.is_contiguous()),
        d => return Err(Error::NoHostData(d)),
    }
    let n = t.numel();
    if t.is_contiguous() {
        let g = t.storage().write()?;
        // SAFETY: a contiguous tensor's `numel` elements of T start at its offset, inside the
        // storage; the write guard gives exclusive access.
        let s = unsafe { std::slice::from_raw_parts_mut((g.ptr() as *mut T).add(t.offset()), n) };
        return f(s, true);
    }
    t.check_no_internal_overlap()?;
    let view = t.permute(&memory_order_dims(t))?;
    let mut buf = vec![T::default(); n];
    f(&mut buf, false)?;
    let src = Tensor::from_vec(buf, view.shape())?;
    view.copy_(&src)
}

/// `other` broadcast to `t`'s shape, its elements listed in the order `fill` visits `t`.
fn in_fill_order(t: &Tensor, other: &Tensor) -> Result<Tensor> {
    let b = other.broadcast_to(t.shape()).map_err(|_| {
        Error::runtime(format!(
            "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension {}.  Target sizes: {:?}.  Tensor sizes: {:?}",
            t.shape().last().copied().unwrap_or(1),
            other.shape().last().copied().unwrap_or(1),
            t.ndim().saturating_sub(1),
            t.shape(),
            other.shape()
        ))
    })?;
    if t.is_contiguous() {
        b.contiguous()
    } else {
        b.permute(&memory_order_dims(t))?.contiguous()
    }
}
