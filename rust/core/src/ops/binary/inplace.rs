//! In-place binary ops (`add_`, `mul_`, `eq_`, `x += y` ...): one read-modify-write pass over
//! the destination, under its storage's write lock for the whole op, so concurrent in-place
//! updates from several threads never lose each other's writes.
//!
//! Semantics follow torch's TensorIterator for an in-place op: memory-overlap checks first
//! (a destination with internal overlap, an operand that partially overlaps it), then the
//! shapes (the operand broadcasts to the destination's shape, not beyond), then the dtypes (the
//! out-of-place result dtype must be castable to the destination's). The op computes in the
//! promoted dtype and casts into the destination once. The scalar functions are the ones the
//! out-of-place path uses (`arith_fn!` and friends in `binary.rs`).
//!
//! When the destination already has the compute dtype (the common case) the kernel reads and
//! writes it in place; otherwise (float16 self with a float32 operand, `float.lt_(...)` ...) the
//! destination is converted to the compute dtype, computed out of place and cast back, all
//! still under the one write lock.

use std::sync::Arc;

use super::{arith_fn, bits_fn, check_sub, dispatch_bits, dispatch_float, float_fn, internal, Arith, BinaryOp, Family};
use crate::dtype::{bf16, f16, DType, Element};
use crate::error::{Error, Result};
use crate::iter::Plan;
use crate::ops::{result_dtype, simd, Arg};
use crate::parallel::{SyncPtr, GRAIN};
use crate::scalar::{cast, Scalar};
use crate::storage::Storage;
use crate::tensor::Tensor;

/// torch's canCast: no floating to integral, no non-bool to bool.
pub fn can_cast(from: DType, to: DType) -> bool {
    use crate::dtype::Category::*;
    !(from.category() == Floating && to.category() != Floating || from.category() != Bool && to.category() == Bool)
}

const PARTIAL_OVERLAP: &str = "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation.";

/// torch's `MemOverlapStatus` of two tensors.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Overlap {
    No,
    Full,
    Partial,
    /// Same storage, but a layout torch does not analyse (not dense): let through.
    TooHard,
}

/// torch's `get_overlap_status`.
fn overlap(a: &Tensor, b: &Tensor) -> Overlap {
    if a.numel() == 0 || b.numel() == 0 || !a.shares_storage(b) {
        return Overlap::No;
    }
    if !a.layout().is_non_overlapping_and_dense() || !b.layout().is_non_overlapping_and_dense() {
        return Overlap::TooHard;
    }
    let range = |t: &Tensor| {
        let begin = t.offset() * t.dtype().itemsize();
        (begin, begin + t.numel() * t.dtype().itemsize())
    };
    let ((ab, ae), (bb, be)) = (range(a), range(b));
    if ab == bb && ae == be {
        return if a.strides() == b.strides() { Overlap::Full } else { Overlap::Partial };
    }
    if ab < be && bb < ae {
        Overlap::Partial
    } else {
        Overlap::No
    }
}

/// torch's `assert_no_partial_overlap(dst, src)` (TensorIterator's check before an op writes
/// `dst` from `src`): `x[1:].copy_(x[:-1])` is an error; an identical view or one torch does not
/// analyse passes.
pub fn check_no_partial_overlap(dst: &Tensor, src: &Tensor) -> Result<()> {
    if overlap(dst, src) == Overlap::Partial {
        return Err(Error::runtime(PARTIAL_OVERLAP));
    }
    Ok(())
}

/// `dst = op(dst, other)` in place (torch's `dst.op_(other)`).
pub fn binary_inplace(op: BinaryOp, dst: &Tensor, other: Arg) -> Result<()> {
    inplace(op, dst, other, None)
}

/// `dst += alpha * other` / `dst -= alpha * other` in place (`add_` / `sub_` with `alpha`),
/// rounding like the out-of-place `add_scaled` (the product first, then the sum).
pub fn add_scaled_inplace(dst: &Tensor, other: Arg, alpha: Scalar, subtract: bool) -> Result<()> {
    let op = if subtract { BinaryOp::Sub } else { BinaryOp::Add };
    if alpha.to_f64() == 1.0 {
        if !matches!(alpha, Scalar::Int(_)) {
            // 1.0 and True scale nothing, but torch still checks them against the dtype
            let compute = op.compute_dtype(result_dtype(&[Arg::Tensor(dst), other.clone()]))?;
            super::check_alpha(compute, alpha)?;
        }
        return inplace(op, dst, other, None);
    }
    inplace(op, dst, other, Some(alpha))
}

