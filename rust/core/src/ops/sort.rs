//! Sorting and searching: sort/argsort, and (in `sort/`) the selections built on the same line
//! machinery (topk, kthvalue, median, mode), quantiles, unique, searchsorted/bucketize/isin,
//! bincount/histc/histogram and the small index generators (cartesian_prod, combinations,
//! tril/triu_indices).
//!
//! Every element type maps to an unsigned integer key whose order is torch's sort order (NaN
//! above +inf, -0.0 equal to 0.0). A line is sorted as keys packed with their position
//! (`key << 32 | pos`, or a u128 for 64-bit keys), so an unstable integer sort gives exactly the
//! stable order (torch's `stable=True`), and a selection (`select_nth_unstable`) picks the same
//! element a full stable sort would. Descending order flips the key bits, which keeps equal
//! elements in their original order (as torch's stable descending sort does). Where torch
//! leaves ties to its unstable algorithms (sort without `stable`, topk, kthvalue, unique), the
//! same algorithms run on the keys alone (`libstdcxx`), giving torch's order of ties.

/// Run `$body` with `$P` bound to the packed (key, position) type a line of `$len` elements of
/// `$T` needs: u64 when the key and the position both fit in 32 bits, else u128.
macro_rules! with_packed {
    ($T:ty, $len:expr, $P:ident => $body:expr) => {
        if <$T as $crate::ops::sort::SortKey>::KEY_BITS <= 32 && ($len as u64) <= u32::MAX as u64 {
            type $P = u64;
            $body
        } else {
            type $P = u128;
            $body
        }
    };
}

pub mod combine;
pub mod count;
mod libstdcxx;
pub mod quantile;
pub mod search;
pub mod select;
pub mod unique;

use std::ops::Range;

use crate::dtype::{bf16, f16, DType, Element};
use crate::error::Result;
use crate::parallel::{self, SyncPtr};
use crate::shape::{self, Dims};
use crate::tensor::Tensor;

/// Elements per parallel chunk of line work (sorting costs more per element than a copy).
const SORT_GRAIN: usize = 1 << 14;

/// An element type with an order-preserving integer key.
pub trait SortKey: Element + PartialOrd {
    /// How many low bits of `key` are used.
    const KEY_BITS: u32;
    /// `a` sorts before `b` in torch's order iff `a.key() < b.key()`; elements torch sorts as
    /// equal (0.0 and -0.0, every NaN) get the same key.
    fn key(self) -> u64;
    #[inline(always)]
    #[allow(clippy::eq_op)]
    fn is_nan(self) -> bool {
        self != self
    }
}

#[inline(always)]
fn f32_key(v: f32) -> u64 {
    if v.is_nan() {
        return u32::MAX as u64;
    }
    let b = (v + 0.0).to_bits(); // -0.0 + 0.0 is +0.0: both zeros share a key
    (if b >> 31 == 1 { !b } else { b | 1 << 31 }) as u64
}

#[inline(always)]
fn f64_key(v: f64) -> u64 {
    if v.is_nan() {
        return u64::MAX;
    }
    let b = (v + 0.0).to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | 1 << 63
    }
}

impl SortKey for f32 {
    const KEY_BITS: u32 = 32;
    #[inline(always)]
    fn key(self) -> u64 {
        f32_key(self)
    }
}
impl SortKey for f64 {
    const KEY_BITS: u32 = 64;
    #[inline(always)]
    fn key(self) -> u64 {
        f64_key(self)
    }
}
impl SortKey for f16 {
    const KEY_BITS: u32 = 32;
    #[inline(always)]
    fn key(self) -> u64 {
        f32_key(self.to_f32())
    }
}
impl SortKey for bf16 {
    const KEY_BITS: u32 = 32;
    #[inline(always)]
    fn key(self) -> u64 {
        f32_key(self.to_f32())
    }
}
impl SortKey for bool {
    const KEY_BITS: u32 = 1;
    #[inline(always)]
    fn key(self) -> u64 {
        self as u64
    }
}

