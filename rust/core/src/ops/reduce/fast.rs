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
                // tree-combine the lanes (vectorises, and keeps the error logarithmic)
                let mut w = L / 2;
                while w > 0 {
                    for j in 0..w {
                        acc[j] += acc[j + w];
                    }
                    w /= 2;
                }
                let mut b = acc[0] as f64;
                for &x in it.remainder() {
                    b += x as f64;
                }
                total += b;
            }
            total
        }
    };
}
blocked_sum!(sum_f32_body, f32, 64);
blocked_sum!(sum_f64_body, f64, 32);

multiversion! {
    /// Sum of a contiguous float32 run, returned in f64.
    pub fn sum_f32(xs: &[f32]) -> f64 = sum_f32_body;
}
multiversion! {
    /// Sum of a contiguous float64 run.
    pub fn sum_f64(xs: &[f64]) -> f64 = sum_f64_body;
}

/// The largest element, NaN if there is one (branch-free, so it vectorises).
#[inline(always)]
fn max_f32_body(xs: &[f32]) -> f32 {
    const L: usize = 32;
    let mut acc = [f32::NEG_INFINITY; L];
    let mut it = xs.chunks_exact(L);
    for c in &mut it {
        for j in 0..L {
            let x = c[j];
            acc[j] = if x > acc[j] || x != x { x } else { acc[j] };
        }
    }
    let mut m = f32::NEG_INFINITY;
    for &x in acc.iter().chain(it.remainder()) {
        m = if x > m || x != x { x } else { m };
    }
    m
}

/// `x[i] -= m` (the shift before softmax's exp).
#[inline(always)]
fn sub_f32_body(x: &mut [f32], m: f32) {
    for v in x.iter_mut() {
        *v -= m;
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
    pub fn max_f32(xs: &[f32]) -> f32 = max_f32_body;
}
multiversion! {
    pub fn sub_f32(x: &mut [f32], m: f32) -> () = sub_f32_body;
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
    fn max_propagates_nan() {
        let mut v: Vec<f32> = (0..100).map(|i| i as f32).collect();
        assert_eq!(max_f32(&v), 99.0);
        v[40] = f32::NAN;
        assert!(max_f32(&v).is_nan());
        assert_eq!(max_f32(&[]), f32::NEG_INFINITY);
    }
}
