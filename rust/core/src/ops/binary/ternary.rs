//! Ternary elementwise ops (where, lerp, addcmul, addcdiv, clamp with two bounds) and their
//! generic driver `map3`, the three-operand sibling of `ops::map2`.

use super::{dispatch_float, Arith, BinaryOp};
use crate::dtype::{bf16, f16, result_type, DType, Element, Operand};
use crate::error::{Error, Result};
use crate::iter::Plan;
use crate::ops::{default_float, result_dtype, Arg};
use crate::parallel::{SyncPtr, GRAIN};
use crate::scalar::Scalar;
use crate::shape;
use crate::tensor::Tensor;

/// Apply `f` elementwise to three tensors (of element types `A`, `B`, `C`), broadcast together,
/// giving a new contiguous tensor of `D`. Rows where every operand is contiguous run over
/// slices (so the loop vectorises); others step by their strides.
fn map3<A: Element, B: Element, C: Element, D: Element>(
    a: &Tensor,
    b: &Tensor,
    c: &Tensor,
    f: impl Fn(A, B, C) -> D + Sync,
) -> Result<Tensor> {
    debug_assert!(a.dtype() == A::DTYPE && b.dtype() == B::DTYPE && c.dtype() == C::DTYPE);
    let shape = shape::broadcast_shapes_many(&[a.shape(), b.shape(), c.shape()])?;
    let device = crate::Device::common([a, b, c])?;
    let out = Tensor::empty_for(&shape, &[a, b, c], D::DTYPE, device)?; // in the operands' memory order
    let (a, b, c) = (a.broadcast_to(&shape)?, b.broadcast_to(&shape)?, c.broadcast_to(&shape)?);
    if out.is_meta() {
        return Ok(out);
    }
    {
        let (ag, bg, cg) = (a.storage().read()?, b.storage().read()?, c.storage().read()?);
        let og = out.storage().write()?;
        let (strides, offsets) = ([out.strides(), a.strides(), b.strides(), c.strides()], [0, a.offset(), b.offset(), c.offset()]);
        let plan = if out.is_contiguous() { Plan::new(&shape, strides, offsets) } else { Plan::in_memory_order_of_first(&shape, strides, offsets) };
        let (op, ap, bp, cp) =
            (SyncPtr(og.ptr() as *mut D), SyncPtr(ag.ptr() as *mut A), SyncPtr(bg.ptr() as *mut B), SyncPtr(cg.ptr() as *mut C));
        plan.par_for_each_row(GRAIN, |[o, i, j, k], len, [so, si, sj, sk]| unsafe {
            // SAFETY: every offset comes from an operand's layout; the output row is ours alone.
            let (op, ap, bp, cp) = (op.get(), ap.get() as *const A, bp.get() as *const B, cp.get() as *const C);
            if (so, si, sj, sk) == (1, 1, 1, 1) {
                let out = std::slice::from_raw_parts_mut(op.add(o), len);
                let x = std::slice::from_raw_parts(ap.add(i), len);
                let y = std::slice::from_raw_parts(bp.add(j), len);
                let z = std::slice::from_raw_parts(cp.add(k), len);
                crate::ops::simd(|| {
                    for n in 0..len {
                        out[n] = f(x[n], y[n], z[n]);
                    }
                })
            } else {
                for n in 0..len {
                    *op.add(o + n * so) = f(*ap.add(i + n * si), *bp.add(j + n * sj), *cp.add(k + n * sk));
                }
            }
        });
    }
    Ok(out)
}

