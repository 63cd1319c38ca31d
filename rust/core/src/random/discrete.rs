//! The discrete distributions, over plain slices: the integer-valued `random_` family
//! (`randint`), `bernoulli_` with a scalar or per-element probability, `randperm` and
//! `multinomial` (DistributionTemplates.h, TensorFactories.cpp, Distributions.cpp,
//! MultinomialKernel.cpp).

// The `!(x > 0.0)`-style checks are deliberate: like torch's, they reject NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use super::transform::unit_f32;
use super::{fmt_double, Generator, MultinomialProb, ProbFloat, RandElem};
use crate::error::{Error, Result};

impl Generator {
    /// `Tensor.random_(from, to)` / `torch.randint(low, high)` (`random_from_to_kernel`,
    /// `uniform_int_from_to_distribution`): with `range = high - low`, each element is
    /// `(w % range) + low` where `w` is `random64()` when `range >= 2^28` and `random()`
    /// otherwise, then `static_cast<T>` of the int64 (so float dtypes round).
    /// Like `random_from_to_impl` (native/DistributionTemplates.h), for floating dtypes the
    /// bounds are first moved to values representable in the dtype (`update_from`/`update_to`,
    /// e.g. `high = 2^27` becomes `2^27 - 8` for float32), and errors are raised like torch for
    /// `low >= high` and bounds outside the dtype (torch's precision *warnings* beyond
    /// `2^digits` are not emitted).
    pub fn random_from_to<T: RandElem>(
        &mut self,
        out: &mut [T],
        low: i64,
        high: i64,
    ) -> Result<()> {
        let (mut low, mut high) = (low, high);
        if low >= high {
            return Err(Error::Runtime(format!(
                "random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
            )));
        }
        if let Some((digits, max, name)) = T::FLOAT_INFO {
            // update_from / update_to (native/DistributionTemplates.h): move bounds that are not
            // representable in the dtype inwards to representable values.
            let from_plus_1 = T::roundtrip_i64(low.wrapping_add(1));
            if from_plus_1 < low {
                let n = 63 - (low.wrapping_add(1).unsigned_abs() | 1).leading_zeros() as i64;
                low = from_plus_1 + (1i64 << (n - digits as i64 + 1));
            }
            let to_minus_1 = T::roundtrip_i64(high.wrapping_sub(1));
            if to_minus_1 >= high {
                let n = 63 - (high.wrapping_sub(1).unsigned_abs() | 1).leading_zeros() as i64;
                high = to_minus_1 - (1i64 << (n - digits as i64 + 1));
            }
            if low >= high {
                return Err(Error::Runtime(format!(
                    "random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, \
                     but got from={low} >= to={high}"
                )));
            }
            // check_from_to_in_range (torch only warns beyond 2^digits).
            for (v, what) in [(low, "from"), (high - 1, "to - 1")] {
                if !((v as f64) >= -max && (v as f64) <= max) {
                    return Err(Error::Runtime(format!(
                        "{what} is out of bounds for {name}"
                    )));
                }
            }
        }
        if let Some((min, max, name)) = T::INT_BOUNDS {
            for (v, what) in [(low, "from"), (high - 1, "to - 1")] {
                if !(v >= min && v <= max) {
                    return Err(Error::Runtime(format!(
                        "{what} is out of bounds for {name}"
                    )));
                }
            }
        }
        self.random_range(out, (high as u64).wrapping_sub(low as u64), low as u64);
        Ok(())
    }

    /// `uniform_int_from_to_distribution(range, base)`: `(w % range) + base` per element, `w`
    /// from `random64()` when `range >= 2^28`, else from `random()`. `range` must not be 0.
    pub(super) fn random_range<T: RandElem>(&mut self, out: &mut [T], range: u64, base: u64) {
        if range >= 1 << 28 {
            self.for_blocks_u32(out.len() * 2, |off, w| {
                let dst = &mut out[off / 2..off / 2 + w.len() / 2];
                for (o, p) in dst.iter_mut().zip(w.chunks_exact(2)) {
                    let v = ((p[0] as u64) << 32) | p[1] as u64;
                    *o = T::from_i64((v % range).wrapping_add(base) as i64);
                }
            });
        } else {
            self.for_blocks_u32(out.len(), |off, w| {
                for (o, &v) in out[off..off + w.len()].iter_mut().zip(w) {
                    *o = T::from_i64((v as u64 % range).wrapping_add(base) as i64);
                }
            });
        }
    }

    /// `Tensor.random_()` with no bounds (`random_kernel`, `uniform_int_distribution`):
    /// int64 `random64() % 2^63`; float64 `random64() % (2^53 + 1)`; float32
    /// `random() % (2^24 + 1)`; float16 `% (2^11 + 1)`; bfloat16 `% (2^8 + 1)`; bool the low bit;
    /// other integers `random() % (MAX + 1)`.
    pub fn random<T: RandElem>(&mut self, out: &mut [T]) {
        for o in out.iter_mut() {
            let v = if T::RANDOM_64 {
                self.random_u64()
            } else {
                self.random_u32() as u64
            };
            *o = match T::RANDOM_MOD {
                Some(m) => T::from_i64((v % m) as i64),
                None => T::from_bool(v & 1 == 1),
            };
        }
    }

