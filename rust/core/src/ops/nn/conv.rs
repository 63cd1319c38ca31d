//! N-d convolution (1d/2d/3d through one implementation), its backward, the transposed
//! convolution and im2col/col2im (`F.unfold`/`F.fold`).
//!
//! Everything works on 3-d spatial geometry (1d and 2d pad the leading spatial dims with 1s):
//! - forward: per sample and group, `vol2col` unrolls the input patches into a
//!   `[Cg*K, L]` column matrix and one GEMM gives `y[n, g] = w[g] @ col` (a 1x1 kernel with
//!   stride 1 and no padding multiplies the input itself);
//! - backward for the input: `col = w[g]^T @ gy[n, g]`, then `col2vol` adds the columns back
//!   into the input's positions; the transposed convolution's forward is exactly this;
//! - backward for the weight: `gw[g] += gy[n, g] @ col^T` summed over the samples (one partial
//!   sum per thread, added in chunk order so the result is deterministic).
//!
//! Samples run in parallel (one column buffer per thread) when there are several; a single
//! sample splits its GEMM's columns over the threads instead. float32/float64 compute natively;
//! the other dtypes compute through float32 (half types) or float64 (integers) and round once,
//! as torch's CPU kernels give the same values there; bool raises torch's error.

use faer::{Accum, MatMut, MatRef, Par};

use crate::device::Device;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::parallel::{self, SyncPtr};
use crate::tensor::Tensor;

/// Work (multiply-adds) below which a convolution runs on the calling thread.
const PAR_WORK: usize = 64 * 64 * 64;

/// The geometry of one convolution, in the forward (non-transposed) orientation: input `x`
/// `[n, c, is]`, weight `[o, c/groups, ks]`, output `[n, o, os]`.
#[derive(Clone, Copy, Debug)]
struct Geom {
    n: usize,
    c: usize,
    o: usize,
    groups: usize,
    is: [usize; 3],
    ks: [usize; 3],
    os: [usize; 3],
    stride: [usize; 3],
    pad: [usize; 3],
    dil: [usize; 3],
}

impl Geom {
    fn cg(&self) -> usize {
        self.c / self.groups
    }
    fn og(&self) -> usize {
        self.o / self.groups
    }
    fn ip(&self) -> usize {
        self.is.iter().product()
    }
    fn op(&self) -> usize {
        self.os.iter().product()
    }
    fn kp(&self) -> usize {
        self.ks.iter().product()
    }
    /// Rows of the column matrix.
    fn rows(&self) -> usize {
        self.cg() * self.kp()
    }
    /// The column matrix is the input itself (1x1 kernel, stride 1, no padding).
    fn pointwise(&self) -> bool {
        self.ks == [1; 3] && self.stride == [1; 3] && self.pad == [0; 3] && self.is == self.os
    }
    /// The multiply-adds of one GEMM pass over the batch.
    fn work(&self) -> usize {
        self.n * self.o * self.rows() * self.op()
    }
}

/// The range of output positions `o` with `0 <= o * s + off < len`, clamped to `[0, n)`.
#[inline]
fn valid(n: usize, s: usize, off: isize, len: usize) -> (usize, usize) {
    let s = s as isize;
    let lo = if off >= 0 { 0 } else { (-off + s - 1) / s };
    let rest = len as isize - off;
    let hi = if rest <= 0 { 0 } else { (rest + s - 1) / s };
    let hi = (hi.max(0) as usize).min(n);
    ((lo as usize).min(hi), hi)
}

/// The valid output ranges of one kernel position `(kd, kh, kw)` along the three spatial dims,
/// and the input offsets `o * stride + off` they read (see [`valid`]).
#[inline]
fn window(g: &Geom, k: [usize; 3]) -> ([(usize, usize); 3], [isize; 3]) {
    let mut ranges = [(0, 0); 3];
    let mut offs = [0isize; 3];
    for i in 0..3 {
        offs[i] = (k[i] * g.dil[i]) as isize - g.pad[i] as isize;
        ranges[i] = valid(g.os[i], g.stride[i], offs[i], g.is[i]);
    }
    (ranges, offs)
}

/// One kernel position's [`window`].
type Window = ([(usize, usize); 3], [isize; 3]);

/// The [`window`] of every kernel position, in the column matrix's row order (`kd`, `kh`, `kw`):
/// computed once per convolution, since each costs six integer divisions and vol2col/col2vol
/// would otherwise redo them for every channel of every sample.
fn windows(g: &Geom) -> Vec<Window> {
    let ks = g.ks;
    let mut v = Vec::with_capacity(g.kp());
    for kd in 0..ks[0] {
        for kh in 0..ks[1] {
            for kw in 0..ks[2] {
                v.push(window(g, [kd, kh, kw]));
            }
        }
    }
    v
}

/// Unroll the patches of one group of one sample (`src`: `[cg, is]` contiguous) into `dst`
/// (`[cg * kp, op]`). Each row (one channel and kernel position) is zeroed only where padding
/// reaches it, and filled with one contiguous copy per output row (stride 1) over the valid
/// range only, so the loop carries no per-element bounds checks.
///
/// # Safety
/// `src` points to `cg * ip` readable elements.
unsafe fn vol2col<T: Element>(g: &Geom, wins: &[Window], src: *const T, dst: &mut [T]) {
    let (is, os, st) = (g.is, g.os, g.stride);
    let op = g.op();
    let mut row = 0;
    for c in 0..g.cg() {
        let sc = src.add(c * g.ip());
        for &([(d0, d1), (h0, h1), (w0, w1)], [offd, offh, offw]) in wins {
            let drow = &mut dst[row * op..(row + 1) * op];
            row += 1;
            if !(d0 == 0 && d1 == os[0] && h0 == 0 && h1 == os[1] && w0 == 0 && w1 == os[2]) {
                drow.fill(T::zero());
            }
            if w0 >= w1 {
                continue;
            }
            let n = w1 - w0;
            let dp = drow.as_mut_ptr();
            for od in d0..d1 {
                let id = (od as isize * st[0] as isize + offd) as usize;
                for oh in h0..h1 {
                    let ih = (oh as isize * st[1] as isize + offh) as usize;
                    let srow = sc.add((id * is[1] + ih) * is[2]);
                    let out = dp.add((od * os[1] + oh) * os[2] + w0);
                    if st[2] == 1 {
                        copy_short(srow.offset(w0 as isize + offw), out, n);
                    } else {
                        for j in 0..n {
                            *out.add(j) = *srow.offset(((w0 + j) * st[2]) as isize + offw);
                        }
                    }
                }
            }
        }
    }
}

