//! Element types, their sizes and names, and PyTorch's type-promotion rules.
//!
//! `DType` names follow torch (`float32`, `int64`, ...). `Element` ties each Rust scalar type
//! to its `DType`; `dispatch!` turns a runtime `DType` into a generic call, once per op.

pub use half::{bf16, f16};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    UInt8,
    Int8,
    Int16,
    Int32,
    Int64,
    Float16,
    BFloat16,
    Float32,
    Float64,
}

/// The type category used by promotion with scalars (bool < integral < floating).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Bool,
    Integral,
    Floating,
}

impl DType {
    pub const ALL: [DType; 10] = [
        DType::Float32,
        DType::Float64,
        DType::Float16,
        DType::BFloat16,
        DType::Int64,
        DType::Int32,
        DType::Int16,
        DType::Int8,
        DType::UInt8,
        DType::Bool,
    ];

    /// Size of one element in bytes.
    pub const fn itemsize(self) -> usize {
        match self {
            DType::Bool | DType::UInt8 | DType::Int8 => 1,
            DType::Int16 | DType::Float16 | DType::BFloat16 => 2,
            DType::Int32 | DType::Float32 => 4,
            DType::Int64 | DType::Float64 => 8,
        }
    }

    /// The name torch prints after `torch.` (`float32`, `int64`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::UInt8 => "uint8",
            DType::Int8 => "int8",
            DType::Int16 => "int16",
            DType::Int32 => "int32",
            DType::Int64 => "int64",
            DType::Float16 => "float16",
            DType::BFloat16 => "bfloat16",
            DType::Float32 => "float32",
            DType::Float64 => "float64",
        }
    }

    /// The ScalarType name torch uses in kernel errors ("not implemented for 'Float'").
    pub const fn scalar_type_name(self) -> &'static str {
        match self {
            DType::Bool => "Bool",
            DType::UInt8 => "Byte",
            DType::Int8 => "Char",
            DType::Int16 => "Short",
            DType::Int32 => "Int",
            DType::Int64 => "Long",
            DType::Float16 => "Half",
            DType::BFloat16 => "BFloat16",
            DType::Float32 => "Float",
            DType::Float64 => "Double",
        }
    }

    /// The C++ type name torch prints in some dtype errors ("long int", "c10::Half").
    pub fn cpp_name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::UInt8 => "unsigned char",
            DType::Int8 => "signed char",
            DType::Int16 => "short int",
            DType::Int32 => "int",
            DType::Int64 => "long int",
            DType::Float16 => "c10::Half",
            DType::BFloat16 => "c10::BFloat16",
            DType::Float32 => "float",
            DType::Float64 => "double",
        }
    }

    pub const fn is_floating_point(self) -> bool {
        matches!(self, DType::Float16 | DType::BFloat16 | DType::Float32 | DType::Float64)
    }

    pub const fn is_signed(self) -> bool {
        !matches!(self, DType::Bool | DType::UInt8)
    }

    pub const fn is_integral(self, include_bool: bool) -> bool {
        match self {
            DType::Bool => include_bool,
            DType::UInt8 | DType::Int8 | DType::Int16 | DType::Int32 | DType::Int64 => true,
            _ => false,
        }
    }

    pub const fn category(self) -> Category {
        match self {
            DType::Bool => Category::Bool,
            d if d.is_floating_point() => Category::Floating,
            _ => Category::Integral,
        }
    }

    /// `torch.promote_types`: the smallest dtype both `self` and `other` convert to losslessly
    /// (as far as torch's table goes: int64 + float16 is float16, like torch).
    pub fn promote(self, other: DType) -> DType {
        use DType::*;
        if self == other {
            return self;
        }
        match (self, other) {
            (Bool, x) | (x, Bool) => x,
            (Float16, BFloat16) | (BFloat16, Float16) => Float32,
            (a, b) if a.is_floating_point() && b.is_floating_point() => {
                if a.itemsize() >= b.itemsize() {
                    a
                } else {
                    b
                }
            }
            (a, _) if a.is_floating_point() => a,
            (_, b) if b.is_floating_point() => b,
            // integers: uint8 mixed with a signed type needs a wider signed type
            (UInt8, Int8) | (Int8, UInt8) => Int16,
            (UInt8, x) | (x, UInt8) => x,
            (a, b) => {
                if a.itemsize() >= b.itemsize() {
                    a
                } else {
                    b
                }
            }
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.scalar_type_name())
    }
}

