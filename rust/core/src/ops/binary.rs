//! Binary elementwise ops with broadcasting and torch's type promotion.
//!
//! Every op is one `BinaryOp` variant; `binary` promotes the operands, picks the compute dtype
//! (true division and the transcendental ops compute integers in the default float dtype;
//! comparisons and logical ops return bool), and runs the op's scalar function through `map2`.
//! Ops fall in three kernel families, each a trait implemented for the element types torch
//! supports them on: `Arith` (every dtype), `FloatArith` (floating types) and `Bits` (integers
//! and bool). Half types compute through f32 per element, like torch's CPU kernels.
//!
//! Ternary ops (where, lerp, addcmul, addcdiv, clamp) and their generic driver `map3` are in
//! `binary/ternary.rs`; isclose/allclose/equal are at the end of this file.

mod inplace;
mod ternary;
pub use inplace::{add_scaled_inplace, binary_inplace, can_cast};
pub use ternary::{addcdiv, addcmul, clamp, lerp, map3, where_};

use super::{map2, result_dtype, Arg};
use crate::dtype::{bf16, f16, DType, Element};
use crate::error::{Error, Result};
use crate::iter::Plan;
use crate::scalar::Scalar;
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
            Atan2 | Hypot | Copysign | Nextafter | Xlogy => Family::Float,
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
            Div | Atan2 | Copysign | Xlogy if !float => Ok(super::default_float()),
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

// ------------------------------------------------------------------ kernel traits

/// Ops every element type supports (bool: add is `or`, mul is `and`, like torch). The integer
/// divisions return 0 for a zero divisor; `binary` raises torch's ZeroDivisionError first.
pub trait Arith: Element + PartialOrd {
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
    fn div_trunc(self, o: Self) -> Self;
    fn div_floor(self, o: Self) -> Self;
    fn remainder(self, o: Self) -> Self;
    fn fmod(self, o: Self) -> Self;
    fn pow(self, o: Self) -> Self;
    fn is_nan(self) -> bool;
    #[inline(always)]
    fn truthy(self) -> bool {
        self != Self::zero()
    }
    /// NaN-propagating max (torch.maximum).
    #[inline(always)]
    fn maximum(self, o: Self) -> Self {
        if self.is_nan() {
            self
        } else if o.is_nan() || o > self {
            o
        } else {
            self
        }
    }
    #[inline(always)]
    fn minimum(self, o: Self) -> Self {
        if self.is_nan() {
            self
        } else if o.is_nan() || o < self {
            o
        } else {
            self
        }
    }
    /// NaN-ignoring max (torch.fmax): a NaN loses to a number.
    #[inline(always)]
    fn fmax(self, o: Self) -> Self {
        if o.is_nan() || self > o {
            self
        } else if self.is_nan() {
            o
        } else {
            o.maximum(self)
        }
    }
    #[inline(always)]
    fn fmin(self, o: Self) -> Self {
        if o.is_nan() || self < o {
            self
        } else if self.is_nan() {
            o
        } else {
            o.minimum(self)
        }
    }
}

macro_rules! arith_float {
    ($($t:ty),*) => {$(
        impl Arith for $t {
            #[inline(always)] fn add(self, o: Self) -> Self { self + o }
            #[inline(always)] fn sub(self, o: Self) -> Self { self - o }
            #[inline(always)] fn mul(self, o: Self) -> Self { self * o }
            #[inline(always)] fn div(self, o: Self) -> Self { self / o }
            #[inline(always)] fn div_trunc(self, o: Self) -> Self { (self / o).trunc() }
            /// torch's floor division of floats (`div_floor_floating`): exact for representable
            /// quotients, IEEE results for a zero divisor.
            #[inline(always)]
            fn div_floor(self, o: Self) -> Self {
                if o == 0.0 {
                    return self / o;
                }
                let m = self % o;
                let mut div = (self - m) / o;
                if m != 0.0 && (o < 0.0) != (m < 0.0) {
                    div -= 1.0;
                }
                if div != 0.0 {
                    let mut fl = div.floor();
                    if div - fl > 0.5 {
                        fl += 1.0;
                    }
                    fl
                } else {
                    (0.0 as $t).copysign(self / o)
                }
            }
            #[inline(always)]
            fn remainder(self, o: Self) -> Self {
                let m = self % o;
                if m != 0.0 && (o < 0.0) != (m < 0.0) { m + o } else { m }
            }
            #[inline(always)] fn fmod(self, o: Self) -> Self { self % o }
            #[inline(always)] fn pow(self, o: Self) -> Self { self.powf(o) }
            #[inline(always)] fn is_nan(self) -> bool { self.is_nan() }
        }
    )*};
}
arith_float!(f32, f64);