fn inplace(op: BinaryOp, dst: &Tensor, other: Arg, alpha: Option<Scalar>) -> Result<()> {
    let me = Arg::Tensor(dst);
    if op == BinaryOp::Sub {
        check_sub(&me, &other)?;
    }
    // memory overlap, as TensorIterator checks it before anything else
    dst.check_no_internal_overlap()?;
    if let Arg::Tensor(o) = other {
        check_no_partial_overlap(dst, o)?;
    }
    // shapes: the operand broadcasts to the destination's shape
    if let Arg::Tensor(o) = other {
        if o.shape() != dst.shape() {
            let b = crate::shape::broadcast_shapes(dst.shape(), o.shape())?;
            if b.as_slice() != dst.shape() {
                return Err(Error::runtime(format!(
                    "output with shape {:?} doesn't match the broadcast shape {:?}",
                    dst.shape(),
                    b.as_slice()
                )));
            }
        }
    }
    // dtypes: the out-of-place result must cast into the destination
    let compute = op.compute_dtype(result_dtype(&[me, other.clone()]))?;
    let out = op.out_dtype(compute);
    if !can_cast(out, dst.dtype()) {
        return Err(Error::runtime(format!(
            "result type {} can't be cast to the desired output type {}",
            out.scalar_type_name(),
            dst.dtype().scalar_type_name()
        )));
    }
    if let Some(a) = alpha {
        super::check_alpha(compute, a)?;
    }
    if op == BinaryOp::Pow && matches!(compute, DType::Float16 | DType::BFloat16) {
        // torch converts a scalar exponent to the half type: one out of its range is an error
        if let Arg::Scalar(e) = &other {
            e.check_fits(compute)?;
        }
    }
    if op == BinaryOp::Pow && compute.is_integral(false) && matches!(other, Arg::Scalar(Scalar::Int(e)) if e < 0) {
        return Err(Error::runtime("Integers to negative integer powers are not allowed."));
    }
    if matches!(op, BinaryOp::DivTrunc | BinaryOp::DivFloor | BinaryOp::Remainder | BinaryOp::Fmod)
        && compute.is_integral(false)
        && match other {
            Arg::Tensor(t) => !t.is_meta() && super::any_zero(t)?,
            Arg::Scalar(s) => s.to_f64() == 0.0,
        }
    {
        return Err(Error::runtime("ZeroDivisionError"));
    }
    if let Arg::Tensor(t) = other {
        crate::Device::common([dst, t])?;
    }
    if dst.is_meta() {
        return Ok(()); // the checks above are all a meta op does
    }
    if crate::backend::is_backend(dst.device()) {
        let o = crate::backend::on_device(&other.as_tensor(compute)?, dst.device())?;
        crate::backend::get(dst.device())?.binary(op.name(), dst, dst, &o, alpha.map_or(1.0, |a| a.to_f64()))?;
        dst.storage().backend_written();
        return Ok(());
    }
    if dst.dtype() != compute {
        return mixed(op, dst, other, compute, alpha);
    }
    if alpha.is_none() {
        // torch's half-type opmath scalars and pow's specializations (see binary.rs); the
        // operand only matters through its value here
        let dummy = Arg::Scalar(Scalar::Int(0));
        if let Some(s) = super::half_scalar(op, compute, &other)? {
            return match compute {
                DType::Float16 => super::half_opmath!(op, f16, s, |f| rmw::<f16>(dst, dummy, move |x, _| f(x))),
                _ => super::half_opmath!(op, bf16, s, |f| rmw::<bf16>(dst, dummy, move |x, _| f(x))),
            };
        }
        if let Some(p) = super::pow_special(op, compute, &other) {
            return match compute {
                DType::Float32 => pow_special_::<f32>(p, dst),
                DType::Float64 => pow_special_::<f64>(p, dst),
                _ => pow_special_::<bf16>(p, dst),
            };
        }
    }
    // the operand in the compute dtype: converted before the lock when it is not already (a
    // converted copy no longer aliases the destination)
    let conv;
    let other = match other {
        Arg::Tensor(t) if t.dtype() != compute => {
            conv = t.to_dtype(compute)?;
            Arg::Tensor(&conv)
        }
        a => a,
    };
    match op.family() {
        Family::Arith => crate::dispatch!(compute, T => run_arith::<T>(op, dst, other, alpha)),
        Family::Float => dispatch_float!(compute, T => run_float::<T>(op, dst, other), op.not_implemented(compute)),
        Family::Bits => dispatch_bits!(compute, T => run_bits::<T>(op, dst, other), op.not_implemented(compute)),
    }
}

