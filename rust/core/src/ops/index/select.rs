//! The index_* ops along one dim: `index_select`, `index_add_` (with alpha), `index_copy_`,
//! `index_fill_`. A 1-D (or 0-dim) index picks positions along `dim`; the value tensor has the
//! data's shape with `dim` resized to the number of indices.

use super::check::{check_range, first_out_of_range, long_index};
use super::walk::{dims1, gather_walk, scatter_walk, with_zero, Combine, Values, Walk};
use crate::bail;
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::scalar::Scalar;
use crate::shape::{self, normalize_dim, Dims};
use crate::tensor::Tensor;

/// The walk of the index_* ops: `index` (1-D) picks positions along `dim` of `t`, for a value
/// tensor shaped like `t` with `dim` resized to the number of indices.
fn select_walk(t: &Tensor, dim: usize, index: &Tensor) -> Walk {
    let (tshape, tstrides) = dims1(t);
    let mut shape = tshape.clone();
    shape[dim] = index.numel();
    let mut idx_strides = Dims::from_elem(0, shape.len());
    idx_strides[dim] = if index.ndim() == 0 { 0 } else { index.strides()[0] };
    Walk {
        shape,
        data_strides: with_zero(&tstrides, dim),
        data_offset: t.offset(),
        idx: index.clone(),
        idx_strides,
        mult: tstrides[dim],
        size: tshape[dim] as i64,
    }
}

/// `torch.index_select(self, dim, index)`.
pub fn index_select(t: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    let dim = normalize_dim(dim, t.ndim())?;
    if index.ndim() > 1 {
        return Err(Error::index("index_select(): Index is supposed to be a vector"));
    }
    let index = long_index(index, true, || "index_select(): Expected dtype int32 or int64 for index".into())?;
    if first_out_of_range(&index, dims1(t).0[dim], false)?.is_some() {
        return Err(Error::index("index out of range in self"));
    }
    let out = gather_walk(t, &select_walk(t, dim, &index))?;
    if t.ndim() == 0 && out.numel() == 1 {
        return Ok(out.with_layout(Layout::contiguous(&[])));
    }
    Ok(out)
}

/// The value tensor of an index_* op, checked against the walk's shape.
fn index_source(op: &str, t: &Tensor, dim: usize, index: &Tensor, source: &Tensor, walk: &Walk) -> Result<Tensor> {
    let (ss, sstr) = dims1(source);
    let n = index.numel();
    if ss.len() != walk.shape.len() || ss[dim] != n {
        bail!(
            "{op}(): Number of indices ({n}) should be equal to source.size(dim): ({}), for dim: {dim}",
            ss.get(dim).copied().unwrap_or(0)
        );
    }
    if ss != walk.shape {
        bail!(
            "{op}(): Source/destination tensor must have same slice shapes. Destination slice shape: {} at dimension {dim} and source slice shape: {} at dimension 0.",
            shape::fmt_list(t.shape()), shape::fmt_list(source.shape())
        );
    }
    Ok(source.with_layout(Layout::new(ss, sstr, source.offset())))
}

/// `self.index_add_(dim, index, source, alpha=)`: `self[.., index[i], ..] += alpha * source[.., i, ..]`.
/// The kernel multiplies each source element by alpha as it reads it, in self's dtype (alpha
/// must be integral for integral tensors), so no scaled copy of the source is made.
pub fn index_add_(t: &Tensor, dim: i64, index: &Tensor, source: &Tensor, alpha: Scalar) -> Result<()> {
    let scale = alpha.to_f64() != 1.0;
    if scale && !t.dtype().is_floating_point() && matches!(alpha, Scalar::Float(_)) {
        bail!("For integral input tensors, argument alpha must not be a floating point number.");
    }
    index_along_(t, dim, index, source, Along::Add(scale.then_some(alpha)))
}

/// `self.index_copy_(dim, index, source)`.
pub fn index_copy_(t: &Tensor, dim: i64, index: &Tensor, source: &Tensor) -> Result<()> {
    index_along_(t, dim, index, source, Along::Copy)
}

/// What `index_along_` does with the source's rows: add them (times a factor, None for 1) or
/// copy them.
#[derive(Clone, Copy)]
enum Along {
    Add(Option<Scalar>),
    Copy,
}

