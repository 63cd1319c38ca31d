//! Transcendental functions over slices, for every kernel that needs them (unary ops, softmax,
//! losses...).
//!
//! Per-element libm is about 3x slower than PyTorch's vectorised kernels (../shared/PERF.md), so
//! the float32 functions here are branch-free polynomials (Cephes-style range reduction, errors
//! of a few float32 ulps) written so that LLVM vectorises the loop over the slice: no calls, no
//! `f32::round` and no saturating `as i32` in the hot loop (rounding uses the 1.5 * 2^23 trick
//! and integers are read from float bits). Every slice function is compiled three times, for
//! AVX-512, for AVX2+FMA and portably, and [`map`] picks one at run time (`multiversion!` in
//! `simd.rs`: a wheel built for generic x86-64 still gets the wide instructions). The same [`map`] also serves plain Rust scalar functions
//! (`f32::sqrt`, `f32::floor`...), which then vectorise with the wider instruction set too.
//!
//! The public slice signatures (`exp_f32`, `log_f32`, ...) are a contract other kernels call.

use crate::simd::multiversion;

/// A function applied elementwise by [`map`]. `FMA` says whether fused multiply-add is
/// available (it is in the AVX2 and AVX-512 variants); without it `mul_add` would be a slow
/// library call, so polynomials use [`madd`].
pub trait ElemFn<S, D>: Sync {
    fn call<const FMA: bool>(&self, x: S) -> D;
}

/// A plain Rust function or closure as an [`ElemFn`] (it does not use FMA itself).
#[derive(Clone, Copy)]
pub struct Lift<F>(pub F);

impl<S, D, F: Fn(S) -> D + Sync> ElemFn<S, D> for Lift<F> {
    #[inline(always)]
    fn call<const FMA: bool>(&self, x: S) -> D {
        (self.0)(x)
    }
}

#[inline(always)]
fn run<S: Copy, D, K: ElemFn<S, D>, const FMA: bool>(x: &[S], y: &mut [D], k: &K) {
    for (o, &v) in y.iter_mut().zip(x) {
        *o = k.call::<FMA>(v);
    }
}

#[inline(always)]
fn run_inplace<T: Copy, K: ElemFn<T, T>, const FMA: bool>(x: &mut [T], k: &K) {
    for v in x.iter_mut() {
        *v = k.call::<FMA>(*v);
    }
}

multiversion! { [avx512, avx2], FMA;
    /// `y[i] = k(x[i])`, compiled for the widest instruction set this CPU has.
    /// Panics if the slices differ in length (a caller bug, never user input).
    pub fn map[S: Copy, D, K: ElemFn<S, D>](x: &[S], y: &mut [D], k: &K) {
        assert_eq!(x.len(), y.len(), "vecmath::map: slices of different lengths");
        run::<S, D, K, FMA>(x, y, k)
    }
}

multiversion! { [avx512, avx2], FMA;
    /// `x[i] = k(x[i])`, like [`map`].
    pub fn map_inplace[T: Copy, K: ElemFn<T, T>](x: &mut [T], k: &K) {
        run_inplace::<T, K, FMA>(x, k)
    }
}

/// `a * b + c`, fused when the instruction exists.
#[inline(always)]
fn madd<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// Horner's rule over coefficients from the highest degree down.
#[inline(always)]
fn horner<const FMA: bool, const N: usize>(x: f32, c: [f32; N]) -> f32 {
    let mut p = c[0];
    for &k in &c[1..] {
        p = madd::<FMA>(p, x, k);
    }
    p
}

/// `x` with the sign bit of `s`.
#[inline(always)]
fn with_sign_of(x: f32, s: f32) -> f32 {
    f32::from_bits((x.to_bits() & 0x7fff_ffff) | (s.to_bits() & 0x8000_0000))
}

// ------------------------------------------------------------------ the float32 functions

