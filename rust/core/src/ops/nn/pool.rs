//! Pooling: max pooling (with torch's indices: the flat position of the maximum inside its
//! plane), average pooling, adaptive max/average pooling, max-unpooling, and their backwards.
//!
//! One implementation serves 1, 2 and 3 spatial dims: a call with fewer than 3 is run as 3-d
//! with leading axes of size 1 (kernel 1, stride 1, no padding), which changes neither the
//! results nor the indices. The input is walked plane by plane (a plane is one (batch,
//! channel) slice: every dim before the spatial ones), in parallel over planes; each output
//! position's window is precomputed per axis, exactly as torch's CPU kernels bound it:
//!
//! - max: `start = o*stride - pad`, `end = min(start + (k-1)*dilation + 1, in)`, `start` moved up
//!   by whole dilations until it is inside; the maximum is the first one in window order, a NaN
//!   replacing it whenever one is met (`val > max || isnan(val)`), as torch does;
//! - average: the window clipped to the padded input gives `count_include_pad`'s divisor, the
//!   window clipped to the input the elements summed (in the accumulation type) and the other
//!   divisor; a window wholly in the padding gives 0;
//! - adaptive: `[floor(o*in/out), ceil((o+1)*in/out))`, averages divided by each axis' window
//!   length in turn (`sum / kd / kh / kw`, torch's order).
//!
//! Argument checks follow torch's (`pooling_output_shape`, `pool2d_shape_check`,
//! `pool3d_shape_check`, the adaptive and unpooling checks), with its messages, and run before
//! anything is allocated; on `meta` an op stops after the output's metadata.

use std::ops::{Add, Div, Range};

use crate::dtype::{bf16, f16, DType, Element};
use crate::error::{Error, Result};
use crate::parallel::{self, SyncPtr, GRAIN};
use crate::tensor::Tensor;

// ------------------------------------------------------------------ element types

/// An element type the pooling kernels take, with the type sums and gradients accumulate in
/// (torch's `opmath_type`: f32 for the half types, i64 for the integers).
pub trait PoolElem: Element + PartialOrd {
    type Acc: Copy + Add<Output = Self::Acc> + Div<Output = Self::Acc>;
    const ZERO: Self::Acc;
    fn up(self) -> Self::Acc;
    fn down(a: Self::Acc) -> Self;
    fn count(n: i64) -> Self::Acc;
    #[inline(always)]
    #[allow(clippy::eq_op)]
    fn nan(self) -> bool {
        self != self
    }
}

macro_rules! pool_elem {
    ($($t:ty => $a:ty, $up:expr, $down:expr);* $(;)?) => {$(
        impl PoolElem for $t {
            type Acc = $a;
            const ZERO: $a = 0 as $a;
            #[inline(always)]
            fn up(self) -> $a {
                ($up)(self)
            }
            #[inline(always)]
            fn down(a: $a) -> Self {
                ($down)(a)
            }
            #[inline(always)]
            fn count(n: i64) -> $a {
                n as $a
            }
        }
    )*};
}

pool_elem! {
    f32 => f32, |v| v, |a| a;
    f64 => f64, |v| v, |a| a;
    f16 => f32, |v: f16| v.to_f32(), f16::from_f32;
    bf16 => f32, |v: bf16| v.to_f32(), crate::halfconv::round_bf16;
    i64 => i64, |v| v, |a| a;
    i32 => i64, |v| v as i64, |a| a as i32;
    i16 => i64, |v| v as i64, |a| a as i16;
    i8 => i64, |v| v as i64, |a| a as i8;
    u8 => i64, |v| v as i64, |a| a as u8;
}

/// Which dtypes an op's CPU kernel takes (torch's dispatch lists).
#[derive(Clone, Copy, PartialEq)]
enum Types {
    /// Every numeric type (max pooling).
    All,
    /// The floating types and int64 (average pooling).
    FloatAndLong,
    /// The floating types (adaptive pooling, the backwards).
    Float,
}

fn check_dtype(op: &str, dtype: DType, types: Types) -> Result<()> {
    let ok = match types {
        Types::All => dtype != DType::Bool,
        Types::FloatAndLong => dtype.is_floating_point() || dtype == DType::Int64,
        Types::Float => dtype.is_floating_point(),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::unsupported(op.to_string(), dtype))
    }
}

/// Run `$body` with `$T` the element type of `$dtype` (never bool: checked before).
macro_rules! each_type {
    ($dtype:expr, $T:ident => $body:expr) => {{
        match $dtype {
            DType::Float32 => { type $T = f32; $body }
            DType::Float64 => { type $T = f64; $body }
            DType::Float16 => { type $T = f16; $body }
            DType::BFloat16 => { type $T = bf16; $body }
            DType::Int64 => { type $T = i64; $body }
            DType::Int32 => { type $T = i32; $body }
            DType::Int16 => { type $T = i16; $body }
            DType::Int8 => { type $T = i8; $body }
            DType::UInt8 => { type $T = u8; $body }
            DType::Bool => unreachable!("bool is refused before dispatch"),
        }
    }};
}

// ------------------------------------------------------------------ geometry

/// One spatial axis: its input and output lengths and, per output position, the window
/// `[start, end)` walked in steps of `step` (the dilation), plus the length of the window
/// clipped to the padded input (average pooling's `count_include_pad` divisor).
#[derive(Clone, Debug)]
struct Axis {
    input: usize,
    step: usize,
    win: Vec<(usize, usize)>,
    padded: Vec<usize>,
}

impl Axis {
    fn unit() -> Axis {
        Axis { input: 1, step: 1, win: vec![(0, 1)], padded: vec![1] }
    }

    fn output(&self) -> usize {
        self.win.len()
    }

