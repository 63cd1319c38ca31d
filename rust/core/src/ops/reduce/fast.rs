//! Contiguous inner loops of the reductions and of softmax, written so that LLVM vectorises them
//! with several independent accumulators, and compiled once per instruction set (AVX-512,
//! AVX2+FMA, baseline) with the best one chosen at run time (`multiversion!`, simd.rs): the crate
//! itself is built for baseline x86-64, whose 128-bit vectors would leave most of the machine
//! idle.

use crate::simd::multiversion;

/// Elements summed in the narrow type before the partial goes into the f64 total: each of the
/// `LANES` accumulators adds at most BLOCK / LANES values, so the rounding error stays that of a
/// 64-term sum (a sum of 10 million float32 ones is exact) while the loop runs at full width.
const BLOCK: usize = 4096;

macro_rules! blocked_sum {
    ($name:ident, $t:ty, $lanes:expr) => {
        #[inline(always)]
        fn $name(xs: &[$t]) -> f64 {
            const L: usize = $lanes;
            let mut total = 0.0f64;
            for block in xs.chunks(BLOCK) {
                let mut acc = [0.0 as $t; L];
                let mut it = block.chunks_exact(L);
                for c in &mut it {
                    for j in 0..L {
                        acc[j] += c[j];
                    }
                }
                // the tail goes into the lanes too: a serial f64 chain over up to L - 1 values
                // cost as much as the vector loop on 1000-element rows
                for (a, &x) in acc.iter_mut().zip(it.remainder()) {
                    *a += x;
                }
                // tree-combine the lanes (vectorises, and keeps the error logarithmic)
                let mut w = L / 2;
                while w > 0 {
                    for j in 0..w {
                        acc[j] += acc[j + w];
                    }
                    w /= 2;
                }
                total += acc[0] as f64;
            }
            total
        }
    };
}
blocked_sum!(sum_f32_body, f32, 64);
blocked_sum!(sum_f64_body, f64, 32);

macro_rules! add_across {
    ($name:ident, $t:ty) => {
        #[inline(always)]
        fn $name(accs: &mut [f64], xs: &[$t]) {
            for (a, &x) in accs.iter_mut().zip(xs) {
                *a += x as f64;
            }
        }
    };
}
add_across!(add_across_f32_body, f32);
add_across!(add_across_f64_body, f64);

multiversion! { [avx512, avx2];
    /// `accs[j] += xs[j]` (a vertical sum's step), widened to f64.
    pub fn add_across_f32(accs: &mut [f64], xs: &[f32]) {
        add_across_f32_body(accs, xs)
    }
}
multiversion! { [avx512, avx2];
    pub fn add_across_f64(accs: &mut [f64], xs: &[f64]) {
        add_across_f64_body(accs, xs)
    }
}
multiversion! { [avx512, avx2];
    /// Sum of a contiguous float32 run, returned in f64.
    pub fn sum_f32(xs: &[f32]) -> f64 {
        sum_f32_body(xs)
    }
}
multiversion! { [avx512, avx2];
    /// Sum of a contiguous float64 run.
    pub fn sum_f64(xs: &[f64]) -> f64 {
        sum_f64_body(xs)
    }
}

multiversion! { [avx512, avx2];
    /// amax of a contiguous run (NaN if there is one).
    pub fn amax_f32(xs: &[f32]) -> f32 {
        super::lanes_extreme::<f32, true>(xs)
    }
}
multiversion! { [avx512, avx2];
    pub fn amin_f32(xs: &[f32]) -> f32 {
        super::lanes_extreme::<f32, false>(xs)
    }
}
multiversion! { [avx512, avx2];
    pub fn amax_f64(xs: &[f64]) -> f64 {
        super::lanes_extreme::<f64, true>(xs)
    }
}
multiversion! { [avx512, avx2];
    pub fn amin_f64(xs: &[f64]) -> f64 {
        super::lanes_extreme::<f64, false>(xs)
    }
}

multiversion! { [avx512, avx2];
    /// The largest element, NaNs skipped (`x > m` is false for NaN, so each step is one `max`
    /// instruction); -inf for an empty or all-NaN slice. Softmax needs no NaN here: a NaN reaches
    /// every output through the row's sum.
    pub fn max_ignoring_nan_f32(xs: &[f32]) -> f32 {
        const L: usize = 64;
        let mut acc = [f32::NEG_INFINITY; L];
        let mut it = xs.chunks_exact(L);
        for c in &mut it {
            for j in 0..L {
                acc[j] = if c[j] > acc[j] { c[j] } else { acc[j] };
            }
        }
        acc.iter().chain(it.remainder()).fold(f32::NEG_INFINITY, |m, &x| if x > m { x } else { m })
    }
}
multiversion! { [avx512, avx2];
    /// `y[i] = x[i] - shift` (log_softmax's last pass).
    pub fn shift_f32(x: &[f32], shift: f32, y: &mut [f32]) {
        for (o, &v) in y.iter_mut().zip(x) {
            *o = v - shift;
        }
    }
}
multiversion! { [avx512, avx2];
    /// `x[i] *= s`.
    pub fn scale_f32(x: &mut [f32], s: f32) {
        for v in x.iter_mut() {
            *v *= s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_exact_on_integers() {
        let v: Vec<f32> = (0..10_001).map(|i| (i % 7) as f32).collect();
        let want: f64 = v.iter().map(|&x| x as f64).sum();
        assert_eq!(sum_f32(&v), want);
        let w: Vec<f64> = v.iter().map(|&x| x as f64).collect();
        assert_eq!(sum_f64(&w), want);
    }

    #[test]
    fn extremes_propagate_nan() {
        let mut v: Vec<f32> = (0..100).map(|i| (i as f32 - 50.0).abs()).collect();
        assert_eq!((amax_f32(&v), amin_f32(&v)), (50.0, 0.0));
        v[77] = f32::NAN;
        assert!(amax_f32(&v).is_nan() && amin_f32(&v).is_nan());
        let w: Vec<f64> = (0..7).map(|i| i as f64).collect();
        assert_eq!((amax_f64(&w), amin_f64(&w)), (6.0, 0.0));
        assert_eq!(amax_f64(&[]), f64::NEG_INFINITY);
    }

    #[test]
    fn max_skips_nan() {
        let mut v: Vec<f32> = (0..100).map(|i| i as f32).collect();
        assert_eq!(max_ignoring_nan_f32(&v), 99.0);
        v[40] = f32::NAN;
        v[99] = f32::NAN;
        assert_eq!(max_ignoring_nan_f32(&v), 98.0);
        assert_eq!(max_ignoring_nan_f32(&[]), f32::NEG_INFINITY);
        assert_eq!(max_ignoring_nan_f32(&[f32::NAN]), f32::NEG_INFINITY);
    }
}