/// exp: x = n ln2 + r with |r| <= ln2/2, exp(r) by Cephes' degree-6 polynomial, times 2^n built
/// from bits in two halves so that subnormal results (x down to -103.9) and overflow come out
/// right. Max error ~1 ulp. NaN propagates (the comparisons are false for NaN).
#[inline(always)]
fn exp_elem<const FMA: bool>(x: f32) -> f32 {
    const SHIFT: f32 = 12_582_912.0; // 1.5 * 2^23: adding it rounds to an integer
    let x = if x > 89.0 { 89.0 } else { x };
    let x = if x < -104.0 { -104.0 } else { x };
    let t = madd::<FMA>(x, std::f32::consts::LOG2_E, SHIFT);
    let n = t - SHIFT;
    // the integer n sits in the low mantissa bits of t (wrapping: NaN bits give garbage, unused)
    let ni = (t.to_bits() as i32).wrapping_sub(SHIFT.to_bits() as i32);
    // ln2 split so that n * LN2_HI is exact
    let r = madd::<FMA>(n, -0.693_359_4, x);
    let r = madd::<FMA>(n, 2.121_944_4e-4, r);
    let p = horner::<FMA, 6>(r, [1.987_569_1e-4, 1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 0.166_666_65, 0.5]);
    let e = madd::<FMA>(p, r * r, r) + 1.0;
    let h = ni >> 1;
    let s1 = f32::from_bits((h.wrapping_add(127) as u32) << 23);
    let s2 = f32::from_bits((ni.wrapping_sub(h).wrapping_add(127) as u32) << 23);
    e * s1 * s2
}

/// Natural log: x = 2^e m with m in [sqrt(1/2), sqrt(2)), log(m) by Cephes' polynomial;
/// subnormals are scaled up first. Max error ~1 ulp.
#[inline(always)]
fn log_elem<const FMA: bool>(x: f32) -> f32 {
    let sub = x < f32::MIN_POSITIVE;
    let xs = if sub { x * 8_388_608.0 } else { x }; // 2^23
    let bits = xs.to_bits();
    let e = ((bits >> 23) & 0xff) as i32 - if sub { 126 + 23 } else { 126 };
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f00_0000); // in [0.5, 1)
    let small = m < std::f32::consts::FRAC_1_SQRT_2;
    let e = (if small { e - 1 } else { e }) as f32;
    let m = if small { m + m - 1.0 } else { m - 1.0 };
    let z = m * m;
    let p = horner::<FMA, 9>(
        m,
        [7.037_683_6e-2, -0.115_146_1, 0.116_769_98, -0.124_201_41, 0.142_493_23, -0.166_680_57, 0.200_007_15, -0.249_999_94, 0.333_333_3],
    );
    let y = p * m * z;
    let y = madd::<FMA>(e, -2.121_944_4e-4, y);
    let y = madd::<FMA>(z, -0.5, y);
    let r = madd::<FMA>(e, 0.693_359_4, m + y);
    let r = if x == f32::INFINITY { x } else { r };
    let r = if x == 0.0 { f32::NEG_INFINITY } else { r };
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    let bad = !(x >= 0.0); // negative or NaN
    if bad {
        f32::NAN
    } else {
        r
    }
}

/// tanh: Cephes' odd polynomial below 0.625 (no cancellation near 0), else
/// 1 - 2 / (exp(2|x|) + 1) with the sign of x. Max error ~2 ulp.
#[inline(always)]
fn tanh_elem<const FMA: bool>(x: f32) -> f32 {
    let a = x.abs();
    let z = x * x;
    let p = horner::<FMA, 5>(z, [-5.704_988_7e-3, 2.063_908_9e-2, -5.373_971_6e-2, 0.133_314_42, -0.333_332_82]);
    let small = madd::<FMA>(p * z, x, x);
    let big = with_sign_of(1.0 - 2.0 / (exp_elem::<FMA>(a + a) + 1.0), x);
    if a < 0.625 {
        small
    } else {
        big
    }
}

/// sigmoid: 1 / (1 + exp(-x)); 0 below about -88.7, like torch. Max error ~2 ulp.
#[inline(always)]
fn sigmoid_elem<const FMA: bool>(x: f32) -> f32 {
    1.0 / (1.0 + exp_elem::<FMA>(-x))
}

/// erf: x P(x^2) (a degree-5 fit of erf(x)/x) below 1; above, 1 - erfc with erfc from the
/// Numerical Recipes Chebyshev form t exp(-x^2 + Q(t)), t = 1/(1 + x/2) (fractional error
/// 1.2e-7). Max error ~3 ulp.
#[inline(always)]
fn erf_elem<const FMA: bool>(x: f32) -> f32 {
    let a = x.abs();
    let z = x * x;
    // fitted coefficients; the last is close to, but deliberately not exactly, 2/sqrt(pi)
    #[allow(clippy::approx_constant)]
    let p = horner::<FMA, 6>(z, [-5.625_396e-4, 4.916_023_5e-3, -2.670_995e-2, 0.112_801_31, -0.376_123_2, 1.128_379_1]);
    let small = x * p;
    let t = 1.0 / madd::<FMA>(0.5, a, 1.0);
    let q = horner::<FMA, 10>(
        t,
        [0.170_872_77, -0.822_152_23, 1.488_515_9, -1.135_204, 0.278_868_07, -0.186_288_06, 0.096_784_18, 0.374_091_96, 1.000_023_7, -1.265_512_2],
    );
    let erfc = t * exp_elem::<FMA>(madd::<FMA>(-a, a, q));
    let big = with_sign_of(1.0 - erfc, x);
    if a < 1.0 {
        small
    } else {
        big
    }
}

