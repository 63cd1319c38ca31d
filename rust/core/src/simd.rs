//! CPU-feature dispatch: the one way a kernel is compiled for several instruction sets and runs
//! the widest one this CPU has.
//!
//! The crate is built for baseline x86-64 (a wheel must run on any x86-64), whose 128-bit SSE2
//! vectors would leave most of a modern core idle. So a hot loop, written plainly for LLVM to
//! vectorise, is compiled again with `#[target_feature]` per *tier*, and a run-time check picks
//! the widest tier the CPU supports (std caches CPUID: a check is an atomic load):
//!
//! | tier     | features                                | FMA   |
//! |----------|-----------------------------------------|-------|
//! | `avx512` | avx512f, avx512vl, avx512dq, avx2, fma  | true  |
//! | `avx2`   | avx2, fma                               | true  |
//! | baseline | the build's own (SSE2)                  | false |
//!
//! [`multiversion!`](crate::simd::multiversion) is the only place that spells these out; every
//! kernel that dispatches on CPU features goes through it (`ops/vecmath.rs`, `ops/reduce/fast.rs`,
//! `ops::simd` behind the elementwise drivers). Other architectures get the baseline body only.
//!
//! ```ignore
//! multiversion! { [avx512, avx2], FMA;
//!     /// `y[i] = k(x[i])`.
//!     pub fn map[S: Copy, D, K: ElemFn<S, D>](x: &[S], y: &mut [D], k: &K) {
//!         run::<S, D, K, FMA>(x, y, k)
//!     }
//! }
//! ```
//!
//! defines `map` with one copy of the body per listed tier and one for baseline. Generics go in
//! square brackets; arguments are plain `name: Type`. The optional `FMA` names a `const bool`
//! the body may use (a const generic, say): true in the tiers with fused multiply-add, false in
//! the baseline copy, where `f32::mul_add` would be a slow library call. Results must not depend
//! on the tier (the bodies here use no contraction the baseline lacks, so they are identical);
//! only speed does.
//!
//! Tiers are listed per kernel: the elementwise drivers (`ops::simd`, instantiated for every op
//! and dtype) stop at AVX2, where they are memory-bound anyway, to keep code size and build
//! time down; the reductions and transcendental functions also get AVX-512.

/// Define a function compiled for each listed tier and for baseline; see the module doc.
macro_rules! multiversion {
    ([$($tier:ident),+ $(,)?] $(, $fma:ident)?;
        $(#[$m:meta])*
        $vis:vis fn $name:ident $([$($g:tt)*])? ($($a:ident: $t:ty),* $(,)?) $(-> $r:ty)? $body:block
    ) => {
        $(#[$m])*
        $vis fn $name $(<$($g)*>)? ($($a: $t),*) $(-> $r)? {
            #[cfg(target_arch = "x86_64")]
            {
                $crate::simd::multiversion!(@tiers [$($tier),+] [$($fma)?] [$($($g)*)?] ($($a: $t),*) [$(-> $r)?] $body);
            }
            $(const $fma: bool = false;)?
            $body
        }
    };
    // one `if cpu has it { return tier(args) }` per listed tier, widest first as listed
    (@tiers [] $($rest:tt)*) => {};
    (@tiers [$first:ident $(, $more:ident)*] $fma:tt $g:tt $args:tt $ret:tt $body:block) => {
        $crate::simd::multiversion!(@$first $fma $g $args $ret $body);
        $crate::simd::multiversion!(@tiers [$($more),*] $fma $g $args $ret $body);
    };
    (@avx512 [$($fma:ident)?] [$($g:tt)*] ($($a:ident: $t:ty),*) [$($ret:tt)*] $body:block) => {
        if ::std::arch::is_x86_feature_detected!("avx512f")
            && ::std::arch::is_x86_feature_detected!("avx512vl")
            && ::std::arch::is_x86_feature_detected!("avx512dq")
        {
            #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx2,fma")]
            unsafe fn tier<$($g)*>($($a: $t),*) $($ret)* {
                $(const $fma: bool = true;)?
                $body
            }
            // SAFETY: the CPU has every feature `tier` was compiled for.
            return unsafe { tier($($a),*) };
        }
    };
    (@avx2 [$($fma:ident)?] [$($g:tt)*] ($($a:ident: $t:ty),*) [$($ret:tt)*] $body:block) => {
        if ::std::arch::is_x86_feature_detected!("avx2") && ::std::arch::is_x86_feature_detected!("fma") {
            #[target_feature(enable = "avx2,fma")]
            unsafe fn tier<$($g)*>($($a: $t),*) $($ret)* {
                $(const $fma: bool = true;)?
                $body
            }
            // SAFETY: the CPU has every feature `tier` was compiled for.
            return unsafe { tier($($a),*) };
        }
    };
}
pub(crate) use multiversion;

#[cfg(test)]
mod tests {
    multiversion! { [avx512, avx2], FMA;
        /// Whether the copy that ran has FMA, and a generic argument passed through.
        fn probe[T: Copy](x: T) -> (bool, T) {
            (FMA, x)
        }
    }

    multiversion! { [avx2];
        fn no_return(out: &mut Vec<u8>) {
            out.push(1)
        }
    }

    #[test]
    fn picks_a_tier_the_cpu_has() {
        #[cfg(target_arch = "x86_64")]
        let fma = std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma");
        #[cfg(not(target_arch = "x86_64"))]
        let fma = false;
        assert_eq!(probe(7u8), (fma, 7));
        let mut v = Vec::new();
        no_return(&mut v);
        assert_eq!(v, [1]);
    }
}
