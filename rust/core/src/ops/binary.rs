//! Binary elementwise ops with broadcasting and torch's type promotion.
//!
//! Every op is one `BinaryOp` variant; `binary` promotes the operands, picks the compute dtype
//! (true division and the transcendental ops compute integers in the default float dtype;
//! comparisons and logical ops return bool), and runs the op's scalar function through `map2`.
//! Ops fall in three kernel families, each a trait implemented for the element types torch
//! supports them on: `Arith` (every dtype), `FloatArith` (floating types) and `Bits` (integers
//! and bool). Half types compute through f32 per element, like torch's CPU kernels.
//!
//! The rest lives in `binary/`: the kernel traits and their per-dtype functions in
//! `kernels.rs`, the one-pass in-place kernels in `inplace.rs`, the ternary ops (where, lerp,
//! addcmul, addcdiv, clamp) and their driver `map3` in `ternary.rs`, isclose/allclose/equal
//! in `close.rs`.

mod close;
mod inplace;
mod kernels;
mod ternary;
pub use close::{allclose, equal, isclose};
pub use inplace::{add_scaled_inplace, binary_inplace, can_cast, check_no_partial_overlap};
pub(crate) use kernels::{Arith, Bits, FloatArith};
pub(crate) use kernels::{arith_fn, bits_fn, dispatch_bits, dispatch_float, float_fn};
pub use ternary::{addcdiv, addcmul, clamp, lerp, where_};

use super::{map2, result_dtype, Arg};
use crate::dtype::{bf16, f16, DType, Element};
use crate::error::{Error, Result};
use crate::iter::Plan;
use crate::scalar::Scalar;
use crate::shape;
use crate::tensor::Tensor;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    /// `div(rounding_mode='trunc')`
    DivTrunc,
    /// `div(rounding_mode='floor')`, `floor_divide`, `//`
    DivFloor,
    /// Python's `%`: the result takes the divisor's sign.
    Remainder,
    /// C's fmod: the result takes the dividend's sign.
    Fmod,
    Pow,
    Atan2,
    Hypot,
    Copysign,
    Nextafter,
    Xlogy,
    /// `x * log1p(y)`, 0 where x == 0 (torch.special.xlog1py).
    Xlog1py,
    /// Hurwitz's zeta(x, q) (torch.special.zeta).
    Zeta,
    /// NaN-propagating max / min.
    Maximum,
    Minimum,
    /// NaN-ignoring max / min.
    Fmax,
    Fmin,
    LogicalAnd,
    LogicalOr,
    LogicalXor,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Which kernel trait implements an op (and so which dtypes it runs on).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Arith,
    Float,
    Bits,
}