/// Copy `n` elements: rows of a column matrix are short (a LeNet's are 8-24 elements, ~100K of
/// them per step), and `copy_nonoverlapping` of a run-time length is a call into libc's memmove
/// (8% of a LeNet step), so runs of at least 8 go as fixed 8-element moves, the last one
/// overlapping the previous (inlined vector moves).
///
/// # Safety
/// `src` and `dst` are valid for `n` elements and do not overlap.
#[inline(always)]
unsafe fn copy_short<T: Copy>(src: *const T, dst: *mut T, n: usize) {
    const C: usize = 8;
    if n < C {
        std::ptr::copy_nonoverlapping(src, dst, n);
        return;
    }
    let mut j = 0;
    while j + C < n {
        (dst.add(j) as *mut [T; C]).write_unaligned((src.add(j) as *const [T; C]).read_unaligned());
        j += C;
    }
    let last = n - C;
    (dst.add(last) as *mut [T; C]).write_unaligned((src.add(last) as *const [T; C]).read_unaligned());
}

/// Add the columns `src` (`[cg * kp, op]`) back into one group of one sample (`dst`: `[cg, is]`
/// contiguous, which the caller has initialised), over each kernel position's valid range.
///
/// # Safety
/// `dst` points to `cg * ip` writable elements no other thread touches.
unsafe fn col2vol<T: Element + std::ops::AddAssign>(g: &Geom, wins: &[Window], src: &[T], dst: *mut T) {
    let (is, os, st) = (g.is, g.os, g.stride);
    let op = g.op();
    let mut row = 0;
    for c in 0..g.cg() {
        let dc = dst.add(c * g.ip());
        for &([(d0, d1), (h0, h1), (w0, w1)], [offd, offh, offw]) in wins {
            let srow = &src[row * op..(row + 1) * op];
            row += 1;
            if w0 >= w1 {
                continue;
            }
            let n = w1 - w0;
            for od in d0..d1 {
                let id = (od as isize * st[0] as isize + offd) as usize;
                for oh in h0..h1 {
                    let ih = (oh as isize * st[1] as isize + offh) as usize;
                    let inp = &srow[(od * os[1] + oh) * os[2] + w0..][..n];
                    let drow = dc.add((id * is[1] + ih) * is[2]);
                    if st[2] == 1 {
                        let d = std::slice::from_raw_parts_mut(drow.offset(w0 as isize + offw), n);
                        for (x, &v) in d.iter_mut().zip(inp) {
                            *x += v;
                        }
                    } else {
                        for (j, &v) in inp.iter().enumerate() {
                            *drow.offset(((w0 + j) * st[2]) as isize + offw) += v;
                        }
                    }
                }
            }
        }
    }
}

/// A float type the kernels compute in.
trait Float: Element + faer::traits::ComplexField + std::ops::AddAssign + std::ops::Add<Output = Self> {}
impl Float for f32 {}
impl Float for f64 {}

/// `dst = lhs @ rhs` (or `+=`): row-major `[m, k] @ [k, n]` given by pointers and strides,
/// the columns of `dst` split over the threads when `par` and the product is large.
///
/// # Safety
/// Every view lies inside its buffer; `dst` does not overlap the operands.
#[allow(clippy::too_many_arguments)]
unsafe fn gemm<T: Float>(
    dst: SyncPtr<T>,
    (m, n, k): (usize, usize, usize),
    d_rs: usize,
    lhs: (SyncPtr<T>, usize, usize),
    rhs: (SyncPtr<T>, usize, usize),
    add: bool,
    par: bool,
) {
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !add {
            for i in 0..m {
                std::slice::from_raw_parts_mut(dst.get().add(i * d_rs), n).fill(T::zero());
            }
        }
        return;
    }
    let block = |c0: usize, cn: usize| {
        let d = MatMut::<T>::from_raw_parts_mut(dst.get().add(c0), m, cn, d_rs as isize, 1);
        let a = MatRef::<T>::from_raw_parts(lhs.0.get(), m, k, lhs.1 as isize, lhs.2 as isize);
        let b = MatRef::<T>::from_raw_parts(rhs.0.get().add(c0 * rhs.2), k, cn, rhs.1 as isize, rhs.2 as isize);
        faer::linalg::matmul::matmul(d, if add { Accum::Add } else { Accum::Replace }, a, b, T::one(), Par::Seq);
    };
    let threads = parallel::num_threads();
    if !par || threads == 1 || m * n * k < PAR_WORK * 2 || n < 32 {
        block(0, n);
    } else {
        let grain = n.div_ceil(threads).next_multiple_of(16);
        parallel::for_each_chunk(n, grain, |r| block(r.start, r.len()));
    }
}

/// How the samples split over the threads: `Some(grain)` for a parallel loop over samples.
fn batch_grain(g: &Geom) -> Option<usize> {
    let threads = parallel::num_threads();
    if threads > 1 && g.n >= 2 && g.work() >= PAR_WORK {
        Some(g.n.div_ceil(threads.min(g.n)))
    } else {
        None
    }
}

/// Run `f(samples, col_buffer, gemm_parallel)` over the batch.
fn over_batch<T: Element>(g: &Geom, f: impl Fn(std::ops::Range<usize>, &mut Vec<T>, bool) + Sync) {
    let buf_len = if g.pointwise() { 0 } else { g.rows() * g.op() };
    match batch_grain(g) {
        Some(grain) => parallel::for_each_chunk(g.n, grain, |r| f(r, &mut vec![T::zero(); buf_len], false)),
        None => f(0..g.n, &mut vec![T::zero(); buf_len], g.work() >= PAR_WORK),
    }
}