/// How an operand takes part in `result_type`: PyTorch ranks dimensioned tensors above
/// zero-dim tensors above Python scalars; a lower rank only counts when it brings a higher
/// category (an int tensor times 2.5 is float; a float32 tensor times a float64 scalar stays float32).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    Tensor(DType),
    ZeroDim(DType),
    /// A Python scalar: `Bool`, `Int64` or `Float64` for bool, int and float.
    Scalar(DType),
}

/// `torch.result_type` over any number of operands, with `default_float` standing in for
/// Python floats (torch's default dtype).
pub fn result_type(operands: &[Operand], default_float: DType) -> DType {
    let (mut dim, mut zero, mut wrapped): (Option<DType>, Option<DType>, Option<DType>) =
        (None, None, None);
    fn acc(slot: &mut Option<DType>, d: DType) {
        *slot = Some(match *slot {
            None => d,
            Some(s) => s.promote(d),
        });
    }
    for op in operands {
        match *op {
            Operand::Tensor(d) => acc(&mut dim, d),
            Operand::ZeroDim(d) => acc(&mut zero, d),
            Operand::Scalar(d) => {
                let d = if d.is_floating_point() { default_float } else { d };
                acc(&mut wrapped, d)
            }
        }
    }
    // c10's combine_categories(higher, lower)
    fn combine(higher: Option<DType>, lower: Option<DType>) -> Option<DType> {
        match (higher, lower) {
            (None, l) => l,
            (h, None) => h,
            (Some(h), Some(l)) => {
                if h.is_floating_point() {
                    Some(h)
                } else if h == DType::Bool || l.is_floating_point() {
                    Some(h.promote(l))
                } else {
                    Some(h)
                }
            }
        }
    }
    combine(dim, combine(zero, wrapped)).unwrap_or(default_float)
}

/// A Rust scalar type that is the element type of a `DType`.
pub trait Element: Copy + Send + Sync + 'static + PartialEq + fmt::Debug + Default {
    const DTYPE: DType;
    fn to_f64(self) -> f64;
    /// Convert like a C cast in torch: floats to ints truncate toward zero (out-of-range values
    /// give what x86-64 gives, see `f64_to_i32_x86`), anything to bool tests != 0.
    fn from_f64(v: f64) -> Self;
    fn to_i64(self) -> i64;
    fn from_i64(v: i64) -> Self;
    fn zero() -> Self;
    fn one() -> Self;
}

/// A float to int32 conversion as torch's C++ casts compile on x86-64 (`cvttsd2si`): truncate
/// toward zero, and give the "integer indefinite" value i32::MIN for NaN and anything out of
/// range. torch converts to the narrower integer types through it too (keeping the low bits, so
/// an out-of-range value becomes 0 there).
#[inline(always)]
fn f64_to_i32_x86(v: f64) -> i32 {
    if v > -2147483649.0 && v < 2147483648.0 {
        v as i32
    } else {
        i32::MIN
    }
}

/// The 64-bit form of `f64_to_i32_x86`: i64::MIN for NaN and anything out of range.
#[inline(always)]
fn f64_to_i64_x86(v: f64) -> i64 {
    if v >= -9223372036854775808.0 && v < 9223372036854775808.0 {
        v as i64
    } else {
        i64::MIN
    }
}

macro_rules! int_element {
    ($t:ty, $d:ident, $from_f64:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$d;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                $from_f64(v) as $t
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn zero() -> Self {
                0
            }
            #[inline(always)]
            fn one() -> Self {
                1
            }
        }
    };
}
int_element!(u8, UInt8, f64_to_i32_x86);
int_element!(i8, Int8, f64_to_i32_x86);
int_element!(i16, Int16, f64_to_i32_x86);
int_element!(i32, Int32, f64_to_i32_x86);
int_element!(i64, Int64, f64_to_i64_x86);