macro_rules! elem_struct {
    ($($name:ident => $f:ident),* $(,)?) => {$(
        /// The float32 kernel as an [`ElemFn`], for callers that fuse it into their own loops.
        #[derive(Clone, Copy, Default)]
        pub struct $name;
        impl ElemFn<f32, f32> for $name {
            #[inline(always)]
            fn call<const FMA: bool>(&self, x: f32) -> f32 {
                $f::<FMA>(x)
            }
        }
    )*};
}
elem_struct!(Exp => exp_elem, Log => log_elem, Tanh => tanh_elem, Sigmoid => sigmoid_elem, Erf => erf_elem);

/// `y[i] = exp(x[i] - shift)`, returning the sum of `y` (softmax's middle pass, fused so the
/// row is read once). Lanes sum blocks of 4096 in f32 (each lane adds at most 256 terms), the
/// blocks add up in f64.
pub fn exp_shift_sum_f32(x: &[f32], shift: f32, y: &mut [f32]) -> f64 {
    assert_eq!(x.len(), y.len(), "vecmath::exp_shift_sum_f32: slices of different lengths");
    #[cfg(target_arch = "x86_64")]
    if avx512::available() {
        // SAFETY: the CPU has AVX-512F; the slices have the same length.
        return unsafe { avx512::exp_shift_sum(x, shift, y) };
    }
    exp_shift_sum_tiers(x, shift, y)
}

multiversion! { [avx2], FMA;
    fn exp_shift_sum_tiers(x: &[f32], shift: f32, y: &mut [f32]) -> f64 {
        exp_shift_sum::<FMA>(x, shift, y)
    }
}

/// Lanes per vector in [`exp_shift_sum`]'s accumulators and in `avx512`.
const L: usize = 16;
/// Elements per f32 partial sum in [`exp_shift_sum`].
const SUM_BLOCK: usize = 4096;

#[inline(always)]
fn exp_shift_sum<const FMA: bool>(x: &[f32], shift: f32, y: &mut [f32]) -> f64 {
    let mut total = 0.0f64;
    for (xb, yb) in x.chunks(SUM_BLOCK).zip(y.chunks_mut(SUM_BLOCK)) {
        let mut acc = [0.0f32; L];
        let (mut xs, mut ys) = (xb.chunks_exact(L), yb.chunks_exact_mut(L));
        for (xc, yc) in (&mut xs).zip(&mut ys) {
            for j in 0..L {
                let e = exp_elem::<FMA>(xc[j] - shift);
                yc[j] = e;
                acc[j] += e;
            }
        }
        let mut b: f64 = acc.iter().map(|&a| a as f64).sum();
        for (o, &v) in ys.into_remainder().iter_mut().zip(xs.remainder()) {
            *o = exp_elem::<FMA>(v - shift);
            b += *o as f64;
        }
        total += b;
    }
    total
}