fn pow_special_<T: Arith>(p: super::PowSpecial, dst: &Tensor) -> Result<()> {
    use super::PowSpecial::*;
    let (dummy, one) = (Arg::Scalar(Scalar::Int(0)), T::one());
    match p {
        Unary(u) => crate::ops::unary::unary_(u, dst),
        Square => rmw::<T>(dst, dummy, |x, _| x.mul(x)),
        Cube => rmw::<T>(dst, dummy, |x, _| x.mul(x).mul(x)),
        InvSquare => rmw::<T>(dst, dummy, move |x, _| one.div(x.mul(x))),
    }
}

fn run_arith<T: Arith>(op: BinaryOp, dst: &Tensor, other: Arg, alpha: Option<Scalar>) -> Result<()> {
    if let Some(a) = alpha {
        let a: T = a.to::<T>();
        return match op {
            BinaryOp::Add => rmw::<T>(dst, other, move |x, y| x.add(y.mul(a))),
            BinaryOp::Sub => rmw::<T>(dst, other, move |x, y| x.sub(y.mul(a))),
            _ => Err(internal(op)),
        };
    }
    arith_fn!(op, T, |f| rmw::<T>(dst, other, f), |p| rmw::<T>(dst, other, move |x, y| cast::<bool, T>(p(x, y))), Err(internal(op)))
}

fn run_float<T: super::FloatArith>(op: BinaryOp, dst: &Tensor, other: Arg) -> Result<()> {
    float_fn!(op, T, |f| rmw::<T>(dst, other, f), Err(internal(op)))
}

fn run_bits<T: super::Bits>(op: BinaryOp, dst: &Tensor, other: Arg) -> Result<()> {
    bits_fn!(op, T, |f| rmw::<T>(dst, other, f), Err(internal(op)))
}

/// Guards held for the whole op: the destination's write lock, and the operand's read lock
/// when it lives in another storage. The two are taken in address order, so two threads
/// running `a.op_(b)` and `b.op_(a)` cannot deadlock.
struct Locked<'a> {
    w: crate::storage::WriteGuard<'a>,
    r: Option<crate::storage::ReadGuard<'a>>,
}

fn lock<'a>(dst: &'a Arc<Storage>, other: Option<&'a Arc<Storage>>) -> Result<Locked<'a>> {
    match other {
        Some(o) if !Arc::ptr_eq(o, dst) => {
            if Arc::as_ptr(o) < Arc::as_ptr(dst) {
                let r = o.read()?;
                Ok(Locked { w: dst.write()?, r: Some(r) })
            } else {
                let w = dst.write()?;
                Ok(Locked { w, r: Some(o.read()?) })
            }
        }
        _ => Ok(Locked { w: dst.write()?, r: None }),
    }
}

impl Locked<'_> {
    /// The operand's base pointer: through the write guard when it shares the destination's
    /// storage (a second, read lock on it would deadlock).
    fn other_ptr(&self) -> *const u8 {
        match &self.r {
            Some(r) => r.ptr(),
            None => self.w.ptr(),
        }
    }
}

/// `dst[i] = f(dst[i], other[i])` for a destination of element type `T` and an operand of
/// type `T` (or a scalar), in one pass under the destination's write lock.
fn rmw<T: Element>(dst: &Tensor, other: Arg, f: impl Fn(T, T) -> T + Sync + Copy) -> Result<()> {
    match other {
        Arg::Scalar(s) => {
            let g = dst.storage().write()?;
            let y: T = s.to::<T>();
            // SAFETY: the write guard is held; offsets come from the destination's layout.
            unsafe { rmw_each(dst, g.ptr() as *mut T, move |x| f(x, y)) };
            Ok(())
        }
        Arg::Tensor(o) => {
            let ob = if o.shape() == dst.shape() { o.clone() } else { o.broadcast_to(dst.shape())? };
            let shared = o.shares_storage(dst);
            let g = lock(dst.storage(), Some(o.storage()))?;
            let dp = g.w.ptr() as *mut T;
            let status = if shared { overlap(dst, o) } else { Overlap::No };
            if status == Overlap::Full && ob.layout() == dst.layout() {
                // `x.op_(x)`: each element is read and written at the same place
                // SAFETY: the write guard is held.
                unsafe { rmw_each(dst, dp, move |x| f(x, x)) };
                return Ok(());
            }
            if status != Overlap::No {
                // an aliasing layout torch does not analyse: read a copy taken under the lock
                let tmp = Tensor::empty(o.shape(), T::DTYPE)?;
                {
                    let tg = tmp.storage().write()?;
                    let plan = Plan::new(o.shape(), [tmp.strides(), o.strides()], [0, o.offset()]);
                    // SAFETY: both buffers are locked; the copy is fresh and private.
                    unsafe { cast_rows(&plan, tg.ptr(), T::DTYPE, g.other_ptr(), T::DTYPE) };
                }
                let tb = tmp.broadcast_to(dst.shape())?;
                let tg = tmp.storage().read()?;
                // SAFETY: the destination's write guard and the copy's read guard are held.
                unsafe { rmw_tensor(dst, dp, &tb, tg.ptr() as *const T, &f) };
                return Ok(());
            }
            // SAFETY: guards held; an operand in the same storage is disjoint from the
            // destination here.
            unsafe { rmw_tensor(dst, dp, &ob, g.other_ptr() as *const T, &f) };
            Ok(())
        }
    }
}

