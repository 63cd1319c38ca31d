//! Helpers shared by the `random_*` test files: floats compared by their bit patterns, and
//! small tensors built and checked for the tensor-level functions.

#![allow(dead_code)] // each test file uses some of them

use half::{bf16, f16};
use rstorch::{DType, Element, Error, Result, Tensor};

pub fn check_f32(got: &[f32], want: &[u32]) {
    let g: Vec<u32> = got.iter().map(|v| v.to_bits()).collect();
    assert_eq!(
        g,
        want,
        "got {got:?}, want {:?}",
        want.iter().map(|&b| f32::from_bits(b)).collect::<Vec<_>>()
    );
}
pub fn check_f64(got: &[f64], want: &[u64]) {
    let g: Vec<u64> = got.iter().map(|v| v.to_bits()).collect();
    assert_eq!(
        g,
        want,
        "got {got:?}, want {:?}",
        want.iter().map(|&b| f64::from_bits(b)).collect::<Vec<_>>()
    );
}
pub fn check_f16(got: &[f16], want: &[u16]) {
    let g: Vec<u16> = got.iter().map(|v| v.to_bits()).collect();
    assert_eq!(g, want, "got {got:?}");
}
pub fn check_bf16(got: &[bf16], want: &[u16]) {
    let g: Vec<u16> = got.iter().map(|v| v.to_bits()).collect();
    assert_eq!(g, want, "got {got:?}");
}

pub fn zeros(shape: &[usize], dtype: DType) -> Tensor {
    Tensor::zeros(shape, dtype).unwrap()
}

pub fn f32s(v: &[f32], shape: &[usize]) -> Tensor {
    Tensor::from_slice(v, shape).unwrap()
}

/// `torch.arange(n * 1.0)`: float32 0, 1, ..., n - 1.
pub fn arange(n: usize) -> Tensor {
    Tensor::from_vec((0..n).map(|v| v as f32).collect(), &[n]).unwrap()
}

/// `base[1:4, ::2, :].permute(2, 0, 1)` of tests/test_random.py's `_strided_view`.
pub fn strided(base: &Tensor) -> Result<Tensor> {
    base.slice(0, Some(1), Some(4), 1)?.slice(1, None, None, 2)?.permute(&[2, 0, 1])
}

pub fn check_dtype_shape(t: &Tensor, dtype: DType, shape: &[usize]) {
    assert_eq!((t.dtype(), t.shape()), (dtype, shape));
}

pub fn check_floats(t: &Tensor, dtype: DType, shape: &[usize], want: &[f64]) {
    check_dtype_shape(t, dtype, shape);
    let got: Vec<f64> = rstorch::dispatch!(t.dtype(), T => t.to_vec::<T>().unwrap().into_iter().map(Element::to_f64).collect());
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&got), bits(want), "got {got:?}, want {want:?}");
}

pub fn check_ints(t: &Tensor, dtype: DType, shape: &[usize], want: &[i64]) {
    check_dtype_shape(t, dtype, shape);
    let got: Vec<i64> = rstorch::dispatch!(t.dtype(), T => t.to_vec::<T>().unwrap().into_iter().map(Element::to_i64).collect());
    assert_eq!(got, want);
}

pub fn check_bools(t: &Tensor, dtype: DType, shape: &[usize], want: &[bool]) {
    check_dtype_shape(t, dtype, shape);
    assert_eq!(t.to_vec::<bool>().unwrap(), want);
}

pub fn runtime(msg: &str) -> Error {
    Error::Runtime(msg.into())
}