/// `torch.where(cond, x, y)`: x where cond is true, else y; the result dtype is `x` and `y`
/// promoted. `cond` must be bool (uint8 is accepted, as torch still does).
pub fn where_(cond: &Tensor, x: Arg, y: Arg) -> Result<Tensor> {
    let cond = match cond.dtype() {
        DType::Bool => cond.clone(),
        DType::UInt8 => cond.to_dtype(DType::Bool)?,
        d => crate::bail!("where expected condition to be a boolean tensor, but got a tensor with dtype {}", d.scalar_type_name()),
    };
    let dtype = result_dtype(&[x.clone(), y.clone()]);
    // torch first fills a one-element tensor with each number
    for a in [&x, &y] {
        if let Arg::Scalar(s) = a {
            s.check_fill(dtype, 1)?;
        }
    }
    let (tx, ty) = (x.as_tensor(dtype)?, y.as_tensor(dtype)?);
    if [&cond, &tx, &ty].iter().any(|t| crate::backend::is_backend(t.device())) {
        return crate::backend::ternary("where", &cond, &tx, &ty, dtype);
    }
    crate::dispatch!(dtype, T => map3::<bool, T, T, T>(&cond, &tx, &ty, |c, a, b| if c { a } else { b }))
}


/// torch's lerp: the formula is chosen by |weight| so that both ends are exact.
macro_rules! lerp_formula {
    ($s:expr, $e:expr, $w:expr) => {{
        let (s, e, w) = ($s, $e, $w);
        if w.abs() < 0.5 {
            s + w * (e - s)
        } else {
            e - (e - s) * (1.0 - w)
        }
    }};
}

/// `torch.lerp(input, end, weight)`: `input + weight * (end - input)`, floating types only;
/// `end` (and a tensor `weight`) must have `input`'s dtype.
pub fn lerp(input: &Tensor, end: &Tensor, weight: Arg) -> Result<Tensor> {
    let dtype = input.dtype();
    let mismatch = |what: &str, d: DType| {
        Error::runtime(format!("expected dtype {} for `{what}` but got dtype {}", dtype.cpp_name(), d.cpp_name()))
    };
    if end.dtype() != dtype {
        return Err(mismatch("end", end.dtype()));
    }
    match weight {
        Arg::Tensor(w) => {
            if w.dtype() != dtype {
                return Err(mismatch("weight", w.dtype()));
            }
            let err = Error::unsupported("lerp_kernel_tensor", dtype);
            dispatch_float!(dtype, T => lerp_tensor::<T>(input, end, w), err)
        }
        Arg::Scalar(s) => {
            let err = Error::unsupported("lerp_kernel_scalar", dtype);
            let w = Tensor::scalar(s, dtype)?;
            dispatch_float!(dtype, T => lerp_tensor::<T>(input, end, &w), err)
        }
    }
}

/// A floating element type and the type torch computes it in (f32 for the half types).
trait Opmath: Element {
    fn lerp(self, end: Self, weight: Self) -> Self;
}

impl Opmath for f32 {
    #[inline(always)]
    fn lerp(self, e: Self, w: Self) -> Self {
        lerp_formula!(self, e, w)
    }
}
impl Opmath for f64 {
    #[inline(always)]
    fn lerp(self, e: Self, w: Self) -> Self {
        lerp_formula!(self, e, w)
    }
}
macro_rules! opmath_half {
    ($($t:ty),*) => {$(
        impl Opmath for $t {
            #[inline(always)]
            fn lerp(self, e: Self, w: Self) -> Self {
                <$t>::from_f32(lerp_formula!(self.to_f32(), e.to_f32(), w.to_f32()))
            }
        }
    )*};
}
opmath_half!(f16, bf16);

fn lerp_tensor<T: Opmath>(input: &Tensor, end: &Tensor, weight: &Tensor) -> Result<Tensor> {
    map3::<T, T, T, T>(input, end, weight, T::lerp)
}

/// The promoted dtype of tensor operands (dimensioned, zero-dim) as torch's result_type sees them.
fn promoted(ts: &[&Tensor]) -> DType {
    let ops: Vec<Operand> =
        ts.iter().map(|t| if t.ndim() == 0 { Operand::ZeroDim(t.dtype()) } else { Operand::Tensor(t.dtype()) }).collect();
    result_type(&ops, default_float())
}

