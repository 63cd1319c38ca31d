//! Unary elementwise ops: one `UnaryOp` per op, with torch's dtype rules (integer and bool
//! inputs to floating ops compute in float32; abs/neg/sign/square/rounding keep integer dtypes;
//! predicates give bool) and errors.
//!
//! Every op becomes a slice kernel `Fn(&[S], &mut [D])` run by [`apply`] over the operands'
//! rows (split over threads for big tensors). float32 kernels come from `vecmath` (branch-free
//! polynomials for exp/log/tanh/sigmoid/erf; the others are Rust's scalar functions, compiled
//! for the CPU's widest instruction set by `vecmath::map`); float64 uses the same scalar
//! functions at double precision; float16/bfloat16 run the float32 kernel on blocks converted
//! to f32.

use super::special;
use super::vecmath::{self, Lift};
use crate::dtype::{bf16, f16, DType, Element};
use crate::error::{Error, Result};
use crate::iter::Plan;
use crate::parallel::{SyncPtr, GRAIN};
use crate::tensor::Tensor;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UnaryOp {
    // ---- same dtype out (integers included)
    Abs,
    Neg,
    Sign,
    Square,
    Floor,
    Ceil,
    /// Round half to even; `decimals` != 0 scales by 10^decimals first (floats only).
    Round { decimals: i64 },
    Trunc,
    Frac,
    Relu,
    BitwiseNot,
    /// Replacement values; None means the dtype's largest / lowest finite value.
    NanToNum { nan: f64, posinf: Option<f64>, neginf: Option<f64> },
    // ---- floating result (integers and bool compute in float32)
    Exp,
    Exp2,
    Expm1,
    Log,
    Log2,
    Log10,
    Log1p,
    Sqrt,
    Rsqrt,
    Reciprocal,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Sigmoid,
    /// log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given.
    Logit { eps: Option<f64> },
    /// log(p / (1 - p)) with p clamped to [lo, hi]: what `Logit { eps }` runs as on half types,
    /// whose bounds torch rounds to the type's precision (eps and 1 - eps).
    LogitClamp { lo: f64, hi: f64 },
    Erf,
    Erfc,
    Erfinv,
    // the special functions (their scalar functions are in `special.rs`)
    Lgamma,
    Digamma,
    /// The n-th derivative of digamma (n >= 0; 0 is digamma, 1 trigamma).
    Polygamma { n: i64 },
    I0,
    I0e,
    I1,
    I1e,
    Sinc,
    Entr,
    Ndtri,
    LogNdtr,
    Erfcx,
    BesselJ0,
    BesselJ1,
    // ---- bool result
    IsNan,
    IsInf,
    IsPosInf,
    IsNegInf,
    IsFinite,
    IsReal,
    LogicalNot,
}

/// What an op's result dtype is, given its input's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The input's dtype.
    Same,
    /// The input's dtype if floating, else float32.
    Floating,
    /// bool.
    Predicate,
}

impl UnaryOp {
    pub fn kind(self) -> Kind {
        use UnaryOp::*;
        match self {
            Abs | Neg | Sign | Square | Floor | Ceil | Round { .. } | Trunc | Frac | Relu | BitwiseNot | NanToNum { .. } => Kind::Same,
            IsNan | IsInf | IsPosInf | IsNegInf | IsFinite | IsReal | LogicalNot => Kind::Predicate,
            _ => Kind::Floating,
        }
    }

    /// Elements per parallel chunk: torch's grain (32768) for most ops, so a 64K float32 exp
    /// runs on two threads as torch's does (waking a pool thread costs a few us on this Intel
    /// VM); ops that call libm per element split sooner.
    fn grain(self) -> usize {
        use UnaryOp::*;
        match self {
            Expm1 | Log1p | Sin | Cos | Tan | Asin | Acos | Atan | Sinh | Cosh | Asinh | Acosh | Atanh | Erfc | Erfinv
            | Logit { .. } | LogitClamp { .. } | Exp2 | Log2 | Log10 => GRAIN / 4,
            Lgamma | Digamma | Polygamma { .. } | I0 | I0e | I1 | I1e | Sinc | Entr | Ndtri | LogNdtr | Erfcx | BesselJ0
            | BesselJ1 => GRAIN / 4,
            _ => GRAIN,
        }
    }