/// `dst[i] = g(dst[i])` in one pass: a scalar operand (`g = |x| f(x, y)`) or the destination
/// itself (`x.op_(x)`: `g = |x| f(x, x)`).
///
/// # Safety
/// `dp` is the destination's base pointer under its write lock.
unsafe fn rmw_each<T: Element>(dst: &Tensor, dp: *mut T, g: impl Fn(T) -> T + Sync + Copy) {
    let plan = Plan::new(dst.shape(), [dst.strides()], [dst.offset()]);
    let dp = SyncPtr(dp);
    plan.par_for_each_row(GRAIN, |[o], len, [s]| unsafe {
        // a local copy of `g`: what it captures (the scalar operand) then stays in a register;
        // read through the shared closure it was reloaded per element, as the writes might
        // alias it, and the loop did not vectorise (`x.mul_(2.0)` ran 4x slower than with a
        // 0-dim tensor operand)
        let g = g;
        let dp = dp.get();
        if s == 1 {
            let out = std::slice::from_raw_parts_mut(dp.add(o), len);
            simd(|| {
                for v in out.iter_mut() {
                    *v = g(*v);
                }
            })
        } else {
            for k in 0..len {
                let p = dp.add(o + k * s);
                *p = g(*p);
            }
        }
    });
}

/// # Safety
/// `dp` under the destination's write lock, `bp` the base of `b`'s storage under a lock (or
/// the same buffer as `dp`, with `b`'s elements disjoint from the destination's).
unsafe fn rmw_tensor<T: Element>(dst: &Tensor, dp: *mut T, b: &Tensor, bp: *const T, f: &(impl Fn(T, T) -> T + Sync)) {
    let plan = Plan::new(dst.shape(), [dst.strides(), b.strides()], [dst.offset(), b.offset()]);
    let (dp, bp) = (SyncPtr(dp), SyncPtr(bp as *mut T));
    plan.par_for_each_row(GRAIN, |[o, j], len, [so, sj]| unsafe {
        let (dp, bp) = (dp.get(), bp.get() as *const T);
        match (so, sj) {
            (1, 1) => {
                let out = std::slice::from_raw_parts_mut(dp.add(o), len);
                let y = std::slice::from_raw_parts(bp.add(j), len);
                simd(|| {
                    for k in 0..len {
                        out[k] = f(out[k], y[k]);
                    }
                })
            }
            (1, 0) => {
                let y = *bp.add(j);
                let out = std::slice::from_raw_parts_mut(dp.add(o), len);
                simd(|| {
                    for v in out.iter_mut() {
                        *v = f(*v, y);
                    }
                })
            }
            _ => {
                for k in 0..len {
                    let p = dp.add(o + k * so);
                    *p = f(*p, *bp.add(j + k * sj));
                }
            }
        }
    });
}

/// Copy-convert the elements of a two-operand plan: operand 0 is written (as `dd`), operand 1
/// read (as `sd`).
///
/// # Safety
/// Both pointers are storage bases valid for the plan's offsets, under the right locks.
unsafe fn cast_rows(plan: &Plan<2>, dp: *mut u8, dd: DType, sp: *const u8, sd: DType) {
    crate::dispatch!(dd, D => crate::dispatch!(sd, S => {
        let (dp, sp) = (SyncPtr(dp as *mut D), SyncPtr(sp as *mut S));
        plan.par_for_each_row(GRAIN, |[o, i], len, [so, si]| unsafe {
            let (dp, sp) = (dp.get(), sp.get() as *const S);
            for k in 0..len {
                *dp.add(o + k * so) = cast::<S, D>(*sp.add(i + k * si));
            }
        });
    }))
}