    /// Max pooling's windows (torch's cpu_max_pool bounds).
    fn max(input: usize, out: usize, k: usize, s: usize, p: usize, d: usize) -> Axis {
        let win = (0..out)
            .map(|o| {
                let mut i0 = (o * s) as i64 - p as i64;
                let i1 = (i0 + ((k - 1) * d) as i64 + 1).min(input as i64);
                while i0 < 0 {
                    i0 += d as i64;
                }
                (i0 as usize, (i1.max(i0)) as usize)
            })
            .collect();
        Axis { input, step: d, win, padded: vec![] }
    }

    /// Average pooling's windows (torch's cpu_avg_pool bounds).
    fn avg(input: usize, out: usize, k: usize, s: usize, p: usize) -> Axis {
        let (mut win, mut padded) = (Vec::with_capacity(out), Vec::with_capacity(out));
        for o in 0..out {
            let i0 = (o * s) as i64 - p as i64;
            let i1 = (i0 + k as i64).min((input + p) as i64);
            padded.push((i1 - i0) as usize);
            let (a, b) = (i0.max(0), i1.min(input as i64));
            win.push((a as usize, b.max(a) as usize));
        }
        Axis { input, step: 1, win, padded }
    }

    /// Adaptive pooling's windows.
    fn adaptive(input: usize, out: usize) -> Axis {
        let win = (0..out).map(|o| ((o * input) / out, ((o + 1) * input).div_ceil(out))).collect();
        Axis { input, step: 1, win, padded: vec![] }
    }
}

/// A pooling's geometry: the planes, and three axes (depth, height, width; unit axes first for
/// fewer spatial dims).
struct Geom {
    planes: usize,
    axes: [Axis; 3],
}

impl Geom {
    fn new(planes: usize, mut axes: Vec<Axis>) -> Geom {
        while axes.len() < 3 {
            axes.insert(0, Axis::unit());
        }
        let axes: [Axis; 3] = axes.try_into().expect("three axes");
        Geom { planes, axes }
    }
    fn isize(&self) -> usize {
        self.axes.iter().map(|a| a.input).product()
    }
    fn osize(&self) -> usize {
        self.axes.iter().map(Axis::output).product()
    }

    /// Call `f(o, d, h, w, divisor_padded)` for each output position `o` of a plane in order,
    /// with its three windows; `divisor_padded` is the product of the padded window lengths
    /// (average pooling only, else 0).
    #[inline(always)]
    fn each(&self, mut f: impl FnMut(usize, (usize, usize), (usize, usize), (usize, usize), usize)) {
        let [a, b, c] = &self.axes;
        let avg = !c.padded.is_empty(); // the last axis is always a real one
        let mut o = 0;
        for (i, &d) in a.win.iter().enumerate() {
            for (j, &h) in b.win.iter().enumerate() {
                for (k, &w) in c.win.iter().enumerate() {
                    let pad = if avg { a.padded[i] * b.padded[j] * c.padded[k] } else { 0 };
                    f(o, d, h, w, pad);
                    o += 1;
                }
            }
        }
    }

    /// Whether every window along the width is two adjacent columns at stride 2 and no window
    /// along depth or height is empty: [`window_max_pairs`]'s case.
    fn column_pairs(&self) -> bool {
        let [a, b, c] = &self.axes;
        c.step == 1
            && 2 * c.win.len() <= c.input
            && c.win.iter().enumerate().all(|(k, &w)| w == (2 * k, 2 * k + 2))
            && a.win.iter().chain(&b.win).all(|&(s, e)| s < e)
    }

    /// Run `f` over chunks of planes, in parallel when the work is large enough.
    fn par_planes(&self, work_per_plane: usize, f: impl Fn(Range<usize>) + Sync) {
        let grain = (GRAIN / work_per_plane.max(1)).max(1);
        parallel::for_each_chunk(self.planes, grain, f);
    }
}

/// torch's IntArrayRef printing: `[1, 3, 8, 8]`.
fn sizes(s: &[usize]) -> String {
    format!("{s:?}")
}

/// torch's `pooling_output_shape`, with its checks.
fn output_len(input: i64, k: i64, p: i64, s: i64, d: i64, ceil_mode: bool) -> Result<i64> {
    if s == 0 {
        crate::bail!("stride should not be zero");
    }
    if p < 0 {
        crate::bail!("pad must be non-negative, but got pad: {p}");
    }
    if p > ((k - 1) * d + 1) / 2 {
        crate::bail!("pad should be at most half of effective kernel size, but got pad={p}, kernel_size={k} and dilation={d}");
    }
    let num = input + 2 * p - d * (k - 1) - 1 + if ceil_mode { s - 1 } else { 0 };
    // floor division (torch's div_rtn)
    let q = num / s;
    let mut out = if num % s != 0 && ((num < 0) != (s < 0)) { q - 1 } else { q } + 1;
    if ceil_mode && (out - 1) * s >= input + p {
        out -= 1;
    }
    Ok(out)
}

/// The window arguments of max and average pooling, one entry per spatial dim.
#[derive(Clone, Copy, Debug)]
pub struct Window<'a> {
    pub kernel: &'a [i64],
    pub stride: &'a [i64],
    pub padding: &'a [i64],
    pub dilation: &'a [i64],
    pub ceil_mode: bool,
}

/// Which pooling a check is for (the messages and checks differ).
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Max,
    Avg,
}