    /// The dtype of `op(x)` for an `x` of `input` dtype, or torch's error for dtypes the op
    /// does not support.
    pub fn out_dtype(self, input: DType) -> Result<DType> {
        use UnaryOp::*;
        let not_impl = |name: &'static str| Err(Error::unsupported(name, input));
        match (self, input) {
            (Abs, DType::Bool) => not_impl("abs_cpu"),
            (Neg, DType::Bool) => Err(Error::NotImplemented(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.".into(),
            )),
            (Relu, DType::Bool) => Err(Error::NotImplemented("Boolean inputs not supported for relu".into())),
            (Floor, DType::Bool) => not_impl("floor_vml_cpu"),
            (Ceil, DType::Bool) => not_impl("ceil_vml_cpu"),
            (Trunc, DType::Bool) => not_impl("trunc_vml_cpu"),
            (Round { decimals: 0 }, DType::Bool) => not_impl("round_vml_cpu"),
            (Round { decimals }, d) if decimals != 0 && !d.is_floating_point() => not_impl("round_cpu"),
            (Frac, d) if !d.is_floating_point() => not_impl("frac_cpu"),
            (BitwiseNot, d) if d.is_floating_point() => not_impl("bitwise_not_cpu"),
            (Polygamma { n }, _) if n < 0 => Err(Error::runtime("polygamma(n, x) does not support negative n.")),
            // torch has no half-precision kernels for these
            (Ndtri | LogNdtr | Erfcx | BesselJ0 | BesselJ1, DType::Float16 | DType::BFloat16) => not_impl(match self {
                Ndtri => "ndtri_cpu",
                LogNdtr => "log_ndtr_cpu",
                Erfcx => "erfcx_cpu",
                BesselJ0 => "bessel_j0_cpu",
                _ => "bessel_j1_cpu",
            }),
            // square is pow(x, 2): bool promotes with the int 2
            (Square, DType::Bool) => Ok(DType::Int64),
            _ => Ok(match self.kind() {
                Kind::Same => input,
                Kind::Floating if input.is_floating_point() => input,
                Kind::Floating => super::default_float(),
                Kind::Predicate => DType::Bool,
            }),
        }
    }
}

/// `op(a)`: a new contiguous tensor.
pub fn unary(op: UnaryOp, a: &Tensor) -> Result<Tensor> {
    let out_dtype = op.out_dtype(a.dtype())?;
    // integer inputs of float ops (and bool of square) are converted once, then run the float
    // (int64) kernels
    // the output is laid out like the input (torch's TensorIterator: `x.t().exp()` is
    // transposed), and so is a converted input
    let src = match op.kind() {
        Kind::Predicate => a.clone(),
        _ if out_dtype == a.dtype() => a.clone(),
        _ => a.copy_preserving(out_dtype)?,
    };
    let out = a.empty_like_preserving(out_dtype)?;
    if out.is_meta() {
        return Ok(out);
    }
    if crate::backend::is_backend(out.device()) {
        crate::backend::get(out.device())?.unary(&crate::backend::op_name(op), &out, &src)?;
        out.storage().backend_written();
        return Ok(out);
    }
    run_into(op, &src, &out)?;
    Ok(out)
}

/// `op_(t)`: `t = op(t)` in place, with torch's check that the result dtype can be cast to
/// `t`'s (so `int_tensor.exp_()` fails) and that no two elements of `t` share memory.
pub fn unary_(op: UnaryOp, t: &Tensor) -> Result<()> {
    let out_dtype = op.out_dtype(t.dtype())?;
    if !can_cast(out_dtype, t.dtype()) {
        return Err(Error::runtime(format!("result type {out_dtype} can't be cast to the desired output type {}", t.dtype())));
    }
    if t.shape().iter().zip(t.strides()).any(|(&n, &s)| n > 1 && s == 0) {
        return Err(Error::runtime(
            "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.",
        ));
    }
    if t.is_meta() {
        Ok(())
    } else if crate::backend::is_backend(t.device()) && out_dtype == t.dtype() && op.kind() != Kind::Predicate {
        crate::backend::get(t.device())?.unary(&crate::backend::op_name(op), t, t)?;
        t.storage().backend_written();
        Ok(())
    } else if out_dtype == t.dtype() && op.kind() != Kind::Predicate {
        run_into(op, t, t)
    } else {
        // the result has another dtype (logical_not_ on floats, isnan_ ...): compute, then cast back
        t.copy_(&unary(op, t)?)
    }
}