/// float32 exp with AVX-512 intrinsics: the same steps as `exp_elem::<true>` (so the same bits),
/// except that `vscalefps` multiplies by 2^n in one instruction where the portable code builds
/// two powers of two from bits (nine instructions of twenty-three: the autovectorised loop is
/// bound by instruction count, and this one runs ~1.3x faster).
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{L, SUM_BLOCK};
    use std::arch::x86_64::*;

    /// Whether this CPU runs these kernels (the same test as `multiversion!`'s avx512 tier).
    #[inline]
    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512dq")
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn exp16(x: __m512) -> __m512 {
        const SHIFT: f32 = 12_582_912.0;
        let c = _mm512_set1_ps;
        // min/max return their second operand when either is NaN: x, so NaN propagates
        let x = _mm512_max_ps(c(-104.0), _mm512_min_ps(c(89.0), x));
        let t = _mm512_fmadd_ps(x, c(std::f32::consts::LOG2_E), c(SHIFT));
        let n = _mm512_sub_ps(t, c(SHIFT));
        let r = _mm512_fmadd_ps(n, c(-0.693_359_4), x);
        let r = _mm512_fmadd_ps(n, c(2.121_944_4e-4), r);
        let mut p = c(1.987_569_1e-4);
        for k in [1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 0.166_666_65, 0.5] {
            p = _mm512_fmadd_ps(p, r, c(k));
        }
        let e = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), c(1.0));
        // e * 2^n rounded once, as e * 2^(n/2) * 2^(n - n/2) is (the first product is exact)
        _mm512_scalef_ps(e, n)
    }

    /// The mask of the first `n < 16` lanes.
    #[inline]
    fn head(n: usize) -> __mmask16 {
        ((1u32 << n) - 1) as __mmask16
    }

    /// `y[i] = exp(x[i])` over `n` elements; `x` and `y` may be the same pointer (in place).
    /// SAFETY: the CPU has AVX-512F; `x` and `y` are valid for `n` elements.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn exp(x: *const f32, y: *mut f32, n: usize) {
        let mut i = 0;
        while i + L <= n {
            _mm512_storeu_ps(y.add(i), exp16(_mm512_loadu_ps(x.add(i))));
            i += L;
        }
        if i < n {
            let m = head(n - i);
            _mm512_mask_storeu_ps(y.add(i), m, exp16(_mm512_maskz_loadu_ps(m, x.add(i))));
        }
    }

    /// [`super::exp_shift_sum`] with [`exp16`], summing in the same order (so the same bits).
    /// SAFETY: the CPU has AVX-512F; the slices have the same length.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn exp_shift_sum(x: &[f32], shift: f32, y: &mut [f32]) -> f64 {
        let s = _mm512_set1_ps(shift);
        let mut total = 0.0f64;
        for (xb, yb) in x.chunks(SUM_BLOCK).zip(y.chunks_mut(SUM_BLOCK)) {
            let (full, n) = (xb.len() / L * L, xb.len());
            let (xp, yp) = (xb.as_ptr(), yb.as_mut_ptr());
            let mut acc = _mm512_setzero_ps();
            let mut i = 0;
            while i < full {
                let e = exp16(_mm512_sub_ps(_mm512_loadu_ps(xp.add(i)), s));
                _mm512_storeu_ps(yp.add(i), e);
                acc = _mm512_add_ps(acc, e);
                i += L;
            }
            let mut lanes = [0.0f32; L];
            _mm512_storeu_ps(lanes.as_mut_ptr(), acc);
            let mut b: f64 = lanes.iter().map(|&a| a as f64).sum();
            if full < n {
                let m = head(n - full);
                _mm512_mask_storeu_ps(yp.add(full), m, exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, xp.add(full)), s)));
                for &v in &yb[full..] {
                    b += v as f64;
                }
            }
            total += b;
        }
        total
    }
}

/// `y[i] = exp(x[i])`.
pub fn exp_f32(x: &[f32], y: &mut [f32]) {
    assert_eq!(x.len(), y.len(), "vecmath::exp_f32: slices of different lengths");
    #[cfg(target_arch = "x86_64")]
    if avx512::available() {
        // SAFETY: the CPU has AVX-512F; both slices hold x.len() elements.
        return unsafe { avx512::exp(x.as_ptr(), y.as_mut_ptr(), x.len()) };
    }
    map(x, y, &Exp)
}

/// `x[i] = exp(x[i])`.
pub fn exp_f32_inplace(x: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if avx512::available() {
        // SAFETY: the CPU has AVX-512F; each vector is read before it is written.
        return unsafe { avx512::exp(x.as_ptr(), x.as_mut_ptr(), x.len()) };
    }
    map_inplace(x, &Exp)
}

/// `y[i] = ln(x[i])`.
pub fn log_f32(x: &[f32], y: &mut [f32]) {
    map(x, y, &Log)
}

/// `y[i] = tanh(x[i])`.
pub fn tanh_f32(x: &[f32], y: &mut [f32]) {
    map(x, y, &Tanh)
}

/// `y[i] = 1 / (1 + exp(-x[i]))`.
pub fn sigmoid_f32(x: &[f32], y: &mut [f32]) {
    map(x, y, &Sigmoid)
}

