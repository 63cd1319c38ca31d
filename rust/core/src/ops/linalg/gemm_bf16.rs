//! bfloat16 GEMM on the AVX512_BF16 dot-product instruction `vdpbf16ps`, which multiplies pairs
//! of bfloat16 values and adds both products to a float32 lane: twice the multiply-adds per
//! instruction of a float32 FMA, with float32 accumulation. The result is rounded to bfloat16
//! once, after the whole sum (and `alpha`, and the old output when accumulating).
//!
//! The structure is the usual one for a packed GEMM: for each block of `KC` along k, B's block
//! is packed into `NR`-column panels of k-pairs (`[pair][column][2]`, so one 64-byte load gives
//! 16 columns' pairs), then for each block of `MC` rows A's block is packed into `MR`-row panels
//! (`[pair][row]` as 32-bit pairs, broadcast from memory by the micro-kernel), and an
//! `MR x NR` micro-kernel of 24 accumulators walks each pair of panels. Packing pads with zeros,
//! so the micro-kernel only sees whole tiles; the epilogue writes the valid part. When k exceeds
//! one block, partial sums stay in float32 (a scratch copy of the output block) until the last.
//!
//! Subnormal bfloat16 inputs count as zero in `vdpbf16ps` (as in oneDNN's kernels, which torch's
//! bfloat16 matmul uses here).

use std::cell::RefCell;

use crate::halfconv::bf16_bits;

/// Rows of the micro-tile (broadcast operand).
const MR: usize = 12;
/// Columns of the micro-tile: two 16-lane vectors.
const NR: usize = 32;
/// k per block (even): A's micro-panel (12 x 1024 bf16, 24 KiB) and B's (64 KiB) stay in L2.
const KC: usize = 1024;
/// Rows per packed block of A (a multiple of MR): 144 x 1024 bf16 = 288 KiB.
const MC: usize = 144;

/// Whether this CPU runs this kernel.
pub(crate) fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512bf16")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// A strided bfloat16 matrix (elements as their bits).
#[derive(Clone, Copy)]
pub(crate) struct View {
    pub ptr: *const u16,
    pub rs: isize,
    pub cs: isize,
}

impl View {
    /// # Safety
    /// `(r, c)` lies inside the matrix.
    #[inline(always)]
    unsafe fn at(&self, r: usize, c: usize) -> u16 {
        *self.ptr.offset(r as isize * self.rs + c as isize * self.cs)
    }
}

/// Per-thread packing buffers, kept between calls (a fresh 2 MiB buffer per product would
/// page-fault on every call).
#[derive(Default)]
struct Buffers {
    a: Vec<u32>,
    b: Vec<u16>,
    acc: Vec<f32>,
}

thread_local! {
    static BUFFERS: RefCell<Buffers> = RefCell::new(Buffers::default());
}

/// `out = alpha * a @ b` (or `out += ...` when `accumulate`) for an `m x k` by `k x n` product,
/// `out` given by pointer and strides (`m x n`), rounded to bfloat16 once.
///
/// # Safety
/// [`available`] is true; every view lies inside its buffer; `out` overlaps neither operand.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn gemm(out: *mut u16, ors: isize, ocs: isize, a: View, b: View, (m, n, k): (usize, usize, usize), alpha: f32, accumulate: bool) {
    if m == 0 || n == 0 {
        return;
    }
    // take the buffers (a nested call, which does not happen, would get fresh ones)
    let mut bufs = BUFFERS.with(|c| std::mem::take(&mut *c.borrow_mut()));
    let nq = n.div_ceil(NR);
    let multi = k > KC;
    if multi {
        bufs.acc.clear();
        bufs.acc.resize(m * n, 0.0);
    }
    let mut k0 = 0;
    loop {
        let kc = (k - k0).min(KC);
        let kp = kc.div_ceil(2);
        let last = k0 + kc >= k;
        bufs.b.resize(nq * kp * NR * 2, 0);
        pack_b(b, k0, kc, n, kp, &mut bufs.b);
        let mut i0 = 0;
        while i0 < m {
            let mc = (m - i0).min(MC);
            let np = mc.div_ceil(MR);
            bufs.a.resize(np * kp * MR, 0);
            pack_a(a, i0, mc, k0, kc, kp, &mut bufs.a);
            for q in 0..nq {
                let bp = bufs.b.as_ptr().add(q * kp * NR * 2);
                let (c0, nr) = (q * NR, (n - q * NR).min(NR));
                for ip in 0..np {
                    let mut tile = [[0f32; NR]; MR];
                    if kp > 0 {
                        x86::micro(kp, bufs.a.as_ptr().add(ip * kp * MR), bp, &mut tile);
                    }
                    let (r0, mr) = (i0 + ip * MR, (mc - ip * MR).min(MR));
                    let acc = if multi { Some(bufs.acc.as_mut_ptr().add(r0 * n + c0)) } else { None };
                    let dst = out.offset(r0 as isize * ors + c0 as isize * ocs);
                    let tile = Tile { v: &tile, mr, nr };
                    if last {
                        x86::finish(tile, acc, n, dst, ors, ocs, alpha, accumulate);
                    } else if let Some(acc) = acc {
                        tile.add_into(acc, n);
                    }
                }
            }
            i0 += mc;
        }
        if last {
            break;
        }
        k0 += kc;
    }
    BUFFERS.with(|c| *c.borrow_mut() = bufs);
}