/// torch's checks of a max/average pooling over the last `n` (2 or 3) dims of `input`, and
/// the output's spatial lengths.
fn pool_shape(input: &Tensor, w: &Window, kind: Kind) -> Result<Vec<usize>> {
    let n = w.kernel.len();
    let shape = input.shape();
    let nd = shape.len();
    if w.stride.len() != n || w.padding.len() != n || w.dilation.len() != n || !(2..=3).contains(&n) {
        return Err(Error::runtime("pooling: kernel_size, stride, padding and dilation must have one entry per spatial dim"));
    }
    let (k, s, p, d) = (w.kernel, w.stride, w.padding, w.dilation);
    if n == 3 && nd != 4 && nd != 5 {
        crate::bail!("non-empty 4D or 5D (batch mode) tensor expected for input");
    }
    let fname = if kind == Kind::Max { "max_pool3d_with_indices_out_cpu_template()" } else { "avg_pool3d()" };
    if n == 3 {
        for (i, &len) in shape.iter().enumerate().skip(nd - 4) {
            if len == 0 {
                crate::bail!("{fname}: Expected input to have non-zero size for non-batch dimensions, but input has sizes {} with dimension {i} being empty", sizes(shape));
            }
        }
    }
    if n == 2 && ((kind == Kind::Max && nd != 3 && nd != 4) || nd < 3) {
        if kind == Kind::Max {
            crate::bail!("non-empty 3D or 4D (batch mode) tensor expected for input");
        }
        crate::bail!("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:{}", sizes(shape));
    }
    let spatial = &shape[nd - n..];
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(output_len(spatial[i] as i64, k[i], p[i], s[i], d[i], w.ceil_mode)?);
    }
    let planes_dim = shape[nd - n - 1];
    if n == 3 {
        if k.iter().any(|&v| v <= 0) {
            crate::bail!("kernel size should be greater than zero, but got kT: {} kH: {} kW: {}", k[0], k[1], k[2]);
        }
        if s.iter().any(|&v| v <= 0) {
            crate::bail!("stride should be greater than zero, but got dT: {} dH: {} dW: {}", s[0], s[1], s[2]);
        }
        if d.iter().any(|&v| v <= 0) {
            crate::bail!("dilation should be greater than zero, but got dilationT: {} dilationH: {} dilationW: {}", d[0], d[1], d[2]);
        }
        if kind == Kind::Avg && (0..3).any(|i| (spatial[i] as i64) < k[i]) {
            crate::bail!("input image (T: {} H: {} W: {}) smaller than kernel size (kT: {} kH: {} kW: {})", spatial[0], spatial[1], spatial[2], k[0], k[1], k[2]);
        }
        if (0..3).any(|i| k[i] / 2 < p[i]) {
            crate::bail!("pad should be smaller than or equal to half of kernel size, but got kT: {} kW: {} kH: {} padT: {} padW: {} padH: {}", k[0], k[2], k[1], p[0], p[2], p[1]);
        }
        if out.iter().any(|&o| o < 1) {
            crate::bail!(
                "Given input size: ({planes_dim}x{}x{}x{}). Calculated output size: ({planes_dim}x{}x{}x{}). Output size is too small",
                spatial[0], spatial[1], spatial[2], out[0], out[1], out[2]
            );
        }
    } else {
        // 2-d (1-d calls come as 2-d from the Python side, like torch's)
        let (kh, kw, sh, sw, dh, dw, ph, pw) = (k[0], k[1], s[0], s[1], d[0], d[1], p[0], p[1]);
        if kh <= 0 || kw <= 0 {
            crate::bail!("kernel size should be greater than zero, but got kH: {kh} kW: {kw}");
        }
        if sh <= 0 || sw <= 0 {
            crate::bail!("stride should be greater than zero, but got dH: {sh} dW: {sw}");
        }
        if dh <= 0 || dw <= 0 {
            crate::bail!("dilation should be greater than zero, but got dilationH: {dh} dilationW: {dw}");
        }
        let valid = shape[nd - 2] != 0 && shape[nd - 1] != 0;
        if !((nd == 3 && shape[0] != 0 && valid) || (nd == 4 && valid && shape[1] != 0)) {
            crate::bail!("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:{}", sizes(shape));
        }
        if kw / 2 < pw || kh / 2 < ph {
            crate::bail!("pad should be smaller than or equal to half of kernel size, but got padW = {pw}, padH = {ph}, kW = {kw}, kH = {kh}");
        }
        if out.iter().any(|&o| o < 1) {
            crate::bail!(
                "Given input size: ({planes_dim}x{}x{}). Calculated output size: ({planes_dim}x{}x{}). Output size is too small",
                spatial[0], spatial[1], out[0], out[1]
            );
        }
    }
    Ok(out.into_iter().map(|o| o as usize).collect())
}

/// The output shape: `input`'s leading dims, then `spatial`.
fn out_shape(input: &Tensor, n: usize, spatial: &[usize]) -> Vec<usize> {
    let lead = &input.shape()[..input.ndim() - n];
    lead.iter().chain(spatial).copied().collect()
}

fn planes_of(input: &Tensor, n: usize) -> usize {
    input.shape()[..input.ndim() - n].iter().product()
}

/// A contiguous tensor's elements (from its offset).
///
/// SAFETY: the caller holds the storage's read guard `g` for as long as the slice lives.
unsafe fn elems<'a, T>(t: &Tensor, g: *const u8) -> &'a [T] {
    std::slice::from_raw_parts((g as *const T).add(t.offset()), t.numel())
}

// ------------------------------------------------------------------ max pooling

fn op_name(prefix: &str, n: usize) -> String {
    format!("{prefix}{n}d")
}

