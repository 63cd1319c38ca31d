//! A Python-style scalar: what `x + 2`, `fill_(1.5)` and `full(.., True)` carry.

use crate::dtype::{bf16, f16, DType, Element};
use crate::error::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl Scalar {
    /// The dtype torch gives a bare Python scalar of this kind (before the default float dtype
    /// is applied to floats).
    pub fn dtype(self) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int(_) => DType::Int64,
            Scalar::Float(_) => DType::Float64,
        }
    }

    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as u8 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
        }
    }

    /// Convert to an element type; integers keep all 64 bits.
    pub fn to<T: Element>(self) -> T {
        match self {
            Scalar::Bool(b) => T::from_i64(b as i64),
            Scalar::Int(i) => T::from_i64(i),
            Scalar::Float(f) => T::from_f64(f),
        }
    }

    /// torch's `checked_convert` of a value about to be stored in `dtype` (fill_ and full, see
    /// `check_fill`; masked_fill, index_fill, scatter's value, where's scalars; arithmetic does
    /// not check):
    /// an error when it does not fit. Integers may wrap into unsigned types from below (-1
    /// fills uint8 with 255, -256 does not fit), floats must truncate into an integer type's
    /// range (NaN never does), infinities and NaN fit the floating types, and bool takes any value.
    pub fn check_fits(self, dtype: DType) -> Result<()> {
        use DType::*;
        let int_range = |d: DType| match d {
            UInt8 => (0, u8::MAX as i64),
            Int8 => (i8::MIN as i64, i8::MAX as i64),
            Int16 => (i16::MIN as i64, i16::MAX as i64),
            Int32 => (i32::MIN as i64, i32::MAX as i64),
            _ => (i64::MIN, i64::MAX),
        };
        let fits = match (self, dtype) {
            (Scalar::Bool(_), _) | (_, Bool | Float64) => true,
            (Scalar::Int(i), d) if d.is_integral(false) => {
                let (lo, hi) = int_range(d);
                i <= hi && (i >= lo || (lo == 0 && i >= -hi))
            }
            (Scalar::Float(f), d) if d.is_integral(false) => {
                let (lo, hi) = int_range(d);
                f >= lo as f64 && f < hi as f64 + 1.0 // hi + 1 is a power of two, exact in f64
            }
            (s, d) => {
                let max = match d {
                    Float16 => f16::MAX.to_f64(),
                    BFloat16 => bf16::MAX.to_f64(),
                    _ => f32::MAX as f64,
                };
                let f = s.to_f64();
                !f.is_finite() || f.abs() <= max
            }
        };
        if fits {
            return Ok(());
        }
        // the C++ type names of torch's `Scalar::to<T>` (not DType::cpp_name's)
        let name = match dtype {
            UInt8 => "uint8_t",
            Int8 => "int8_t",
            Int16 => "int16_t",
            Int32 => "int",
            Int64 => "int64_t",
            Float16 => "c10::Half",
            BFloat16 => "c10::BFloat16",
            Float32 => "float",
            Float64 => "double",
            Bool => "bool",
        };
        Err(Error::runtime(format!("value cannot be converted to type {name} without overflow")))
    }

    /// `check_fits` as torch's fill_ and full apply it: a one-element fill takes torch's scalar
    /// shortcut, which converts to the half types unchecked (`t[0] = 1e10` stores inf in float16).
    pub fn check_fill(self, dtype: DType, numel: usize) -> Result<()> {
        if numel == 1 && matches!(dtype, DType::Float16 | DType::BFloat16) {
            return Ok(());
        }
        self.check_fits(dtype)
    }

    pub fn from_element<T: Element>(v: T) -> Scalar {
        match T::DTYPE {
            DType::Bool => Scalar::Bool(v.to_i64() != 0),
            d if d.is_floating_point() => Scalar::Float(v.to_f64()),
            _ => Scalar::Int(v.to_i64()),
        }
    }
}

/// Convert one element to another type the way torch's casts do (ints keep all their bits).
#[inline(always)]
pub fn cast<S: Element, D: Element>(v: S) -> D {
    if S::DTYPE.is_floating_point() {
        D::from_f64(v.to_f64())
    } else {
        D::from_i64(v.to_i64())
    }
}

/// Formats a double like C++ `operator<<` with default precision (`%g`, 6 significant
/// digits), as torch's error messages do.
pub(crate) fn fmt_double(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let sci = format!("{v:.5e}"); // d.ddddde<exp>, already rounded to 6 significant digits
    let (mant, exp) = sci.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    let trim = |s: String| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if !(-4..6).contains(&exp) {
        let m = trim(mant.to_string());
        format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    } else {
        trim(format!("{v:.*}", (5 - exp) as usize))
    }
}