impl BinaryOp {
    /// The torch name (also the WGSL entry point of the GPU kernel).
    pub const fn name(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Add => "add",
            Sub => "sub",
            Mul => "mul",
            Div => "div",
            DivTrunc => "div_trunc",
            DivFloor => "floor_divide",
            Remainder => "remainder",
            Fmod => "fmod",
            Pow => "pow",
            Atan2 => "atan2",
            Hypot => "hypot",
            Copysign => "copysign",
            Nextafter => "nextafter",
            Xlogy => "xlogy",
            Xlog1py => "special_xlog1py",
            Zeta => "special_zeta",
            Maximum => "maximum",
            Minimum => "minimum",
            Fmax => "fmax",
            Fmin => "fmin",
            LogicalAnd => "logical_and",
            LogicalOr => "logical_or",
            LogicalXor => "logical_xor",
            BitAnd => "bitwise_and",
            BitOr => "bitwise_or",
            BitXor => "bitwise_xor",
            Shl => "bitwise_left_shift",
            Shr => "bitwise_right_shift",
            Eq => "eq",
            Ne => "ne",
            Lt => "lt",
            Le => "le",
            Gt => "gt",
            Ge => "ge",
        }
    }

    pub const fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Eq | Ne | Lt | Le | Gt | Ge)
    }

    pub const fn is_logical(self) -> bool {
        matches!(self, BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::LogicalXor)
    }

    const fn family(self) -> Family {
        use BinaryOp::*;
        match self {
            Atan2 | Hypot | Copysign | Nextafter | Xlogy | Xlog1py | Zeta => Family::Float,
            BitAnd | BitOr | BitXor | Shl | Shr => Family::Bits,
            _ => Family::Arith,
        }
    }

    /// The name torch's kernel reports in "not implemented for" errors.
    const fn kernel_name(self) -> &'static str {
        use BinaryOp::*;
        match self {
            DivTrunc => "div_trunc_cpu",
            DivFloor => "div_floor_cpu",
            Remainder => "remainder_cpu",
            Fmod => "fmod_cpu",
            Pow => "pow",
            Hypot => "hypot_cpu",
            Nextafter => "nextafter_cpu",
            Zeta => "zeta_cpu",
            BitAnd => "bitwise_and_cpu",
            BitOr => "bitwise_or_cpu",
            BitXor => "bitwise_xor_cpu",
            Shl => "lshift_cpu",
            Shr => "rshift_cpu",
            _ => self.name(),
        }
    }

    fn not_implemented(self, dtype: DType) -> Error {
        Error::unsupported(self.kernel_name(), dtype)
    }

    /// The dtype the op computes in, given the promoted dtype of its operands.
    pub fn compute_dtype(self, promoted: DType) -> Result<DType> {
        use BinaryOp::*;
        let float = promoted.is_floating_point();
        match self {
            Div | Atan2 | Copysign | Xlogy | Xlog1py | Zeta if !float => Ok(super::default_float()),
            // torch has no half-precision zeta kernel
            Zeta if matches!(promoted, DType::Float16 | DType::BFloat16) => Err(self.not_implemented(promoted)),
            Hypot | Nextafter if !float => Err(self.not_implemented(promoted)),
            DivTrunc | DivFloor | Remainder | Fmod | Pow if promoted == DType::Bool => Err(self.not_implemented(promoted)),
            BitAnd | BitOr | BitXor | Shl | Shr if float => Err(self.not_implemented(promoted)),
            Shl | Shr if promoted == DType::Bool => Err(self.not_implemented(promoted)),
            Sub if promoted == DType::Bool => Err(Error::NotImplemented(SUB_TWO_BOOLS.into())),
            _ => Ok(promoted),
        }
    }

    pub fn out_dtype(self, compute: DType) -> DType {
        if self.is_comparison() || self.is_logical() {
            DType::Bool
        } else {
            compute
        }
    }

    /// The result dtype of `op(a, b)` (what an `out=` tensor must accept).
    pub fn result_dtype(self, a: &Arg, b: &Arg) -> Result<DType> {
        Ok(self.out_dtype(self.compute_dtype(result_dtype(&[a.clone(), b.clone()]))?))
    }
}

const SUB_TWO_BOOLS: &str =
    "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.";

/// torch's `sub_check`: subtraction rejects any bool operand, a Python bool included (the
/// promoted dtype alone cannot tell: `bool_tensor - 2` computes in int64).
fn check_sub(a: &Arg, b: &Arg) -> Result<()> {
    let is_bool = |x: &Arg| match x {
        Arg::Tensor(t) => t.dtype() == DType::Bool,
        Arg::Scalar(s) => matches!(s, Scalar::Bool(_)),
    };
    match (is_bool(a), is_bool(b)) {
        (true, true) => Err(Error::NotImplemented(SUB_TWO_BOOLS.into())),
        (true, false) | (false, true) => Err(Error::NotImplemented(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.".into(),
        )),
        (false, false) => Ok(()),
    }
}

fn internal(op: BinaryOp) -> Error {
    Error::runtime(format!("internal error: {} dispatched to the wrong kernel family", op.name()))
}

fn run<T: Arith>(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    arith_fn!(op, T, |f| map2::<T, T>(a, b, f), |p| map2::<T, bool>(a, b, p), Err(internal(op)))
}

fn run_float<T: FloatArith>(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    float_fn!(op, T, |f| map2::<T, T>(a, b, f), Err(internal(op)))
}

