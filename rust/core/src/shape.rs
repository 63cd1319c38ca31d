//! Shape arithmetic shared by layouts and ops: dimension wrapping, contiguous strides,
//! element counts, broadcasting and `-1` inference, each with PyTorch's checks and messages.

use crate::error::{Error, Result};
use smallvec::SmallVec;
use std::fmt::Display;

/// A shape or stride vector. Six dims fit inline, so typical tensors never allocate for them.
pub type Dims = SmallVec<[usize; 6]>;

/// Formats a list like torch's `IntArrayRef` printing: `[2, 5]`.
pub(crate) fn fmt_list<T: Display>(items: &[T]) -> String {
    let parts: Vec<String> = items.iter().map(|x| x.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// Wraps a possibly negative `dim` into `0..ndim` (torch's `maybe_wrap_dim`).
///
/// A 0-dim tensor accepts `-1` and `0`, as torch treats it as 1-dim for this purpose.
pub fn normalize_dim(dim: i64, ndim: usize) -> Result<usize> {
    let n = ndim.max(1) as i64;
    if dim < -n || dim >= n {
        return Err(Error::DimOutOfRange {
            dim,
            lo: -n,
            hi: n - 1,
        });
    }
    Ok(if dim < 0 { dim + n } else { dim } as usize)
}

/// Wraps every dim of a list and rejects repeats (torch's `dim_list_to_bitset`).
pub fn normalize_dims(dims: &[i64], ndim: usize) -> Result<Dims> {
    let mut out = Dims::with_capacity(dims.len());
    for &d in dims {
        let d = normalize_dim(d, ndim)?;
        if out.contains(&d) {
            return Err(Error::runtime(format!(
                "dim {d} appears multiple times in the list of dims"
            )));
        }
        out.push(d);
    }
    Ok(out)
}

/// Row-major strides for `shape`. Like torch, a size-0 dim counts as 1, so strides stay
/// meaningful (and equal torch's) for empty tensors.
pub fn contiguous_strides(shape: &[usize]) -> Dims {
    let mut strides: Dims = SmallVec::from_elem(1, shape.len());
    for d in (0..shape.len().saturating_sub(1)).rev() {
        strides[d] = strides[d + 1] * shape[d + 1].max(1);
    }
    strides
}

/// The number of elements of a shape known to be valid (built through checked paths).
pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// The number of elements, failing like torch when it exceeds `i64::MAX`.
/// Use it on shapes that come from users.
pub fn checked_numel(shape: &[usize]) -> Result<usize> {
    if shape.contains(&0) {
        return Ok(0);
    }
    shape
        .iter()
        .try_fold(1usize, |acc, &s| {
            acc.checked_mul(s).filter(|&p| p <= i64::MAX as usize)
        })
        .ok_or_else(|| Error::runtime("numel: integer multiplication overflow"))
}

/// The broadcast shape of `a` and `b` (torch's `infer_size`). The error's `dim` counts from
/// the left of the result, as torch reports it.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Dims> {
    let n = a.len().max(b.len());
    let mut out: Dims = SmallVec::from_elem(0, n);
    // From the last dim back, as torch's infer_size: a mismatch names the rightmost such dim.
    for i in (0..n).rev() {
        // Align from the right; missing leading dims act as size 1.
        let size_a = (i + a.len()).checked_sub(n).map_or(1, |j| a[j]);
        let size_b = (i + b.len()).checked_sub(n).map_or(1, |j| b[j]);
        if size_a != size_b && size_a != 1 && size_b != 1 {
            return Err(Error::BroadcastMismatch {
                a: size_a,
                b: size_b,
                dim: i,
            });
        }
        out[i] = if size_a == 1 { size_b } else { size_a };
    }
    Ok(out)
}

/// The broadcast shape of several shapes, folded left to right (an empty list gives `[]`).
pub fn broadcast_shapes_many(shapes: &[&[usize]]) -> Result<Dims> {
    shapes
        .iter()
        .try_fold(Dims::new(), |acc, s| broadcast_shapes(&acc, s))
}

/// Resolves a `view`/`reshape` target with at most one `-1` against `numel` elements
/// (torch's `infer_size`).
pub fn infer_size(shape: &[i64], numel: usize) -> Result<Dims> {
    let invalid = || {
        Error::runtime(format!(
            "shape '{}' is invalid for input of size {numel}",
            fmt_list(shape)
        ))
    };
    let mut infer_dim = None;
    // `None` once the product of the known sizes overflows: it then cannot match `numel`.
    let mut known: Option<usize> = Some(1);
    for (i, &s) in shape.iter().enumerate() {
        if s == -1 {
            if infer_dim.is_some() {
                return Err(Error::runtime("only one dimension can be inferred"));
            }
            infer_dim = Some(i);
        } else if s >= 0 {
            known = known.and_then(|k| k.checked_mul(s as usize));
        } else {
            return Err(Error::runtime(format!(
                "invalid shape dimension {s} at index {i} of shape {}",
                fmt_list(shape)
            )));
        }
    }
    let known = known.ok_or_else(invalid)?;
    let fits = numel == known || (infer_dim.is_some() && known > 0 && numel % known == 0);
    if !fits {
        return Err(invalid());
    }
    let mut out: Dims = shape.iter().map(|&s| s.max(0) as usize).collect();
    if let Some(i) = infer_dim {
        if known == 0 {
            return Err(Error::runtime(format!(
                "cannot reshape tensor of 0 elements into shape {} because the unspecified dimension size -1 can be any value and is ambiguous",
                fmt_list(shape)
            )));
        }
        out[i] = numel / known;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg<T: std::fmt::Debug>(r: Result<T>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn wraps_dims() {
        assert_eq!(normalize_dim(-1, 3).unwrap(), 2);
        assert_eq!(normalize_dim(0, 0).unwrap(), 0);
        assert_eq!(normalize_dim(-1, 0).unwrap(), 0);
        assert_eq!(
            msg(normalize_dim(2, 2)),
            "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
        );
        assert_eq!(
            normalize_dim(1, 0).unwrap_err(),
            Error::DimOutOfRange {
                dim: 1,
                lo: -1,
                hi: 0
            }
        );
        assert_eq!(normalize_dims(&[0, -1], 3).unwrap().as_slice(), &[0, 2]);
        assert_eq!(
            msg(normalize_dims(&[1, -1], 2)),
            "dim 1 appears multiple times in the list of dims"
        );
    }

    #[test]
    fn strides_and_numel() {
        assert_eq!(contiguous_strides(&[2, 3, 4]).as_slice(), &[12, 4, 1]);
        assert_eq!(contiguous_strides(&[2, 0, 3]).as_slice(), &[3, 3, 1]);
        assert!(contiguous_strides(&[]).is_empty());
        assert_eq!(numel(&[]), 1);
        assert_eq!(numel(&[2, 0]), 0);
        assert_eq!(
            checked_numel(&[1 << 62, 4]).unwrap_err().to_string(),
            "numel: integer multiplication overflow"
        );
        assert_eq!(checked_numel(&[1 << 62, 4, 0]).unwrap(), 0);
        assert_eq!(checked_numel(&[3, 4]).unwrap(), 12);
    }

    #[test]
    fn broadcasting() {
        assert_eq!(broadcast_shapes(&[2, 1], &[3]).unwrap().as_slice(), &[2, 3]);
        assert_eq!(broadcast_shapes(&[0, 1], &[3]).unwrap().as_slice(), &[0, 3]);
        assert_eq!(
            broadcast_shapes(&[], &[]).unwrap().as_slice(),
            &[] as &[usize]
        );
        assert_eq!(
            msg(broadcast_shapes(&[2, 3], &[5, 2, 4])),
            "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 2"
        );
        assert_eq!(msg(broadcast_shapes(&[0], &[3])), "The size of tensor a (0) must match the size of tensor b (3) at non-singleton dimension 0");
        assert_eq!(
            broadcast_shapes_many(&[&[4, 1], &[1, 5], &[3, 1, 1]])
                .unwrap()
                .as_slice(),
            &[3, 4, 5]
        );
        assert!(broadcast_shapes_many(&[]).unwrap().is_empty());
    }

    #[test]
    fn infers_sizes() {
        assert_eq!(infer_size(&[2, -1], 6).unwrap().as_slice(), &[2, 3]);
        assert_eq!(infer_size(&[2, -1], 0).unwrap().as_slice(), &[2, 0]);
        assert_eq!(infer_size(&[], 1).unwrap().as_slice(), &[] as &[usize]);
        assert_eq!(
            msg(infer_size(&[2, -1, -1], 6)),
            "only one dimension can be inferred"
        );
        assert_eq!(
            msg(infer_size(&[2, 5], 6)),
            "shape '[2, 5]' is invalid for input of size 6"
        );
        assert_eq!(
            msg(infer_size(&[-1, 4], 6)),
            "shape '[-1, 4]' is invalid for input of size 6"
        );
        assert_eq!(
            msg(infer_size(&[0, -1], 6)),
            "shape '[0, -1]' is invalid for input of size 6"
        );
        assert_eq!(
            msg(infer_size(&[2], 1)),
            "shape '[2]' is invalid for input of size 1"
        );
        assert_eq!(
            msg(infer_size(&[2, -2], 6)),
            "invalid shape dimension -2 at index 1 of shape [2, -2]"
        );
        assert_eq!(
            msg(infer_size(&[-1, 0], 0)),
            "cannot reshape tensor of 0 elements into shape [-1, 0] because the unspecified dimension size -1 can be any value and is ambiguous"
        );
        assert_eq!(
            msg(infer_size(&[1 << 62, 4, -1], 8)),
            "shape '[4611686018427387904, 4, -1]' is invalid for input of size 8"
        );
    }
}