/// `y = conv(x, w) + bias`; `x`, `w`, `bias` contiguous of type T, `y` fresh contiguous.
fn forward_kernel<T: Float>(g: &Geom, x: &Tensor, w: &Tensor, bias: Option<&Tensor>, y: &Tensor) -> Result<()> {
    let (gx, gw) = (x.storage().read()?, w.storage().read()?);
    let gb = match bias {
        Some(b) => Some(b.storage().read()?),
        None => None,
    };
    let gy = y.storage().write()?;
    // SAFETY: the offsets are the tensors' own; every tensor is contiguous of its shape.
    let xp = SyncPtr(unsafe { (gx.ptr() as *mut T).add(x.offset()) });
    let wp = SyncPtr(unsafe { (gw.ptr() as *mut T).add(w.offset()) });
    let bp = gb.as_ref().zip(bias).map(|(gb, b)| SyncPtr(unsafe { (gb.ptr() as *mut T).add(b.offset()) }));
    let yp = SyncPtr(unsafe { (gy.ptr() as *mut T).add(y.offset()) });
    let (cg, og, rows, ip, op) = (g.cg(), g.og(), g.rows(), g.ip(), g.op());
    let pw = g.pointwise();
    let wins = if pw { Vec::new() } else { windows(g) };
    over_batch::<T>(g, |samples, buf, par| {
        for n in samples {
            // SAFETY: sample n's slices of x and y belong to this chunk alone.
            unsafe {
                let yn = yp.get().add(n * g.o * op);
                if let Some(bp) = bp {
                    for oc in 0..g.o {
                        std::slice::from_raw_parts_mut(yn.add(oc * op), op).fill(*bp.get().add(oc));
                    }
                }
                for gi in 0..g.groups {
                    let xg = xp.get().add((n * g.c + gi * cg) * ip);
                    let col = if pw {
                        xg
                    } else {
                        vol2col(g, &wins, xg, buf);
                        buf.as_mut_ptr()
                    };
                    gemm(
                        SyncPtr(yn.add(gi * og * op)),
                        (og, op, rows),
                        op,
                        (SyncPtr(wp.get().add(gi * og * rows)), rows, 1),
                        (SyncPtr(col), op, 1),
                        bp.is_some(),
                        par,
                    );
                }
            }
        }
    });
    Ok(())
}

/// `gx = conv_backward_input(gy, w)`: `gy` `[n, o, os]`, `w` `[o, cg, ks]`, `gx` fresh
/// `[n, c, is]`, all contiguous of type T.
fn backward_input_kernel<T: Float>(g: &Geom, gy: &Tensor, w: &Tensor, gx: &Tensor) -> Result<()> {
    let (ggy, gw) = (gy.storage().read()?, w.storage().read()?);
    let ggx = gx.storage().write()?;
    // SAFETY: as in forward_kernel.
    let gyp = SyncPtr(unsafe { (ggy.ptr() as *mut T).add(gy.offset()) });
    let wp = SyncPtr(unsafe { (gw.ptr() as *mut T).add(w.offset()) });
    let gxp = SyncPtr(unsafe { (ggx.ptr() as *mut T).add(gx.offset()) });
    let (cg, og, rows, ip, op) = (g.cg(), g.og(), g.rows(), g.ip(), g.op());
    let pw = g.pointwise();
    let wins = if pw { Vec::new() } else { windows(g) };
    over_batch::<T>(g, |samples, buf, par| {
        for n in samples {
            // SAFETY: sample n's slices of gy and gx belong to this chunk alone.
            unsafe {
                let gxn = gxp.get().add(n * g.c * ip);
                if !pw {
                    std::slice::from_raw_parts_mut(gxn, g.c * ip).fill(T::zero());
                }
                for gi in 0..g.groups {
                    let gyg = SyncPtr(gyp.get().add((n * g.o + gi * og) * op));
                    // w[g]^T: [rows, og] with row stride 1, column stride rows
                    let wt = (SyncPtr(wp.get().add(gi * og * rows)), 1, rows);
                    if pw {
                        gemm(SyncPtr(gxn.add(gi * cg * ip)), (rows, op, og), op, wt, (gyg, op, 1), false, par);
                    } else {
                        gemm(SyncPtr(buf.as_mut_ptr()), (rows, op, og), op, wt, (gyg, op, 1), false, par);
                        col2vol(g, &wins, buf, gxn.add(gi * cg * ip));
                    }
                }
            }
        }
    });
    Ok(())
}