/// torch's canCast: no floating to integral, no non-bool to bool.
fn can_cast(from: DType, to: DType) -> bool {
    use crate::dtype::Category::*;
    !(from.category() == Floating && to.category() != Floating || from.category() != Bool && to.category() == Bool)
}

/// A slice kernel: `y[i] = f(x[i])` for one row (or block) of elements.
type Kernel<'a, S, D> = Box<dyn Fn(&[S], &mut [D]) + Sync + 'a>;

fn lift<'a, S: Copy + 'a, D: 'a>(f: impl Fn(S) -> D + Sync + 'a) -> Kernel<'a, S, D> {
    Box::new(move |x: &[S], y: &mut [D]| vecmath::map(x, y, &Lift(&f)))
}

/// Run `op` from `src` into `dst` (same shape). `src` has the op's compute dtype (the output's
/// for float and same-dtype ops, the input's for predicates); `dst` may be `src` itself.
fn run_into(op: UnaryOp, src: &Tensor, dst: &Tensor) -> Result<()> {
    let grain = op.grain();
    match op.kind() {
        Kind::Predicate => crate::dispatch!(src.dtype(), S => {
            apply::<S, bool>(src, dst, grain, &lift(predicate::<S>(op)))
        }),
        _ => match src.dtype() {
            DType::Float32 => apply::<f32, f32>(src, dst, grain, &float_kernel::<f32>(op)?),
            DType::Float64 => apply::<f64, f64>(src, dst, grain, &float_kernel::<f64>(op)?),
            DType::Float16 => apply::<f16, f16>(src, dst, grain, &through_f32(float_kernel::<f32>(resolve_bounds::<f16>(op))?)),
            DType::BFloat16 => apply::<bf16, bf16>(src, dst, grain, &through_f32(float_kernel::<f32>(resolve_bounds::<bf16>(op))?)),
            DType::Bool => apply::<bool, bool>(src, dst, grain, &bool_kernel(op)?),
            DType::UInt8 => apply::<u8, u8>(src, dst, grain, &int_kernel::<u8>(op)),
            DType::Int8 => apply::<i8, i8>(src, dst, grain, &int_kernel::<i8>(op)),
            DType::Int16 => apply::<i16, i16>(src, dst, grain, &int_kernel::<i16>(op)),
            DType::Int32 => apply::<i32, i32>(src, dst, grain, &int_kernel::<i32>(op)),
            DType::Int64 => apply::<i64, i64>(src, dst, grain, &int_kernel::<i64>(op)),
        },
    }
}

/// Parameters that depend on the tensor's own dtype, which the float32 kernel of a half tensor
/// does not know: nan_to_num's default replacements are the dtype's limits, and logit's clamp
/// bounds are eps and 1 - eps rounded to the dtype (as torch computes them in the half type).
fn resolve_bounds<H: Half>(op: UnaryOp) -> UnaryOp {
    let (max, min) = H::limits();
    let round = |v: f64| H::from_f64(v).to_f64();
    match op {
        UnaryOp::NanToNum { nan, posinf, neginf } => {
            UnaryOp::NanToNum { nan, posinf: Some(posinf.unwrap_or(max)), neginf: Some(neginf.unwrap_or(min)) }
        }
        UnaryOp::Logit { eps: Some(eps) } => {
            let lo = round(eps);
            UnaryOp::LogitClamp { lo, hi: round(1.0 - lo) }
        }
        op => op,
    }
}

/// Elements per block when a row goes through stack buffers (strided rows, in-place ops,
/// half-precision conversion): small enough for L1, big enough to amortise the kernel call.
const BLOCK: usize = 256;

