//! A Python-style scalar: what `x + 2`, `fill_(1.5)` and `full(.., True)` carry.

use crate::dtype::{DType, Element};

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