/// `torch.addcmul`: `input + value * t1 * t2`, in the three tensors' promoted dtype.
pub fn addcmul(input: &Tensor, t1: &Tensor, t2: &Tensor, value: Scalar) -> Result<Tensor> {
    let dtype = promoted(&[input, t1, t2]);
    if dtype == DType::Bool {
        return Err(Error::unsupported("addcmul_cpu_out", dtype));
    }
    let (a, b, c) = (input.to_dtype(dtype)?, t1.to_dtype(dtype)?, t2.to_dtype(dtype)?);
    crate::dispatch!(dtype, T => {
        let v: T = value.to::<T>();
        map3::<T, T, T, T>(&a, &b, &c, move |x, y, z| x.add(v.mul(y).mul(z)))
    })
}

/// `torch.addcdiv`: `input + value * t1 / t2`; floating types only (torch dropped integer
/// addcdiv and says how to get either behaviour).
pub fn addcdiv(input: &Tensor, t1: &Tensor, t2: &Tensor, value: Scalar) -> Result<Tensor> {
    if !t1.dtype().is_floating_point() && !t2.dtype().is_floating_point() {
        return Err(Error::runtime(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.",
        ));
    }
    let dtype = promoted(&[input, t1, t2]);
    let (a, b, c) = (input.to_dtype(dtype)?, t1.to_dtype(dtype)?, t2.to_dtype(dtype)?);
    let err = Error::unsupported("addcdiv_cpu_out", dtype);
    dispatch_float!(dtype, T => {
        let v: T = value.to::<T>();
        map3::<T, T, T, T>(&a, &b, &c, move |x, y, z| x.add(v.mul(y).div(z)))
    }, err)
}

/// `torch.clamp(input, min, max)`: any NaN among the three gives NaN; with `min > max` the
/// result is `max`, as in torch. The dtype is `input`, `min` and `max` promoted together.
pub fn clamp(input: &Tensor, min: Option<Arg>, max: Option<Arg>) -> Result<Tensor> {
    if min.is_some() || max.is_some() {
        let dtype = {
            let args: smallvec::SmallVec<[Arg; 3]> =
                [Some(Arg::Tensor(input)), min.clone(), max.clone()].into_iter().flatten().collect();
            result_dtype(&args)
        };
        let (min, max) = (number_bound(min, dtype, true)?, number_bound(max, dtype, false)?);
        if min.is_none() && max.is_none() {
            // every bound lies beyond the side it bounds: nothing to clamp
            return input.copy_preserving(dtype);
        }
        return clamp_checked(input, min, max);
    }
    clamp_checked(input, min, max)
}

/// A number bound as torch 2.15's clamp sees it. For an integral result dtype the bound is
/// compared in a wide type, not wrapped into the dtype first: a min below the dtype's range (a
/// max above it) bounds nothing and is dropped, one beyond the other end is an error. For a
/// floating dtype, a finite bound beyond its range fails its checked conversion.
fn number_bound(bound: Option<Arg>, dtype: DType, is_min: bool) -> Result<Option<Arg>> {
    let Some(Arg::Scalar(s)) = bound else { return Ok(bound) };
    if dtype.is_integral(false) {
        let (lo, hi): (i128, i128) = match dtype {
            DType::UInt8 => (0, u8::MAX as i128),
            DType::Int8 => (i8::MIN as i128, i8::MAX as i128),
            DType::Int16 => (i16::MIN as i128, i16::MAX as i128),
            DType::Int32 => (i32::MIN as i128, i32::MAX as i128),
            _ => (i64::MIN as i128, i64::MAX as i128),
        };
        let v = match s {
            Scalar::Bool(b) => b as i128,
            Scalar::Int(i) => i as i128,
            Scalar::Float(_) => return Ok(Some(Arg::Scalar(s))), // promotes to a float dtype
        };
        return if (is_min && v < lo) || (!is_min && v > hi) {
            Ok(None)
        } else if v < lo || v > hi {
            Err(out_of_range(s.to_f64(), is_min, dtype))
        } else {
            Ok(Some(Arg::Scalar(s)))
        };
    }
    let limit = match dtype {
        DType::Float16 => 65504.0,
        DType::BFloat16 => bf16::MAX.to_f64(),
        DType::Float32 => f32::MAX as f64,
        _ => f64::INFINITY,
    };
    let v = s.to_f64();
    if v.is_finite() && v.abs() > limit {
        return Err(Error::runtime(format!("value cannot be converted to type {} without overflow", dtype.cpp_name())));
    }
    Ok(Some(Arg::Scalar(s)))
}