/// index_add_ / index_copy_, with torch's checks (their wording differs between the two).
fn index_along_(t: &Tensor, dim: i64, index: &Tensor, source: &Tensor, how: Along) -> Result<()> {
    let (op, accumulate) = match how {
        Along::Add(_) => ("index_add_", true),
        Along::Copy => ("index_copy_", false),
    };
    t.check_no_internal_overlap()?;
    let dim = normalize_dim(dim, t.ndim())?;
    let given = index;
    let index = if accumulate {
        long_index(index, true, || format!("{op}(): Expected dtype int32/int64 for index but got: {}", index.dtype()))?
    } else {
        long_index(index, false, || format!("{op}(): Expected a long tensor for index, but got {}", index.dtype()))?
    };
    if index.ndim() > 1 {
        return Err(Error::index(if accumulate {
            format!("{op}(): Index is supposed to be a vector, but got dim: {} with type: {} and size: {}", index.ndim(), given.dtype().scalar_type_name(), shape::fmt_list(given.shape()))
        } else {
            format!("{op}(): Index should have dimension 1 or 0 (got {})", index.ndim())
        }));
    }
    if !accumulate && source.ndim() != 0 && t.ndim() != 0 && source.ndim() != t.ndim() {
        return Err(Error::index(format!(
            "{op}(): When source and destination are not scalars, their dimensionality must match. Source dimensionality ({}), destination dimensionality ({})",
            source.ndim(),
            t.ndim()
        )));
    }
    if source.dtype() != t.dtype() {
        bail!("{op}(): self ({}) and source ({}) must have the same scalar type", t.dtype(), source.dtype());
    }
    let walk = select_walk(t, dim, &index);
    let src = index_source(op, t, dim, &index, source, &walk)?;
    let size = walk.size as usize;
    if let Some(v) = first_out_of_range(&index, size, false)? {
        return Err(if accumulate {
            Error::runtime(format!("index {v} is out of bounds for dimension {dim} with size {size}"))
        } else {
            Error::index(format!("{op}(): index {v} is out of bounds for dimension {dim} with size {size}"))
        });
    }
    let (values, combine) = match how {
        Along::Add(Some(alpha)) => (Values::Scaled(&src, alpha), Combine::Add),
        Along::Add(None) => (Values::Tensor(&src), Combine::Add),
        Along::Copy => (Values::Tensor(&src), Combine::Assign),
    };
    scatter_walk(t, &walk, values, combine, None)
}

/// `self.index_fill_(dim, index, value)`.
pub fn index_fill_(t: &Tensor, dim: i64, index: &Tensor, value: Scalar) -> Result<()> {
    let dim = normalize_dim(dim, t.ndim())?;
    value.check_fits(t.dtype())?;
    let index = long_index(index, false, String::new).map_err(|_| Error::index("index_fill_(): Expected dtype int64 for index."))?;
    if index.ndim() > 1 {
        bail!("Index has to be a vector/scalar");
    }
    let walk = select_walk(t, dim, &index);
    check_range(&index, dim, walk.size as usize, true, true)?;
    scatter_walk(t, &walk, Values::Scalar(value), Combine::Assign, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType;

    #[test]
    fn index_add_scales_by_alpha_in_place() {
        let x = Tensor::from_vec(vec![1.0f32; 6], &[3, 2]).unwrap();
        let src = Tensor::from_vec(vec![1.0f32, 2., 3., 4.], &[2, 2]).unwrap();
        let i = Tensor::from_vec(vec![2i64, 0], &[2]).unwrap();
        index_add_(&x, 0, &i, &src, Scalar::Float(-0.5)).unwrap();
        assert_eq!(x.to_vec::<f32>().unwrap(), vec![-0.5, -1., 1., 1., 0.5, 0.]);
        // integers wrap like torch's `source * alpha`; a float alpha is refused
        let y = Tensor::from_vec(vec![0i8; 2], &[2]).unwrap();
        let s8 = Tensor::from_vec(vec![100i8, 1], &[2]).unwrap();
        index_add_(&y, 0, &Tensor::from_vec(vec![0i64, 1], &[2]).unwrap(), &s8, Scalar::Int(3)).unwrap();
        assert_eq!(y.to_vec::<i8>().unwrap(), vec![44, 3]);
        let e = index_add_(&y, 0, &i, &s8, Scalar::Float(2.0)).unwrap_err();
        assert_eq!(e.to_string(), "For integral input tensors, argument alpha must not be a floating point number.");
        assert!(index_add_(&y, 0, &Tensor::from_vec(vec![1i64], &[1]).unwrap(), &Tensor::from_vec(vec![5i8], &[1]).unwrap(), Scalar::Float(1.0)).is_ok());
        assert_eq!(y.dtype(), DType::Int8);
    }
}
