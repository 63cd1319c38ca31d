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
pub fn combination_indices(n: usize, r: usize, with_replacement: bool) -> Result<Vec<usize>> {
    if r == 0 || (!with_replacement && r > n) || n == 0 {
        return Ok(Vec::new());
    }
    // C(n, r) or C(n + r - 1, r) rows of r, counted first so an absurd count fails before
    // anything grows (torch sizes its index tensors up front too)
    let top = if with_replacement { n + r - 1 } else { n };
    let rows = (0..r).try_fold(1u128, |acc, i| acc.checked_mul((top - i) as u128).map(|v| v / (i as u128 + 1)));
    let len = rows.and_then(|c| c.checked_mul(r as u128)).and_then(|l| usize::try_from(l).ok());
    let len = len.ok_or_else(|| Error::runtime(format!("Storage size calculation overflowed with sizes=[{}]", rows.unwrap_or(u128::MAX))))?;
    let mut out = crate::allocator::try_with_capacity(len)?;
    let mut c: Vec<usize> = if with_replacement { vec![0; r] } else { (0..r).collect() };
    loop {
        out.extend_from_slice(&c);
        // advance the rightmost index that can still grow, reset those after it
        let limit = |i: usize| if with_replacement { n - 1 } else { n - r + i };
        let Some(i) = (0..r).rev().find(|&i| c[i] < limit(i)) else { return Ok(out) };
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
    let idx = combination_indices(t.numel(), r as usize, with_replacement)?;
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
    // the count first (closed form, in i128), so an absurd triangle fails before allocating
    let n = if upper { row as i128 * col as i128 - sum_clamp(row, offset, col) } else { sum_clamp(row, offset as i128 + 1, col) };
    let n = usize::try_from(n).map_err(|_| Error::runtime(format!("Storage size calculation overflowed with sizes=[2, {n}]")))?;
    crate::allocator::storage_bytes(n.checked_mul(2), dtype.itemsize(), &[2, n], None)?;
    let (mut rows, mut cols) = (crate::allocator::try_with_capacity(2 * n)?, crate::allocator::try_with_capacity(n)?);
    // only the rows that hold entries (each holds at least one, so at most n of them)
    let (first, last) = if col == 0 {
        (0, 0)
    } else if upper {
        (0, (col as i128 - offset as i128).clamp(0, row as i128) as i64)
    } else {
        ((-(offset as i128)).clamp(0, row as i128) as i64, row)
    };
    for i in first..last {
        let (lo, hi) = if upper { (i.saturating_add(offset).max(0), col) } else { (0, i.saturating_add(offset).saturating_add(1).min(col)) };
        for j in lo..hi {
            rows.push(i);
            cols.push(j);
        }
    }
    debug_assert_eq!(rows.len(), n);
    rows.extend(cols);
    crate::dispatch!(dtype, T => Tensor::from_vec(rows.into_iter().map(T::from_i64).collect::<Vec<T>>(), &[2, n]))
}

/// `sum(clamp(i + a, 0, col) for i in 0..row)`, without the loop.
fn sum_clamp(row: i64, a: impl Into<i128>, col: i64) -> i128 {
    let (row, a, col) = (row as i128, a.into(), col as i128);
    // rows where 0 < i + a < col contribute i + a; rows where i + a >= col contribute col
    let (lo, hi) = ((1 - a).max(0), (col - a).clamp(0, row));
    let partial = if hi > lo { (lo + a + hi - 1 + a) * (hi - lo) / 2 } else { 0 };
    partial + (row - (col - a).max(0)).max(0) * col
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators() {
        assert_eq!(combination_indices(4, 2, false).unwrap(), vec![0, 1, 0, 2, 0, 3, 1, 2, 1, 3, 2, 3]);
        assert_eq!(combination_indices(3, 2, true).unwrap(), vec![0, 0, 0, 1, 0, 2, 1, 1, 1, 2, 2, 2]);
        for (row, col, off) in [(4, 3, 1), (0, 3, 0), (5, 0, 2), (3, 7, -2), (6, 2, -9), (2, 4, 9), (9, 3, -4), (5, 5, 0)] {
            for upper in [false, true] {
                let brute: i128 = (0..row)
                    .map(|i: i64| if upper { col - (i + off).clamp(0, col) } else { (i + off + 1).clamp(0, col) } as i128)
                    .sum();
                let t = tri_indices(row, col, off, DType::Int64, upper).unwrap();
                assert_eq!(t.shape()[1] as i128, brute, "{row} {col} {off} {upper}");
            }
        }
        let t = tri_indices(4, 3, 1, DType::Int64, false).unwrap();
        assert_eq!(t.to_vec::<i64>().unwrap(), vec![0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 0, 1, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
        let a = Tensor::from_vec(vec![1i64, 2, 3], &[3]).unwrap();
        let b = Tensor::from_vec(vec![4i64, 5], &[2]).unwrap();
        let p = cartesian_prod(&[a, b]).unwrap();
        assert_eq!(p.to_vec::<i64>().unwrap(), vec![1, 4, 1, 5, 2, 4, 2, 5, 3, 4, 3, 5]);
    }
}