fn run_bits<T: Bits>(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    bits_fn!(op, T, |f| map2::<T, T>(a, b, f), Err(internal(op)))
}

/// Whether any element of `t` is zero (integer division checks its divisor first).
fn any_zero(t: &Tensor) -> Result<bool> {
    let g = t.storage().read()?;
    let plan = Plan::new(t.shape(), [t.strides()], [t.offset()]);
    let mut found = false;
    crate::dispatch!(t.dtype(), T => {
        let p = g.ptr() as *const T;
        plan.for_each_row(|[o], len, [s]| {
            // SAFETY: offsets come from the tensor's own layout.
            found |= (0..len).any(|k| unsafe { *p.add(o + k * s) } == T::zero());
        });
    });
    Ok(found)
}

/// An operand as a tensor of `dtype`: borrowed when it already is one (the common case, which
/// then costs no clone), else converted.
fn cast<'a>(arg: &Arg<'a>, dtype: DType) -> Result<std::borrow::Cow<'a, Tensor>> {
    match *arg {
        Arg::Tensor(t) if t.dtype() == dtype => Ok(std::borrow::Cow::Borrowed(t)),
        _ => arg.as_tensor(dtype).map(std::borrow::Cow::Owned),
    }
}

/// `$run` with `f`: the half element `x` to `op(x, s)` computed in float32 and rounded once.
macro_rules! half_opmath {
    ($op:expr, $h:ty, $s:expr, |$f:ident| $run:expr) => {{
        let s: f32 = $s;
        match $op {
            BinaryOp::Mul => { let $f = move |x: $h| <$h>::from_f32(x.to_f32() * s); $run }
            BinaryOp::Div => { let $f = move |x: $h| <$h>::from_f32(x.to_f32() / s); $run }
            BinaryOp::DivTrunc => { let $f = move |x: $h| <$h>::from_f32(<f32 as Arith>::div_trunc(x.to_f32(), s)); $run }
            _ => { let $f = move |x: $h| <$h>::from_f32(<f32 as Arith>::div_floor(x.to_f32(), s)); $run }
        }
    }};
}
pub(super) use half_opmath;

/// `op(a, b)` with broadcasting and torch's promotion; a new tensor, laid out in the operands'
/// memory order (contiguous for contiguous operands, see `Tensor::empty_for`).
pub fn binary(op: BinaryOp, a: Arg, b: Arg) -> Result<Tensor> {
    binary_impl(op, a, b, true)
}