/// `dst[i] = k(src[i])` over every element, in parallel above `grain` elements. `src` and `dst`
/// have the same shape; they may be the same tensor (in place), in which case rows go through
/// stack buffers so the kernel never sees aliased slices.
fn apply<S: Element, D: Element>(src: &Tensor, dst: &Tensor, grain: usize, k: &(dyn Fn(&[S], &mut [D]) + Sync)) -> Result<()> {
    debug_assert!(src.dtype() == S::DTYPE && dst.dtype() == D::DTYPE && src.shape() == dst.shape());
    let same = src.shares_storage(dst);
    let wg = dst.storage().write()?;
    let rg = if same { None } else { Some(src.storage().read()?) };
    let sp = SyncPtr(rg.as_ref().map_or(wg.ptr() as *const u8, |g| g.ptr()) as *mut S);
    let dp = SyncPtr(wg.ptr() as *mut D);
    let (strides, offsets) = ([dst.strides(), src.strides()], [dst.offset(), src.offset()]);
    // a non-contiguous dst (laid out like src, or written in place) is visited in its memory order
    let plan = if dst.is_contiguous() { Plan::new(dst.shape(), strides, offsets) } else { Plan::in_memory_order_of_first(dst.shape(), strides, offsets) };
    plan.par_for_each_row(grain, |[o, i], len, [so, si]| {
        let (sp, dp) = (sp.get() as *const S, dp.get());
        if so == 1 && si == 1 && !same {
            // SAFETY: the plan's rows lie inside both storages; dst is a fresh or exclusively
            // locked buffer distinct from src, and each row is written by one task.
            unsafe { k(std::slice::from_raw_parts(sp.add(i), len), std::slice::from_raw_parts_mut(dp.add(o), len)) };
            return;
        }
        let mut bin = [S::default(); BLOCK];
        let mut bout = [D::default(); BLOCK];
        let mut start = 0;
        while start < len {
            let n = BLOCK.min(len - start);
            for j in 0..n {
                // SAFETY: element start + j of this row, inside the storage.
                bin[j] = unsafe { *sp.add(i + (start + j) * si) };
            }
            k(&bin[..n], &mut bout[..n]);
            for j in 0..n {
                // SAFETY: as above; the row is this task's.
                unsafe { *dp.add(o + (start + j) * so) = bout[j] };
            }
            start += n;
        }
    });
    Ok(())
}

/// A float32 kernel applied to half-precision data, converted through f32 in blocks.
fn through_f32<'a, H: Half>(k: Kernel<'a, f32, f32>) -> Kernel<'a, H, H> {
    Box::new(move |x: &[H], y: &mut [H]| {
        let mut a = [0f32; BLOCK];
        let mut b = [0f32; BLOCK];
        for (xc, yc) in x.chunks(BLOCK).zip(y.chunks_mut(BLOCK)) {
            let n = xc.len();
            H::to_f32s(xc, &mut a[..n]);
            k(&a[..n], &mut b[..n]);
            H::from_f32s(&b[..n], yc);
        }
    })
}

/// float16 and bfloat16: slice conversions to and from f32 (`crate::halfconv`).
trait Half: Element {
    fn to_f32s(x: &[Self], y: &mut [f32]);
    fn from_f32s(x: &[f32], y: &mut [Self]);
    /// The largest and lowest finite values.
    fn limits() -> (f64, f64);
}

macro_rules! half_impl {
    ($($t:ty),*) => {$(
        impl Half for $t {
            fn to_f32s(x: &[Self], y: &mut [f32]) {
                crate::halfconv::HalfFloat::to_f32s(x, y)
            }
            fn from_f32s(x: &[f32], y: &mut [Self]) {
                crate::halfconv::HalfFloat::from_f32s(x, y)
            }
            fn limits() -> (f64, f64) {
                (<$t>::MAX.to_f64(), <$t>::MIN.to_f64())
            }
        }
    )*};
}
half_impl!(f16, bf16);