/// `max_pool{n}d_with_indices` (n = 2 or 3) over the last `window.kernel.len()` dims: (values, int64
/// indices into each input plane, flattened).
pub fn max_pool(input: &Tensor, window: Window) -> Result<(Tensor, Tensor)> {
    let n = window.kernel.len();
    let spatial = pool_shape(input, &window, Kind::Max)?;
    let shape = out_shape(input, n, &spatial);
    let out = Tensor::empty_on(&shape, input.dtype(), input.device())?;
    let idx = Tensor::empty_on(&shape, DType::Int64, input.device())?;
    if out.is_meta() {
        return Ok((out, idx));
    }
    check_dtype(&op_name("max_pool", n), input.dtype(), Types::All)?;
    let ispat = &input.shape()[input.ndim() - n..];
    let axes = (0..n)
        .map(|i| Axis::max(ispat[i], spatial[i], window.kernel[i] as usize, window.stride[i] as usize, window.padding[i] as usize, window.dilation[i] as usize))
        .collect();
    let g = Geom::new(planes_of(input, n), axes);
    max_any(&input.contiguous()?, &out, &idx, &g)?;
    Ok((out, idx))
}

/// `max_kernel` for any dtype; the half types pool a float32 copy (a max is one of its inputs,
/// so rounding it back is exact) because their own comparisons do not vectorise.
fn max_any(x: &Tensor, out: &Tensor, idx: &Tensor, g: &Geom) -> Result<()> {
    if matches!(x.dtype(), DType::Float16 | DType::BFloat16) {
        let o32 = Tensor::empty(out.shape(), DType::Float32)?;
        max_kernel::<f32>(&x.copy_as(DType::Float32)?, &o32, idx, g)?;
        return out.copy_(&o32);
    }
    each_type!(x.dtype(), T => max_kernel::<T>(x, out, idx, g))
}

fn max_kernel<T: PoolElem>(x: &Tensor, out: &Tensor, idx: &Tensor, g: &Geom) -> Result<()> {
    let xg = x.storage().read()?;
    let (og, ig) = (out.storage().write()?, idx.storage().write()?);
    let (isz, osz) = (g.isize(), g.osize());
    let xs = unsafe { elems::<T>(x, xg.ptr()) };
    let (op, ip) = (SyncPtr(og.ptr() as *mut T), SyncPtr(ig.ptr() as *mut i64));
    let work = g.axes.iter().map(|a| a.input.max(a.output())).product::<usize>();
    let pairs = g.column_pairs();
    g.par_planes(work, |planes| {
        for pl in planes {
            let xp = &xs[pl * isz..(pl + 1) * isz];
            // SAFETY: plane pl's outputs are written by this chunk only.
            let (o, ix) = unsafe {
                (std::slice::from_raw_parts_mut(op.get().add(pl * osz), osz), std::slice::from_raw_parts_mut(ip.get().add(pl * osz), osz))
            };
            if pairs {
                window_max_pairs(xp, g, o, ix);
            } else {
                window_max(xp, g, o, ix);
            }
        }
    });
    Ok(())
}

/// The maximum of every window of one plane (torch's order of ties and NaNs).
#[inline(always)]
fn window_max<T: PoolElem>(xp: &[T], g: &Geom, o: &mut [T], ix: &mut [i64]) {
    let w = g.axes[2].input;
    let hw = g.axes[1].input * w;
    let (sd, sh, sw) = (g.axes[0].step, g.axes[1].step, g.axes[2].step);
    g.each(|j, (d0, d1), (h0, h1), (w0, w1), _| {
        let mut bi = d0 * hw + h0 * w + w0;
        if d0 >= d1 || h0 >= h1 || w0 >= w1 {
            o[j] = T::zero();
            ix[j] = bi as i64;
            return;
        }
        let mut bv = xp[bi];
        let mut id = d0;
        while id < d1 {
            let mut ih = h0;
            while ih < h1 {
                let row = id * hw + ih * w;
                let mut iw = w0;
                while iw < w1 {
                    // SAFETY: the windows lie inside the plane (Axis::max clips them).
                    let v = unsafe { *xp.get_unchecked(row + iw) };
                    if v > bv || v.nan() {
                        bv = v;
                        bi = row + iw;
                    }
                    iw += sw;
                }
                ih += sh;
            }
            id += sd;
        }
        o[j] = bv;
        ix[j] = bi as i64;
    });
}

/// [`window_max`] for the commonest pooling, `max_pool2d(2)`: every window spans two adjacent
/// columns at stride 2 (no padding, no dilation along the width). A window's rows are visited in
/// torch's order as whole output rows, so the loop over a row's outputs vectorises (the generic
/// loop sets up three nested loops per output: 17% of a LeNet training step).
#[inline(always)]
fn window_max_pairs<T: PoolElem>(xp: &[T], g: &Geom, o: &mut [T], ix: &mut [i64]) {
    let [a, b, c] = &g.axes;
    let (w, ow) = (c.input, c.win.len());
    let hw = b.input * w;
    let mut j = 0;
    for &(d0, d1) in &a.win {
        for &(h0, h1) in &b.win {
            let (orow, irow) = (&mut o[j..j + ow], &mut ix[j..j + ow]);
            j += ow;
            let mut first = true;
            let mut id = d0;
            while id < d1 {
                let mut ih = h0;
                while ih < h1 {
                    let base = id * hw + ih * w;
                    let src = &xp[base..base + 2 * ow];
                    for (k, ((ov, iv), pair)) in orow.iter_mut().zip(irow.iter_mut()).zip(src.chunks_exact(2)).enumerate() {
                        let (v0, v1) = (pair[0], pair[1]);
                        let (mut bv, mut bi) = if first { (v0, base + 2 * k) } else { (*ov, *iv as usize) };
                        if !first && (v0 > bv || v0.nan()) {
                            bv = v0;
                            bi = base + 2 * k;
                        }
                        if v1 > bv || v1.nan() {
                            bv = v1;
                            bi = base + 2 * k + 1;
                        }
                        *ov = bv;
                        *iv = bi as i64;
                    }
                    first = false;
                    ih += b.step;
                }
                id += a.step;
            }
        }
    }
}