/// Half-type methods that widen both operands to f32, run `$tr`'s f32 kernel and round back
/// (as torch's CPU kernels compute half types).
macro_rules! via_f32 {
    ($tr:ident: $($f:ident),*) => {$(
        #[inline(always)]
        fn $f(self, o: Self) -> Self {
            Self::from_f32(<f32 as $tr>::$f(self.to_f32(), o.to_f32()))
        }
    )*};
}

macro_rules! arith_half {
    ($($t:ty),*) => {$(
        impl Arith for $t {
            via_f32!(Arith: add, sub, mul, div, div_trunc, div_floor, remainder, fmod, pow);
            #[inline(always)] fn is_nan(self) -> bool { self.is_nan() }
        }
    )*};
}
arith_half!(f16, bf16);

macro_rules! arith_int {
    ($($t:ty),*) => {$(
        impl Arith for $t {
            // integer overflow wraps, as in torch
            #[inline(always)] fn add(self, o: Self) -> Self { self.wrapping_add(o) }
            #[inline(always)] fn sub(self, o: Self) -> Self { self.wrapping_sub(o) }
            #[inline(always)] fn mul(self, o: Self) -> Self { self.wrapping_mul(o) }
            // true division of integers computes in a float dtype; this is never reached
            #[inline(always)] fn div(self, o: Self) -> Self { self.div_trunc(o) }
            #[inline(always)]
            fn div_trunc(self, o: Self) -> Self {
                if o == 0 { 0 } else { self.wrapping_div(o) }
            }
            #[inline(always)]
            fn div_floor(self, o: Self) -> Self {
                if o == 0 {
                    return 0;
                }
                let q = self.wrapping_div(o);
                // round toward -inf when the signs differ and the division is inexact
                #[allow(unused_comparisons)]
                let differ = (self < 0) != (o < 0);
                if differ && q.wrapping_mul(o) != self { q.wrapping_sub(1) } else { q }
            }
            #[inline(always)]
            fn remainder(self, o: Self) -> Self {
                if o == 0 {
                    return 0;
                }
                let r = self.wrapping_rem(o);
                #[allow(unused_comparisons)]
                let differ = (r < 0) != (o < 0);
                if r != 0 && differ { r.wrapping_add(o) } else { r }
            }
            #[inline(always)]
            fn fmod(self, o: Self) -> Self {
                if o == 0 { 0 } else { self.wrapping_rem(o) }
            }
            /// torch's integer pow: wrapping products; a negative exponent gives 0 except for
            /// bases 1 and -1.
            #[inline(always)]
            #[allow(unused_comparisons)]
            fn pow(self, o: Self) -> Self {
                if o < 0 {
                    return if self == 1 {
                        1
                    } else if self as i64 == -1 {
                        if o % 2 == 0 { 1 } else { self }
                    } else {
                        0
                    };
                }
                let (mut base, mut e, mut acc): (Self, u64, Self) = (self, o as u64, 1);
                while e > 0 {
                    if e & 1 == 1 {
                        acc = acc.wrapping_mul(base);
                    }
                    base = base.wrapping_mul(base);
                    e >>= 1;
                }
                acc
            }
            #[inline(always)] fn is_nan(self) -> bool { false }
        }
    )*};
}
arith_int!(u8, i8, i16, i32, i64);

