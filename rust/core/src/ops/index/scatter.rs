//! gather / scatter along one dim (`torch.gather`, `scatter_`, `scatter_add_`,
//! `scatter_reduce_`): the index tensor has the data's number of dims and addresses `dim`; every
//! other dim of the walk is the index's own.

use super::check::{check_range, long_index};
use super::walk::{dims1, gather_walk, scatter_walk, with_zero, Combine, Values, Walk};
use crate::bail;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::scalar::Scalar;
use crate::shape::{self, normalize_dim};
use crate::tensor::Tensor;

/// The walk of gather/scatter along `dim` over `index`'s shape.
fn dim_walk(t: &Tensor, dim: usize, index: &Tensor) -> Walk {
    let (tshape, tstrides) = dims1(t);
    let (ishape, istrides) = dims1(index);
    Walk {
        shape: ishape,
        data_strides: with_zero(&tstrides, dim),
        data_offset: t.offset(),
        idx: index.clone(),
        idx_strides: istrides,
        mult: tstrides[dim],
        size: tshape[dim] as i64,
    }
}

/// `torch.gather(self, dim, index)`.
pub fn gather(t: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    let dim = normalize_dim(dim, t.ndim())?;
    if index.numel() == 0 {
        // torch checks neither the dtype nor the shape of an empty index
        return Tensor::empty_on(index.shape(), t.dtype(), crate::Device::common([t, index])?);
    }
    let index = long_index(index, true, || "gather(): Expected dtype int32/int64 for index".into())?;
    if index.ndim().max(1) != t.ndim().max(1) {
        return Err(Error::runtime("Index tensor must have the same number of dimensions as input tensor"));
    }
    let ((ts, _), (is, _)) = (dims1(t), dims1(&index));
    if index.numel() > 0 {
        for d in 0..ts.len() {
            if d != dim && is[d] > ts[d] {
                return Err(Error::runtime(format!(
                    "Size does not match at dimension {d} expected index {} to be no larger than self {} apart from dimension {dim}",
                    shape::fmt_list(index.shape()), shape::fmt_list(t.shape())
                )));
            }
        }
    }
    check_range(&index, dim, ts[dim], false, false)?;
    let out = gather_walk(t, &dim_walk(t, dim, &index))?;
    Ok(out.with_layout(Layout::contiguous(index.shape())))
}

/// The reduction of `scatter`/`scatter_reduce`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScatterReduce {
    Sum,
    Prod,
    Mean,
    Amax,
    Amin,
}

impl ScatterReduce {
    /// `scatter_reduce`'s names.
    pub fn parse(name: &str) -> Result<ScatterReduce> {
        Ok(match name {
            "sum" => ScatterReduce::Sum,
            "prod" => ScatterReduce::Prod,
            "mean" => ScatterReduce::Mean,
            // torch takes max/min for amax/amin too
            "amax" | "max" => ScatterReduce::Amax,
            "amin" | "min" => ScatterReduce::Amin,
            _ => bail!("reduce argument must be either sum, prod, mean, amax or amin, got {name}"),
        })
    }

    /// The deprecated `scatter(..., reduce=)` names.
    pub fn parse_legacy(name: &str) -> Result<ScatterReduce> {
        Ok(match name {
            "add" => ScatterReduce::Sum,
            "multiply" => ScatterReduce::Prod,
            _ => bail!("reduce argument must be either add or multiply."),
        })
    }

    fn combine(self) -> Combine {
        match self {
            ScatterReduce::Sum | ScatterReduce::Mean => Combine::Add,
            ScatterReduce::Prod => Combine::Mul,
            ScatterReduce::Amax => Combine::Max,
            ScatterReduce::Amin => Combine::Min,
        }
    }
}

/// The source of a scatter: a tensor or a scalar value.
pub enum ScatterSrc<'a> {
    Tensor(&'a Tensor),
    Value(Scalar),
}

/// `self.scatter_(dim, index, src|value, reduce=None)`, `scatter_add_` (reduce Sum) and
/// `scatter_reduce_` (with `include_self`), in place.
pub fn scatter_(t: &Tensor, dim: i64, index: &Tensor, src: ScatterSrc, reduce: Option<ScatterReduce>, include_self: bool) -> Result<()> {
    scatter_parsed_(t, dim, index, src, Ok(reduce), include_self)
}