macro_rules! int_key {
    ($($t:ty => $u:ty);*) => {$(
        impl SortKey for $t {
            const KEY_BITS: u32 = <$t>::BITS;
            // flipping the sign bit maps two's complement order onto unsigned order
            #[inline(always)]
            fn key(self) -> u64 {
                ((self as $u) ^ (<$t>::MIN as $u)) as u64
            }
        }
    )*};
}
int_key!(u8 => u8; i8 => u8; i16 => u16; i32 => u32; i64 => u64);

/// The all-ones mask of a type's key bits (XOR with it reverses the order).
#[inline(always)]
fn key_mask<T: SortKey>() -> u64 {
    if T::KEY_BITS >= 64 {
        u64::MAX
    } else {
        (1u64 << T::KEY_BITS) - 1
    }
}

/// A key and a position in one integer: ordering them orders by key, then by position.
pub(crate) trait Packed: Copy + Ord + Send + Sync + 'static {
    fn pack(key: u64, pos: usize) -> Self;
    fn pos(self) -> usize;
    fn key(self) -> u64;
}

impl Packed for u64 {
    #[inline(always)]
    fn pack(key: u64, pos: usize) -> Self {
        key << 32 | pos as u64
    }
    #[inline(always)]
    fn pos(self) -> usize {
        (self & 0xFFFF_FFFF) as usize
    }
    #[inline(always)]
    fn key(self) -> u64 {
        self >> 32
    }
}

impl Packed for u128 {
    #[inline(always)]
    fn pack(key: u64, pos: usize) -> Self {
        (key as u128) << 64 | pos as u128
    }
    #[inline(always)]
    fn pos(self) -> usize {
        self as u64 as usize
    }
    #[inline(always)]
    fn key(self) -> u64 {
        (self >> 64) as u64
    }
}

/// One strided line of a tensor's storage.
#[derive(Clone, Copy)]
pub(crate) struct Line<T> {
    ptr: *const T,
    stride: usize,
    pub len: usize,
}

impl<T: SortKey> Line<T> {
    #[inline(always)]
    pub fn get(&self, i: usize) -> T {
        debug_assert!(i < self.len);
        // SAFETY: a line is built from a tensor's layout, and i < len.
        unsafe { *self.ptr.add(i * self.stride) }
    }

    /// Fill `buf` with the line's packed (key, position) pairs; `descending` reverses the order.
    pub fn load<P: Packed>(&self, descending: bool, buf: &mut Vec<P>) {
        let flip = if descending { key_mask::<T>() } else { 0 };
        buf.clear();
        buf.extend((0..self.len).map(|i| P::pack(self.get(i).key() ^ flip, i)));
    }
}

/// The 1-D lines of a tensor along one dim, numbered in row-major order of the other dims, and
/// where line `l` goes in a contiguous result of the same shape with `m` elements along the dim.
pub(crate) struct Lines {
    pub len: usize,
    stride: usize,
    pub count: usize,
    /// Product of the sizes after the dim: the stride along it in a contiguous result.
    inner: usize,
    offset: usize,
    outer_shape: Dims,
    outer_strides: Dims,
}

impl Lines {
    /// The lines of `t` along the wrapped `dim` (a 0-dim tensor is one line of one element).
    pub fn new(t: &Tensor, dim: usize) -> Lines {
        let (shape, strides) = (t.shape(), t.strides());
        if shape.is_empty() {
            let none = Dims::new();
            return Lines { len: 1, stride: 1, count: 1, inner: 1, offset: t.offset(), outer_shape: none.clone(), outer_strides: none };
        }
        let keep = |v: &[usize]| -> Dims { v.iter().enumerate().filter(|&(d, _)| d != dim).map(|(_, &x)| x).collect() };
        let outer_shape = keep(shape);
        Lines {
            len: shape[dim],
            stride: strides[dim],
            count: outer_shape.iter().product(),
            inner: shape[dim + 1..].iter().product(),
            offset: t.offset(),
            outer_strides: keep(strides),
            outer_shape,
        }
    }