/// `gw = conv_backward_weight(x, gy)`: `x` `[n, c, is]`, `gy` `[n, o, os]`, `gw` fresh
/// `[o, cg, ks]`, all contiguous of type T.
fn backward_weight_kernel<T: Float>(g: &Geom, x: &Tensor, gy: &Tensor, gw: &Tensor) -> Result<()> {
    let (gxg, ggy) = (x.storage().read()?, gy.storage().read()?);
    // SAFETY: as in forward_kernel.
    let xp = SyncPtr(unsafe { (gxg.ptr() as *mut T).add(x.offset()) });
    let gyp = SyncPtr(unsafe { (ggy.ptr() as *mut T).add(gy.offset()) });
    let (cg, og, rows, ip, op) = (g.cg(), g.og(), g.rows(), g.ip(), g.op());
    let pw = g.pointwise();
    let wins = if pw { Vec::new() } else { windows(g) };
    let wlen = g.o * rows;
    let partial = |samples: std::ops::Range<usize>, par: bool| -> Vec<T> {
        let mut acc = vec![T::zero(); wlen];
        let mut buf = vec![T::zero(); if pw { 0 } else { rows * op }];
        for n in samples {
            // SAFETY: read-only views of x and gy; acc and buf are this chunk's.
            unsafe {
                for gi in 0..g.groups {
                    let xg = xp.get().add((n * g.c + gi * cg) * ip);
                    let col = if pw {
                        xg
                    } else {
                        vol2col(g, &wins, xg, &mut buf);
                        buf.as_mut_ptr()
                    };
                    let gyg = SyncPtr(gyp.get().add((n * g.o + gi * og) * op));
                    // col^T: [op, rows] with row stride 1, column stride op
                    gemm(SyncPtr(acc.as_mut_ptr().add(gi * og * rows)), (og, rows, op), rows, (gyg, op, 1), (SyncPtr(col), 1, op), true, par);
                }
            }
        }
        acc
    };
    let parts = match batch_grain(g) {
        Some(grain) => parallel::map_chunks(g.n, grain, |r| partial(r, false)),
        None => vec![partial(0..g.n, g.work() >= PAR_WORK)],
    };
    let ggw = gw.storage().write()?;
    // SAFETY: gw is fresh and contiguous with wlen elements.
    let out = unsafe { std::slice::from_raw_parts_mut((ggw.ptr() as *mut T).add(gw.offset()), wlen) };
    let mut parts = parts.into_iter();
    out.copy_from_slice(&parts.next().unwrap_or_else(|| vec![T::zero(); wlen]));
    for p in parts {
        out.iter_mut().zip(p).for_each(|(o, v)| *o += v);
    }
    Ok(())
}

// ---------------------------------------------------------------- argument checks

/// A parameter list of a `dims`-d convolution: one value for all dims, or one per dim
/// (torch's `expand_param_if_needed` message otherwise).
fn expand(name: &str, v: &[i64], dims: usize) -> Result<Vec<i64>> {
    if v.len() == 1 {
        Ok(vec![v[0]; dims])
    } else if v.len() == dims {
        Ok(v.to_vec())
    } else {
        Err(Error::runtime(format!(
            "expected {name} to be a single integer value or a list of {dims} values to match the convolution dimensions, but got {name}={}",
            list(v)
        )))
    }
}

