//! Reductions over all dims, one dim or a set of dims, with `keepdim`.
//!
//! `reduce_with` lays the input out as (kept dims, reduced dims) without copying, then folds each
//! output element's reduced block row by row; contiguous rows get a slice, so the inner folds
//! vectorise. Float sums accumulate in f64 in blocks (exact for 10M float32 ones, and close to
//! pairwise accuracy); integer sums accumulate in int64 like torch.

use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::iter::Plan;
use crate::shape::{self, Dims};
use crate::tensor::Tensor;

/// Resolve `dims` (None or empty = all dims) into a sorted, deduplicated list.
pub fn reduced_dims(ndim: usize, dims: Option<&[i64]>) -> Result<Dims> {
    match dims {
        None => Ok((0..ndim).collect()),
        Some(d) if d.is_empty() => Ok((0..ndim).collect()),
        Some(d) => {
            let mut v = shape::normalize_dims(d, ndim)?;
            // a 0-dim tensor accepts dim 0 / -1 and has nothing to reduce
            v.retain(|&mut x| x < ndim);
            v.sort_unstable();
            Ok(v)
        }
    }
}

/// The output shape of a reduction over `dims`.
pub fn reduced_shape(shape: &[usize], dims: &[usize], keepdim: bool) -> Dims {
    let mut out = Dims::new();
    for (d, &s) in shape.iter().enumerate() {
        if dims.contains(&d) {
            if keepdim {
                out.push(1);
            }
        } else {
            out.push(s);
        }
    }
    out
}

/// Fold the elements of each output position: `fold(acc, row_ptr, len, stride)` consumes a row of
/// the reduced block; `finish(acc, count)` gives the output element.
pub fn reduce_with<S: Element, A: Copy, D: Element>(
    t: &Tensor,
    dims: &[usize],
    keepdim: bool,
    init: A,
    fold: impl Fn(A, *const S, usize, usize) -> A,
    finish: impl Fn(A, usize) -> D,
) -> Result<Tensor> {
    let shape = t.shape();
    let kept: Dims = (0..shape.len()).filter(|d| !dims.contains(d)).collect();
    let outer_shape: Dims = kept.iter().map(|&d| shape[d]).collect();
    let outer_strides: Dims = kept.iter().map(|&d| t.strides()[d]).collect();
    let inner_shape: Dims = dims.iter().map(|&d| shape[d]).collect();
    let inner_strides: Dims = dims.iter().map(|&d| t.strides()[d]).collect();
    let count: usize = inner_shape.iter().product();

    let out = Tensor::empty(&reduced_shape(shape, dims, keepdim), D::DTYPE)?;
    let outer = Plan::new(&outer_shape, [&outer_strides], [t.offset()]);
    let inner = Plan::new(&inner_shape, [&inner_strides], [0]);
    {
        let g = t.storage().read();
        let og = out.storage().write()?;
        let (p, op) = (g.ptr() as *const S, og.ptr() as *mut D);
        let mut k = 0usize;
        outer.for_each_row(|[base], len, [stride]| {
            for i in 0..len {
                let start = base + i * stride;
                let mut acc = init;
                // SAFETY: every offset comes from the tensor's layout, inside its storage.
                inner.for_each_row(|[o], n, s| acc = fold(acc, unsafe { p.add(start + o) }, n, s[0]));
                unsafe { *op.add(k) = finish(acc, count) };
                k += 1;
            }
        });
    }
    Ok(out)
}

/// Sum of a row in f64, in blocks with several accumulators (vectorises; error grows with the
/// number of blocks, not elements).
#[inline]
fn sum_row_f64<S: Element>(p: *const S, n: usize, stride: usize) -> f64 {
    if stride == 1 {
        // SAFETY: a contiguous row of n elements.
        let s = unsafe { std::slice::from_raw_parts(p, n) };
        let mut total = 0.0;
        for block in s.chunks(1024) {
            let mut acc = [0.0f64; 8];
            let mut it = block.chunks_exact(8);
            for c in &mut it {
                for j in 0..8 {
                    acc[j] += c[j].to_f64();
                }
            }
            let mut b: f64 = it.remainder().iter().map(|x| x.to_f64()).sum();
            b += acc.iter().sum::<f64>();
            total += b;
        }
        total
    } else {
        (0..n).map(|i| unsafe { (*p.add(i * stride)).to_f64() }).sum()
    }
}