impl Arith for bool {
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        self | o
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        self ^ o
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        self & o
    }
    // bool divisions and pow are rejected by `compute_dtype`; these keep the trait total
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        self & o
    }
    #[inline(always)]
    fn div_trunc(self, o: Self) -> Self {
        self & o
    }
    #[inline(always)]
    fn div_floor(self, o: Self) -> Self {
        self & o
    }
    #[inline(always)]
    fn remainder(self, _o: Self) -> Self {
        false
    }
    #[inline(always)]
    fn fmod(self, _o: Self) -> Self {
        false
    }
    #[inline(always)]
    fn pow(self, o: Self) -> Self {
        self | !o
    }
    #[inline(always)]
    fn is_nan(self) -> bool {
        false
    }
}

/// Ops defined on floating types only.
pub trait FloatArith: Arith {
    fn atan2(self, o: Self) -> Self;
    fn hypot(self, o: Self) -> Self;
    fn copysign(self, o: Self) -> Self;
    fn nextafter(self, o: Self) -> Self;
    fn xlogy(self, o: Self) -> Self;
}

/// The next representable value after `a` toward `b`, on the bit pattern (any IEEE width).
macro_rules! nextafter_bits {
    ($a:expr, $b:expr, $zero:expr, $from_bits:expr, $one_bit:expr) => {{
        let (a, b) = ($a, $b);
        if a.is_nan() || b.is_nan() {
            a + b
        } else if a == b {
            b
        } else if a == $zero {
            // the smallest subnormal with b's sign
            let tiny = ($from_bits)($one_bit);
            if b > $zero { tiny } else { -tiny }
        } else {
            let bits = a.to_bits();
            let up = (a < b) == (a > $zero);
            ($from_bits)(if up { bits + 1 } else { bits - 1 })
        }
    }};
}

macro_rules! float_arith {
    ($t:ty, $bits:ty) => {
        impl FloatArith for $t {
            #[inline(always)] fn atan2(self, o: Self) -> Self { self.atan2(o) }
            #[inline(always)] fn hypot(self, o: Self) -> Self { self.hypot(o) }
            #[inline(always)] fn copysign(self, o: Self) -> Self { self.copysign(o) }
            #[inline(always)]
            fn nextafter(self, o: Self) -> Self {
                nextafter_bits!(self, o, 0.0, <$t>::from_bits, 1 as $bits)
            }
            /// `x * log(y)`, 0 where x == 0 (unless y is NaN), like torch.xlogy.
            #[inline(always)]
            fn xlogy(self, o: Self) -> Self {
                if o.is_nan() {
                    o
                } else if self == 0.0 {
                    0.0
                } else {
                    self * o.ln()
                }
            }
        }
    };
}
float_arith!(f32, u32);
float_arith!(f64, u64);

macro_rules! float_arith_half {
    ($($t:ty),*) => {$(
        impl FloatArith for $t {
            via_f32!(FloatArith: atan2, hypot, copysign, xlogy);
            /// Steps in the half type's own representation, as torch does.
            #[inline(always)]
            fn nextafter(self, o: Self) -> Self {
                nextafter_bits!(self, o, <$t>::ZERO, <$t>::from_bits, 1u16)
            }
        }
    )*};
}
float_arith_half!(f16, bf16);

/// Bitwise ops and shifts, on integers and bool.
pub trait Bits: Arith {
    fn bitand(self, o: Self) -> Self;
    fn bitor(self, o: Self) -> Self;
    fn bitxor(self, o: Self) -> Self;
    fn shl(self, o: Self) -> Self;
    fn shr(self, o: Self) -> Self;
}

macro_rules! bits_int {
    ($($t:ty),*) => {$(
        impl Bits for $t {
            #[inline(always)] fn bitand(self, o: Self) -> Self { self & o }
            #[inline(always)] fn bitor(self, o: Self) -> Self { self | o }
            #[inline(always)] fn bitxor(self, o: Self) -> Self { self ^ o }
            /// torch: shifting by a negative amount or by the width or more gives 0.
            #[inline(always)]
            #[allow(unused_comparisons)]
            fn shl(self, o: Self) -> Self {
                if o < 0 || o as u64 >= <$t>::BITS as u64 { 0 } else { self.wrapping_shl(o as u32) }
            }
            /// Right shifts that are out of range fill with the sign bit.
            #[inline(always)]
            #[allow(unused_comparisons)]
            fn shr(self, o: Self) -> Self {
                if o < 0 || o as u64 >= <$t>::BITS as u64 {
                    if self < 0 { self.wrapping_shr(<$t>::BITS - 1) } else { 0 }
                } else {
                    self.wrapping_shr(o as u32)
                }
            }
        }
    )*};
}
bits_int!(u8, i8, i16, i32, i64);

