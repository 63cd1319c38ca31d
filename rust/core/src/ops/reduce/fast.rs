//! Contiguous inner loops of the reductions and of softmax, written so that LLVM vectorises them
//! with several independent accumulators, and compiled once per instruction set (AVX-512,
//! AVX2+FMA, baseline) with the best one chosen at run time: the crate itself is built for
//! baseline x86-64, whose 128-bit vectors would leave most of the machine idle.

/// Define `pub fn $name(args) -> ret` that runs `$body` compiled for the best available ISA.
macro_rules! multiversion {
    ($(#[$m:meta])* pub fn $name:ident($($a:ident: $t:ty),*) -> $r:ty = $body:ident;) => {
        $(#[$m])*
        pub fn $name($($a: $t),*) -> $r {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx2,fma")]
                unsafe fn v512($($a: $t),*) -> $r {
                    $body($($a),*)
                }
                #[target_feature(enable = "avx2,fma")]
                unsafe fn v256($($a: $t),*) -> $r {
                    $body($($a),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("avx512vl")
                    && std::arch::is_x86_feature_detected!("avx512dq")
                {
                    // SAFETY: the features the function was compiled for are present.
                    return unsafe { v512($($a),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                    // SAFETY: as above.
                    return unsafe { v256($($a),*) };
                }
            }
            $body($($a),*)
        }
    };
}

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

multiversion! {
    /// `accs[j] += xs[j]` (a vertical sum's step), widened to f64.
    pub fn add_across_f32(accs: &mut [f64], xs: &[f32]) -> () = add_across_f32_body;
}
multiversion! {
    pub fn add_across_f64(accs: &mut [f64], xs: &[f64]) -> () = add_across_f64_body;
}
multiversion! {
    /// Sum of a contiguous float32 run, returned in f64.
    pub fn sum_f32(xs: &[f32]) -> f64 = sum_f32_body;
}
multiversion! {
    /// Sum of a contiguous float64 run.
    pub fn sum_f64(xs: &[f64]) -> f64 = sum_f64_body;
}

macro_rules! extreme_bodies {
    ($($body:ident: $t:ty, $max:expr;)*) => {$(
        #[inline(always)]
        fn $body(xs: &[$t]) -> $t {
            super::lanes_extreme::<$t, $max>(xs)
        }
    )*};
}
extreme_bodies! {
    amax_f32_body: f32, true;
    amin_f32_body: f32, false;
    amax_f64_body: f64, true;
    amin_f64_body: f64, false;
}
multiversion! {
    /// amax of a contiguous run (NaN if there is one).
    pub fn amax_f32(xs: &[f32]) -> f32 = amax_f32_body;
}
multiversion! {
    pub fn amin_f32(xs: &[f32]) -> f32 = amin_f32_body;
}
multiversion! {
    pub fn amax_f64(xs: &[f64]) -> f64 = amax_f64_body;
}
multiversion! {
    pub fn amin_f64(xs: &[f64]) -> f64 = amin_f64_body;
}

/// The largest element, NaNs skipped (`x > m` is false for NaN, so each step is one `max`
/// instruction); -inf for an empty or all-NaN slice. Softmax needs no NaN here: a NaN reaches
/// every output through the row's sum.
#[inline(always)]
fn max_f32_body(xs: &[f32]) -> f32 {
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

/// `y[i] = x[i] - shift` (log_softmax's last pass).
#[inline(always)]
fn shift_f32_body(x: &[f32], shift: f32, y: &mut [f32]) {
    for (o, &v) in y.iter_mut().zip(x) {
        *o = v - shift;
    }
}

/// `x[i] *= s`.
#[inline(always)]
fn scale_f32_body(x: &mut [f32], s: f32) {
    for v in x.iter_mut() {
        *v *= s;
    }
}

multiversion! {
    pub fn max_ignoring_nan_f32(xs: &[f32]) -> f32 = max_f32_body;
}
multiversion! {
    pub fn shift_f32(x: &[f32], shift: f32, y: &mut [f32]) -> () = shift_f32_body;
}
multiversion! {
    pub fn scale_f32(x: &mut [f32], s: f32) -> () = scale_f32_body;
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