fn list<T: std::fmt::Display>(v: &[T]) -> String {
    format!("[{}]", v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "))
}

/// `[a, b, c]` of leading-1-padded spatial values.
fn pad3(v: &[usize], fill: usize) -> [usize; 3] {
    let mut out = [fill; 3];
    out[3 - v.len()..].copy_from_slice(v);
    out
}

fn tensor_type(d: DType) -> String {
    format!("torch.{}Tensor", d.scalar_type_name())
}

/// The dtype the kernels compute `d` in, or torch's error for bool.
fn compute_dtype(d: DType, dims: usize, transposed: bool) -> Result<DType> {
    match d {
        DType::Float32 | DType::Float64 => Ok(d),
        DType::Float16 | DType::BFloat16 => Ok(DType::Float32),
        DType::Bool => {
            let name = match (transposed, dims) {
                (false, 3) => "slow_conv3d_cpu",
                (false, _) => "slow_conv2d_cpu",
                (true, 3) => "slow_conv_transpose3d_out_cpu",
                (true, _) => "slow_conv_transpose2d_out_cpu",
            };
            Err(Error::unsupported(name, d))
        }
        _ => Ok(DType::Float64),
    }
}

/// Run `f` on `ts` in their compute dtype, the result converted back to `dtype`.
fn in_compute_dtype(dtype: DType, cd: DType, ts: &[&Tensor], f: impl FnOnce(&[Tensor]) -> Result<Tensor>) -> Result<Tensor> {
    let ts = ts.iter().map(|t| if t.dtype() == cd { t.contiguous() } else { t.copy_as(cd) }).collect::<Result<Vec<_>>>()?;
    let r = f(&ts)?;
    if dtype == cd {
        Ok(r)
    } else {
        r.copy_as(dtype)
    }
}

/// The checked geometry of `convolution(input, weight, ...)`, and the output's shape.
#[allow(clippy::too_many_arguments)]
fn geometry(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    stride: &[i64],
    padding: &[i64],
    dilation: &[i64],
    transposed: bool,
    output_padding: &[i64],
    groups: i64,
) -> Result<(Geom, Vec<usize>)> {
    let (is, ws) = (input.shape(), weight.shape());
    let nd = weight.ndim();
    if input.ndim() != nd {
        return Err(Error::runtime(format!(
            "Expected {nd}-dimensional input for {nd}-dimensional weight {}, but got {}-dimensional input of size {} instead",
            list(ws),
            input.ndim(),
            list(is)
        )));
    }
    if !(3..=5).contains(&nd) {
        return Err(Error::runtime(format!("Expected 3D, 4D or 5D input to convolution, but got input of size: {}", list(is))));
    }
    let dims = nd - 2;
    let stride = expand("stride", stride, dims)?;
    let padding = expand("padding", padding, dims)?;
    let dilation = expand("dilation", dilation, dims)?;
    let output_padding = expand("output_padding", output_padding, dims)?;
    if stride.iter().any(|&s| s <= 0) {
        return Err(Error::runtime("non-positive stride is not supported"));
    }
    if padding.iter().any(|&p| p < 0) {
        return Err(Error::runtime("negative padding is not supported"));
    }
    if output_padding.iter().any(|&p| p < 0) {
        return Err(Error::runtime("negative output_padding is not supported"));
    }
    if dilation.iter().any(|&d| d <= 0) {
        return Err(Error::runtime("non-positive dilation is not supported"));
    }
    if groups <= 0 {
        return Err(Error::runtime("non-positive groups is not supported"));
    }
    let groups = groups as usize;
    if ws[0] < 1 {
        return Err(Error::runtime(format!(
            "Given groups={groups}, expected weight to be at least 1 at dimension 0, but got weight of size {} instead",
            list(ws)
        )));
    }
    if ws[0] % groups != 0 {
        return Err(Error::runtime(format!(
            "Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of size [{}] instead",
            list(ws)
        )));
    }
    let u = |v: &[i64]| v.iter().map(|&x| x as usize).collect::<Vec<_>>();
    let (stride, padding, dilation, output_padding) = (u(&stride), u(&padding), u(&dilation), u(&output_padding));
    let ks = &ws[2..];
    let out_channels = if transposed { ws[1] * groups } else { ws[0] };
    if !transposed {
        if is[1] != ws[1] * groups {
            return Err(Error::runtime(format!(
                "Given groups={groups}, weight of size {}, expected input{} to have {} channels, but got {} channels instead",
                list(ws),
                list(is),
                ws[1] * groups,
                is[1]
            )));
        }
    } else if is[1] != ws[0] {
        return Err(Error::runtime(format!(
            "Given transposed=1, weight of size {}, expected input{} to have {} channels, but got {} channels instead",
            list(ws),
            list(is),
            ws[0],
            is[1]
        )));
    }
    if let Some(b) = bias {
        if b.ndim() != 1 || b.shape()[0] != out_channels {
            return Err(Error::runtime(format!(
                "Given weight of size {}, expected bias to be 1-dimensional with {out_channels} elements, but got bias of size {} instead",
                list(ws),
                list(b.shape())
            )));
        }
    }
    let spatial = &is[2..];
    let dk: Vec<usize> = (0..dims).map(|i| dilation[i] * (ks[i].max(1) - 1) + 1).collect();
    let out_spatial: Vec<usize> = if !transposed {
        let padded: Vec<usize> = (0..dims).map(|i| spatial[i] + 2 * padding[i]).collect();
        if (0..dims).any(|i| padded[i] < dk[i]) {
            let j = |v: &[usize]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" x ");
            return Err(Error::runtime(format!(
                "Calculated padded input size per channel: ({}). Kernel size: ({}). Kernel size can't be greater than actual input size",
                j(&padded),
                j(&dk)
            )));
        }
        (0..dims).map(|i| (padded[i] - dk[i]) / stride[i] + 1).collect()
    } else {
        if (0..dims).any(|i| output_padding[i] >= stride[i] && output_padding[i] >= dilation[i]) {
            let names: &[&str] = &["depth", "height", "width"];
            // 1-d runs as 2-d in torch: its message names a height of (0, 1, 1)
            let (op3, st3, dl3) = if dims == 1 {
                (vec![0, output_padding[0]], vec![1, stride[0]], vec![1, dilation[0]])
            } else {
                (output_padding.clone(), stride.clone(), dilation.clone())
            };
            let nm = &names[3 - op3.len()..];
            let part = |what: &str, v: &[usize]| nm.iter().zip(v).map(|(n, x)| format!("{what}_{n}: {x}")).collect::<Vec<_>>().join(" ");
            return Err(Error::runtime(format!(
                "output padding must be smaller than either stride or dilation, but got {} {} {}",
                part("output_padding", &op3),
                part("stride", &st3),
                part("dilation", &dl3)
            )));
        }
        let mut out = Vec::with_capacity(dims);
        for i in 0..dims {
            let v = (spatial[i] as i64 - 1) * stride[i] as i64 - 2 * padding[i] as i64 + dk[i] as i64 + output_padding[i] as i64;
            if v < 0 {
                return Err(Error::runtime(format!(
                    "Given input size per channel: ({}). Calculated output size per channel: ({}). Output size is too small",
                    spatial.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" x "),
                    (0..dims)
                        .map(|j| ((spatial[j] as i64 - 1) * stride[j] as i64 - 2 * padding[j] as i64 + dk[j] as i64 + output_padding[j] as i64).to_string())
                        .collect::<Vec<_>>()
                        .join(" x ")
                )));
            }
            out.push(v as usize);
        }
        out
    };
    let mut shape = vec![is[0], out_channels];
    shape.extend(&out_spatial);
    // the forward orientation: for a transposed convolution the "input" is its output
    let (x_sp, y_sp, c, o) = if transposed { (&out_spatial[..], spatial, out_channels, ws[0]) } else { (spatial, &out_spatial[..], is[1], ws[0]) };
    let g = Geom {
        n: is[0],
        c,
        o,
        groups,
        is: pad3(x_sp, 1),
        ks: pad3(ks, 1),
        os: pad3(y_sp, 1),
        stride: pad3(&stride, 1),
        pad: pad3(&padding, 0),
        dil: pad3(&dilation, 1),
    };
    Ok((g, shape))
}

fn check_dtypes(input: &Tensor, weight: &Tensor, bias: Option<&Tensor>) -> Result<()> {
    if input.dtype() != weight.dtype() {
        return Err(Error::runtime(format!(
            "Input type ({}) and weight type ({}) should be the same or input should be a MKLDNN tensor and weight is a dense tensor",
            tensor_type(input.dtype()),
            tensor_type(weight.dtype())
        )));
    }
    if let Some(b) = bias {
        if b.dtype() != input.dtype() {
            return Err(Error::runtime(format!(
                "Input type ({}) and bias type ({}) should be the same",
                input.dtype().cpp_name(),
                b.dtype().cpp_name()
            )));
        }
    }
    Ok(())
}

fn device_of(ts: &[&Tensor]) -> Result<Device> {
    Device::common(ts.iter().copied())
}