/// `binary`; `opmath`: whether a half-type op may keep its CPU-scalar operand in float32
/// (`half_scalar`; add_scaled's product rounds alpha to the dtype, as torch's add kernel).
fn binary_impl(op: BinaryOp, a: Arg, b: Arg, opmath: bool) -> Result<Tensor> {
    if op == BinaryOp::Sub {
        check_sub(&a, &b)?;
    }
    let compute = match op.compute_dtype(result_dtype(&[a.clone(), b.clone()])) {
        Ok(d) => d,
        Err(e) => {
            // torch's TensorIterator broadcasts the operands before the kernel refuses a dtype
            if let (Arg::Tensor(x), Arg::Tensor(y)) = (&a, &b) {
                shape::broadcast_shapes(x.shape(), y.shape())?;
            }
            return Err(e);
        }
    };
    if op == BinaryOp::Pow && matches!(compute, DType::Float16 | DType::BFloat16) {
        // torch converts a scalar exponent to the half type: one out of its range is an error
        if let Arg::Scalar(e) = &b {
            e.check_fits(compute)?;
        }
    }
    if op == BinaryOp::Pow && compute.is_integral(false) && matches!(b, Arg::Scalar(Scalar::Int(e)) if e < 0) {
        return Err(Error::runtime("Integers to negative integer powers are not allowed."));
    }
    let half = if opmath && matches!(a, Arg::Tensor(_)) { half_scalar(op, compute, &b)? } else { None };
    let (ta, tb) = (cast(&a, compute)?, cast(&b, compute)?);
    let (ta, tb) = (ta.as_ref(), tb.as_ref());
    if crate::backend::is_backend(ta.device()) || crate::backend::is_backend(tb.device()) {
        let device = crate::Device::common([ta, tb])?;
        return crate::backend::binary(op.name(), ta, tb, op.out_dtype(compute), device);
    }
    if let Some(s) = half {
        // the operand `tb` (0-dim, rounded) only gives the broadcast shape and device
        return match compute {
            DType::Float16 => half_opmath!(op, f16, s, |f| map2::<f16, f16>(ta, tb, move |x, _| f(x))),
            _ => half_opmath!(op, bf16, s, |f| map2::<bf16, bf16>(ta, tb, move |x, _| f(x))),
        };
    }
    if let (Arg::Tensor(_), Some(p)) = (&a, pow_special(op, compute, &b)) {
        return match compute {
            DType::Float32 => pow_special_run::<f32>(p, ta, tb),
            DType::Float64 => pow_special_run::<f64>(p, ta, tb),
            _ => pow_special_run::<bf16>(p, ta, tb),
        };
    }
    if matches!(op, BinaryOp::DivTrunc | BinaryOp::DivFloor | BinaryOp::Remainder | BinaryOp::Fmod)
        && compute.is_integral(false)
        && !tb.is_meta()
        && any_zero(tb)?
    {
        return Err(Error::runtime("ZeroDivisionError"));
    }
    match op.family() {
        Family::Arith => crate::dispatch!(compute, T => run::<T>(op, ta, tb)),
        Family::Float => dispatch_float!(compute, T => run_float::<T>(op, ta, tb), op.not_implemented(compute)),
        Family::Bits => dispatch_bits!(compute, T => run_bits::<T>(op, ta, tb), op.not_implemented(compute)),
    }
}

/// torch's reduced-float kernels of mul, div and div's rounding modes with a CPU scalar as the
/// second operand (a number, or a 0-dim tensor of another dtype): the scalar keeps its value in
/// float32 ("opmath") instead of being rounded to the half type first, so
/// `tensor([inf], float16) / 1e10` is inf, not inf / inf. The scalar, when this applies.
pub(super) fn half_scalar(op: BinaryOp, compute: DType, b: &Arg) -> Result<Option<f32>> {
    use BinaryOp::*;
    if !matches!(compute, DType::Float16 | DType::BFloat16) || !matches!(op, Mul | Div | DivTrunc | DivFloor) {
        return Ok(None);
    }
    Ok(match *b {
        Arg::Scalar(s) => Some(s.to_f64() as f32),
        Arg::Tensor(t) if t.ndim() == 0 && t.dtype() != compute && t.device() == crate::Device::Cpu => {
            Some(t.item()?.to_f64() as f32)
        }
        _ => None,
    })
}

/// torch's specializations of `tensor ** number` on float32, float64 and bfloat16 (its
/// pow_tensor_scalar kernel; float16 runs plain pow): 0.5 is sqrt, -0.5 rsqrt and -1 the
/// reciprocal (so `(-inf) ** 0.5` is NaN and `(-0.) ** 0.5` is -0., where IEEE pow gives inf and
/// 0), 2, 3 and -2 are products.
#[derive(Clone, Copy)]
pub(super) enum PowSpecial {
    Unary(super::unary::UnaryOp),
    Square,
    Cube,
    InvSquare,
}

pub(super) fn pow_special(op: BinaryOp, compute: DType, b: &Arg) -> Option<PowSpecial> {
    use super::unary::UnaryOp;
    if op != BinaryOp::Pow || !matches!(compute, DType::Float32 | DType::Float64 | DType::BFloat16) {
        return None;
    }
    let Arg::Scalar(s) = *b else { return None };
    if matches!(s, Scalar::Bool(_)) {
        return None;
    }
    let e = s.to_f64();
    Some(if e == 0.5 {
        PowSpecial::Unary(UnaryOp::Sqrt)
    } else if e == -0.5 {
        PowSpecial::Unary(UnaryOp::Rsqrt)
    } else if e == -1.0 {
        PowSpecial::Unary(UnaryOp::Reciprocal)
    } else if e == 2.0 {
        PowSpecial::Square
    } else if e == 3.0 {
        PowSpecial::Cube
    } else if e == -2.0 {
        PowSpecial::InvSquare
    } else {
        return None;
    })
}