/// The float math both f32 and f64 provide (std's functions, libm's erf/erfc).
pub trait Real: Element + PartialOrd + std::ops::Add<Output = Self> + std::ops::Sub<Output = Self> + std::ops::Mul<Output = Self> + std::ops::Div<Output = Self> + std::ops::Neg<Output = Self> {
    const MAX: Self;
    const LOWEST: Self;
    const INF: Self;
    const NAN: Self;
    fn c(v: f64) -> Self;
    fn exp(self) -> Self;
    fn exp2(self) -> Self;
    fn exp_m1(self) -> Self;
    fn ln(self) -> Self;
    fn log2(self) -> Self;
    fn log10(self) -> Self;
    fn ln_1p(self) -> Self;
    fn sqrt(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn tan(self) -> Self;
    fn asin(self) -> Self;
    fn acos(self) -> Self;
    fn atan(self) -> Self;
    fn sinh(self) -> Self;
    fn cosh(self) -> Self;
    fn tanh(self) -> Self;
    fn asinh(self) -> Self;
    fn acosh(self) -> Self;
    fn atanh(self) -> Self;
    fn erf(self) -> Self;
    fn erfc(self) -> Self;
    fn lgamma(self) -> Self;
    fn abs(self) -> Self;
    fn floor(self) -> Self;
    fn ceil(self) -> Self;
    fn trunc(self) -> Self;
    fn round_ties_even(self) -> Self;
    fn is_nan(self) -> bool;
    fn copysign(self, sign: Self) -> Self;
    /// Kernels that beat the scalar function lifted over a slice (the float32 polynomials).
    fn vectorized(_op: UnaryOp) -> Option<Kernel<'static, Self, Self>> {
        None
    }
}

macro_rules! real_impl {
    ($t:ident, $erf:path, $erfc:path, $lgamma:path) => {
        impl Real for $t {
            const MAX: Self = $t::MAX;
            const LOWEST: Self = $t::MIN;
            const INF: Self = $t::INFINITY;
            const NAN: Self = $t::NAN;
            #[inline(always)] fn c(v: f64) -> Self { v as $t }
            #[inline(always)] fn exp(self) -> Self { $t::exp(self) }
            #[inline(always)] fn exp2(self) -> Self { $t::exp2(self) }
            #[inline(always)] fn exp_m1(self) -> Self { $t::exp_m1(self) }
            #[inline(always)] fn ln(self) -> Self { $t::ln(self) }
            #[inline(always)] fn log2(self) -> Self { $t::log2(self) }
            #[inline(always)] fn log10(self) -> Self { $t::log10(self) }
            #[inline(always)] fn ln_1p(self) -> Self { $t::ln_1p(self) }
            #[inline(always)] fn sqrt(self) -> Self { $t::sqrt(self) }
            #[inline(always)] fn sin(self) -> Self { $t::sin(self) }
            #[inline(always)] fn cos(self) -> Self { $t::cos(self) }
            #[inline(always)] fn tan(self) -> Self { $t::tan(self) }
            #[inline(always)] fn asin(self) -> Self { $t::asin(self) }
            #[inline(always)] fn acos(self) -> Self { $t::acos(self) }
            #[inline(always)] fn atan(self) -> Self { $t::atan(self) }
            #[inline(always)] fn sinh(self) -> Self { $t::sinh(self) }
            #[inline(always)] fn cosh(self) -> Self { $t::cosh(self) }
            #[inline(always)] fn tanh(self) -> Self { $t::tanh(self) }
            #[inline(always)] fn asinh(self) -> Self { $t::asinh(self) }
            #[inline(always)] fn acosh(self) -> Self { $t::acosh(self) }
            #[inline(always)] fn atanh(self) -> Self { $t::atanh(self) }
            #[inline(always)] fn erf(self) -> Self { $erf(self) }
            #[inline(always)] fn erfc(self) -> Self { $erfc(self) }
            #[inline(always)] fn lgamma(self) -> Self { $lgamma(self) }
            #[inline(always)] fn abs(self) -> Self { $t::abs(self) }
            #[inline(always)] fn floor(self) -> Self { $t::floor(self) }
            #[inline(always)] fn ceil(self) -> Self { $t::ceil(self) }
            #[inline(always)] fn trunc(self) -> Self { $t::trunc(self) }
            #[inline(always)] fn round_ties_even(self) -> Self { $t::round_ties_even(self) }
            #[inline(always)] fn is_nan(self) -> bool { $t::is_nan(self) }
            #[inline(always)] fn copysign(self, sign: Self) -> Self { $t::copysign(self, sign) }
            real_impl!(@vectorized $t);
        }
    };
    (@vectorized f32) => {
        fn vectorized(op: UnaryOp) -> Option<Kernel<'static, f32, f32>> {
            let k: Kernel<'static, f32, f32> = match op {
                UnaryOp::Exp => Box::new(vecmath::exp_f32),
                UnaryOp::Log => Box::new(vecmath::log_f32),
                UnaryOp::Tanh => Box::new(vecmath::tanh_f32),
                UnaryOp::Sigmoid => Box::new(vecmath::sigmoid_f32),
                UnaryOp::Erf => Box::new(vecmath::erf_f32),
                _ => return None,
            };
            Some(k)
        }
    };
    (@vectorized f64) => {};
}
real_impl!(f32, libm::erff, libm::erfcf, libm::lgammaf);
real_impl!(f64, libm::erf, libm::erfc, libm::lgamma);