/// The backward of max pooling (and adaptive max pooling): `grad` added at `indices` into
/// zeros shaped like `input` (only its shape, dtype and device are read), plane by plane over
/// the last `n` dims.
pub fn max_pool_backward(grad: &Tensor, input: &Tensor, indices: &Tensor, n: usize) -> Result<Tensor> {
    let gi = Tensor::zeros_on(input.shape(), grad.dtype(), crate::device::Device::common([grad, indices])?)?;
    if grad.shape() != indices.shape() {
        crate::bail!("max_pool_backward: grad of shape {} does not match the indices' {}", sizes(grad.shape()), sizes(indices.shape()));
    }
    if indices.dtype() != DType::Int64 {
        crate::bail!("elements in indices should be type int64 but got: {}", indices.dtype().scalar_type_name());
    }
    if gi.is_meta() {
        return Ok(gi);
    }
    check_dtype("max_pool_backward", grad.dtype(), Types::Float)?;
    let (go, ind) = (grad.contiguous()?, indices.contiguous()?);
    let planes = planes_of(input, n);
    let isz: usize = input.shape()[input.ndim() - n..].iter().product();
    let osz: usize = if planes == 0 { 0 } else { go.numel() / planes };
    each_type!(grad.dtype(), T => scatter::<T>(&go, &ind, &gi, planes, isz, osz, true, |m| format!("max_pool_backward: index {m} is out of range of a plane of {isz} elements")))?;
    Ok(gi)
}

/// `out[plane][ind[plane][j]] (+)= src[plane][j]` for every plane, in parallel over planes
/// (indices point into their own plane, so planes never collide). An index outside
/// `[0, isz)` stops it with `bad(index)`.
#[allow(clippy::too_many_arguments)]
fn scatter<T: PoolElem>(src: &Tensor, ind: &Tensor, out: &Tensor, planes: usize, isz: usize, osz: usize, accumulate: bool, bad: impl Fn(i64) -> String) -> Result<()> {
    let (sg, ig, og) = (src.storage().read()?, ind.storage().read()?, out.storage().write()?);
    let s = unsafe { elems::<T>(src, sg.ptr()) };
    let ix = unsafe { elems::<i64>(ind, ig.ptr()) };
    let op = SyncPtr(og.ptr() as *mut T);
    let first_bad = std::sync::Mutex::new(None::<i64>);
    let grain = (GRAIN / osz.max(1)).max(1);
    parallel::for_each_chunk(planes, grain, |range| {
        for pl in range {
            // SAFETY: plane pl of out is written by this chunk only.
            let o = unsafe { std::slice::from_raw_parts_mut(op.get().add(pl * isz), isz) };
            let (sp, ip) = (&s[pl * osz..(pl + 1) * osz], &ix[pl * osz..(pl + 1) * osz]);
            for j in 0..osz {
                let m = ip[j];
                if m < 0 || m as usize >= isz {
                    let mut b = first_bad.lock().unwrap_or_else(|e| e.into_inner());
                    b.get_or_insert(m);
                    return;
                }
                let m = m as usize;
                o[m] = if accumulate { T::down(o[m].up() + sp[j].up()) } else { sp[j] };
            }
        }
    });
    match first_bad.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(m) => Err(Error::runtime(bad(m))),
        None => Ok(()),
    }
}

// ------------------------------------------------------------------ average pooling

/// `avg_pool{n}d` over the last `window.kernel.len()` dims (dilation must be all ones).
pub fn avg_pool(input: &Tensor, window: Window, count_include_pad: bool, divisor_override: Option<i64>) -> Result<Tensor> {
    let n = window.kernel.len();
    if divisor_override == Some(0) {
        crate::bail!("divisor must be not zero");
    }
    let spatial = pool_shape(input, &window, Kind::Avg)?;
    let out = Tensor::empty_on(&out_shape(input, n, &spatial), input.dtype(), input.device())?;
    if out.is_meta() {
        return Ok(out);
    }
    check_dtype(&op_name("avg_pool", n), input.dtype(), Types::FloatAndLong)?;
    let g = avg_geom(input.shape(), n, &spatial, &window);
    let x = input.contiguous()?;
    // divisor_override may be negative: torch divides by it as given
    each_type!(x.dtype(), T => window_mean::<T>(&x, &out, &g, |d, h, w, padded| {
        Divide::By(divisor(d, h, w, padded, count_include_pad, divisor_override))
    }))?;
    Ok(out)
}

fn avg_geom(ishape: &[usize], n: usize, spatial: &[usize], w: &Window) -> Geom {
    let ispat = &ishape[ishape.len() - n..];
    let axes = (0..n).map(|i| Axis::avg(ispat[i], spatial[i], w.kernel[i] as usize, w.stride[i] as usize, w.padding[i] as usize)).collect();
    Geom::new(ishape[..ishape.len() - n].iter().product(), axes)
}

#[inline(always)]
fn divisor(d: (usize, usize), h: (usize, usize), w: (usize, usize), padded: usize, include_pad: bool, over: Option<i64>) -> i64 {
    match over {
        Some(v) => v,
        None if include_pad => padded as i64,
        None => ((d.1 - d.0) * (h.1 - h.0) * (w.1 - w.0)) as i64,
    }
}

