//! Index generators: `torch.cartesian_prod`, `torch.combinations`, `torch.tril_indices` and
//! `torch.triu_indices`.

use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::shape::fmt_list;
use crate::tensor::Tensor;

fn check_1d(t: &Tensor) -> Result<()> {
    if t.ndim() != 1 {
        return Err(Error::runtime(format!("Expect a 1D vector, but got shape {}", fmt_list(t.shape()))));
    }
    Ok(())
}

/// Rows of `idx` (`width` > 0 indices each) into the 1-D `t`, as a `[rows, width]` tensor of its values.
fn take_rows(t: &Tensor, idx: &[usize], width: usize) -> Result<Tensor> {
    crate::dispatch!(t.dtype(), T => {
        let v = t.to_vec::<T>()?;
        Tensor::from_vec(idx.iter().map(|&i| v[i]).collect::<Vec<T>>(), &[idx.len() / width, width])
    })
}

/// `torch.cartesian_prod(*tensors)` of two or more 1-D tensors of one dtype: a
/// `[prod(len), k]` tensor, the last tensor varying fastest.
pub fn cartesian_prod(tensors: &[Tensor]) -> Result<Tensor> {
    for t in tensors {
        check_1d(t)?;
    }
    if tensors.windows(2).any(|w| w[0].dtype() != w[1].dtype()) {
        return Err(Error::runtime("meshgrid expects all tensors to have the same dtype"));
    }
    let k = tensors.len();
    let sizes: Vec<usize> = tensors.iter().map(|t| t.numel()).collect();
    let rows: usize = sizes.iter().product();
    let dtype = tensors.first().map_or(DType::Float32, |t| t.dtype());
    let out = Tensor::empty_on(&[rows, k], dtype, crate::Device::common(tensors.iter())?)?;
    if out.is_meta() {
        return Ok(out);
    }
    for (j, t) in tensors.iter().enumerate() {
        // column j repeats each element of tensor j `inner` times, the whole `rows / (n * inner)` times
        let inner: usize = sizes[j + 1..].iter().product();
        let col = out.select(1, j as i64)?;
        let src = t.reshape(&[1, sizes[j] as i64, 1])?.expand(&[(rows / (sizes[j] * inner).max(1)) as i64, sizes[j] as i64, inner as i64])?;
        col.reshape(&[-1])?.copy_(&src.reshape(&[-1])?)?;
    }
    Ok(out)
}

/// The index rows of `torch.combinations` of `n` elements taken `r` at a time (nondecreasing
/// with replacement, else increasing), in lexicographic order, flattened.
pub fn combination_indices(n: usize, r: usize, with_replacement: bool) -> Vec<usize> {
    let mut out = Vec::new();
    if r == 0 || (!with_replacement && r > n) || n == 0 {
        return out;
    }
    let mut c: Vec<usize> = if with_replacement { vec![0; r] } else { (0..r).collect() };
    loop {
        out.extend_from_slice(&c);
        // advance the rightmost index that can still grow, reset those after it
        let limit = |i: usize| if with_replacement { n - 1 } else { n - r + i };
        let Some(i) = (0..r).rev().find(|&i| c[i] < limit(i)) else { return out };
        c[i] += 1;
        for j in i + 1..r {
            c[j] = if with_replacement { c[i] } else { c[j - 1] + 1 };
        }
    }
}

/// `torch.combinations(t, r, with_replacement)` of a 1-D tensor: `[C, r]` (a 1-D empty tensor
/// when r == 0).
pub fn combinations(t: &Tensor, r: i64, with_replacement: bool) -> Result<Tensor> {
    check_1d(t)?;
    if r < 0 {
        return Err(Error::runtime(format!("Expect a non-negative number, but got {r}")));
    }
    if r == 0 {
        return Tensor::empty(&[0], t.dtype());
    }
    let idx = combination_indices(t.numel(), r as usize, with_replacement);
    if t.is_meta() {
        return Tensor::empty_on(&[idx.len() / r as usize, r as usize], t.dtype(), t.device());
    }
    take_rows(t, &idx, r as usize)
}

/// `torch.tril_indices(row, col, offset)` (or triu with `upper`): a `[2, N]` tensor of the
/// coordinates of the lower (upper) triangle, row by row.
pub fn tri_indices(row: i64, col: i64, offset: i64, dtype: DType, upper: bool) -> Result<Tensor> {
    let name = if upper { "triu_indices" } else { "tril_indices" };
    if !dtype.is_integral(false) {
        return Err(Error::unsupported(name, dtype));
    }
    if row < 0 {
        return Err(Error::runtime(format!("row must be non-negative, got{row}")));
    }
    if col < 0 {
        return Err(Error::runtime(format!("col must be non-negative, got{col}")));
    }
    let (mut rows, mut cols) = (Vec::new(), Vec::new());
    for i in 0..row {
        let (lo, hi) = if upper { ((i + offset).max(0), col) } else { (0, (i + offset + 1).min(col)) };
        for j in lo..hi {
            rows.push(i);
            cols.push(j);
        }
    }
    let n = rows.len();
    rows.extend(cols);
    crate::dispatch!(dtype, T => Tensor::from_vec(rows.into_iter().map(T::from_i64).collect::<Vec<T>>(), &[2, n]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators() {
        assert_eq!(combination_indices(4, 2, false), vec![0, 1, 0, 2, 0, 3, 1, 2, 1, 3, 2, 3]);
        assert_eq!(combination_indices(3, 2, true), vec![0, 0, 0, 1, 0, 2, 1, 1, 1, 2, 2, 2]);
        let t = tri_indices(4, 3, 1, DType::Int64, false).unwrap();
        assert_eq!(t.to_vec::<i64>().unwrap(), vec![0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 0, 1, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
        let a = Tensor::from_vec(vec![1i64, 2, 3], &[3]).unwrap();
        let b = Tensor::from_vec(vec![4i64, 5], &[2]).unwrap();
        let p = cartesian_prod(&[a, b]).unwrap();
        assert_eq!(p.to_vec::<i64>().unwrap(), vec![1, 4, 1, 5, 2, 4, 2, 5, 3, 4, 3, 5]);
    }
}