/// The valid `mr x nr` corner of a micro-tile's sums.
#[derive(Clone, Copy)]
struct Tile<'a> {
    v: &'a [[f32; NR]; MR],
    mr: usize,
    nr: usize,
}

impl Tile<'_> {
    /// `acc[i, j] += tile[i, j]` (row stride `ld`).
    unsafe fn add_into(self, acc: *mut f32, ld: usize) {
        for i in 0..self.mr {
            let row = std::slice::from_raw_parts_mut(acc.add(i * ld), self.nr);
            row.iter_mut().zip(&self.v[i]).for_each(|(a, t)| *a += t);
        }
    }
}

/// Pack rows `k0..k0+kc` of B (all `n` columns) into `NR`-column panels of k-pairs:
/// `dst[q][p][j][h] = B[k0 + 2p + h, q*NR + j]`, zero outside B.
unsafe fn pack_b(b: View, k0: usize, kc: usize, n: usize, kp: usize, dst: &mut [u16]) {
    for q in 0..n.div_ceil(NR) {
        let (c0, nr) = (q * NR, (n - q * NR).min(NR));
        let panel = &mut dst[q * kp * NR * 2..][..kp * NR * 2];
        for p in 0..kp {
            let row = &mut panel[p * NR * 2..][..NR * 2];
            let (ka, two) = (k0 + 2 * p, 2 * p + 1 < kc);
            if b.cs == 1 && nr == NR && two {
                x86::interleave_rows(b.ptr.offset(ka as isize * b.rs + c0 as isize), b.rs, row.as_mut_ptr());
            } else if b.rs == 1 && two {
                // a transposed B: each column's pair is one 32-bit word; 16 pairs x 16 columns
                // at a time through a register transpose
                let w = row.as_mut_ptr() as *mut u32;
                // whether pairs p0..p0+16 of this panel go through the transpose
                let tblock = |p0: usize| 2 * (p0 + 16) <= kc && nr == NR && b.cs % 2 == 0;
                if p % 16 == 0 && tblock(p) {
                    for h in 0..2 {
                        let src = b.ptr.offset(ka as isize + (c0 + 16 * h) as isize * b.cs) as *const u32;
                        x86::transpose16(src, b.cs / 2, w.add(16 * h), NR, 16);
                    }
                }
                if p % 16 != 0 && tblock(p - p % 16) {
                    continue; // written by the transpose at p - p % 16
                }
                for j in 0..nr {
                    *w.add(j) = (b.ptr.offset(ka as isize + (c0 + j) as isize * b.cs) as *const u32).read_unaligned();
                }
                row[nr * 2..].fill(0);
            } else {
                for j in 0..NR {
                    let ok = j < nr;
                    row[2 * j] = if ok { b.at(ka, c0 + j) } else { 0 };
                    row[2 * j + 1] = if ok && two { b.at(ka + 1, c0 + j) } else { 0 };
                }
            }
        }
    }
}