/// `out[o] = sum(window of o) / divisor(o)` for every output of every plane (the sum in the
/// accumulation type, in window order); an empty window gives 0.
fn window_mean<T: PoolElem>(x: &Tensor, out: &Tensor, g: &Geom, div: impl Fn((usize, usize), (usize, usize), (usize, usize), usize) -> Divide + Sync) -> Result<()> {
    let xg = x.storage().read()?;
    let og = out.storage().write()?;
    let (isz, osz) = (g.isize(), g.osize());
    let xs = unsafe { elems::<T>(x, xg.ptr()) };
    let op = SyncPtr(og.ptr() as *mut T);
    let (w, hw) = (g.axes[2].input, g.axes[1].input * g.axes[2].input);
    g.par_planes(isz.max(osz), |planes| {
        for pl in planes {
            let xp = &xs[pl * isz..(pl + 1) * isz];
            // SAFETY: plane pl's outputs are written by this chunk only.
            let o = unsafe { std::slice::from_raw_parts_mut(op.get().add(pl * osz), osz) };
            g.each(|j, d, h, ww, padded| {
                if d.0 >= d.1 || h.0 >= h.1 || ww.0 >= ww.1 {
                    o[j] = T::zero();
                    return;
                }
                let mut sum = T::ZERO;
                for id in d.0..d.1 {
                    for ih in h.0..h.1 {
                        for &v in &xp[id * hw + ih * w + ww.0..id * hw + ih * w + ww.1] {
                            sum = sum + v.up();
                        }
                    }
                }
                o[j] = div(d, h, ww, padded).apply::<T>(sum);
            });
        }
    });
    Ok(())
}

/// The backward of average pooling: each output's gradient, divided as the forward divided,
/// added to its window's input elements. `input` gives the shape only.
pub fn avg_pool_backward(grad: &Tensor, input: &Tensor, window: Window, count_include_pad: bool, divisor_override: Option<i64>) -> Result<Tensor> {
    let n = window.kernel.len();
    if divisor_override == Some(0) {
        crate::bail!("divisor must be not zero");
    }
    let spatial = pool_shape(input, &window, Kind::Avg)?;
    if grad.shape() != out_shape(input, n, &spatial).as_slice() {
        crate::bail!("avg_pool_backward: grad of shape {} does not match the output's {}", sizes(grad.shape()), sizes(&out_shape(input, n, &spatial)));
    }
    let gi = Tensor::zeros_on(input.shape(), grad.dtype(), grad.device())?;
    if gi.is_meta() {
        return Ok(gi);
    }
    check_dtype(&op_name("avg_pool", n), grad.dtype(), Types::FloatAndLong)?;
    let g = avg_geom(input.shape(), n, &spatial, &window);
    let go = grad.contiguous()?;
    each_type!(go.dtype(), T => spread::<T>(&go, &gi, &g, |d, h, w, padded| {
        Divide::By(divisor(d, h, w, padded, count_include_pad, divisor_override))
    }))?;
    Ok(gi)
}

/// How a window's gradient is divided before it is spread.
#[derive(Clone, Copy)]
enum Divide {
    By(i64),
    /// Adaptive: by each axis' window length in turn (torch's `sum / kd / kh / kw`).
    Axes(i64, i64, i64),
}

impl Divide {
    /// Adaptive pooling's division of a window.
    fn axes(d: (usize, usize), h: (usize, usize), w: (usize, usize), _padded: usize) -> Divide {
        Divide::Axes((d.1 - d.0) as i64, (h.1 - h.0) as i64, (w.1 - w.0) as i64)
    }

    #[inline(always)]
    fn apply<T: PoolElem>(self, v: T::Acc) -> T {
        match self {
            Divide::By(n) => T::down(v / T::count(n)),
            Divide::Axes(a, b, c) => T::down(v / T::count(a) / T::count(b) / T::count(c)),
        }
    }
}

/// `gi[window elements] += grad[o] / divisor(o)` for every output `o` of every plane.
fn spread<T: PoolElem>(grad: &Tensor, gi: &Tensor, g: &Geom, div: impl Fn((usize, usize), (usize, usize), (usize, usize), usize) -> Divide + Sync) -> Result<()> {
    let gg = grad.storage().read()?;
    let og = gi.storage().write()?;
    let (isz, osz) = (g.isize(), g.osize());
    let gs = unsafe { elems::<T>(grad, gg.ptr()) };
    let op = SyncPtr(og.ptr() as *mut T);
    let (w, hw) = (g.axes[2].input, g.axes[1].input * g.axes[2].input);
    g.par_planes(isz.max(osz), |planes| {
        for pl in planes {
            let gp = &gs[pl * osz..(pl + 1) * osz];
            // SAFETY: plane pl of gi is written by this chunk only.
            let o = unsafe { std::slice::from_raw_parts_mut(op.get().add(pl * isz), isz) };
            g.each(|j, d, h, ww, padded| {
                if d.0 >= d.1 || h.0 >= h.1 || ww.0 >= ww.1 {
                    return;
                }
                let delta = div(d, h, ww, padded).apply::<T>(gp[j].up()).up();
                for id in d.0..d.1 {
                    for ih in h.0..h.1 {
                        let base = id * hw + ih * w;
                        for v in &mut o[base + ww.0..base + ww.1] {
                            *v = T::down(v.up() + delta);
                        }
                    }
                }
            });
        }
    });
    Ok(())
}

// ------------------------------------------------------------------ adaptive pooling