/// `scatter_` with the reduction as parsed from its name: a bad name is reported after the
/// checks of the operands, where torch reports it.
pub fn scatter_parsed_(t: &Tensor, dim: i64, index: &Tensor, src: ScatterSrc, reduce: Result<Option<ScatterReduce>>, include_self: bool) -> Result<()> {
    t.check_no_internal_overlap()?;
    let dim = normalize_dim(dim, t.ndim())?;
    // torch checks neither the dtype nor the shape of an empty index (nothing is written)
    let index = if index.numel() == 0 {
        None
    } else {
        Some(long_index(index, true, || "scatter(): Expected dtype int32/int64 for index".into())?)
    };
    if let ScatterSrc::Tensor(s) = src {
        if s.dtype() != t.dtype() {
            bail!("scatter(): Expected self.dtype to be equal to src.dtype");
        }
    }
    let Some(index) = index else {
        reduce?;
        return Ok(());
    };
    if index.ndim().max(1) != t.ndim().max(1) {
        bail!("Index tensor must have the same number of dimensions as self tensor");
    }
    let ((ts, _), (is, _)) = (dims1(t), dims1(&index));
    if let ScatterSrc::Tensor(s) = src {
        if s.ndim().max(1) != t.ndim().max(1) {
            bail!("Index tensor must have the same number of dimensions as src tensor");
        }
        let (ss, _) = dims1(s);
        if index.numel() > 0 && (0..ts.len()).any(|d| (d != dim && is[d] > ts[d]) || is[d] > ss[d]) {
            bail!(
                "Expected index {} to be no larger than self {} apart from dimension {dim} and to be no larger size than src {}",
                shape::fmt_list(index.shape()), shape::fmt_list(t.shape()), shape::fmt_list(s.shape())
            );
        }
    } else if index.numel() > 0 && (0..ts.len()).any(|d| d != dim && is[d] > ts[d]) {
        bail!(
            "Expected index {} to be no larger than self {} apart from dimension {dim}",
            shape::fmt_list(index.shape()), shape::fmt_list(t.shape())
        );
    }
    let reduce = reduce?;
    check_range(&index, dim, ts[dim], false, false)?;
    if let ScatterSrc::Value(v) = src {
        v.check_fits(t.dtype())?;
    }
    if reduce == Some(ScatterReduce::Mean) && t.dtype() == DType::Bool {
        return Err(Error::unsupported("scatter_gather_tensor_cpu_reduce_mean", DType::Bool));
    }
    let walk = dim_walk(t, dim, &index);
    // the source is read at index positions: its own strides over the index's shape
    let src_view;
    let values = match src {
        ScatterSrc::Tensor(s) => {
            let (_, sstr) = dims1(s);
            src_view = s.with_layout(Layout::new(walk.shape.clone(), sstr, s.offset()));
            Values::Tensor(&src_view)
        }
        ScatterSrc::Value(v) => Values::Scalar(v),
    };
    let Some(red) = reduce else {
        return scatter_walk(t, &walk, values, Combine::Assign, None);
    };
    scatter_reduce_walk(t, &walk, values, red, include_self)
}

/// A reducing scatter: reset the touched elements when `include_self` is false, combine, and
/// divide by the hit counts for mean (floor division for integers, like torch).
fn scatter_reduce_walk(t: &Tensor, walk: &Walk, values: Values, red: ScatterReduce, include_self: bool) -> Result<()> {
    let how = red.combine();
    if !include_self {
        let reset = crate::dispatch!(t.dtype(), T => Scalar::from_element::<T>(how.identity::<T>()));
        scatter_walk(t, walk, Values::Scalar(reset), Combine::Assign, None)?;
    }
    if red != ScatterReduce::Mean || t.is_meta() {
        // (meta: no counts to divide by, nothing is written)
        return scatter_walk(t, walk, values, how, None);
    }
    let n = t.storage().nbytes() / t.dtype().itemsize();
    let mut count = vec![0u32; n];
    scatter_walk(t, walk, values, how, Some(&mut count))?;
    let g = t.storage().write()?;
    crate::dispatch!(t.dtype(), T => {
        let p = g.ptr() as *mut T;
        for (at, &c) in count.iter().enumerate() {
            if c > 0 {
                let c = c as f64 + include_self as u8 as f64;
                // SAFETY: `at` is an element of the storage (it was written above).
                unsafe {
                    let v = (*p.add(at)).to_f64() / c;
                    *p.add(at) = T::from_f64(if T::DTYPE.is_floating_point() { v } else { v.floor() });
                }
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Device;

    fn t(v: &[f32], s: &[usize]) -> Tensor {
        Tensor::from_slice(v, s).unwrap()
    }
    fn ix(v: &[i64], s: &[usize]) -> Tensor {
        Tensor::from_slice(v, s).unwrap()
    }

    #[test]
    fn gather_and_bounds() {
        let x = t(&[0., 1., 2., 3., 4., 5.], &[2, 3]);
        let g = gather(&x, 1, &ix(&[2, 0, 1, 1], &[2, 2])).unwrap();
        assert_eq!(g.to_vec::<f32>().unwrap(), vec![2., 0., 4., 4.]);
        let e = gather(&x, 1, &ix(&[3], &[1, 1])).unwrap_err();
        assert_eq!(e.to_string(), "index 3 is out of bounds for dimension 1 with size 3");
    }

    #[test]
    fn scatter_reduce_mean_floors_ints() {
        let x = Tensor::from_vec(vec![1i64, 2, 3], &[3]).unwrap();
        let src = Tensor::from_vec(vec![4i64, 5, -7], &[3]).unwrap();
        scatter_(&x, 0, &ix(&[0, 0, 1], &[3]), ScatterSrc::Tensor(&src), Some(ScatterReduce::Mean), true).unwrap();
        assert_eq!(x.to_vec::<i64>().unwrap(), vec![3, -3, 3]);
    }

    #[test]
    fn scatter_reduce_mean_on_meta_checks_shapes_only() {
        let meta = |s: &[usize], d| Tensor::empty_on(s, d, Device::Meta).unwrap();
        let x = meta(&[3, 4], DType::Float32);
        let (i, s) = (meta(&[2, 4], DType::Int64), meta(&[2, 4], DType::Float32));
        scatter_(&x, 0, &i, ScatterSrc::Tensor(&s), Some(ScatterReduce::Mean), false).unwrap();
        let e = scatter_(&x, 0, &meta(&[4, 4], DType::Int64), ScatterSrc::Tensor(&s), Some(ScatterReduce::Mean), true).unwrap_err();
        assert!(e.to_string().starts_with("Expected index [4, 4] to be no larger"), "{e}");
        // one device for all operands, as torch
        let e = scatter_(&x, 0, &ix(&[0, 1, 2, 0], &[1, 4]), ScatterSrc::Tensor(&s), None, true).unwrap_err();
        assert!(e.to_string().starts_with("Expected all tensors to be on the same device"), "{e}");
    }
}