#[inline]
fn sum_row_i64<S: Element>(p: *const S, n: usize, stride: usize) -> i64 {
    (0..n).fold(0i64, |a, i| a.wrapping_add(unsafe { (*p.add(i * stride)).to_i64() }))
}

/// The dtype `sum` returns by default: int64 for integers and bool, else the input dtype.
pub fn sum_dtype(d: DType) -> DType {
    if d.is_floating_point() {
        d
    } else {
        DType::Int64
    }
}

/// `torch.sum(t, dims, keepdim, dtype=)`.
pub fn sum(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let dims = reduced_dims(t.ndim(), dims)?;
    let out_dtype = dtype.unwrap_or(sum_dtype(t.dtype()));
    let t = if dtype.is_some() { t.to_dtype(out_dtype)? } else { t.clone() };
    crate::dispatch!(t.dtype(), S => {
        if out_dtype.is_floating_point() {
            crate::dispatch!(out_dtype, D => reduce_with::<S, f64, D>(&t, &dims, keepdim, 0.0,
                |a, p, n, s| a + sum_row_f64(p, n, s), |a, _| D::from_f64(a)))
        } else {
            crate::dispatch!(out_dtype, D => reduce_with::<S, i64, D>(&t, &dims, keepdim, 0,
                |a, p, n, s| a.wrapping_add(sum_row_i64(p, n, s)), |a, _| D::from_i64(a)))
        }
    })
}

/// `torch.mean`: floating inputs only, like torch.
pub fn mean(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let out_dtype = dtype.unwrap_or(t.dtype());
    if !out_dtype.is_floating_point() {
        return Err(crate::Error::runtime(format!(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
            out_dtype.scalar_type_name()
        )));
    }
    let dims = reduced_dims(t.ndim(), dims)?;
    let t = t.to_dtype(out_dtype)?;
    crate::dispatch!(out_dtype, S => reduce_with::<S, f64, S>(&t, &dims, keepdim, 0.0,
        |a, p, n, s| a + sum_row_f64(p, n, s),
        |a, count| S::from_f64(if count == 0 { f64::NAN } else { a / count as f64 })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sum_dims_and_keepdim() {
        let t = Tensor::from_vec((0..24).map(|x| x as f32).collect(), &[2, 3, 4]).unwrap();
        let s = sum(&t, Some(&[1]), false, None).unwrap();
        assert_eq!(s.shape(), &[2, 4]);
        assert_eq!(s.to_vec::<f32>().unwrap(), vec![12., 15., 18., 21., 48., 51., 54., 57.]);
        let s = sum(&t, Some(&[0, 2]), true, None).unwrap();
        assert_eq!(s.shape(), &[1, 3, 1]);
        assert_eq!(s.to_vec::<f32>().unwrap(), vec![60., 92., 124.]);
        let s = sum(&t.transpose(0, 2).unwrap(), None, false, None).unwrap();
        assert_eq!(s.to_vec::<f32>().unwrap(), vec![276.]);
    }

    #[test]
    fn sum_of_ten_million_ones_is_exact() {
        let t = Tensor::full(&[10_000_000], crate::scalar::Scalar::Float(1.0), DType::Float32).unwrap();
        assert_eq!(sum(&t, None, false, None).unwrap().to_vec::<f32>().unwrap(), vec![1e7]);
    }

    #[test]
    fn zero_dim_reduces_over_dim_zero() {
        let t = Tensor::scalar(crate::scalar::Scalar::Float(2.0), DType::Float32).unwrap();
        let s = sum(&t, Some(&[0]), true, None).unwrap();
        assert_eq!(s.shape(), &[] as &[usize]);
        assert_eq!(s.to_vec::<f32>().unwrap(), vec![2.0]);
    }

    #[test]
    fn int_sum_is_int64() {
        let t = Tensor::from_vec(vec![true, true, false], &[3]).unwrap();
        let s = sum(&t, None, false, None).unwrap();
        assert_eq!(s.dtype(), DType::Int64);
        assert_eq!(s.to_vec::<i64>().unwrap(), vec![2]);
    }
}