/// torch's checks of adaptive pooling over the last `output_size.len()` (1 to 3) dims.
fn adaptive_check(input: &Tensor, output_size: &[i64], max: bool) -> Result<Vec<usize>> {
    let n = output_size.len();
    let shape = input.shape();
    let nd = shape.len();
    let name = format!("adaptive_{}_pool{}d", if max { "max" } else { "avg" }, n.max(2));
    let (a, b) = (n.max(2) + 1, n.max(2) + 2);
    let colon = if max { ":" } else { "" };
    if nd != n + 1 && nd != n + 2 {
        crate::bail!("{name}(): Expected {a}D or {b}D tensor, but got{colon} {}", sizes(shape));
    }
    let first = if !max && n == 2 { nd - 2 } else { 1 };
    for (i, &len) in shape.iter().enumerate().skip(first) {
        if len == 0 {
            crate::bail!("{name}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes {} with dimension {i} being empty", sizes(shape));
        }
    }
    if let Some(&o) = output_size.iter().find(|&&o| o < 0) {
        crate::bail!("{name}(): elements of output_size must be greater than or equal to 0 but received {o}");
    }
    Ok(output_size.iter().map(|&o| o as usize).collect())
}

fn adaptive_geom(input: &Tensor, spatial: &[usize]) -> Geom {
    let n = spatial.len();
    let ispat = &input.shape()[input.ndim() - n..];
    Geom::new(planes_of(input, n), (0..n).map(|i| Axis::adaptive(ispat[i], spatial[i])).collect())
}

/// `adaptive_max_pool{n}d`: (values, int64 indices into each input plane).
pub fn adaptive_max_pool(input: &Tensor, output_size: &[i64]) -> Result<(Tensor, Tensor)> {
    let n = output_size.len();
    let spatial = adaptive_check(input, output_size, true)?;
    let shape = out_shape(input, n, &spatial);
    let out = Tensor::empty_on(&shape, input.dtype(), input.device())?;
    let idx = Tensor::empty_on(&shape, DType::Int64, input.device())?;
    if out.is_meta() {
        return Ok((out, idx));
    }
    check_dtype(&format!("adaptive_max_pool{}d", n.max(2)), input.dtype(), Types::Float)?;
    let g = adaptive_geom(input, &spatial);
    max_any(&input.contiguous()?, &out, &idx, &g)?;
    Ok((out, idx))
}


/// `adaptive_avg_pool{n}d`.
pub fn adaptive_avg_pool(input: &Tensor, output_size: &[i64]) -> Result<Tensor> {
    let n = output_size.len();
    let spatial = adaptive_check(input, output_size, false)?;
    let out = Tensor::empty_on(&out_shape(input, n, &spatial), input.dtype(), input.device())?;
    if out.is_meta() {
        return Ok(out);
    }
    check_dtype(&format!("adaptive_avg_pool{}d", n.max(2)), input.dtype(), Types::Float)?;
    let g = adaptive_geom(input, &spatial);
    let x = input.contiguous()?;
    each_type!(x.dtype(), T => window_mean::<T>(&x, &out, &g, Divide::axes))?;
    Ok(out)
}

/// The backward of adaptive average pooling over the last `n` dims (`input` gives the shape
/// only).
pub fn adaptive_avg_pool_backward(grad: &Tensor, input: &Tensor, n: usize) -> Result<Tensor> {
    if grad.ndim() != input.ndim() || grad.shape()[..grad.ndim() - n] != input.shape()[..input.ndim() - n] {
        crate::bail!("adaptive_avg_pool_backward: grad of shape {} does not fit the input's {}", sizes(grad.shape()), sizes(input.shape()));
    }
    let gi = Tensor::zeros_on(input.shape(), grad.dtype(), grad.device())?;
    if gi.is_meta() {
        return Ok(gi);
    }
    check_dtype(&format!("adaptive_avg_pool{}d_backward", n.max(2)), grad.dtype(), Types::Float)?;
    let spatial = grad.shape()[grad.ndim() - n..].to_vec();
    let g = adaptive_geom(input, &spatial);
    let go = grad.contiguous()?;
    each_type!(go.dtype(), T => spread::<T>(&go, &gi, &g, Divide::axes))?;
    Ok(gi)
}

// ------------------------------------------------------------------ max unpooling