/// `torch.convolution(input, weight, bias, stride, padding, dilation, transposed,
/// output_padding, groups)`: batched input (`[N, C, *spatial]`, 1 to 3 spatial dims).
#[allow(clippy::too_many_arguments)]
pub fn convolution(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    stride: &[i64],
    padding: &[i64],
    dilation: &[i64],
    transposed: bool,
    output_padding: &[i64],
    groups: i64,
) -> Result<Tensor> {
    let (g, shape) = geometry(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups)?;
    check_dtypes(input, weight, bias)?;
    let dtype = input.dtype();
    let cd = compute_dtype(dtype, input.ndim() - 2, transposed)?;
    let mut ts = vec![input, weight];
    ts.extend(bias);
    let device = device_of(&ts)?;
    if device == Device::Meta {
        return Tensor::empty_on(&shape, dtype, device);
    }
    in_compute_dtype(dtype, cd, &ts, |ts| {
        let out = Tensor::empty_on(&shape, cd, device)?;
        let b = ts.get(2);
        match (cd, transposed) {
            (DType::Float32, false) => forward_kernel::<f32>(&g, &ts[0], &ts[1], b, &out)?,
            (DType::Float64, false) => forward_kernel::<f64>(&g, &ts[0], &ts[1], b, &out)?,
            (DType::Float32, true) => backward_input_kernel::<f32>(&g, &ts[0], &ts[1], &out)?,
            (_, true) => backward_input_kernel::<f64>(&g, &ts[0], &ts[1], &out)?,
            _ => unreachable!("compute dtypes are float32 and float64"),
        }
        if transposed {
            if let Some(b) = b {
                add_bias(&out, b)?;
            }
        }
        Ok(out)
    })
}

/// `out[:, c] += bias[c]` on a fresh contiguous `[N, C, ...]` tensor.
fn add_bias(out: &Tensor, bias: &Tensor) -> Result<()> {
    fn go<T: Float>(out: &Tensor, bias: &Tensor) -> Result<()> {
        let gb = bias.storage().read()?;
        let go = out.storage().write()?;
        let (n, c) = (out.shape()[0], out.shape()[1]);
        let inner: usize = out.shape()[2..].iter().product();
        // SAFETY: both are contiguous of their shapes.
        unsafe {
            let b = std::slice::from_raw_parts((gb.ptr() as *const T).add(bias.offset()), c);
            let o = std::slice::from_raw_parts_mut((go.ptr() as *mut T).add(out.offset()), n * c * inner);
            if inner > 0 {
                for (i, chunk) in o.chunks_mut(inner).enumerate() {
                    let v = b[i % c];
                    chunk.iter_mut().for_each(|x| *x += v);
                }
            }
        }
        Ok(())
    }
    match out.dtype() {
        DType::Float32 => go::<f32>(out, bias),
        _ => go::<f64>(out, bias),
    }
}

/// The weight gradient of `convolution(input, weight, ..., transposed=false, ...)`:
/// `grad_output` `[N, O, *out]`, the result has `weight_size`. (For a transposed convolution
/// call it with the roles of input and grad_output swapped.)
#[allow(clippy::too_many_arguments)]
pub fn convolution_backward_weight(
    input: &Tensor,
    grad_output: &Tensor,
    weight_size: &[usize],
    stride: &[i64],
    padding: &[i64],
    dilation: &[i64],
    groups: i64,
) -> Result<Tensor> {
    let wmeta = Tensor::empty_on(weight_size, input.dtype(), Device::Meta)?;
    let (g, shape) = geometry(input, &wmeta, None, stride, padding, dilation, false, &[0], groups)?;
    if grad_output.shape() != &shape[..] {
        return Err(Error::runtime(format!(
            "convolution_backward: expected grad_output of size {}, but got {}",
            list(&shape),
            list(grad_output.shape())
        )));
    }
    if input.dtype() != grad_output.dtype() {
        return Err(Error::runtime(format!(
            "expected scalar type {} but found {}",
            input.dtype().scalar_type_name(),
            grad_output.dtype().scalar_type_name()
        )));
    }
    let dtype = input.dtype();
    let cd = compute_dtype(dtype, input.ndim() - 2, false)?;
    let device = device_of(&[input, grad_output])?;
    if device == Device::Meta {
        return Tensor::empty_on(weight_size, dtype, device);
    }
    in_compute_dtype(dtype, cd, &[input, grad_output], |ts| {
        let out = Tensor::empty_on(weight_size, cd, device)?;
        match cd {
            DType::Float32 => backward_weight_kernel::<f32>(&g, &ts[0], &ts[1], &out)?,
            _ => backward_weight_kernel::<f64>(&g, &ts[0], &ts[1], &out)?,
        }
        Ok(out)
    })
}

// ---------------------------------------------------------------- im2col / col2im

fn fold_checks(kernel: &[i64], dilation: &[i64], padding: &[i64], stride: &[i64]) -> Result<()> {
    let hw = |p: &str, v: &[i64]| format!("{p}_height: {} {p}_width: {}", v[0], v[1]);
    let checks: [(&[i64], bool, &str, &str); 4] = [
        (kernel, true, "kernel size should be greater than zero", "kernel"),
        (dilation, true, "dilation should be greater than zero", "dilation"),
        (padding, false, "padding should be non-negative", "pad"),
        (stride, true, "stride should be greater than zero", "stride"),
    ];
    for (v, positive, what, p) in checks {
        if v.iter().any(|&x| if positive { x <= 0 } else { x < 0 }) {
            return Err(Error::runtime(format!("{what}, but got {}", hw(p, v))));
        }
    }
    Ok(())
}

fn fold_dtype(d: DType, name: &str) -> Result<DType> {
    match d {
        DType::Float32 | DType::Float64 => Ok(d),
        DType::Float16 | DType::BFloat16 => Ok(DType::Float32),
        _ => Err(Error::unsupported(name.to_string(), d)),
    }
}

/// im2col (`unfold`: `x` is the image, `out` the columns) or col2im (`x` the columns, `out` the
/// zeroed image) of every sample, in parallel over the samples.
fn fold_kernel<T: Float>(g: &Geom, x: &Tensor, out: &Tensor, unfold: bool) -> Result<()> {
    let gx = x.storage().read()?;
    let go = out.storage().write()?;
    // SAFETY: both are contiguous of their shapes.
    let xp = SyncPtr(unsafe { (gx.ptr() as *mut T).add(x.offset()) });
    let op = SyncPtr(unsafe { (go.ptr() as *mut T).add(out.offset()) });
    let (image, cols) = (g.c * g.ip(), g.rows() * g.op());
    let wins = windows(g);
    parallel::for_each_chunk(g.n, (parallel::GRAIN / cols.max(1)).max(1), |r| {
        for i in r {
            // SAFETY: sample i's slices belong to this chunk alone.
            unsafe {
                if unfold {
                    vol2col(g, &wins, xp.get().add(i * image), std::slice::from_raw_parts_mut(op.get().add(i * cols), cols));
                } else {
                    col2vol(g, &wins, std::slice::from_raw_parts(xp.get().add(i * cols), cols), op.get().add(i * image));
                }
            }
        }
    });
    Ok(())
}