impl Bits for bool {
    #[inline(always)]
    fn bitand(self, o: Self) -> Self {
        self & o
    }
    #[inline(always)]
    fn bitor(self, o: Self) -> Self {
        self | o
    }
    #[inline(always)]
    fn bitxor(self, o: Self) -> Self {
        self ^ o
    }
    // shifts of two bools are rejected by `compute_dtype`; these keep the trait total
    #[inline(always)]
    fn shl(self, _o: Self) -> Self {
        self
    }
    #[inline(always)]
    fn shr(self, o: Self) -> Self {
        self & !o
    }
}

/// Run `$body` with `$T` bound to a floating element type; other dtypes give `$err`.
macro_rules! dispatch_float {
    ($dtype:expr, $T:ident => $body:expr, $err:expr) => {
        match $dtype {
            $crate::dtype::DType::Float32 => { type $T = f32; $body }
            $crate::dtype::DType::Float64 => { type $T = f64; $body }
            $crate::dtype::DType::Float16 => { type $T = $crate::dtype::f16; $body }
            $crate::dtype::DType::BFloat16 => { type $T = $crate::dtype::bf16; $body }
            _ => Err($err),
        }
    };
}
pub(crate) use dispatch_float;

/// Run `$body` with `$T` bound to an integer or bool element type; other dtypes give `$err`.
macro_rules! dispatch_bits {
    ($dtype:expr, $T:ident => $body:expr, $err:expr) => {
        match $dtype {
            $crate::dtype::DType::Bool => { type $T = bool; $body }
            $crate::dtype::DType::UInt8 => { type $T = u8; $body }
            $crate::dtype::DType::Int8 => { type $T = i8; $body }
            $crate::dtype::DType::Int16 => { type $T = i16; $body }
            $crate::dtype::DType::Int32 => { type $T = i32; $body }
            $crate::dtype::DType::Int64 => { type $T = i64; $body }
            _ => Err($err),
        }
    };
}

pub(crate) use dispatch_bits;

fn internal(op: BinaryOp) -> Error {
    Error::runtime(format!("internal error: {} dispatched to the wrong kernel family", op.name()))
}

/// The scalar function of each op, shared by the out-of-place (`map2`) and in-place
/// (`binary/inplace.rs`) drivers: `$f` is bound to the op's function and `$same` runs for ops
/// whose result is the element type, `$pred` for the bool-valued ones; other ops give `$other`.
macro_rules! arith_fn {
    ($op:expr, $T:ty, |$f:ident| $same:expr, |$p:ident| $pred:expr, $other:expr) => {{
        use $crate::ops::binary::BinaryOp::*;
        match $op {
            Add => { let $f = <$T as $crate::ops::binary::Arith>::add; $same }
            Sub => { let $f = <$T as $crate::ops::binary::Arith>::sub; $same }
            Mul => { let $f = <$T as $crate::ops::binary::Arith>::mul; $same }
            Div => { let $f = <$T as $crate::ops::binary::Arith>::div; $same }
            DivTrunc => { let $f = <$T as $crate::ops::binary::Arith>::div_trunc; $same }
            DivFloor => { let $f = <$T as $crate::ops::binary::Arith>::div_floor; $same }
            Remainder => { let $f = <$T as $crate::ops::binary::Arith>::remainder; $same }
            Fmod => { let $f = <$T as $crate::ops::binary::Arith>::fmod; $same }
            Pow => { let $f = <$T as $crate::ops::binary::Arith>::pow; $same }
            Maximum => { let $f = <$T as $crate::ops::binary::Arith>::maximum; $same }
            Minimum => { let $f = <$T as $crate::ops::binary::Arith>::minimum; $same }
            Fmax => { let $f = <$T as $crate::ops::binary::Arith>::fmax; $same }
            Fmin => { let $f = <$T as $crate::ops::binary::Arith>::fmin; $same }
            LogicalAnd => { let $p = |x: $T, y: $T| x.truthy() & y.truthy(); $pred }
            LogicalOr => { let $p = |x: $T, y: $T| x.truthy() | y.truthy(); $pred }
            LogicalXor => { let $p = |x: $T, y: $T| x.truthy() ^ y.truthy(); $pred }
            Eq => { let $p = |x: $T, y: $T| x == y; $pred }
            Ne => { let $p = |x: $T, y: $T| x != y; $pred }
            Lt => { let $p = |x: $T, y: $T| x < y; $pred }
            Le => { let $p = |x: $T, y: $T| x <= y; $pred }
            Gt => { let $p = |x: $T, y: $T| x > y; $pred }
            Ge => { let $p = |x: $T, y: $T| x >= y; $pred }
            _ => $other,
        }
    }};
}
pub(crate) use arith_fn;