/// A destination whose dtype is not the compute dtype: its values and the operand's are
/// converted to the compute dtype, computed out of place and cast back, under the
/// destination's write lock throughout.
fn mixed(op: BinaryOp, dst: &Tensor, other: Arg, compute: DType, alpha: Option<Scalar>) -> Result<()> {
    let g = lock(dst.storage(), if let Arg::Tensor(o) = other { Some(o.storage()) } else { None })?;
    let me = Tensor::empty(dst.shape(), compute)?;
    {
        let mg = me.storage().write()?;
        let plan = Plan::new(dst.shape(), [me.strides(), dst.strides()], [0, dst.offset()]);
        // SAFETY: the destination is locked; `me` is fresh and private.
        unsafe { cast_rows(&plan, mg.ptr(), compute, g.w.ptr(), dst.dtype()) };
    }
    let conv;
    let other = match other {
        Arg::Tensor(o) => {
            // a private copy read under the lock taken above (no second lock on it)
            conv = Tensor::empty(o.shape(), compute)?;
            {
                let cg = conv.storage().write()?;
                let plan = Plan::new(o.shape(), [conv.strides(), o.strides()], [0, o.offset()]);
                // SAFETY: the operand's storage is locked (or is the destination's).
                unsafe { cast_rows(&plan, cg.ptr(), compute, g.other_ptr(), o.dtype()) };
            }
            Arg::Tensor(&conv)
        }
        s => s,
    };
    let res = match alpha {
        Some(a) => super::add_scaled(Arg::Tensor(&me), other, a, op == BinaryOp::Sub)?,
        None => super::binary(op, Arg::Tensor(&me), other)?,
    };
    let rb = res.broadcast_to(dst.shape())?;
    let rg = rb.storage().read()?;
    let plan = Plan::new(dst.shape(), [dst.strides(), rb.strides()], [dst.offset(), rb.offset()]);
    // SAFETY: the destination is locked; the result is private.
    unsafe { cast_rows(&plan, g.w.ptr(), dst.dtype(), rg.ptr(), rb.dtype()) };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t<T: Element>(v: &[T]) -> Tensor {
        Tensor::from_slice(v, &[v.len()]).unwrap()
    }

    #[test]
    fn add_in_place_and_alias() {
        let x = t(&[1.0f32, 2.0, 3.0]);
        binary_inplace(BinaryOp::Add, &x, Arg::Tensor(&t(&[1.0f32, 1.0, 1.0]))).unwrap();
        assert_eq!(x.to_vec::<f32>().unwrap(), [2.0, 3.0, 4.0]);
        binary_inplace(BinaryOp::Mul, &x, Arg::Tensor(&x.clone())).unwrap();
        assert_eq!(x.to_vec::<f32>().unwrap(), [4.0, 9.0, 16.0]);
        let y = t(&[1i64, 2, 3, 4]);
        let e = binary_inplace(BinaryOp::Add, &y.slice(0, Some(1), None, 1).unwrap(), Arg::Tensor(&y.slice(0, None, Some(-1), 1).unwrap()));
        assert_eq!(e.unwrap_err().to_string(), PARTIAL_OVERLAP);
        let e = binary_inplace(BinaryOp::Mul, &y, Arg::Scalar(Scalar::Float(2.5))).unwrap_err();
        assert_eq!(e.to_string(), "result type Float can't be cast to the desired output type Long");
        add_scaled_inplace(&y, Arg::Scalar(Scalar::Int(2)), Scalar::Int(3), true).unwrap();
        assert_eq!(y.to_vec::<i64>().unwrap(), [-5, -4, -3, -2]);
    }

    #[test]
    fn mixed_dtypes_compute_in_the_promoted_type() {
        let x = t(&[1.0f32, 2.0, 3.0]);
        binary_inplace(BinaryOp::Lt, &x, Arg::Scalar(Scalar::Float(2.5))).unwrap();
        assert_eq!(x.to_vec::<f32>().unwrap(), [1.0, 1.0, 0.0]);
        let h = t(&[crate::dtype::f16::from_f32(1.0)]);
        binary_inplace(BinaryOp::Add, &h, Arg::Tensor(&t(&[0.0004f32]))).unwrap();
        assert_eq!(h.to_vec::<crate::dtype::f16>().unwrap()[0].to_f32(), crate::dtype::f16::from_f32(1.0004).to_f32());
    }
}