/// The kernel of a float op (or a same-dtype op on a float tensor) at precision `T`.
fn float_kernel<T: Real>(op: UnaryOp) -> Result<Kernel<'static, T, T>> {
    use UnaryOp::*;
    if let Some(k) = T::vectorized(op) {
        return Ok(k);
    }
    let (zero, one) = (T::zero(), T::one());
    Ok(match op {
        Abs => lift(T::abs),
        Neg => lift(|x: T| -x),
        // (0 < x) - (x < 0): NaN and -0.0 give 0
        Sign => lift(move |x: T| if x > zero { one } else if x < zero { -one } else { zero }),
        Square => lift(|x: T| x * x),
        Floor => lift(T::floor),
        Ceil => lift(T::ceil),
        Round { decimals: 0 } => lift(T::round_ties_even),
        Round { decimals } => {
            // as torch: scale by 10^|decimals| (in T), round half to even, scale back
            let p = T::c(10f64.powi(decimals.unsigned_abs().min(400) as i32));
            if decimals > 0 {
                lift(move |x: T| (x * p).round_ties_even() / p)
            } else {
                lift(move |x: T| (x / p).round_ties_even() * p)
            }
        }
        Trunc => lift(T::trunc),
        Frac => lift(|x: T| x - x.trunc()),
        // NaN and -0.0 pass through, as in torch
        Relu => lift(move |x: T| if x < zero { zero } else { x }),
        NanToNum { nan, posinf, neginf } => {
            let (nan, pos, neg) = (T::c(nan), posinf.map_or(T::MAX, T::c), neginf.map_or(T::LOWEST, T::c));
            lift(move |x: T| {
                if x.is_nan() {
                    nan
                } else if x == T::INF {
                    pos
                } else if x == -T::INF {
                    neg
                } else {
                    x
                }
            })
        }
        Exp => lift(T::exp),
        Exp2 => lift(T::exp2),
        Expm1 => lift(T::exp_m1),
        Log => lift(T::ln),
        Log2 => lift(T::log2),
        Log10 => lift(T::log10),
        Log1p => lift(T::ln_1p),
        Sqrt => lift(T::sqrt),
        Rsqrt => lift(move |x: T| one / x.sqrt()),
        Reciprocal => lift(move |x: T| one / x),
        Sin => lift(T::sin),
        Cos => lift(T::cos),
        Tan => lift(T::tan),
        Asin => lift(T::asin),
        Acos => lift(T::acos),
        Atan => lift(T::atan),
        Sinh => lift(T::sinh),
        Cosh => lift(T::cosh),
        Tanh => lift(T::tanh),
        Asinh => lift(T::asinh),
        Acosh => lift(T::acosh),
        Atanh => lift(T::atanh),
        Sigmoid => lift(move |x: T| one / (one + (-x).exp())),
        Logit { eps: None } => lift(move |x: T| (x / (one - x)).ln()),
        Logit { eps: Some(eps) } => clamped_logit(T::c(eps), one - T::c(eps)),
        LogitClamp { lo, hi } => clamped_logit(T::c(lo), T::c(hi)),
        Erf => lift(T::erf),
        Erfc => lift(T::erfc),
        Erfinv => lift(|x: T| T::c(erfinv(x.to_f64()))),
        Lgamma => lift(T::lgamma),
        Digamma | Polygamma { n: 0 } => lift(special::digamma::<T>),
        Polygamma { n: 1 } => lift(special::trigamma::<T>),
        Polygamma { n } => lift(move |x: T| T::c(special::polygamma(n, x.to_f64()))),
        I0 => lift(special::i0::<T>),
        I0e => lift(special::i0e::<T>),
        I1 => lift(special::i1::<T>),
        I1e => lift(special::i1e::<T>),
        Sinc => lift(special::sinc::<T>),
        Entr => lift(special::entr::<T>),
        Ndtri => lift(special::ndtri::<T>),
        LogNdtr => lift(|x: T| T::c(special::log_ndtr(x.to_f64()))),
        Erfcx => lift(|x: T| T::c(special::erfcx(x.to_f64()))),
        BesselJ0 => lift(special::bessel_j0::<T>),
        BesselJ1 => lift(special::bessel_j1::<T>),
        IsNan | IsInf | IsPosInf | IsNegInf | IsFinite | IsReal | LogicalNot | BitwiseNot => {
            unreachable!("{op:?} has no float kernel (out_dtype routes it elsewhere)")
        }
    })
}