/// `arith_fn` for the `FloatArith` ops.
macro_rules! float_fn {
    ($op:expr, $T:ty, |$f:ident| $same:expr, $other:expr) => {{
        use $crate::ops::binary::BinaryOp::*;
        match $op {
            Atan2 => { let $f = <$T as $crate::ops::binary::FloatArith>::atan2; $same }
            Hypot => { let $f = <$T as $crate::ops::binary::FloatArith>::hypot; $same }
            Copysign => { let $f = <$T as $crate::ops::binary::FloatArith>::copysign; $same }
            Nextafter => { let $f = <$T as $crate::ops::binary::FloatArith>::nextafter; $same }
            Xlogy => { let $f = <$T as $crate::ops::binary::FloatArith>::xlogy; $same }
            _ => $other,
        }
    }};
}
pub(crate) use float_fn;

/// `arith_fn` for the `Bits` ops.
macro_rules! bits_fn {
    ($op:expr, $T:ty, |$f:ident| $same:expr, $other:expr) => {{
        use $crate::ops::binary::BinaryOp::*;
        match $op {
            BitAnd => { let $f = <$T as $crate::ops::binary::Bits>::bitand; $same }
            BitOr => { let $f = <$T as $crate::ops::binary::Bits>::bitor; $same }
            BitXor => { let $f = <$T as $crate::ops::binary::Bits>::bitxor; $same }
            Shl => { let $f = <$T as $crate::ops::binary::Bits>::shl; $same }
            Shr => { let $f = <$T as $crate::ops::binary::Bits>::shr; $same }
            _ => $other,
        }
    }};
}
pub(crate) use bits_fn;

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

