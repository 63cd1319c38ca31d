//! The element types the samplers write, with the C++ conversions torch applies to each
//! (`static_cast` from `int64_t`, `bool`, `float` and `double`), and the per-dtype constants of
//! torch's range checks. Sealed: the samplers rely on exactly these implementors.

use half::{bf16, f16};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
    impl Sealed for half::f16 {}
    impl Sealed for half::bf16 {}
    impl Sealed for i64 {}
    impl Sealed for i32 {}
    impl Sealed for i16 {}
    impl Sealed for i8 {}
    impl Sealed for u8 {}
    impl Sealed for bool {}
}

/// Element types the integer-valued samplers (`random_from_to`, `random`, `bernoulli*`) write.
/// Conversions follow C++ `static_cast` from `int64_t` / `bool` as torch does (float types
/// round to nearest; Half/BFloat16 go through float like c10's constructors).
pub trait RandElem: Copy + sealed::Sealed {
    /// `static_cast<T>(int64_t)`.
    fn from_i64(v: i64) -> Self;
    /// `static_cast<T>(bool)`.
    fn from_bool(b: bool) -> Self {
        Self::from_i64(b as i64)
    }
    /// For `random_()` without bounds (`transformation::uniform_int`): whether torch draws
    /// 64 bits and the modulus it applies (`None` = keep the low bit, for bool).
    #[doc(hidden)]
    const RANDOM_64: bool;
    #[doc(hidden)]
    const RANDOM_MOD: Option<u64>;
    /// Integer dtypes: `(lowest, max, C++ type name)` for torch's `check_from_to_in_range`.
    #[doc(hidden)]
    const INT_BOUNDS: Option<(i64, i64, &'static str)> = None;
    /// Floating dtypes: `(digits, max, C++ type name)` for `update_from` / `update_to` and the
    /// range check.
    #[doc(hidden)]
    const FLOAT_INFO: Option<(u32, f64, &'static str)> = None;
    /// `static_cast<int64_t>(static_cast<T>(v))` for floating dtypes.
    #[doc(hidden)]
    fn roundtrip_i64(v: i64) -> i64 {
        v
    }
}

macro_rules! rand_elem_int {
    ($($t:ty => $name:expr),*) => {$(
        impl RandElem for $t {
            #[inline] fn from_i64(v: i64) -> Self { v as $t }
            const RANDOM_64: bool = false;
            const RANDOM_MOD: Option<u64> = Some(<$t>::MAX as u64 + 1);
            const INT_BOUNDS: Option<(i64, i64, &'static str)> =
                Some((<$t>::MIN as i64, <$t>::MAX as i64, $name));
        }
    )*};
}
rand_elem_int!(i32 => "int", i16 => "short int", i8 => "signed char", u8 => "unsigned char");

impl RandElem for i64 {
    #[inline]
    fn from_i64(v: i64) -> Self {
        v
    }
    const RANDOM_64: bool = true;
    const RANDOM_MOD: Option<u64> = Some(i64::MAX as u64 + 1);
}
impl RandElem for bool {
    #[inline]
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    const RANDOM_64: bool = false;
    const RANDOM_MOD: Option<u64> = None;
    const INT_BOUNDS: Option<(i64, i64, &'static str)> = Some((0, 1, "bool"));
}
impl RandElem for f32 {
    #[inline]
    fn from_i64(v: i64) -> Self {
        v as f32
    }
    const RANDOM_64: bool = false;
    const RANDOM_MOD: Option<u64> = Some((1 << 24) + 1);
    const FLOAT_INFO: Option<(u32, f64, &'static str)> = Some((24, f32::MAX as f64, "float"));
    fn roundtrip_i64(v: i64) -> i64 {
        v as f32 as i64
    }
}
impl RandElem for f64 {
    #[inline]
    fn from_i64(v: i64) -> Self {
        v as f64
    }
    const RANDOM_64: bool = true;
    const RANDOM_MOD: Option<u64> = Some((1 << 53) + 1);
    const FLOAT_INFO: Option<(u32, f64, &'static str)> = Some((53, f64::MAX, "double"));
    fn roundtrip_i64(v: i64) -> i64 {
        v as f64 as i64
    }
}
impl RandElem for f16 {
    #[inline]
    fn from_i64(v: i64) -> Self {
        f16::from_f32(v as f32)
    }
    const RANDOM_64: bool = false;
    const RANDOM_MOD: Option<u64> = Some((1 << 11) + 1);
    const FLOAT_INFO: Option<(u32, f64, &'static str)> = Some((11, 65504.0, "c10::Half"));
    fn roundtrip_i64(v: i64) -> i64 {
        f16::from_f32(v as f32).to_f32() as i64
    }
}
impl RandElem for bf16 {
    #[inline]
    fn from_i64(v: i64) -> Self {
        bf16::from_f32(v as f32)
    }
    const RANDOM_64: bool = false;
    const RANDOM_MOD: Option<u64> = Some((1 << 8) + 1);
    const FLOAT_INFO: Option<(u32, f64, &'static str)> =
        Some((8, 3.389_531_389_251_535_5e38, "c10::BFloat16"));
    fn roundtrip_i64(v: i64) -> i64 {
        bf16::from_f32(v as f32).to_f32() as i64
    }
}

/// Floating element types the continuous distributions write. torch computes float32,
/// float16 and bfloat16 in float (`opmath_t`) and float64 in double.
pub trait RandFloat: RandElem + PartialEq {
    /// true for f64: opmath type double, 53-bit uniforms from `random64()`.
    const IS_DOUBLE: bool;
    /// true when the type is its own opmath type (f32, f64).
    #[doc(hidden)]
    const IS_OPMATH: bool;
    /// Round an opmath float to this type (`static_cast<scalar_t>(float)`).
    fn from_f32(v: f32) -> Self;
    /// `static_cast<scalar_t>(double)` (via float for Half/BFloat16, like c10).
    fn from_f64(v: f64) -> Self;
}
impl RandFloat for f32 {
    const IS_DOUBLE: bool = false;
    const IS_OPMATH: bool = true;
    #[inline]
    fn from_f32(v: f32) -> Self {
        v
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}
impl RandFloat for f64 {
    const IS_DOUBLE: bool = true;
    const IS_OPMATH: bool = true;
    #[inline]
    fn from_f32(v: f32) -> Self {
        v as f64
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        v
    }
}
impl RandFloat for f16 {
    const IS_DOUBLE: bool = false;
    const IS_OPMATH: bool = false;
    #[inline]
    fn from_f32(v: f32) -> Self {
        f16::from_f32(v)
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        f16::from_f32(v as f32)
    }
}
impl RandFloat for bf16 {
    const IS_DOUBLE: bool = false;
    const IS_OPMATH: bool = false;
    #[inline]
    fn from_f32(v: f32) -> Self {
        bf16::from_f32(v)
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        bf16::from_f32(v as f32)
    }
}

/// Probability element types for `bernoulli_tensor` and `multinomial`.
pub trait ProbFloat: RandFloat + PartialOrd {
    /// The probability as torch's bernoulli sees it: float64 compares in double,
    /// every other dtype in float (`bernoulli_distribution<float>`).
    fn to_f64(self) -> f64;
    fn to_f32(self) -> f32;
}
impl ProbFloat for f32 {
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn to_f32(self) -> f32 {
        self
    }
}
impl ProbFloat for f64 {
    fn to_f64(self) -> f64 {
        self
    }
    fn to_f32(self) -> f32 {
        self as f32
    }
}
impl ProbFloat for f16 {
    fn to_f64(self) -> f64 {
        self.to_f64()
    }
    fn to_f32(self) -> f32 {
        self.to_f32()
    }
}
impl ProbFloat for bf16 {
    fn to_f64(self) -> f64 {
        self.to_f64()
    }
    fn to_f32(self) -> f32 {
        self.to_f32()
    }
}

/// Probability dtypes `multinomial` accepts (float32 and float64; torch's float16/bfloat16
/// kernels are not reproduced).
pub trait MultinomialProb:
    ProbFloat + std::ops::Add<Output = Self> + std::ops::Div<Output = Self>
{
    #[doc(hidden)]
    fn zero() -> Self;
    #[doc(hidden)]
    fn one() -> Self;
    #[doc(hidden)]
    fn is_finite_(self) -> bool;
}
impl MultinomialProb for f32 {
    fn zero() -> Self {
        0.0
    }
    fn one() -> Self {
        1.0
    }
    fn is_finite_(self) -> bool {
        self.is_finite()
    }
}
impl MultinomialProb for f64 {
    fn zero() -> Self {
        0.0
    }
    fn one() -> Self {
        1.0
    }
    fn is_finite_(self) -> bool {
        self.is_finite()
    }
}