/// logit of x clamped to [lo, hi] (NaN stays NaN: the comparisons are false).
fn clamped_logit<T: Real>(lo: T, hi: T) -> Kernel<'static, T, T> {
    let one = T::one();
    lift(move |x: T| {
        let x = if x < lo { lo } else if x > hi { hi } else { x };
        (x / (one - x)).ln()
    })
}

/// Integer arithmetic that wraps like torch's (abs(-128) is -128 in int8, neg of uint8 wraps).
trait Int: Element + PartialOrd + std::ops::Not<Output = Self> {
    fn wrapping_abs(self) -> Self;
    fn wrapping_neg(self) -> Self;
    fn wrapping_mul(self, o: Self) -> Self;
}

macro_rules! int_impl {
    ($($t:ty: $abs:expr),*) => {$(
        impl Int for $t {
            #[inline(always)] fn wrapping_abs(self) -> Self { ($abs)(self) }
            #[inline(always)] fn wrapping_neg(self) -> Self { <$t>::wrapping_neg(self) }
            #[inline(always)] fn wrapping_mul(self, o: Self) -> Self { <$t>::wrapping_mul(self, o) }
        }
    )*};
}
int_impl!(u8: |x| x, i8: i8::wrapping_abs, i16: i16::wrapping_abs, i32: i32::wrapping_abs, i64: i64::wrapping_abs);

/// The kernel of a same-dtype op on integers (out_dtype has already rejected frac/round with
/// decimals; rounding and nan_to_num leave integers as they are).
fn int_kernel<T: Int>(op: UnaryOp) -> Kernel<'static, T, T> {
    use UnaryOp::*;
    let zero = T::zero();
    match op {
        Abs => lift(T::wrapping_abs),
        Neg => lift(T::wrapping_neg),
        Sign => lift(move |x: T| if x > zero { T::one() } else if x < zero { T::one().wrapping_neg() } else { zero }),
        Square => lift(|x: T| x.wrapping_mul(x)),
        Relu => lift(move |x: T| if x < zero { zero } else { x }),
        BitwiseNot => lift(|x: T| !x),
        _ => lift(|x: T| x),
    }
}

/// Same-dtype ops on bool: sign, nan_to_num and bitwise_not (the others were rejected).
fn bool_kernel(op: UnaryOp) -> Result<Kernel<'static, bool, bool>> {
    Ok(match op {
        UnaryOp::BitwiseNot => lift(|x: bool| !x),
        UnaryOp::Sign | UnaryOp::NanToNum { .. } => lift(|x: bool| x),
        _ => return Err(Error::runtime(format!("{op:?} is not defined for bool"))),
    })
}

/// The predicate of `op` for elements of any dtype (checked in f64: exact for the NaN/inf/zero
/// tests, integers are never NaN or infinite and are 0 only when they are 0).
fn predicate<S: Element>(op: UnaryOp) -> impl Fn(S) -> bool + Sync {
    move |x: S| {
        let v = x.to_f64();
        match op {
            UnaryOp::IsNan => v.is_nan(),
            UnaryOp::IsInf => v.is_infinite(),
            UnaryOp::IsPosInf => v == f64::INFINITY,
            UnaryOp::IsNegInf => v == f64::NEG_INFINITY,
            UnaryOp::IsFinite => v.is_finite(),
            UnaryOp::IsReal => true,
            UnaryOp::LogicalNot => v == 0.0,
            _ => unreachable!("{op:?} is not a predicate"),
        }
    }
}