fn out_of_range(v: f64, is_min: bool, dtype: DType) -> Error {
    Error::runtime(format!(
        "Clamp {} value {} is outside the representable range of {}",
        if is_min { "min" } else { "max" },
        crate::scalar::fmt_double(v),
        dtype.scalar_type_name()
    ))
}

fn clamp_checked(input: &Tensor, min: Option<Arg>, max: Option<Arg>) -> Result<Tensor> {
    match (min, max) {
        (None, None) => Err(Error::runtime("torch.clamp: At least one of 'min' or 'max' must not be None")),
        (Some(lo), None) => super::binary(BinaryOp::Maximum, Arg::Tensor(input), lo),
        (None, Some(hi)) => super::binary(BinaryOp::Minimum, Arg::Tensor(input), hi),
        (Some(lo), Some(hi)) => {
            let x = Arg::Tensor(input);
            let dtype = result_dtype(&[x.clone(), lo.clone(), hi.clone()]);
            let (tx, tl, th) = (x.as_tensor(dtype)?, lo.as_tensor(dtype)?, hi.as_tensor(dtype)?);
            crate::dispatch!(dtype, T => map3::<T, T, T, T>(&tx, &tl, &th, |v: T, l: T, h: T| {
                if v.is_nan() {
                    v
                } else if l.is_nan() {
                    l
                } else if h.is_nan() {
                    h
                } else {
                    let m = if v < l { l } else { v };
                    if h < m { h } else { m }
                }
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t<T: Element>(v: &[T]) -> Tensor {
        Tensor::from_slice(v, &[v.len()]).unwrap()
    }

    #[test]
    fn where_promotes_and_broadcasts() {
        let c = t(&[true, false]);
        let r = where_(&c, Arg::Scalar(Scalar::Int(1)), Arg::Scalar(Scalar::Float(2.5))).unwrap();
        assert_eq!(r.dtype(), DType::Float32);
        assert_eq!(r.to_vec::<f32>().unwrap(), [1.0, 2.5]);
        let e = where_(&t(&[1i64]), Arg::Tensor(&t(&[1.0f32])), Arg::Tensor(&t(&[2.0f32]))).unwrap_err();
        assert_eq!(e.to_string(), "where expected condition to be a boolean tensor, but got a tensor with dtype Long");
    }

    #[test]
    fn clamp_nan_and_crossed_bounds() {
        let x = t(&[1.0f32, 5.0, f32::NAN]);
        let r = clamp(&x, Some(Arg::Scalar(Scalar::Int(3))), Some(Arg::Scalar(Scalar::Int(2)))).unwrap();
        let v = r.to_vec::<f32>().unwrap();
        assert_eq!(&v[..2], &[2.0, 2.0]);
        assert!(v[2].is_nan());
        let r = clamp(&t(&[1i64, 2, 3]), Some(Arg::Scalar(Scalar::Float(1.5))), None).unwrap();
        assert_eq!(r.to_vec::<f32>().unwrap(), [1.5, 2.0, 3.0]);
    }

    #[test]
    fn lerp_and_addc() {
        let r = lerp(&t(&[1.0f32, 2.0]), &t(&[2.0f32, 3.0]), Arg::Scalar(Scalar::Float(0.5))).unwrap();
        assert_eq!(r.to_vec::<f32>().unwrap(), [1.5, 2.5]);
        let e = lerp(&t(&[1.0f32]), &t(&[2.0f64]), Arg::Scalar(Scalar::Float(0.5))).unwrap_err();
        assert_eq!(e.to_string(), "expected dtype float for `end` but got dtype double");
        let r = addcmul(&t(&[1i8]), &t(&[2i8]), &t(&[100i8]), Scalar::Int(2)).unwrap();
        assert_eq!(r.to_vec::<i8>().unwrap(), [-111]);
        assert!(addcdiv(&t(&[1.0f32]), &t(&[2i64]), &t(&[3i64]), Scalar::Int(1)).is_err());
    }
}
