//! The scalar functions of the binary ops, as three kernel traits implemented for the element
//! types torch supports each op on: [`Arith`] (every dtype), [`FloatArith`] (floating types)
//! and [`Bits`] (integers and bool); half types compute through f32 per element. The macros
//! here map a [`BinaryOp`](super::BinaryOp) to its function (`arith_fn!`, `float_fn!`,
//! `bits_fn!`) and a dtype to its element type (`dispatch_float!`, `dispatch_bits!`), for the
//! out-of-place driver in `binary.rs` and the in-place one in `inplace.rs`.

use crate::dtype::{bf16, f16, Element};

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
            <Self as crate::halfconv::HalfFloat>::round(<f32 as $tr>::$f(self.to_f32(), o.to_f32()))
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
    fn xlog1py(self, o: Self) -> Self;
    fn zeta(self, o: Self) -> Self;
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

/// `x * log(y)` for a `log` of y, with torch's rules for xlogy/xlog1py: NaN where y is NaN,
/// else 0 where x == 0 (so 0 * log(0) is 0).
#[inline(always)]
fn x_times_log<T: Arith + std::ops::Mul<Output = T>>(x: T, y: T, log: impl Fn(T) -> T) -> T {
    if y.is_nan() {
        y
    } else if x == T::zero() {
        T::zero()
    } else {
        x * log(y)
    }
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
                x_times_log(self, o, <$t>::ln)
            }
            /// `x * log1p(y)`, with xlogy's zero and NaN rules.
            #[inline(always)]
            fn xlog1py(self, o: Self) -> Self {
                x_times_log(self, o, <$t>::ln_1p)
            }
            /// Computed in double for both widths (torch's accumulation type for float).
            #[inline(always)]
            fn zeta(self, o: Self) -> Self {
                crate::ops::special::zeta(self as f64, o as f64) as $t
            }
        }
    };
}
float_arith!(f32, u32);
float_arith!(f64, u64);

macro_rules! float_arith_half {
    ($($t:ty),*) => {$(
        impl FloatArith for $t {
            via_f32!(FloatArith: atan2, hypot, copysign, xlogy, xlog1py, zeta);
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
            Xlog1py => { let $f = <$T as $crate::ops::binary::FloatArith>::xlog1py; $same }
            Zeta => { let $f = <$T as $crate::ops::binary::FloatArith>::zeta; $same }
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
