//! `torch.unique` and `torch.unique_consecutive`, over elements or over slices along a dim.
//!
//! Both see the input as `n` rows of `width` elements (width 1 without `dim`). unique sorts the
//! rows as torch's CPU kernels do (their `std::sort`, see `Order`), unique_consecutive keeps
//! their order; then runs of equal rows form the groups. Equality is the elements' `==`, so
//! NaNs never match each other (torch returns every NaN) while 0.0 and -0.0 do. Which NaN goes
//! to which group, and which zero represents a group, is the order the sort left them in.

use super::{libstdcxx, Packed, SortKey};
use crate::error::{Error, Result};
use crate::shape;
use crate::tensor::Tensor;

/// The unique values, the group of every input element (or slice) and each group's size.
pub struct Unique {
    pub values: Tensor,
    pub inverse: Tensor,
    pub counts: Tensor,
}

/// `torch.unique(t, dim=dim)` (sorted: torch's CPU kernel sorts whatever `sorted` says) or,
/// with `consecutive`, `torch.unique_consecutive`.
pub fn unique(t: &Tensor, dim: Option<i64>, consecutive: bool) -> Result<Unique> {
    let Some(dim) = dim else {
        let flat = t.reshape(&[-1])?.contiguous()?;
        let order = if consecutive { Order::Input } else { Order::Elements };
        let (values, inverse, counts) = crate::dispatch!(t.dtype(), T => groups::<T>(&flat, flat.numel(), 1, order)?);
        return Ok(Unique { values, inverse: inverse.reshape(&shape_i64(t.shape()))?, counts });
    };
    if t.ndim() == 0 {
        return Err(Error::index(format!("Dimension specified as {dim} but tensor has no dimensions")));
    }
    let d = shape::normalize_dim(dim, t.ndim())?;
    let n = t.shape()[d];
    if t.numel() == 0 && n != 0 {
        return Err(Error::runtime("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied"));
    }
    // rows = slices along d, laid out contiguously one after the other
    let moved = t.movedim(&[d as i64], &[0])?.contiguous()?;
    let width = if n == 0 { 0 } else { t.numel() / n };
    let order = if consecutive { Order::Input } else { Order::Rows };
    let (rows, inverse, counts) = crate::dispatch!(t.dtype(), T => groups::<T>(&moved, n, width, order)?);
    let mut shape = shape_i64(moved.shape());
    shape[0] = rows.numel().checked_div(width).unwrap_or(0) as i64;
    let values = rows.reshape(&shape)?.movedim(&[0], &[d as i64])?.contiguous()?;
    Ok(Unique { values, inverse, counts })
}

fn shape_i64(s: &[usize]) -> Vec<i64> {
    s.iter().map(|&x| x as i64).collect()
}

/// The order in which rows are grouped.
#[derive(Clone, Copy)]
enum Order {
    /// As they come (unique_consecutive).
    Input,
    /// unique without `dim`: torch `std::sort`s (value, position) pairs by value, NaN last.
    Elements,
    /// unique with `dim`: torch `std::sort`s the row numbers, comparing two rows at their first
    /// elements that are `<` or `>` one another (so a NaN, neither, never decides).
    Rows,
}

/// Group the `n` rows of `width` elements of the contiguous `t`: (the first row of each group,
/// flattened; each row's group; each group's size).
fn groups<T: SortKey>(t: &Tensor, n: usize, width: usize, order: Order) -> Result<(Tensor, Tensor, Tensor)> {
    let data = t.to_vec::<T>()?;
    let row = |i: usize| &data[i * width..(i + 1) * width];
    let order: Vec<usize> = match order {
        Order::Input => (0..n).collect(),
        Order::Elements => with_packed!(T, n, P => {
            let mut buf: Vec<P> = data.iter().enumerate().map(|(i, v)| P::pack(v.key(), i)).collect();
            libstdcxx::sort(&mut buf, &|a: P, b: P| a.key() < b.key());
            buf.iter().map(|e| e.pos()).collect()
        }),
        Order::Rows => {
            let less = |a: usize, b: usize| {
                let decided = row(a).iter().zip(row(b)).find(|(x, y)| x < y || x > y);
                decided.is_some_and(|(x, y)| x < y)
            };
            let mut o: Vec<usize> = (0..n).collect();
            libstdcxx::sort(&mut o, &less);
            o
        }
    };
    let (mut values, mut inverse, mut counts) = (Vec::new(), vec![0i64; n], Vec::<i64>::new());
    for (j, &i) in order.iter().enumerate() {
        if j == 0 || row(i) != row(order[j - 1]) {
            values.extend_from_slice(row(i));
            counts.push(0);
        }
        *counts.last_mut().unwrap() += 1;
        inverse[i] = counts.len() as i64 - 1;
    }
    let u = counts.len();
    Ok((Tensor::from_vec(values, &[u * width])?, Tensor::from_vec(inverse, &[n])?, Tensor::from_vec(counts, &[u])?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_elements_and_rows() {
        let t = Tensor::from_vec(vec![3i64, 1, 2, 1, 3, 3, 0], &[7]).unwrap();
        let u = unique(&t, None, false).unwrap();
        assert_eq!(u.values.to_vec::<i64>().unwrap(), vec![0, 1, 2, 3]);
        assert_eq!(u.inverse.to_vec::<i64>().unwrap(), vec![3, 1, 2, 1, 3, 3, 0]);
        assert_eq!(u.counts.to_vec::<i64>().unwrap(), vec![1, 2, 1, 3]);
        let m = Tensor::from_vec(vec![1i64, 2, 1, 2, 0, 5], &[3, 2]).unwrap();
        let u = unique(&m, Some(0), false).unwrap();
        assert_eq!(u.values.shape(), &[2, 2]);
        assert_eq!(u.values.to_vec::<i64>().unwrap(), vec![0, 5, 1, 2]);
        assert_eq!(u.inverse.to_vec::<i64>().unwrap(), vec![1, 1, 0]);
        let c = unique(&Tensor::from_vec(vec![1i64, 1, 2, 2, 3, 1, 1, 2], &[8]).unwrap(), None, true).unwrap();
        assert_eq!(c.values.to_vec::<i64>().unwrap(), vec![1, 2, 3, 1, 2]);
    }
}