fn pow_special_run<T: Arith>(p: PowSpecial, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    match p {
        PowSpecial::Unary(u) => super::unary::unary(u, a),
        PowSpecial::Square => map2::<T, T>(a, b, |x, _| x.mul(x)),
        PowSpecial::Cube => map2::<T, T>(a, b, |x, _| x.mul(x).mul(x)),
        PowSpecial::InvSquare => {
            let one = T::one();
            map2::<T, T>(a, b, move |x, _| one.div(x.mul(x)))
        }
    }
}

/// torch's alpha_check: a bool alpha only for a bool result, a float alpha only for a floating one
/// (whatever its value).
pub(crate) fn check_alpha(dtype: DType, alpha: Scalar) -> Result<()> {
    if matches!(alpha, Scalar::Bool(_)) && dtype != DType::Bool {
        return Err(Error::runtime("Boolean alpha only supported for Boolean results."));
    }
    if !dtype.is_floating_point() && matches!(alpha, Scalar::Float(_)) {
        return Err(Error::runtime(
            "For integral input tensors, argument alpha must not be a floating point number.",
        ));
    }
    Ok(())
}

/// `a + alpha * b` (torch.add / torch.sub with `alpha`).
pub fn add_scaled(a: Arg, b: Arg, alpha: Scalar, subtract: bool) -> Result<Tensor> {
    let op = if subtract { BinaryOp::Sub } else { BinaryOp::Add };
    if subtract {
        check_sub(&a, &b)?;
    }
    if matches!(alpha, Scalar::Int(1)) {
        return binary(op, a, b); // the default: nothing to check, nothing to scale
    }
    let dtype = op.compute_dtype(result_dtype(&[a.clone(), b.clone()]))?;
    check_alpha(dtype, alpha)?;
    if alpha.to_f64() == 1.0 {
        return binary(op, a, b);
    }
    let tb = b.as_tensor(dtype)?;
    let scaled = binary_impl(BinaryOp::Mul, Arg::Tensor(&tb), Arg::Scalar(alpha), false)?;
    binary(op, Arg::Tensor(&a.as_tensor(dtype)?), Arg::Tensor(&scaled))
}