/// `y[i] = erf(x[i])`.
pub fn erf_f32(x: &[f32], y: &mut [f32]) {
    map(x, y, &Erf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in float32 ulps between `got` and the float64 reference (subnormal-aware).
    fn ulps(got: f32, want: f64) -> f64 {
        if want.is_nan() {
            return if got.is_nan() { 0.0 } else { f64::INFINITY };
        }
        if got as f64 == want {
            return 0.0;
        }
        let w = want as f32;
        if w.is_infinite() || got.is_infinite() {
            return if got == w { 0.0 } else { f64::INFINITY };
        }
        let spacing = (f32::from_bits(w.abs().to_bits() + 1) - w.abs()) as f64;
        (got as f64 - want).abs() / spacing
    }

    /// Every 997th float32 bit pattern (both signs, all exponents), plus the edges.
    fn sweep() -> Vec<f32> {
        let mut v: Vec<f32> = (0..u32::MAX / 997).map(|i| f32::from_bits(i * 997)).collect();
        v.extend([0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, f32::NAN, f32::MIN_POSITIVE, 1e-45, 88.72, 88.73, -87.3, -103.9, -104.0, 1.0, -1.0]);
        v
    }

    fn max_ulps(f: fn(&[f32], &mut [f32]), reference: fn(f64) -> f64, both: bool) -> f64 {
        let x = sweep();
        let mut y = vec![0.0f32; x.len()];
        f(&x, &mut y);
        let mut worst = 0.0f64;
        for (&a, &b) in x.iter().zip(&y) {
            let want = reference(a as f64);
            let u = ulps(b, want);
            assert!(u.is_finite(), "x={a:e}: got {b:e}, want {want:e}");
            if both || want.abs() >= f32::MIN_POSITIVE as f64 {
                worst = worst.max(u);
            }
        }
        worst
    }

    #[test]
    fn exp_accuracy() {
        assert!(max_ulps(exp_f32, f64::exp, true) <= 2.0);
    }

    #[test]
    fn log_accuracy() {
        assert!(max_ulps(log_f32, f64::ln, true) <= 2.0);
    }

    #[test]
    fn tanh_accuracy() {
        assert!(max_ulps(tanh_f32, f64::tanh, true) <= 3.0);
    }

    #[test]
    fn sigmoid_accuracy() {
        // below -87.3 the result is subnormal or flushed to 0 (as torch does): relative error
        // there is not meaningful, so only normal results are counted
        let w = max_ulps(sigmoid_f32, |x| 1.0 / (1.0 + (-x).exp()), false);
        assert!(w <= 4.0, "{w}");
    }

    #[test]
    fn erf_accuracy() {
        let w = max_ulps(erf_f32, libm::erf, true);
        assert!(w <= 4.0, "{w}");
    }

    /// The AVX-512 kernels give the FMA tiers' bits exactly (scalef rounds once where the
    /// portable code's second power-of-two product does), subnormal and overflowing results
    /// and NaN included, at every length (the masked tail).
    #[test]
    fn avx512_exp_matches_the_fma_tiers_bit_for_bit() {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("fma") {
            // the FMA tier's bodies, run only on a CPU with FMA (checked above)
            #[target_feature(enable = "fma")]
            unsafe fn fma_exp(x: &[f32], y: &mut [f32]) {
                run::<f32, f32, Exp, true>(x, y, &Exp)
            }
            #[target_feature(enable = "fma")]
            unsafe fn fma_sum(x: &[f32], shift: f32, y: &mut [f32]) -> f64 {
                exp_shift_sum::<true>(x, shift, y)
            }
            let x = sweep();
            let (mut fast, mut slow) = (vec![0.0f32; x.len()], vec![0.0f32; x.len()]);
            exp_f32(&x, &mut fast);
            unsafe { fma_exp(&x, &mut slow) };
            for ((a, b), v) in fast.iter().zip(&slow).zip(&x) {
                assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()), "x={v:e}: {a:e} vs {b:e}");
            }
            for n in [0usize, 1, 15, 16, 17, 4095, 4096, 4097, 10_000] {
                let xs: Vec<f32> = (0..n).map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.37).collect();
                let (mut y1, mut y2) = (vec![0.0f32; n], vec![0.0f32; n]);
                let s1 = exp_shift_sum_f32(&xs, 1.25, &mut y1);
                let s2 = unsafe { fma_sum(&xs, 1.25, &mut y2) };
                assert_eq!(s1.to_bits(), s2.to_bits(), "n={n}");
                assert!(y1.iter().zip(&y2).all(|(a, b)| a.to_bits() == b.to_bits()), "n={n}");
            }
        }
    }

    #[test]
    fn every_isa_agrees_with_the_portable_path() {
        let x = sweep();
        let mut fast = vec![0.0f32; x.len()];
        let mut slow = vec![0.0f32; x.len()];
        exp_f32(&x, &mut fast);
        run::<f32, f32, Exp, false>(&x, &mut slow, &Exp);
        for ((a, b), v) in fast.iter().zip(&slow).zip(&x) {
            assert!(ulps(*a, *b as f64) <= 1.0 || (a.is_nan() && b.is_nan()), "x={v:e}: {a:e} vs {b:e}");
        }
        let mut inplace = x.clone();
        exp_f32_inplace(&mut inplace);
        assert!(inplace.iter().zip(&fast).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}
