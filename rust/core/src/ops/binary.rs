//! Binary elementwise ops with broadcasting and torch's type promotion.
//!
//! Every op is one `BinaryOp` variant; `binary` promotes the operands, picks the compute dtype
//! (true division of integers computes in the default float dtype; comparisons return bool),
//! and runs the op's scalar function through `map2`. Half types compute through f32 per element.

use super::{map2, result_dtype, Arg};
use crate::dtype::{bf16, f16, DType, Element};
use crate::error::{Error, Result};
use crate::tensor::Tensor;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinaryOp {
    /// The torch name (also the WGSL entry point of the GPU kernel).
    pub const fn name(self) -> &'static str {
        match self {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
            BinaryOp::Eq => "eq",
            BinaryOp::Ne => "ne",
            BinaryOp::Lt => "lt",
            BinaryOp::Le => "le",
            BinaryOp::Gt => "gt",
            BinaryOp::Ge => "ge",
        }
    }

    pub const fn is_comparison(self) -> bool {
        matches!(self, BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge)
    }

    /// The dtype the op computes in, given the promoted dtype of its operands.
    pub fn compute_dtype(self, promoted: DType) -> Result<DType> {
        match self {
            BinaryOp::Div if !promoted.is_floating_point() => Ok(super::default_float()),
            BinaryOp::Sub if promoted == DType::Bool => Err(Error::runtime(
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.",
            )),
            _ => Ok(promoted),
        }
    }

    pub fn out_dtype(self, compute: DType) -> DType {
        if self.is_comparison() {
            DType::Bool
        } else {
            compute
        }
    }
}

/// Arithmetic every element type supports (bool: add is `or`, mul is `and`, like torch).
pub trait Arith: Element + PartialOrd {
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
}

macro_rules! arith_float {
    ($($t:ty),*) => {$(
        impl Arith for $t {
            #[inline(always)] fn add(self, o: Self) -> Self { self + o }
            #[inline(always)] fn sub(self, o: Self) -> Self { self - o }
            #[inline(always)] fn mul(self, o: Self) -> Self { self * o }
            #[inline(always)] fn div(self, o: Self) -> Self { self / o }
        }
    )*};
}
arith_float!(f32, f64);

macro_rules! arith_half {
    ($($t:ty),*) => {$(
        impl Arith for $t {
            #[inline(always)] fn add(self, o: Self) -> Self { <$t>::from_f32(self.to_f32() + o.to_f32()) }
            #[inline(always)] fn sub(self, o: Self) -> Self { <$t>::from_f32(self.to_f32() - o.to_f32()) }
            #[inline(always)] fn mul(self, o: Self) -> Self { <$t>::from_f32(self.to_f32() * o.to_f32()) }
            #[inline(always)] fn div(self, o: Self) -> Self { <$t>::from_f32(self.to_f32() / o.to_f32()) }
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
            // only reached through rounding-mode division, which checks for zero first
            #[inline(always)] fn div(self, o: Self) -> Self { if o == 0 { 0 } else { self.wrapping_div(o) } }
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
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        self & o
    }
}

fn run<T: Arith>(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    match op {
        BinaryOp::Add => map2::<T, T>(a, b, T::add),
        BinaryOp::Sub => map2::<T, T>(a, b, T::sub),
        BinaryOp::Mul => map2::<T, T>(a, b, T::mul),
        BinaryOp::Div => map2::<T, T>(a, b, T::div),
        BinaryOp::Eq => map2::<T, bool>(a, b, |x, y| x == y),
        BinaryOp::Ne => map2::<T, bool>(a, b, |x, y| x != y),
        BinaryOp::Lt => map2::<T, bool>(a, b, |x, y| x < y),
        BinaryOp::Le => map2::<T, bool>(a, b, |x, y| x <= y),
        BinaryOp::Gt => map2::<T, bool>(a, b, |x, y| x > y),
        BinaryOp::Ge => map2::<T, bool>(a, b, |x, y| x >= y),
    }
}

/// `op(a, b)` with broadcasting and torch's promotion; a new contiguous tensor.
pub fn binary(op: BinaryOp, a: Arg, b: Arg) -> Result<Tensor> {
    let compute = op.compute_dtype(result_dtype(&[a.clone(), b.clone()]))?;
    let (ta, tb) = (a.as_tensor(compute)?, b.as_tensor(compute)?);
    crate::dispatch!(compute, T => run::<T>(op, &ta, &tb))
}

/// `a + alpha * b` (torch.add / torch.sub with `alpha`).
pub fn add_scaled(a: Arg, b: Arg, alpha: crate::scalar::Scalar, subtract: bool) -> Result<Tensor> {
    let op = if subtract { BinaryOp::Sub } else { BinaryOp::Add };
    let is_one = alpha.to_f64() == 1.0;
    if is_one {
        return binary(op, a, b);
    }
    let dtype = op.compute_dtype(result_dtype(&[a.clone(), b.clone()]))?;
    if !dtype.is_floating_point() && matches!(alpha, crate::scalar::Scalar::Float(_)) {
        return Err(Error::runtime(
            "For integral input tensors, argument alpha must not be a floating point number.",
        ));
    }
    let tb = b.as_tensor(dtype)?;
    let scaled = binary(BinaryOp::Mul, Arg::Tensor(&tb), Arg::Scalar(alpha))?;
    binary(op, Arg::Tensor(&a.as_tensor(dtype)?), Arg::Tensor(&scaled))
}