/// `torch.float_power`: both operands in float64, result float64.
pub fn float_power(a: Arg, b: Arg) -> Result<Tensor> {
    let (ta, tb) = (a.as_tensor(DType::Float64)?, b.as_tensor(DType::Float64)?);
    map2::<f64, f64>(&ta, &tb, f64::powf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::f16;

    fn t<T: Element>(v: &[T]) -> Tensor {
        Tensor::from_slice(v, &[v.len()]).unwrap()
    }

    fn bin(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
        binary(op, Arg::Tensor(a), Arg::Tensor(b))
    }

    #[test]
    fn integer_division_rounds_like_torch() {
        let (a, b) = (t(&[5i64, -5, 7, -7]), t(&[2i64, 2, -2, -2]));
        assert_eq!(bin(BinaryOp::DivFloor, &a, &b).unwrap().to_vec::<i64>().unwrap(), [2, -3, -4, 3]);
        assert_eq!(bin(BinaryOp::DivTrunc, &a, &b).unwrap().to_vec::<i64>().unwrap(), [2, -2, -3, 3]);
        assert_eq!(bin(BinaryOp::Remainder, &a, &b).unwrap().to_vec::<i64>().unwrap(), [1, 1, -1, -1]);
        assert_eq!(bin(BinaryOp::Fmod, &a, &b).unwrap().to_vec::<i64>().unwrap(), [1, -1, 1, -1]);
        let z = t(&[0i64, 1, 1, 1]);
        assert_eq!(bin(BinaryOp::Remainder, &a, &z).unwrap_err().to_string(), "ZeroDivisionError");
    }

    #[test]
    fn float_floor_division_and_remainder() {
        let (a, b) = (t(&[5.0f64, -5.0, -0.0, 1.0]), t(&[0.0f64, 2.0, 3.0, -0.0]));
        let q = bin(BinaryOp::DivFloor, &a, &b).unwrap().to_vec::<f64>().unwrap();
        assert_eq!(q[0], f64::INFINITY);
        assert_eq!(q[1], -3.0);
        let r = bin(BinaryOp::Remainder, &a, &b).unwrap().to_vec::<f64>().unwrap();
        assert!(r[0].is_nan());
        assert_eq!(r[1], 1.0);
        assert!(r[2] == 0.0 && r[2].is_sign_negative());
    }

    #[test]
    fn pow_and_shifts() {
        let r = bin(BinaryOp::Pow, &t(&[1i64, -1, 2, 3]), &t(&[-1i64, -3, -2, 3])).unwrap();
        assert_eq!(r.to_vec::<i64>().unwrap(), [1, -1, 0, 27]);
        let e = binary(BinaryOp::Pow, Arg::Tensor(&t(&[2i64])), Arg::Scalar(Scalar::Int(-1))).unwrap_err();
        assert_eq!(e.to_string(), "Integers to negative integer powers are not allowed.");
        let r = bin(BinaryOp::Shr, &t(&[-8i64, 5, 5]), &t(&[70i64, -1, 1])).unwrap();
        assert_eq!(r.to_vec::<i64>().unwrap(), [-1, 0, 2]);
        let r = bin(BinaryOp::Shl, &t(&[1i8]), &t(&[7i8])).unwrap();
        assert_eq!(r.to_vec::<i8>().unwrap(), [-128]);
        let e = bin(BinaryOp::BitAnd, &t(&[1.0f32]), &t(&[1.0f32])).unwrap_err();
        assert_eq!(e.to_string(), "\"bitwise_and_cpu\" not implemented for 'Float'");
    }

    #[test]
    fn nan_handling_of_max_min() {
        let (a, b) = (t(&[1.0f32, f32::NAN, f32::NAN]), t(&[f32::NAN, 0.0, f32::NAN]));
        let m = bin(BinaryOp::Maximum, &a, &b).unwrap().to_vec::<f32>().unwrap();
        assert!(m.iter().all(|v| v.is_nan()));
        let f = bin(BinaryOp::Fmax, &a, &b).unwrap().to_vec::<f32>().unwrap();
        assert_eq!(&f[..2], &[1.0, 0.0]);
        assert!(f[2].is_nan());
    }

    #[test]
    fn nextafter_steps_one_ulp() {
        let r = bin(BinaryOp::Nextafter, &t(&[1.0f32, 0.0, 1.0]), &t(&[2.0f32, -1.0, 0.0])).unwrap();
        let v = r.to_vec::<f32>().unwrap();
        assert_eq!(v[0], f32::from_bits(1.0f32.to_bits() + 1));
        assert_eq!(v[1], -f32::from_bits(1));
        assert_eq!(v[2], f32::from_bits(1.0f32.to_bits() - 1));
        let h = bin(BinaryOp::Nextafter, &t(&[f16::ONE]), &t(&[f16::from_f32(2.0)])).unwrap();
        assert_eq!(h.to_vec::<f16>().unwrap()[0].to_f32(), 1.0009765625);
    }

    #[test]
    fn isclose_semantics() {
        let inf = f64::INFINITY;
        let a = t(&[inf, inf, f64::NAN, 1.0]);
        let b = t(&[inf, -inf, f64::NAN, 1.0 + 1e-9]);
        let r = isclose(&a, &b, 1e-5, 1e-8, true).unwrap().to_vec::<bool>().unwrap();
        assert_eq!(r, [true, false, true, true]);
        assert!(isclose(&a, &t(&[1.0f32; 4]), 1e-5, 1e-8, false).is_err());
        assert!(equal(&t(&[1i64, 2]), &t(&[1.0f32, 2.0])).unwrap());
        assert!(!equal(&t(&[f64::NAN]), &t(&[f64::NAN])).unwrap());
    }
}