/// `F.unfold` (torch's im2col): `input` `[N, C, H, W]` or `[C, H, W]` -> `[N, C*kh*kw, L]`
/// (or `[C*kh*kw, L]`).
pub fn im2col(input: &Tensor, kernel: [i64; 2], dilation: [i64; 2], padding: [i64; 2], stride: [i64; 2]) -> Result<Tensor> {
    fold_checks(&kernel, &dilation, &padding, &stride)?;
    let s = input.shape();
    let batched = input.ndim() == 4;
    if !(input.ndim() == 3 || batched) || s[input.ndim() - 3..].iter().any(|&d| d == 0) {
        return Err(Error::runtime(format!(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: {}",
            list(s)
        )));
    }
    let (n, c, h, w) = if batched { (s[0], s[1], s[2], s[3]) } else { (1, s[0], s[1], s[2]) };
    let [kh, kw] = kernel.map(|v| v as usize);
    let [dh, dw] = dilation.map(|v| v as usize);
    let [ph, pw] = padding.map(|v| v as usize);
    let [sh, sw] = stride.map(|v| v as usize);
    let oh = (h as i64 + 2 * ph as i64 - (dh * (kh - 1) + 1) as i64) / sh as i64 + 1;
    let ow = (w as i64 + 2 * pw as i64 - (dw * (kw - 1) + 1) as i64) / sw as i64 + 1;
    if oh < 1 || ow < 1 {
        return Err(Error::runtime(format!(
            "Given input with spatial size ({h}, {w}), kernel_size=({kh}, {kw}), dilation=({dh}, {dw}), padding=({ph}, {pw}), calculated shape of the array of sliding blocks as ({oh}, {ow}), but its components must be at least one."
        )));
    }
    let (oh, ow) = (oh as usize, ow as usize);
    let dtype = input.dtype();
    let cd = fold_dtype(dtype, "im2col_out_cpu")?;
    let shape = if batched { vec![n, c * kh * kw, oh * ow] } else { vec![c * kh * kw, oh * ow] };
    if input.is_meta() {
        return Tensor::empty_on(&shape, dtype, Device::Meta);
    }
    let g = Geom { n, c, o: c, groups: 1, is: [1, h, w], ks: [1, kh, kw], os: [1, oh, ow], stride: [1, sh, sw], pad: [0, ph, pw], dil: [1, dh, dw] };
    in_compute_dtype(dtype, cd, &[input], |ts| {
        let out = Tensor::empty_on(&shape, cd, input.device())?;
        match cd {
            DType::Float32 => fold_kernel::<f32>(&g, &ts[0], &out, true)?,
            _ => fold_kernel::<f64>(&g, &ts[0], &out, true)?,
        }
        Ok(out)
    })
}