impl Element for f32 {
    const DTYPE: DType = DType::Float32;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    #[inline(always)]
    fn to_i64(self) -> i64 {
        self as i64
    }
    #[inline(always)]
    fn from_i64(v: i64) -> Self {
        v as f32
    }
    fn zero() -> Self {
        0.0
    }
    fn one() -> Self {
        1.0
    }
}

impl Element for f64 {
    const DTYPE: DType = DType::Float64;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }
    #[inline(always)]
    fn to_i64(self) -> i64 {
        self as i64
    }
    #[inline(always)]
    fn from_i64(v: i64) -> Self {
        v as f64
    }
    fn zero() -> Self {
        0.0
    }
    fn one() -> Self {
        1.0
    }
}

macro_rules! half_element {
    ($t:ty, $d:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$d;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self.to_f64()
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                // through float32, as c10's Half/BFloat16 take only floats (a double is rounded
                // twice: 1 + 2^-8 + 2^-30 gives bfloat16 1.0, not 1 + 2^-7)
                <$t>::from_f32(v as f32)
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self.to_f32() as i64
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                <$t>::from_f32(v as f32)
            }
            fn zero() -> Self {
                <$t>::ZERO
            }
            fn one() -> Self {
                <$t>::ONE
            }
        }
    };
}
half_element!(f16, Float16);
half_element!(bf16, BFloat16);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as u8 as f64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    #[inline(always)]
    fn to_i64(self) -> i64 {
        self as i64
    }
    #[inline(always)]
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    fn zero() -> Self {
        false
    }
    fn one() -> Self {
        true
    }
}

/// Run `$body` with `$T` bound to the Rust element type of `$dtype`.
///
/// ```ignore
/// dispatch!(t.dtype(), T => fill::<T>(t, v))
/// ```
#[macro_export]
macro_rules! dispatch {
    ($dtype:expr, $T:ident => $body:expr) => {{
        use $crate::dtype::DType as __D;
        match $dtype {
            __D::Bool => { type $T = bool; $body }
            __D::UInt8 => { type $T = u8; $body }
            __D::Int8 => { type $T = i8; $body }
            __D::Int16 => { type $T = i16; $body }
            __D::Int32 => { type $T = i32; $body }
            __D::Int64 => { type $T = i64; $body }
            __D::Float16 => { type $T = $crate::dtype::f16; $body }
            __D::BFloat16 => { type $T = $crate::dtype::bf16; $body }
            __D::Float32 => { type $T = f32; $body }
            __D::Float64 => { type $T = f64; $body }
        }
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    #[test]
    fn promote_table_matches_torch() {
        // spot checks of torch.promote_types
        assert_eq!(UInt8.promote(Int8), Int16);
        assert_eq!(UInt8.promote(Int32), Int32);
        assert_eq!(Bool.promote(UInt8), UInt8);
        assert_eq!(Int64.promote(Float16), Float16);
        assert_eq!(Float16.promote(BFloat16), Float32);
        assert_eq!(BFloat16.promote(Float64), Float64);
        assert_eq!(Int32.promote(Int64), Int64);
        for a in DType::ALL {
            for b in DType::ALL {
                assert_eq!(a.promote(b), b.promote(a), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn result_type_with_scalars() {
        let f = Float32;
        assert_eq!(result_type(&[Operand::Tensor(Int64), Operand::Scalar(Float64)], f), Float32);
        assert_eq!(result_type(&[Operand::Tensor(Float16), Operand::Scalar(Float64)], f), Float16);
        assert_eq!(result_type(&[Operand::Tensor(UInt8), Operand::Scalar(Int64)], f), UInt8);
        assert_eq!(result_type(&[Operand::Tensor(Bool), Operand::Scalar(Int64)], f), Int64);
        assert_eq!(result_type(&[Operand::Tensor(Int32), Operand::ZeroDim(Int64)], f), Int32);
        assert_eq!(result_type(&[Operand::Tensor(Int32), Operand::ZeroDim(Float64)], f), Float64);
        assert_eq!(result_type(&[Operand::Tensor(Float32), Operand::ZeroDim(Float64)], f), Float32);
        assert_eq!(result_type(&[Operand::ZeroDim(Int64), Operand::Scalar(Float64)], f), Float32);
    }
}