    /// Line `l` of the storage behind `base`.
    pub fn line<T>(&self, base: *const T, mut l: usize) -> Line<T> {
        let mut off = self.offset;
        for d in (0..self.outer_shape.len()).rev() {
            let s = self.outer_shape[d];
            off += (l % s) * self.outer_strides[d];
            l /= s;
        }
        // SAFETY: the offset comes from the tensor's layout, inside its storage.
        Line { ptr: unsafe { base.add(off) }, stride: self.stride, len: self.len }
    }

    /// Offset of line `l`'s first element in a contiguous result with `m` elements along the
    /// dim; consecutive elements of the line are `self.out_stride()` apart.
    #[inline]
    pub fn out_offset(&self, l: usize, m: usize) -> usize {
        (l / self.inner) * m * self.inner + l % self.inner
    }

    #[inline]
    pub fn out_stride(&self) -> usize {
        self.inner
    }

    /// Run `f` over ranges of line numbers, in parallel chunks when there is enough work.
    pub fn par_ranges(&self, f: impl Fn(Range<usize>) + Sync) {
        parallel::for_each_chunk(self.count, (SORT_GRAIN / self.len.max(1)).max(1), f)
    }
}

/// `shape` with `dim` resized to `m` (a 0-dim shape stays 0-dim).
pub(crate) fn resized(shape: &[usize], dim: usize, m: usize) -> Dims {
    let mut s: Dims = shape.into();
    if !s.is_empty() {
        s[dim] = m;
    }
    s
}

/// `torch.sort`: (values, indices) along `dim`, NaN last (first when descending); equal
/// elements in their input order when `stable`, else where torch leaves them (`stable_order`).
pub fn sort(t: &Tensor, dim: i64, descending: bool, stable: bool) -> Result<(Tensor, Tensor)> {
    let dim = shape::normalize_dim(dim, t.ndim())?;
    let values = Tensor::empty_on(t.shape(), t.dtype(), t.device())?;
    let indices = Tensor::empty_on(t.shape(), DType::Int64, t.device())?;
    if t.is_meta() {
        return Ok((values, indices));
    }
    let stable = stable_order(t, dim, descending, stable);
    crate::dispatch!(t.dtype(), T => sort_lines::<T>(t, dim, descending, stable, Some(&values), &indices))?;
    Ok((values, indices))
}

/// `torch.argsort`: the indices of `sort`.
pub fn argsort(t: &Tensor, dim: i64, descending: bool, stable: bool) -> Result<Tensor> {
    let dim = shape::normalize_dim(dim, t.ndim())?;
    let indices = Tensor::empty_on(t.shape(), DType::Int64, t.device())?;
    if t.is_meta() {
        return Ok(indices);
    }
    let stable = stable_order(t, dim, descending, stable);
    crate::dispatch!(t.dtype(), T => sort_lines::<T>(t, dim, descending, stable, None, &indices))?;
    Ok(indices)
}

/// Whether torch's CPU sort keeps equal elements in their input order. With `stable` it runs
/// `std::stable_sort`; otherwise `std::sort` (whose order of ties `sort_lines` reproduces),
/// except on two paths that keep the input order: an input with stride 0 along the dim (all
/// its elements are one, and torch returns at once), and fbgemm's radix sort, which takes 1-D
/// integer inputs of at least 32768 elements sorted ascending.
fn stable_order(t: &Tensor, dim: usize, descending: bool, stable: bool) -> bool {
    let radix = t.ndim() == 1 && !descending && t.dtype().is_integral(false) && t.numel() >= 32768;
    stable || radix || t.strides().get(dim) == Some(&0)
}