/// `max_unpool{n}d`: zeros of the last dims `output_size` with each input value written at its
/// index (a flat position inside its plane), for `n` = 2 or 3 (1-d runs as 2-d, like torch).
pub fn max_unpool(input: &Tensor, indices: &Tensor, output_size: &[i64]) -> Result<Tensor> {
    let n = output_size.len();
    let nd = input.ndim();
    if indices.dtype() != DType::Int64 {
        crate::bail!("elements in indices should be type int64 but got: {}", indices.dtype().scalar_type_name());
    }
    let device = crate::device::Device::common([input, indices])?;
    let fname = if n == 3 { "max_unpooling3d_forward_out_cpu()" } else { "max_unpooling2d_forward_out_cpu()" };
    if nd != n + 1 && nd != n + 2 {
        crate::bail!("Input to max_unpooling{n}d should be a {}d or {}d Tensor, but got a tensor with {nd} dimensions.", n + 1, n + 2);
    }
    if input.shape() != indices.shape() {
        crate::bail!("Expected shape of indices to be same as that of the input tensor ({}) but got indices tensor with shape: {}", sizes(input.shape()), sizes(indices.shape()));
    }
    for (i, &len) in input.shape().iter().enumerate().skip(1) {
        if len == 0 {
            crate::bail!("{fname}: Expected input to have non-zero size for non-batch dimensions, but got {} with dimension {i} being empty.", sizes(input.shape()));
        }
    }
    if let Some(&o) = output_size.iter().find(|&&o| o < 0) {
        crate::bail!("max_unpooling{n}d: output_size must be non-negative, but got {o}");
    }
    let spatial: Vec<usize> = output_size.iter().map(|&o| o as usize).collect();
    let out = Tensor::zeros_on(&out_shape(input, n, &spatial), input.dtype(), device)?;
    if out.is_meta() {
        return Ok(out);
    }
    let planes = planes_of(input, n);
    let osz: usize = spatial.iter().product();
    let isz: usize = input.shape()[nd - n..].iter().product();
    let (x, ind) = (input.contiguous()?, indices.contiguous()?);
    let volume = spatial.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("x");
    let bad = |m: i64| format!("Found an invalid max index: {m} (output volumes are of size {volume})");
    if x.dtype() == DType::Bool {
        let (xu, ou) = (x.view_dtype(DType::UInt8)?, out.view_dtype(DType::UInt8)?);
        scatter::<u8>(&xu, &ind, &ou, planes, osz, isz, false, bad)?;
    } else {
        each_type!(x.dtype(), T => scatter::<T>(&x, &ind, &out, planes, osz, isz, false, bad))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: Vec<f64>, shape: &[usize]) -> Tensor {
        Tensor::from_vec(v, shape).unwrap()
    }

    fn win<'a>(k: &'a [i64], s: &'a [i64], p: &'a [i64], d: &'a [i64], ceil_mode: bool) -> Window<'a> {
        Window { kernel: k, stride: s, padding: p, dilation: d, ceil_mode }
    }

    #[test]
    fn output_length_rule() {
        assert_eq!(output_len(5, 2, 0, 2, 1, false).unwrap(), 2);
        assert_eq!(output_len(5, 2, 0, 2, 1, true).unwrap(), 3);
        // the last window must start inside the input (or its left padding)
        assert_eq!(output_len(5, 2, 1, 2, 1, true).unwrap(), 3);
        assert!(output_len(4, 2, 2, 2, 1, false).is_err());
        assert!(output_len(4, 2, 0, 0, 1, false).is_err());
    }

    #[test]
    fn max_pool_values_indices_and_nan() {
        let x = t(vec![1.0, 5.0, 2.0, 5.0, 3.0, 0.0, f64::NAN, 4.0, 9.0], &[1, 1, 3, 3]);
        let (v, i) = max_pool(&x, win(&[2, 2], &[1, 1], &[0, 0], &[1, 1], false)).unwrap();
        assert_eq!(i.to_vec::<i64>().unwrap(), vec![1, 1, 6, 8]);
        let v = v.to_vec::<f64>().unwrap();
        assert_eq!((v[0], v[1], v[3]), (5.0, 5.0, 9.0));
        assert!(v[2].is_nan());
        // padding and dilation
        let (v, i) = max_pool(&x, win(&[2, 2], &[2, 2], &[1, 1], &[1, 1], false)).unwrap();
        assert_eq!(i.to_vec::<i64>().unwrap(), vec![0, 1, 6, 8]);
        assert_eq!(v.shape(), &[1, 1, 2, 2]);
        let grad = t(vec![1.0, 2.0, 3.0, 4.0], &[1, 1, 2, 2]);
        let gi = max_pool_backward(&grad, &x, &i, 2).unwrap();
        assert_eq!(gi.to_vec::<f64>().unwrap(), vec![1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.0, 4.0]);
        let err = max_pool(&x, win(&[2, 2], &[2, 2], &[2, 2], &[1, 1], false)).unwrap_err().to_string();
        assert!(err.contains("pad should be at most half of effective kernel size"), "{err}");
    }

    #[test]
    fn avg_pool_divisors() {
        let x = t((0..16).map(|v| v as f64).collect(), &[1, 4, 4]);
        let w = win(&[2, 2], &[2, 2], &[1, 1], &[1, 1], false);
        let a = avg_pool(&x, w, true, None).unwrap().to_vec::<f64>().unwrap();
        let b = avg_pool(&x, w, false, None).unwrap().to_vec::<f64>().unwrap();
        assert_eq!(a[0], 0.0 / 4.0);
        assert_eq!(b[0], 0.0);
        assert_eq!(a[1], (1.0 + 2.0) / 4.0);
        assert_eq!(b[1], (1.0 + 2.0) / 2.0);
        let g = avg_pool_backward(&Tensor::full(&[1, 3, 3], crate::Scalar::Float(4.0), DType::Float64).unwrap(), &x, w, true, None).unwrap();
        assert_eq!(g.to_vec::<f64>().unwrap().iter().sum::<f64>(), 36.0 - 20.0);
    }

    #[test]
    fn adaptive_and_unpool() {
        let x = t((0..10).map(|v| v as f64).collect(), &[1, 2, 5]);
        let y = adaptive_avg_pool(&x, &[3]).unwrap().to_vec::<f64>().unwrap();
        assert_eq!(y, vec![0.5, 2.0, 3.5, 5.5, 7.0, 8.5]);
        let (m, i) = adaptive_max_pool(&x, &[3]).unwrap();
        // torch: windows [0, 2), [1, 4), [3, 5) (F.adaptive_max_pool1d(arange(10.).view(1, 2, 5), 3))
        assert_eq!(i.to_vec::<i64>().unwrap(), vec![1, 3, 4, 1, 3, 4]);
        let u = max_unpool(&m.unsqueeze(-1).unwrap(), &i.unsqueeze(-1).unwrap(), &[5, 1]).unwrap();
        assert_eq!(u.to_vec::<f64>().unwrap(), vec![0.0, 1.0, 0.0, 3.0, 4.0, 0.0, 6.0, 0.0, 8.0, 9.0]);
        let g = adaptive_avg_pool_backward(&Tensor::full(&[1, 2, 3], crate::Scalar::Float(1.0), DType::Float64).unwrap(), &x, 1).unwrap();
        let want = [0.5, 0.5 + 1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0 + 0.5, 0.5];
        for (a, b) in g.to_vec::<f64>().unwrap().iter().zip(want.iter().chain(want.iter())) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }
}