    /// `Tensor.random_(from=i64::MIN, to=None)` (`random_full_64_bits_range_kernel`): the raw
    /// `random64()` reinterpreted as int64. torch allows it for int64/float64/float32/bfloat16.
    pub fn random_full_range<T: RandElem>(&mut self, out: &mut [T]) {
        for o in out.iter_mut() {
            *o = T::from_i64(self.random_u64() as i64);
        }
    }

    /// `Tensor.bernoulli_(p)` / `torch.bernoulli(x, p)` with a scalar `p`, as torch's default
    /// CPU kernel (`bernoulli_scalar_kernel_default`): per element `uniform<double>() < p` with
    /// a 53-bit uniform from `random64()`.
    ///
    /// That is torch's path on non-Intel CPUs and on builds without MKL. torch's MKL builds
    /// running on an *Intel* CPU instead seed an MKL MCG31 stream with one `random()` word and
    /// use `viRngBernoulli`; that path is not reproduced here (same distribution, different
    /// numbers; it consumes a single word of the generator).
    pub fn bernoulli_scalar<T: RandElem>(&mut self, out: &mut [T], p: f64) -> Result<()> {
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::Runtime(format!(
                "bernoulli_ expects p to be in [0, 1], but got p={}",
                fmt_double(p)
            )));
        }
        for o in out.iter_mut() {
            let u = self.uniform01_f64();
            *o = T::from_bool(u < p);
        }
        Ok(())
    }

    /// `torch.bernoulli(probs)` / `Tensor.bernoulli_(probs)` (tensor `p`,
    /// `bernoulli_tensor_cpu_kernel`): for float64 probabilities `uniform<double>() < p`
    /// (`random64()`, 53 bits); for float32/float16/bfloat16 probabilities
    /// `uniform<float>() < float(p)` (`random()`, 24 bits). `probs` is the probability tensor
    /// already expanded to `out`'s shape, in `out`'s element order.
    pub fn bernoulli_tensor<T: RandElem, P: ProbFloat>(&mut self, out: &mut [T], probs: &[P]) {
        assert_eq!(
            out.len(),
            probs.len(),
            "bernoulli_tensor: out and probs differ in length"
        );
        for (o, &p) in out.iter_mut().zip(probs) {
            let b = if P::IS_DOUBLE {
                self.uniform01_f64() < p.to_f64()
            } else {
                let u = unit_f32(self.random_u32());
                u < p.to_f32()
            };
            *o = T::from_bool(b);
        }
    }

    /// `torch.randperm(n)` on CPU (`randperm_cpu` in native/TensorFactories.cpp). For
    /// `n < u32::MAX / 20` torch starts from `0..n` and for `i in 0..n-1` swaps element `i` with
    /// element `i + random() % (n - i)`; for larger `n` it runs the "inside-out" Fisher-Yates
    /// with `random64() % (i + 1)`. Both are reproduced.
    pub fn randperm(&mut self, n: usize) -> Result<Vec<i64>> {
        let mut r: Vec<i64> = crate::allocator::try_with_capacity(n)?;
        r.extend(0..n as i64);
        if (n as u64) < (u32::MAX / 20) as u64 {
            for i in 0..n.saturating_sub(1) {
                let z = (self.random_u32() as u64 % (n - i) as u64) as usize;
                r.swap(i, z + i);
            }
        } else {
            for i in 0..n {
                let z = (self.random_u64() % (i as u64 + 1)) as usize;
                r[i] = r[z];
                r[z] = i as i64;
            }
        }
        Ok(r)
    }
}