/// Pack rows `i0..i0+mc`, columns `k0..k0+kc` of A into `MR`-row panels of 32-bit k-pairs:
/// `dst[panel][p][i] = A[r, k0 + 2p] | A[r, k0 + 2p + 1] << 16` for row `r = i0 + panel*MR + i`.
unsafe fn pack_a(a: View, i0: usize, mc: usize, k0: usize, kc: usize, kp: usize, dst: &mut [u32]) {
    for ip in 0..mc.div_ceil(MR) {
        let (r0, mr) = (i0 + ip * MR, (mc - ip * MR).min(MR));
        let panel = &mut dst[ip * kp * MR..][..kp * MR];
        if a.cs == 1 && kc % 2 == 0 {
            // row-major A: each pair is one 32-bit word of a row; 16 pairs of the panel's rows
            // at a time through a register transpose
            let full = if mr == MR && a.rs % 2 == 0 { kp / 16 * 16 } else { 0 };
            let base = a.ptr.offset(r0 as isize * a.rs + k0 as isize) as *const u32;
            for p in (0..full).step_by(16) {
                x86::transpose16(base.add(p), a.rs / 2, panel.as_mut_ptr().add(p * MR), MR, MR);
            }
            for i in 0..mr {
                let row = a.ptr.offset((r0 + i) as isize * a.rs + k0 as isize) as *const u32;
                for p in full..kp {
                    panel[p * MR + i] = row.add(p).read_unaligned();
                }
            }
        } else {
            for i in 0..mr {
                for p in 0..kp {
                    let ka = k0 + 2 * p;
                    let lo = a.at(r0 + i, ka) as u32;
                    let hi = if 2 * p + 1 < kc { a.at(r0 + i, ka + 1) as u32 } else { 0 };
                    panel[p * MR + i] = lo | hi << 16;
                }
            }
        }
        if mr < MR {
            for p in 0..kp {
                panel[p * MR + mr..(p + 1) * MR].fill(0);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{bf16_bits, Tile, MR, NR};
    use std::arch::x86_64::*;
    use std::mem::transmute;

    /// `tile = A_panel @ B_panel` over `kp` k-pairs.
    ///
    /// # Safety
    /// The CPU has AVX512_BF16; `a` holds `kp * MR` pairs, `b` `kp * NR * 2` values.
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512bf16")]
    pub(super) unsafe fn micro(kp: usize, a: *const u32, b: *const u16, tile: &mut [[f32; NR]; MR]) {
        let mut c0 = [_mm512_setzero_ps(); MR];
        let mut c1 = [_mm512_setzero_ps(); MR];
        let (mut a, mut b) = (a, b);
        for _ in 0..kp {
            let b0: __m512bh = transmute(_mm512_loadu_si512(b as *const _));
            let b1: __m512bh = transmute(_mm512_loadu_si512(b.add(32) as *const _));
            for i in 0..MR {
                let av: __m512bh = transmute(_mm512_set1_epi32((*a.add(i)) as i32));
                c0[i] = _mm512_dpbf16_ps(c0[i], av, b0);
                c1[i] = _mm512_dpbf16_ps(c1[i], av, b1);
            }
            a = a.add(MR);
            b = b.add(2 * NR);
        }
        for i in 0..MR {
            _mm512_storeu_ps(tile[i].as_mut_ptr(), c0[i]);
            _mm512_storeu_ps(tile[i].as_mut_ptr().add(16), c1[i]);
        }
    }

    /// `dst[0..64] = interleave(row0[0..32], row1[0..32])` for `row1 = row0 + rs`.
    ///
    /// # Safety
    /// The CPU has AVX-512BW; both rows hold 32 values; `dst` has room for 64.
    #[target_feature(enable = "avx512f,avx512bw")]
    pub(super) unsafe fn interleave_rows(row0: *const u16, rs: isize, dst: *mut u16) {
        let x = _mm512_loadu_si512(row0 as *const _);
        let y = _mm512_loadu_si512(row0.offset(rs) as *const _);
        // lane t of the result: x[t/2] for even t, y[t/2] for odd t (index 32+ picks from y)
        let lo: [u16; 32] = std::array::from_fn(|t| (t / 2 + if t % 2 == 1 { 32 } else { 0 }) as u16);
        let hi: [u16; 32] = std::array::from_fn(|t| (16 + t / 2 + if t % 2 == 1 { 32 } else { 0 }) as u16);
        let (lo, hi) = (_mm512_loadu_si512(lo.as_ptr() as *const _), _mm512_loadu_si512(hi.as_ptr() as *const _));
        _mm512_storeu_si512(dst as *mut _, _mm512_permutex2var_epi16(x, lo, y));
        _mm512_storeu_si512(dst.add(32) as *mut _, _mm512_permutex2var_epi16(x, hi, y));
    }

    /// Transpose a block of 32-bit words: `dst[q * ld + i] = src[i * rs + q]` for `q < 16` and
    /// `i < rows` (`rows <= 16`; rows past it read as zero).
    ///
    /// # Safety
    /// The CPU has AVX-512F; `src` holds `rows` rows of 16 words at stride `rs`, `dst` has room
    /// for 16 rows of `rows` words at stride `ld`.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn transpose16(src: *const u32, rs: isize, dst: *mut u32, ld: usize, rows: usize) {
        let r: [__m512i; 16] = std::array::from_fn(|i| if i < rows { _mm512_loadu_si512(src.offset(i as isize * rs) as *const _) } else { _mm512_setzero_si512() });
        // within each 128-bit lane L: t[2i], t[2i+1] interleave rows 2i and 2i+1
        let t: [__m512i; 16] = std::array::from_fn(|x| {
            let (i, hi) = (x / 2, x % 2 == 1);
            if hi { _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]) } else { _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]) }
        });
        // u[4g + c], lane L: column 4L + c of rows 4g..4g+4
        let u: [__m512i; 16] = std::array::from_fn(|x| {
            let (g, c) = (x / 4, x % 4);
            let (a, b) = (t[4 * g + c / 2], t[4 * g + 2 + c / 2]);
            if c % 2 == 0 { _mm512_unpacklo_epi64(a, b) } else { _mm512_unpackhi_epi64(a, b) }
        });
        let mask: __mmask16 = ((1u32 << rows) - 1) as __mmask16;
        for c in 0..4 {
            let (ve, vo) = (_mm512_shuffle_i32x4::<0x88>(u[c], u[4 + c]), _mm512_shuffle_i32x4::<0xDD>(u[c], u[4 + c]));
            let (we, wo) = (_mm512_shuffle_i32x4::<0x88>(u[8 + c], u[12 + c]), _mm512_shuffle_i32x4::<0xDD>(u[8 + c], u[12 + c]));
            // column 4L + c for L = 0, 2 (from the even lanes) and 1, 3 (the odd ones)
            let cols = [(c, _mm512_shuffle_i32x4::<0x88>(ve, we)), (8 + c, _mm512_shuffle_i32x4::<0xDD>(ve, we)),
                        (4 + c, _mm512_shuffle_i32x4::<0x88>(vo, wo)), (12 + c, _mm512_shuffle_i32x4::<0xDD>(vo, wo))];
            for (q, v) in cols {
                _mm512_mask_storeu_epi32(dst.add(q * ld) as *mut _, mask, v);
            }
        }
    }

    /// 16 float32 lanes rounded to bfloat16 as `bf16_bits` rounds them.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
    fn round16(v: __m512) -> __m256i {
        let u = _mm512_castps_si512(v);
        let lsb = _mm512_and_si512(_mm512_srli_epi32::<16>(u), _mm512_set1_epi32(1));
        let r = _mm512_srli_epi32::<16>(_mm512_add_epi32(u, _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7fff))));
        let nan = _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(v, v);
        _mm512_cvtepi32_epi16(_mm512_mask_mov_epi32(r, nan, _mm512_set1_epi32(0xffff)))
    }

    /// Write a tile's sums: `dst = round(alpha * (tile + acc) (+ dst))` (`acc`: earlier k
    /// blocks' float32 sums, row stride `ld`).
    ///
    /// # Safety
    /// The CPU has AVX-512BW; `dst` (strides `rs`, `cs`) and `acc` cover the tile's valid part.
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
    pub(super) unsafe fn finish(t: Tile, acc: Option<*mut f32>, ld: usize, dst: *mut u16, rs: isize, cs: isize, alpha: f32, accumulate: bool) {
        if cs == 1 && t.nr == NR {
            let al = _mm512_set1_ps(alpha);
            for i in 0..t.mr {
                let d = dst.offset(i as isize * rs);
                for h in 0..2 {
                    let mut v = _mm512_loadu_ps(t.v[i].as_ptr().add(16 * h));
                    if let Some(acc) = acc {
                        v = _mm512_add_ps(v, _mm512_loadu_ps(acc.add(i * ld + 16 * h)));
                    }
                    v = _mm512_mul_ps(v, al);
                    let dh = d.add(16 * h) as *mut __m256i;
                    if accumulate {
                        let old = _mm512_cvtepu16_epi32(_mm256_loadu_si256(dh));
                        v = _mm512_add_ps(v, _mm512_castsi512_ps(_mm512_slli_epi32::<16>(old)));
                    }
                    _mm256_storeu_si256(dh, round16(v));
                }
            }
            return;
        }
        for i in 0..t.mr {
            for j in 0..t.nr {
                let mut v = t.v[i][j];
                if let Some(acc) = acc {
                    v += *acc.add(i * ld + j);
                }
                v *= alpha;
                let d = dst.offset(i as isize * rs + j as isize * cs);
                if accumulate {
                    v += f32::from_bits((*d as u32) << 16);
                }
                *d = bf16_bits(v);
            }
        }
    }
}