/// `op(a, b)` with broadcasting and torch's promotion; a new contiguous tensor.
pub fn binary(op: BinaryOp, a: Arg, b: Arg) -> Result<Tensor> {
    if op == BinaryOp::Sub {
        check_sub(&a, &b)?;
    }
    let compute = op.compute_dtype(result_dtype(&[a.clone(), b.clone()]))?;
    if op == BinaryOp::Pow && compute.is_integral(false) && matches!(b, Arg::Scalar(Scalar::Int(e)) if e < 0) {
        return Err(Error::runtime("Integers to negative integer powers are not allowed."));
    }
    let (ta, tb) = (cast(&a, compute)?, cast(&b, compute)?);
    let (ta, tb) = (ta.as_ref(), tb.as_ref());
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

/// `a + alpha * b` (torch.add / torch.sub with `alpha`).
pub fn add_scaled(a: Arg, b: Arg, alpha: Scalar, subtract: bool) -> Result<Tensor> {
    let op = if subtract { BinaryOp::Sub } else { BinaryOp::Add };
    if subtract {
        check_sub(&a, &b)?;
    }
    let is_one = alpha.to_f64() == 1.0;
    if is_one {
        return binary(op, a, b);
    }
    let dtype = op.compute_dtype(result_dtype(&[a.clone(), b.clone()]))?;
    if !dtype.is_floating_point() && matches!(alpha, Scalar::Float(_)) {
        return Err(Error::runtime(
            "For integral input tensors, argument alpha must not be a floating point number.",
        ));
    }
    let tb = b.as_tensor(dtype)?;
    let scaled = binary(BinaryOp::Mul, Arg::Tensor(&tb), Arg::Scalar(alpha))?;
    binary(op, Arg::Tensor(&a.as_tensor(dtype)?), Arg::Tensor(&scaled))
}

/// `torch.float_power`: both operands in float64, result float64.
pub fn float_power(a: Arg, b: Arg) -> Result<Tensor> {
    let (ta, tb) = (a.as_tensor(DType::Float64)?, b.as_tensor(DType::Float64)?);
    map2::<f64, f64>(&ta, &tb, f64::powf)
}

// ------------------------------------------------------------------ isclose / allclose / equal

/// `torch.isclose`: `|a - b| <= atol + rtol * |b|` with a finite difference, or equal (and both
/// NaN when `equal_nan`). Both tensors must have the same dtype, as in torch. Floats compute in
/// their own precision (halves through f32), integers and bool in float64.
pub fn isclose(a: &Tensor, b: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<Tensor> {
    if a.dtype() != b.dtype() {
        crate::bail!("{} did not match {}", a.dtype().scalar_type_name(), b.dtype().scalar_type_name());
    }
    if rtol < 0.0 {
        crate::bail!("rtol must be greater than or equal to zero, but got {}", fmt_num(rtol));
    }
    if atol < 0.0 {
        crate::bail!("atol must be greater than or equal to zero, but got {}", fmt_num(atol));
    }
    macro_rules! close {
        ($x:expr, $y:expr, $t:ty) => {{
            let (x, y) = ($x, $y);
            if x == y {
                true
            } else if x.is_nan() || y.is_nan() {
                equal_nan && x.is_nan() && y.is_nan()
            } else {
                let diff = (x - y).abs();
                diff.is_finite() && diff <= atol as $t + (rtol as $t * y).abs()
            }
        }};
    }
    match a.dtype() {
        DType::Float64 => map2::<f64, bool>(a, b, |x, y| close!(x, y, f64)),
        DType::Float32 => map2::<f32, bool>(a, b, |x, y| close!(x, y, f32)),
        DType::Float16 => map2::<f16, bool>(a, b, |x, y| close!(x.to_f32(), y.to_f32(), f32)),
        DType::BFloat16 => map2::<bf16, bool>(a, b, |x, y| close!(x.to_f32(), y.to_f32(), f32)),
        d => crate::dispatch!(d, T => map2::<T, bool>(a, b, |x, y| close!(x.to_f64(), y.to_f64(), f64))),
    }
}

/// A float the way torch prints it in messages ("-1" for -1.0, "0.5").
fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Whether every element of a bool tensor is true.
fn all_true(t: &Tensor) -> Result<bool> {
    let g = t.storage().read()?;
    let plan = Plan::new(t.shape(), [t.strides()], [t.offset()]);
    let p = g.ptr() as *const bool;
    let mut all = true;
    plan.for_each_row(|[o], len, [s]| {
        // SAFETY: offsets come from the tensor's own layout.
        all &= (0..len).all(|k| unsafe { *p.add(o + k * s) });
    });
    Ok(all)
}

/// `torch.allclose`: isclose everywhere (the shapes broadcast).
pub fn allclose(a: &Tensor, b: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<bool> {
    all_true(&isclose(a, b, rtol, atol, equal_nan)?)
}

/// `torch.equal`: same shape and equal elements (after promotion; NaN is never equal).
pub fn equal(a: &Tensor, b: &Tensor) -> Result<bool> {
    if a.shape() != b.shape() {
        return Ok(false);
    }
    all_true(&binary(BinaryOp::Eq, Arg::Tensor(a), Arg::Tensor(b))?)
}

#[cfg(test)]
mod tests {
    use super::*;

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