impl Generator {
    /// `torch.multinomial(probs, num_samples, replacement)` on CPU for a `rows x n` row-major
    /// probability matrix (a 1-D input is `rows = 1`); returns `rows x num_samples` indices.
    ///
    /// * Without replacement, or with `num_samples == 1` (Distributions.cpp fast path):
    ///   `q = empty_like(probs).exponential_(1)` (one [`exponential`](Self::exponential) draw per
    ///   element in the probs dtype), `q = probs / q`, then `argmax` (one sample) or `topk`
    ///   (largest first) along each row. Ties in `topk` (only possible between equal ratios,
    ///   e.g. several zero probabilities) are broken by lower index, which torch leaves
    ///   unspecified.
    /// * With replacement and `num_samples > 1` (`multinomial_with_replacement_apply` in
    ///   native/cpu/MultinomialKernel.cpp): per row a cumulative sum in the probs dtype,
    ///   normalised by its total, last bucket forced to 1, then for each sample a 53-bit
    ///   uniform and a binary search for the first bucket with `cum >= u`.
    pub fn multinomial<P: MultinomialProb>(
        &mut self,
        probs: &[P],
        rows: usize,
        n: usize,
        num_samples: usize,
        replacement: bool,
    ) -> Result<Vec<i64>> {
        if probs.len() != rows * n {
            return Err(Error::Runtime(format!(
                "multinomial: probs has {} elements, expected {rows} x {n}",
                probs.len()
            )));
        }
        check_multinomial(n, num_samples, replacement)?;
        let total = rows.checked_mul(num_samples).ok_or_else(|| {
            Error::Runtime(format!("Storage size calculation overflowed with sizes=[{rows}, {num_samples}]"))
        })?;
        let mut result = crate::allocator::try_vec(total, 0i64)?;
        if result.is_empty() {
            return Ok(result);
        }
        if !replacement || num_samples == 1 {
            // self.max() < inf && self.min() >= 0; NaN propagates through max/min.
            let bad = probs
                .iter()
                .any(|&p| !(p.to_f64() >= 0.0) || p.to_f64() == f64::INFINITY);
            if bad {
                return Err(Error::Runtime(
                    "probability tensor contains either `inf`, `nan` or element < 0".into(),
                ));
            }
            for r in 0..rows {
                let row = &probs[r * n..(r + 1) * n];
                if row.iter().all(|&p| p.to_f64() == 0.0) {
                    return Err(Error::Runtime(
                        "invalid multinomial distribution (sum of probabilities <= 0)".into(),
                    ));
                }
            }
            let mut q = vec![P::zero(); probs.len()];
            self.exponential(&mut q, 1.0)?;
            for (qv, &p) in q.iter_mut().zip(probs) {
                *qv = p / *qv;
            }
            // Comparison used by argmax/topk: NaN counts as the largest value.
            let gt = |a: P, b: P| -> bool {
                let (a, b) = (a.to_f64(), b.to_f64());
                (a.is_nan() && !b.is_nan()) || a > b
            };
            for r in 0..rows {
                let row = &q[r * n..(r + 1) * n];
                let dst = &mut result[r * num_samples..(r + 1) * num_samples];
                if num_samples == 1 {
                    let mut best = 0;
                    for j in 1..n {
                        if gt(row[j], row[best]) {
                            best = j;
                        }
                    }
                    dst[0] = best as i64;
                } else {
                    let mut idx: Vec<usize> = (0..n).collect();
                    idx.sort_by(|&a, &b| {
                        if gt(row[a], row[b]) {
                            std::cmp::Ordering::Less
                        } else if gt(row[b], row[a]) {
                            std::cmp::Ordering::Greater
                        } else {
                            a.cmp(&b)
                        }
                    });
                    for (d, &i) in dst.iter_mut().zip(&idx) {
                        *d = i as i64;
                    }
                }
            }
            return Ok(result);
        }
        let mut cum = vec![P::zero(); n];
        for r in 0..rows {
            let row = &probs[r * n..(r + 1) * n];
            let mut sum = P::zero();
            for (c, &val) in cum.iter_mut().zip(row) {
                if !(val.to_f64() >= 0.0) {
                    return Err(Error::Runtime(
                        "invalid multinomial distribution (encountering probability entry < 0)"
                            .into(),
                    ));
                }
                if !val.is_finite_() {
                    return Err(Error::Runtime(
                        "invalid multinomial distribution (encountering probability entry = infinity or NaN)"
                            .into(),
                    ));
                }
                sum = sum + val;
                *c = sum;
            }
            if !(sum.to_f64() > 0.0) {
                return Err(Error::Runtime(
                    "invalid multinomial distribution (sum of probabilities <= 0)".into(),
                ));
            }
            for c in cum.iter_mut() {
                *c = *c / sum;
            }
            cum[n - 1] = P::one();
            for s in 0..num_samples {
                let u = self.uniform01_f64();
                let (mut left, mut right) = (0usize, n);
                while right > left {
                    let mid = left + (right - left) / 2;
                    if cum[mid].to_f64() < u {
                        left = mid + 1;
                    } else {
                        right = mid;
                    }
                }
                result[r * num_samples + s] = left as i64;
            }
        }
        Ok(result)
    }
}

/// torch's checks of `multinomial`'s sizes (`n` categories), shared with the tensor-level
/// `multinomial` (create.rs), which runs them before it reads the probabilities.
pub(super) fn check_multinomial(n: usize, num_samples: usize, replacement: bool) -> Result<()> {
    if num_samples == 0 {
        return Err(Error::runtime("cannot sample n_sample <= 0 samples"));
    }
    if !replacement && num_samples > n {
        return Err(Error::runtime("cannot sample n_sample > prob_dist.size(-1) samples without replacement"));
    }
    if n > (1 << 24) {
        return Err(Error::runtime("number of categories cannot exceed 2^24"));
    }
    Ok(())
}