/// `F.fold` (torch's col2im): `input` `[N, C*kh*kw, L]` or `[C*kh*kw, L]` -> `[N, C, H, W]`
/// (or `[C, H, W]`), overlapping values summed.
pub fn col2im(input: &Tensor, output_size: [i64; 2], kernel: [i64; 2], dilation: [i64; 2], padding: [i64; 2], stride: [i64; 2]) -> Result<Tensor> {
    fold_checks(&kernel, &dilation, &padding, &stride)?;
    let s = input.shape();
    let batched = input.ndim() == 3;
    if !(input.ndim() == 2 || batched) || s[input.ndim() - 2..].iter().any(|&d| d == 0) {
        return Err(Error::runtime(format!(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for input, but got: {}",
            list(s)
        )));
    }
    let (n, ck, l) = if batched { (s[0], s[1], s[2]) } else { (1, s[0], s[1]) };
    let [kh, kw] = kernel.map(|v| v as usize);
    if ck % (kh * kw) != 0 {
        return Err(Error::runtime(format!(
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)={ck} and kernel_size=({kh}, {kw})."
        )));
    }
    let [h, w] = output_size;
    let [dh, dw] = dilation.map(|v| v as usize);
    let [ph, pw] = padding.map(|v| v as usize);
    let [sh, sw] = stride.map(|v| v as usize);
    let bh = (h + 2 * ph as i64 - (dh * (kh - 1) + 1) as i64) / sh as i64 + 1;
    let bw = (w + 2 * pw as i64 - (dw * (kw - 1) + 1) as i64) / sw as i64 + 1;
    if bh < 1 || bw < 1 {
        return Err(Error::runtime(format!(
            "Given output_size=({h}, {w}), kernel_size=({kh}, {kw}), dilation=({dh}, {dw}), padding=({ph}, {pw}), calculated shape of the array of sliding blocks as ({bh}, {bw}), but its components must be at least one."
        )));
    }
    if (bh * bw) as usize != l {
        return Err(Error::runtime(format!(
            "Given output_size=({h}, {w}), kernel_size=({kh}, {kw}), dilation=({dh}, {dw}), padding=({ph}, {pw}), stride=({sh}, {sw}), expected size of input's dimension 2 to match the calculated number of sliding blocks {bh} * {bw} = {}, but got input.size(2)={l}.",
            bh * bw
        )));
    }
    let c = ck / (kh * kw);
    let (h, w, bh, bw) = (h as usize, w as usize, bh as usize, bw as usize);
    let dtype = input.dtype();
    let cd = fold_dtype(dtype, "col2im_out_cpu")?;
    let shape = if batched { vec![n, c, h, w] } else { vec![c, h, w] };
    if input.is_meta() {
        return Tensor::empty_on(&shape, dtype, Device::Meta);
    }
    let g = Geom { n, c, o: c, groups: 1, is: [1, h, w], ks: [1, kh, kw], os: [1, bh, bw], stride: [1, sh, sw], pad: [0, ph, pw], dil: [1, dh, dw] };
    in_compute_dtype(dtype, cd, &[input], |ts| {
        let out = Tensor::zeros_on(&shape, cd, input.device())?;
        match cd {
            DType::Float32 => fold_kernel::<f32>(&g, &ts[0], &out, false)?,
            _ => fold_kernel::<f64>(&g, &ts[0], &out, false)?,
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: Vec<f64>, shape: &[usize]) -> Tensor {
        Tensor::from_vec(v, shape).unwrap()
    }

    fn vals(t: &Tensor) -> Vec<f64> {
        t.contiguous().unwrap().to_vec::<f64>().unwrap()
    }

    /// A direct (loop) 1-d convolution, the reference.
    fn naive1d(x: &[f64], n: usize, c: usize, l: usize, w: &[f64], o: usize, k: usize, s: usize, p: usize, d: usize, groups: usize) -> Vec<f64> {
        let cg = c / groups;
        let og = o / groups;
        let ol = (l + 2 * p - d * (k - 1) - 1) / s + 1;
        let mut y = vec![0.0; n * o * ol];
        for b in 0..n {
            for oc in 0..o {
                let gi = oc / og;
                for j in 0..ol {
                    let mut acc = 0.0;
                    for ic in 0..cg {
                        for q in 0..k {
                            let pos = (j * s + q * d) as isize - p as isize;
                            if pos >= 0 && (pos as usize) < l {
                                acc += x[(b * c + gi * cg + ic) * l + pos as usize] * w[(oc * cg + ic) * k + q];
                            }
                        }
                    }
                    y[(b * o + oc) * ol + j] = acc;
                }
            }
        }
        y
    }

    #[test]
    fn conv1d_matches_loops_and_backward_is_adjoint() {
        let (n, c, l, o, k) = (3, 4, 11, 8, 3);
        for &(s, p, d, groups) in &[(1, 0, 1, 1), (2, 1, 1, 2), (1, 2, 2, 1), (3, 0, 1, 2), (1, 0, 1, 4)] {
            let x: Vec<f64> = (0..n * c * l).map(|i| ((i * 7 % 13) as f64) - 6.0).collect();
            let w: Vec<f64> = (0..o * (c / groups) * k).map(|i| ((i * 5 % 11) as f64) * 0.5 - 2.0).collect();
            let xt = t(x.clone(), &[n, c, l]);
            let wt = t(w.clone(), &[o, c / groups, k]);
            let y = convolution(&xt, &wt, None, &[s], &[p], &[d], false, &[0], groups as i64).unwrap();
            let want = naive1d(&x, n, c, l, &w, o, k, s as usize, p as usize, d as usize, groups);
            assert_eq!(vals(&y), want);
            // <Bi(gy, w), x> == <gy, F(x, w)> and <Bw(x, gy), w> == <gy, F(x, w)>
            let gy: Vec<f64> = (0..y.numel()).map(|i| ((i * 3 % 7) as f64) - 3.0).collect();
            let gyt = t(gy.clone(), y.shape());
            let ol = y.shape()[2];
            let fwd_dot: f64 = gy.iter().zip(&want).map(|(a, b)| a * b).sum();
            let op = l as i64 - ((ol as i64 - 1) * s - 2 * p + d * (k as i64 - 1) + 1);
            let gx = convolution(&gyt, &wt, None, &[s], &[p], &[d], true, &[op], groups as i64).unwrap();
            assert_eq!(gx.shape(), &[n, c, l]);
            let dx: f64 = vals(&gx).iter().zip(&x).map(|(a, b)| a * b).sum();
            assert!((dx - fwd_dot).abs() < 1e-9, "{dx} {fwd_dot}");
            let gw = convolution_backward_weight(&xt, &gyt, wt.shape(), &[s], &[p], &[d], groups as i64).unwrap();
            let dw: f64 = vals(&gw).iter().zip(&w).map(|(a, b)| a * b).sum();
            assert!((dw - fwd_dot).abs() < 1e-9, "{dw} {fwd_dot}");
        }
    }

    #[test]
    fn conv2d_shapes_and_errors() {
        let x = Tensor::zeros(&[2, 4, 8, 8], DType::Float32).unwrap();
        let w = Tensor::zeros(&[5, 3, 3, 3], DType::Float32).unwrap();
        let e = convolution(&x, &w, None, &[1], &[0], &[1], false, &[0], 1).unwrap_err().to_string();
        assert!(e.contains("expected input[2, 4, 8, 8] to have 3 channels, but got 4 channels instead"), "{e}");
        let w = Tensor::zeros(&[6, 4, 3, 3], DType::Float32).unwrap();
        let y = convolution(&x, &w, None, &[2], &[1], &[1], false, &[0], 1).unwrap();
        assert_eq!(y.shape(), &[2, 6, 4, 4]);
        let m = Tensor::empty_on(&[2, 4, 8, 8], DType::Float32, Device::Meta).unwrap();
        let mw = Tensor::empty_on(&[6, 4, 3, 3], DType::Float32, Device::Meta).unwrap();
        assert_eq!(convolution(&m, &mw, None, &[1], &[0], &[1], false, &[0], 1).unwrap().shape(), &[2, 6, 6, 6]);
    }

    #[test]
    fn fold_inverts_unfold_counts() {
        let x = Tensor::full(&[1, 2, 5, 5], crate::Scalar::Float(1.0), DType::Float64).unwrap();
        let cols = im2col(&x, [3, 3], [1, 1], [1, 1], [1, 1]).unwrap();
        assert_eq!(cols.shape(), &[1, 18, 25]);
        let back = col2im(&cols, [5, 5], [3, 3], [1, 1], [1, 1], [1, 1]).unwrap();
        let v = vals(&back);
        assert_eq!(v[0], 4.0); // a corner is covered by 4 windows
        assert_eq!(v[6], 9.0); // an interior point by 9
    }
}