/// The inverse error function (torch's calc_erfinv): a rational first guess (central range
/// and tails), then two Newton steps on erf, which bring it to double precision.
pub fn erfinv(y: f64) -> f64 {
    const A: [f64; 4] = [0.886226899, -1.645349621, 0.914624893, -0.140543331];
    const B: [f64; 4] = [-2.118377725, 1.442710462, -0.329097515, 0.012229801];
    const C: [f64; 4] = [-1.970840454, -1.624906493, 3.429567803, 1.641345311];
    const D: [f64; 2] = [3.543889200, 1.637067800];
    let a = y.abs();
    if a > 1.0 || y.is_nan() {
        return f64::NAN;
    }
    if a == 1.0 {
        return f64::INFINITY.copysign(y);
    }
    let mut x = if a <= 0.7 {
        let z = y * y;
        let num = ((A[3] * z + A[2]) * z + A[1]) * z + A[0];
        let den = (((B[3] * z + B[2]) * z + B[1]) * z + B[0]) * z + 1.0;
        y * num / den
    } else {
        let z = (-((1.0 - a) / 2.0).ln()).sqrt();
        let num = ((C[3] * z + C[2]) * z + C[1]) * z + C[0];
        let den = (D[1] * z + D[0]) * z + 1.0;
        num.copysign(y) / den
    };
    let two_over_sqrt_pi = std::f64::consts::FRAC_2_SQRT_PI;
    for _ in 0..2 {
        x -= (libm::erf(x) - y) / (two_over_sqrt_pi * (-x * x).exp());
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parallel::set_num_threads;

    fn t32(v: Vec<f32>) -> Tensor {
        let n = v.len();
        Tensor::from_vec(v, &[n]).unwrap()
    }

    #[test]
    fn same_bits_with_one_and_two_threads() {
        // big enough to be split into chunks; a strided view takes the block path
        let x: Vec<f32> = (0..300_001).map(|i| (i as f32 * 0.37).sin() * 90.0).collect();
        let a = t32(x);
        let strided = a.slice(0, None, None, 3).unwrap();
        for op in [UnaryOp::Exp, UnaryOp::Log, UnaryOp::Tanh, UnaryOp::Sigmoid, UnaryOp::Erf, UnaryOp::Sin] {
            let mut runs = vec![];
            for threads in [1, 2] {
                set_num_threads(threads);
                runs.push((unary(op, &a).unwrap().to_vec::<f32>().unwrap(), unary(op, &strided).unwrap().to_vec::<f32>().unwrap()));
            }
            let bits = |v: &Vec<f32>| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&runs[0].0), bits(&runs[1].0), "{op:?}");
            assert_eq!(bits(&runs[0].1), bits(&runs[1].1), "{op:?} strided");
        }
        set_num_threads(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    }

    #[test]
    fn in_place_matches_out_of_place() {
        let x: Vec<f32> = (0..70_000).map(|i| i as f32 * 1e-3 - 30.0).collect();
        let a = t32(x.clone());
        let want = unary(UnaryOp::Exp, &a).unwrap().to_vec::<f32>().unwrap();
        unary_(UnaryOp::Exp, &a).unwrap();
        assert_eq!(a.to_vec::<f32>().unwrap(), want);
    }

    #[test]
    fn dtype_rules() {
        assert_eq!(UnaryOp::Exp.out_dtype(DType::Int64).unwrap(), DType::Float32);
        assert_eq!(UnaryOp::Square.out_dtype(DType::Bool).unwrap(), DType::Int64);
        assert_eq!(UnaryOp::Abs.out_dtype(DType::Int8).unwrap(), DType::Int8);
        assert_eq!(UnaryOp::IsNan.out_dtype(DType::Float16).unwrap(), DType::Bool);
        let e = UnaryOp::BitwiseNot.out_dtype(DType::Float32).unwrap_err();
        assert_eq!(e.to_string(), "\"bitwise_not_cpu\" not implemented for 'Float'");
        let i = Tensor::from_vec(vec![1i64, 2], &[2]).unwrap();
        let e = unary_(UnaryOp::Exp, &i).unwrap_err();
        assert_eq!(e.to_string(), "result type Float can't be cast to the desired output type Long");
    }

    #[test]
    fn erfinv_inverts_erf() {
        for &y in &[-0.999, -0.5, 0.0, 0.1, 0.9, 0.999999] {
            assert!((libm::erf(erfinv(y)) - y).abs() < 1e-15, "{y}");
        }
        assert_eq!(erfinv(1.0), f64::INFINITY);
        assert!(erfinv(1.5).is_nan());
    }
}