fn sort_lines<T: SortKey>(t: &Tensor, dim: usize, descending: bool, stable: bool, values: Option<&Tensor>, indices: &Tensor) -> Result<()> {
    let lines = Lines::new(t, dim);
    let (n, os) = (lines.len, lines.out_stride());
    let g = t.storage().read()?;
    let vg = values.map(|v| v.storage().write()).transpose()?;
    let ig = indices.storage().write()?;
    let src = SyncPtr(g.ptr() as *mut T);
    let vp = vg.as_ref().map(|g| SyncPtr(g.ptr() as *mut T));
    let ip = SyncPtr(ig.ptr() as *mut i64);
    with_packed!(T, n, P => lines.par_ranges(|r| {
        let mut buf: Vec<P> = Vec::with_capacity(n);
        for l in r {
            let line = lines.line(src.get() as *const T, l);
            line.load(descending, &mut buf);
            if stable {
                buf.sort_unstable(); // positions break ties: the stable order
            } else {
                libstdcxx::sort(&mut buf, &|a: P, b: P| a.key() < b.key());
            }
            let out = lines.out_offset(l, n);
            for (j, e) in buf.iter().enumerate() {
                // SAFETY: line l owns positions out + j * os of the results.
                unsafe {
                    if let Some(vp) = vp {
                        *vp.get().add(out + j * os) = line.get(e.pos());
                    }
                    *ip.get().add(out + j * os) = e.pos() as i64;
                }
            }
        }
    }));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_torch_order() {
        let v = [f32::NEG_INFINITY, -2.5, -0.0, 0.0, 1e-30, 3.0, f32::INFINITY, f32::NAN];
        for w in v.windows(2) {
            assert!(w[0].key() <= w[1].key(), "{w:?}");
        }
        assert_eq!((-0.0f32).key(), 0.0f32.key());
        assert_eq!((-f64::NAN).key(), f64::NAN.key());
        assert!(i8::MIN.key() < (-1i8).key() && (-1i8).key() < 0i8.key() && 0i8.key() < i8::MAX.key());
        assert!(i64::MIN.key() < 0i64.key());
    }

    #[test]
    fn sort_is_stable_both_ways() {
        let t = Tensor::from_vec(vec![1.0f32, f32::NAN, 0.0, -0.0, 2.0, f32::NAN, 0.0], &[7]).unwrap();
        let (_, i) = sort(&t, 0, false, true).unwrap();
        assert_eq!(i.to_vec::<i64>().unwrap(), vec![2, 3, 6, 0, 4, 1, 5]);
        let (_, i) = sort(&t, 0, true, true).unwrap();
        assert_eq!(i.to_vec::<i64>().unwrap(), vec![1, 5, 4, 0, 2, 3, 6]);
    }

    #[test]
    fn unstable_sort_orders_ties_as_torch() {
        // torch.sort(torch.tensor([1., 0.] * 10)).indices on CPU (std::sort)
        let t = Tensor::from_vec([1.0f32, 0.0].repeat(10), &[20]).unwrap();
        let (_, i) = sort(&t, 0, false, false).unwrap();
        assert_eq!(i.to_vec::<i64>().unwrap(), vec![1, 19, 17, 15, 13, 11, 9, 7, 5, 3, 8, 6, 10, 12, 4, 14, 16, 2, 18, 0]);
    }

    #[test]
    fn sort_along_a_strided_dim() {
        let t = Tensor::from_vec(vec![3i64, 1, 2, 0, 5, 4], &[2, 3]).unwrap().t().unwrap();
        let (v, i) = sort(&t, 0, false, true).unwrap();
        assert_eq!(v.shape(), &[3, 2]);
        assert_eq!(v.to_vec::<i64>().unwrap(), vec![1, 0, 2, 4, 3, 5]);
        assert_eq!(i.to_vec::<i64>().unwrap(), vec![1, 0, 2, 2, 0, 1]);
    }
}
