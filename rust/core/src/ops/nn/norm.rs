//! Batch and layer normalisation as fused kernels. Batch norm (torch's `native_batch_norm` and
//! its backward) over
//! `(N, C, *)` inputs: per channel, training mode takes the batch's mean and biased variance in
//! two passes (updating the running statistics with the unbiased variance), evaluation mode
//! uses the running ones; the output is `x * a + b` with `a = weight / sqrt(var + eps)` and
//! `b = bias - mean * a`, one pass. Backward gets the three gradients in two passes. Layer norm
//! (`native_layer_norm`) normalises each row of the trailing dims the same way.
//!
//! Sums accumulate in lanes of the element type over blocks, the blocks in f64 (the error of a
//! short sum, at vector speed).

use super::{opt_slice, with_slice, Float};
use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::parallel::{for_each_chunk, SyncPtr, GRAIN};
use crate::tensor::Tensor;

const BLOCK: usize = 4096;
const L: usize = 16;

/// `sum(f(x[i], y[i]))` of two contiguous runs, lanes in T, blocks in f64.
#[inline(always)]
fn sum2<T: Float>(x: &[T], y: &[T], f: impl Fn(T, T) -> T) -> f64 {
    let mut total = 0.0f64;
    for (xb, yb) in x.chunks(BLOCK).zip(y.chunks(BLOCK)) {
        let mut acc = [T::zero(); L];
        let (xi, yi) = (xb.chunks_exact(L), yb.chunks_exact(L));
        let (xr, yr) = (xi.remainder(), yi.remainder());
        for (xc, yc) in xi.zip(yi) {
            for j in 0..L {
                acc[j] = acc[j] + f(xc[j], yc[j]);
            }
        }
        for (a, (&u, &v)) in acc.iter_mut().zip(xr.iter().zip(yr)) {
            *a = *a + f(u, v);
        }
        let mut w = L / 2;
        while w > 0 {
            for j in 0..w {
                acc[j] = acc[j] + acc[j + w];
            }
            w /= 2;
        }
        total += acc[0].to_f64();
    }
    total
}

/// (N, C, S) of an input of 2 or more dims.
fn geometry(input: &Tensor) -> Result<(usize, usize, usize)> {
    let s = input.shape();
    if s.len() < 2 {
        return Err(Error::runtime(format!("batch_norm: expected an input of 2 or more dims, got {}", s.len())));
    }
    Ok((s[0], s[1], s[2..].iter().product()))
}

/// The C values of a per-channel parameter as f64 (None: absent).
fn channel_values(t: Option<&Tensor>, c: usize, name: &str) -> Result<Option<Vec<f64>>> {
    let Some(t) = t else { return Ok(None) };
    if t.numel() != c {
        return Err(Error::runtime(format!("{name} should contain {c} elements not {}", t.numel())));
    }
    Ok(Some(t.to_dtype(DType::Float64)?.to_vec::<f64>()?))
}

/// Channels per parallel chunk: about GRAIN elements each.
fn channel_grain(per_channel: usize) -> usize {
    (GRAIN / per_channel.max(1)).max(1)
}

/// `native_batch_norm`: `(output, save_mean, save_invstd)`, the last two the per-channel
/// statistics the output was normalised with (the batch's in training, the running ones in
/// evaluation), in the input's dtype. In training the running statistics (when given) are
/// updated in place: `(1 - momentum) * running + momentum * batch`, with the unbiased variance.
#[allow(clippy::too_many_arguments)]
pub fn batch_norm(
    input: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    running_mean: Option<&Tensor>,
    running_var: Option<&Tensor>,
    training: bool,
    momentum: f64,
    eps: f64,
) -> Result<(Tensor, Tensor, Tensor)> {
    let (n, c, s) = geometry(input)?;
    if !matches!(input.dtype(), DType::Float32 | DType::Float64) {
        return Err(Error::unsupported("batch_norm_fused", input.dtype()));
    }
    let mut tensors = vec![input];
    tensors.extend(weight.into_iter().chain(bias).chain(running_mean).chain(running_var));
    let device = Device::common(tensors)?;
    let out = Tensor::empty_on(input.shape(), input.dtype(), device)?;
    let mean_t = Tensor::empty_on(&[c], input.dtype(), device)?;
    let invstd_t = Tensor::empty_on(&[c], input.dtype(), device)?;
    if out.is_meta() {
        return Ok((out, mean_t, invstd_t));
    }
    let w = channel_values(weight, c, "weight")?;
    let b = channel_values(bias, c, "bias")?;
    let (mean, var) = if training {
        let (mean, var) = match input.dtype() {
            DType::Float64 => stats::<f64>(input, (n, c, s))?,
            _ => stats::<f32>(input, (n, c, s))?,
        };
        let m = (n * s) as f64;
        if let Some(rm) = running_mean {
            let old = channel_values(Some(rm), c, "running_mean")?.unwrap();
            let new: Vec<f64> = old.iter().zip(&mean).map(|(&r, &x)| x * momentum + r * (1.0 - momentum)).collect();
            rm.copy_(&Tensor::from_vec(new, &[c])?)?;
        }
        if let Some(rv) = running_var {
            let old = channel_values(Some(rv), c, "running_var")?.unwrap();
            let new: Vec<f64> = old.iter().zip(&var).map(|(&r, &v)| v * (m / (m - 1.0)) * momentum + r * (1.0 - momentum)).collect();
            rv.copy_(&Tensor::from_vec(new, &[c])?)?;
        }
        (mean, var)
    } else {
        let (Some(rm), Some(rv)) = (running_mean, running_var) else {
            return Err(Error::runtime("running_mean and running_var must be defined in evaluation mode"));
        };
        (channel_values(Some(rm), c, "running_mean")?.unwrap(), channel_values(Some(rv), c, "running_var")?.unwrap())
    };
    match input.dtype() {
        DType::Float64 => normalize::<f64>(input, (n, c, s), &mean, &var, eps, w.as_deref(), b.as_deref(), &out, &mean_t, &invstd_t)?,
        _ => normalize::<f32>(input, (n, c, s), &mean, &var, eps, w.as_deref(), b.as_deref(), &out, &mean_t, &invstd_t)?,
    }
    Ok((out, mean_t, invstd_t))
}

/// Per channel: the mean and the biased variance (two passes), in f64.
fn stats<T: Float>(input: &Tensor, (n, c, s): (usize, usize, usize)) -> Result<(Vec<f64>, Vec<f64>)> {
    let x = input.contiguous()?;
    let g = x.storage().read()?;
    // SAFETY: contiguous, numel elements of T from the offset.
    let x = unsafe { std::slice::from_raw_parts((g.ptr() as *const T).add(x.offset()), x.numel()) };
    let mut mean = vec![0.0f64; c];
    let mut var = vec![0.0f64; c];
    let (mp, vp) = (SyncPtr(mean.as_mut_ptr()), SyncPtr(var.as_mut_ptr()));
    let m = (n * s) as f64;
    for_each_chunk(c, channel_grain(n * s), |range| {
        crate::ops::simd(|| {
            for ch in range {
                let slices = (0..n).map(|i| &x[(i * c + ch) * s..(i * c + ch + 1) * s]);
                let mu = slices.clone().map(|r| sum2(r, r, |a, _| a)).sum::<f64>() / m;
                let mt = T::from_f64(mu);
                let sq = slices.map(|r| sum2(r, r, |a, _| (a - mt) * (a - mt))).sum::<f64>();
                // SAFETY: channel ch is this chunk's.
                unsafe {
                    *mp.get().add(ch) = mu;
                    *vp.get().add(ch) = sq / m;
                }
            }
        })
    });
    Ok((mean, var))
}

/// `out = x * a + b` per channel, and the saved statistics.
#[allow(clippy::too_many_arguments)]
fn normalize<T: Float>(
    input: &Tensor,
    (n, c, s): (usize, usize, usize),
    mean: &[f64],
    var: &[f64],
    eps: f64,
    w: Option<&[f64]>,
    b: Option<&[f64]>,
    out: &Tensor,
    mean_t: &Tensor,
    invstd_t: &Tensor,
) -> Result<()> {
    // in T, as the composite `input * scale + shift` computes them
    let mut a = vec![T::zero(); c];
    let mut sh = vec![T::zero(); c];
    let mut mt = vec![T::zero(); c];
    let mut it = vec![T::zero(); c];
    for ch in 0..c {
        let inv = T::from_f64(1.0 / (var[ch] + eps).sqrt());
        let mu = T::from_f64(mean[ch]);
        let scale = match w {
            Some(w) => inv * T::from_f64(w[ch]),
            None => inv,
        };
        let shift = T::zero() - mu * scale;
        sh[ch] = match b {
            Some(b) => shift + T::from_f64(b[ch]),
            None => shift,
        };
        a[ch] = scale;
        mt[ch] = mu;
        it[ch] = inv;
    }
    mean_t.copy_(&Tensor::from_vec(mt, &[c])?)?;
    invstd_t.copy_(&Tensor::from_vec(it, &[c])?)?;
    let x = input.contiguous()?;
    let g = x.storage().read()?;
    // SAFETY: contiguous, numel elements of T from the offset.
    let x = unsafe { std::slice::from_raw_parts((g.ptr() as *const T).add(x.offset()), x.numel()) };
    let og = out.storage().write()?;
    let op = SyncPtr(og.ptr() as *mut T);
    let planes = n * c;
    for_each_chunk(planes, channel_grain(s), |range| {
        crate::ops::simd(|| {
            for pl in range {
                let (k, d) = (a[pl % c], sh[pl % c]);
                // SAFETY: plane pl of the output is this chunk's.
                let y = unsafe { std::slice::from_raw_parts_mut(op.get().add(pl * s), s) };
                for (o, &v) in y.iter_mut().zip(&x[pl * s..(pl + 1) * s]) {
                    *o = v * k + d;
                }
            }
        })
    });
    Ok(())
}

/// The gradients of [`batch_norm`] with respect to (input, weight, bias), each only when asked:
/// `save_mean`/`save_invstd` are its saved statistics. Training:
/// `dx = (dy - mean(dy) - (x - mean) * invstd^2 * mean(dy * (x - mean))) * invstd * weight`;
/// evaluation (the statistics are constants): `dx = dy * invstd * weight`; both:
/// `dweight = sum(dy * (x - mean)) * invstd`, `dbias = sum(dy)` per channel.
#[allow(clippy::type_complexity)]
pub fn batch_norm_backward(
    grad: &Tensor,
    input: &Tensor,
    weight: Option<&Tensor>,
    save_mean: &Tensor,
    save_invstd: &Tensor,
    training: bool,
    need: [bool; 3],
) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
    let (n, c, s) = geometry(input)?;
    if grad.shape() != input.shape() {
        return Err(Error::runtime("batch_norm_backward: gradient and input of different shapes"));
    }
    let device = Device::common([grad, input, save_mean, save_invstd])?;
    let dx = if need[0] { Some(Tensor::empty_on(input.shape(), input.dtype(), device)?) } else { None };
    let dw = if need[1] { Some(Tensor::empty_on(&[c], input.dtype(), device)?) } else { None };
    let db = if need[2] { Some(Tensor::empty_on(&[c], input.dtype(), device)?) } else { None };
    if device == Device::Meta {
        return Ok((dx, dw, db));
    }
    let w = channel_values(weight, c, "weight")?;
    let mean = channel_values(Some(save_mean), c, "save_mean")?.unwrap();
    let inv = channel_values(Some(save_invstd), c, "save_invstd")?.unwrap();
    let grad = grad.to_dtype(input.dtype())?;
    match input.dtype() {
        DType::Float64 => bn_backward::<f64>(&grad, input, (n, c, s), w.as_deref(), &mean, &inv, training, (&dx, &dw, &db))?,
        DType::Float32 => bn_backward::<f32>(&grad, input, (n, c, s), w.as_deref(), &mean, &inv, training, (&dx, &dw, &db))?,
        d => return Err(Error::unsupported("batch_norm_backward_fused", d)),
    }
    Ok((dx, dw, db))
}

#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn bn_backward<T: Float>(
    grad: &Tensor,
    input: &Tensor,
    (n, c, s): (usize, usize, usize),
    w: Option<&[f64]>,
    mean: &[f64],
    inv: &[f64],
    training: bool,
    (dx, dw, db): (&Option<Tensor>, &Option<Tensor>, &Option<Tensor>),
) -> Result<()> {
    let (xc, gc) = (input.contiguous()?, grad.contiguous()?);
    let (xg, gg) = (xc.storage().read()?, gc.storage().read()?);
    // SAFETY: contiguous, numel elements of T from the offsets.
    let x = unsafe { std::slice::from_raw_parts((xg.ptr() as *const T).add(xc.offset()), xc.numel()) };
    let dy = unsafe { std::slice::from_raw_parts((gg.ptr() as *const T).add(gc.offset()), gc.numel()) };
    let m = (n * s) as f64;
    // pass 1, per channel: sum(dy), sum(dy * (x - mean)) (not needed for dx in evaluation)
    let need_sums = dw.is_some() || db.is_some() || (training && dx.is_some());
    let mut sum_dy = vec![0.0f64; c];
    let mut dot = vec![0.0f64; c];
    if need_sums && m > 0.0 {
        let (sp, dp) = (SyncPtr(sum_dy.as_mut_ptr()), SyncPtr(dot.as_mut_ptr()));
        for_each_chunk(c, channel_grain(n * s), |range| {
            crate::ops::simd(|| {
                for ch in range {
                    let mt = T::from_f64(mean[ch]);
                    let (mut a, mut b) = (0.0, 0.0);
                    for i in 0..n {
                        let r = (i * c + ch) * s..(i * c + ch + 1) * s;
                        let (xs, gs) = (&x[r.clone()], &dy[r]);
                        a += sum2(gs, gs, |g, _| g);
                        b += sum2(gs, xs, |g, v| g * (v - mt));
                    }
                    // SAFETY: channel ch is this chunk's.
                    unsafe {
                        *sp.get().add(ch) = a;
                        *dp.get().add(ch) = b;
                    }
                }
            })
        });
    }
    if let Some(db) = db {
        db.copy_(&Tensor::from_vec(sum_dy.clone(), &[c])?)?;
    }
    if let Some(dw) = dw {
        let v: Vec<f64> = dot.iter().zip(inv).map(|(&d, &i)| d * i).collect();
        dw.copy_(&Tensor::from_vec(v, &[c])?)?;
    }
    let Some(dx) = dx else { return Ok(()) };
    // pass 2: dx = (dy - mdy - (x - mean) * proj) * k per channel, in T
    let mut k = vec![T::zero(); c];
    let mut mdy = vec![T::zero(); c];
    let mut proj = vec![T::zero(); c];
    let mut mt = vec![T::zero(); c];
    for ch in 0..c {
        k[ch] = T::from_f64(inv[ch] * w.map_or(1.0, |w| w[ch]));
        mt[ch] = T::from_f64(mean[ch]);
        if training {
            mdy[ch] = T::from_f64(sum_dy[ch] / m);
            proj[ch] = T::from_f64(dot[ch] / m * inv[ch] * inv[ch]);
        }
    }
    let og = dx.storage().write()?;
    let op = SyncPtr(og.ptr() as *mut T);
    for_each_chunk(n * c, channel_grain(s), |range| {
        crate::ops::simd(|| {
            for pl in range {
                let ch = pl % c;
                let r = pl * s..(pl + 1) * s;
                // SAFETY: plane pl of the output is this chunk's.
                let y = unsafe { std::slice::from_raw_parts_mut(op.get().add(pl * s), s) };
                let (kk, md, pj, mu) = (k[ch], mdy[ch], proj[ch], mt[ch]);
                if training {
                    for ((o, &g), &v) in y.iter_mut().zip(&dy[r.clone()]).zip(&x[r]) {
                        *o = (g - md - (v - mu) * pj) * kk;
                    }
                } else {
                    for (o, &g) in y.iter_mut().zip(&dy[r]) {
                        *o = g * kk;
                    }
                }
            }
        })
    });
    Ok(())
}

// ---------------------------------------------------------------- layer norm

/// `native_layer_norm` over the trailing dims (their element count is `n`, the rows before
/// them `m = numel / n`): `(output, mean, rstd)`, the statistics one per row (shape (m,)), in
/// the input's dtype; `out = (x - mean) * rstd * weight + bias` with the biased variance.
pub fn layer_norm(input: &Tensor, n: usize, weight: Option<&Tensor>, bias: Option<&Tensor>, eps: f64) -> Result<(Tensor, Tensor, Tensor)> {
    if !matches!(input.dtype(), DType::Float32 | DType::Float64) {
        return Err(Error::unsupported("layer_norm_fused", input.dtype()));
    }
    let numel = input.numel();
    if n == 0 || numel % n != 0 {
        return Err(Error::runtime(format!("layer_norm: {numel} elements do not split into rows of {n}")));
    }
    for (t, name) in [(weight, "weight"), (bias, "bias")] {
        if let Some(t) = t {
            if t.numel() != n || t.dtype() != input.dtype() {
                return Err(Error::runtime(format!("layer_norm: {name} of {} elements ({}), expected {n} ({})", t.numel(), t.dtype().name(), input.dtype().name())));
            }
        }
    }
    let m = numel / n;
    let mut tensors = vec![input];
    tensors.extend(weight.into_iter().chain(bias));
    let device = Device::common(tensors)?;
    let out = Tensor::empty_on(input.shape(), input.dtype(), device)?;
    let mean = Tensor::empty_on(&[m], input.dtype(), device)?;
    let rstd = Tensor::empty_on(&[m], input.dtype(), device)?;
    if out.is_meta() {
        return Ok((out, mean, rstd));
    }
    match input.dtype() {
        DType::Float64 => ln_forward::<f64>(input, (m, n), weight, bias, eps, [&out, &mean, &rstd])?,
        _ => ln_forward::<f32>(input, (m, n), weight, bias, eps, [&out, &mean, &rstd])?,
    }
    Ok((out, mean, rstd))
}

fn ln_forward<T: Float>(input: &Tensor, (m, n): (usize, usize), weight: Option<&Tensor>, bias: Option<&Tensor>, eps: f64, outs: [&Tensor; 3]) -> Result<()> {
    with_slice::<T, _>(input, |x| {
        opt_slice::<T, _>(weight, |w| {
            opt_slice::<T, _>(bias, |b| {
                let (og, mg, rg) = (outs[0].storage().write()?, outs[1].storage().write()?, outs[2].storage().write()?);
                let (op, mp, rp) = (SyncPtr(og.ptr() as *mut T), SyncPtr(mg.ptr() as *mut T), SyncPtr(rg.ptr() as *mut T));
                for_each_chunk(m, channel_grain(n), |range| {
                    crate::ops::simd(|| {
                        for r in range {
                            let xr = &x[r * n..(r + 1) * n];
                            let mu = sum2(xr, xr, |a, _| a) / n as f64;
                            let mt = T::from_f64(mu);
                            let var = sum2(xr, xr, |a, _| (a - mt) * (a - mt)) / n as f64;
                            let rs = T::from_f64(1.0 / (var + eps).sqrt());
                            // SAFETY: row r is this chunk's.
                            let y = unsafe {
                                *mp.get().add(r) = mt;
                                *rp.get().add(r) = rs;
                                std::slice::from_raw_parts_mut(op.get().add(r * n), n)
                            };
                            for (o, &v) in y.iter_mut().zip(xr) {
                                *o = (v - mt) * rs;
                            }
                            if let Some(w) = w {
                                for (o, &k) in y.iter_mut().zip(w) {
                                    *o = *o * k;
                                }
                            }
                            if let Some(b) = b {
                                for (o, &k) in y.iter_mut().zip(b) {
                                    *o = *o + k;
                                }
                            }
                        }
                    })
                });
                Ok(())
            })
        })
    })
}

/// The gradients of [`layer_norm`] with respect to (input, weight, bias), each only when asked,
/// from its saved `mean` and `rstd`: with `xhat = (x - mean) * rstd` and `g = dy * weight`,
/// `dx = rstd * (g - mean(g) - xhat * mean(g * xhat))` per row, `dweight = sum(dy * xhat)` and
/// `dbias = sum(dy)` over the rows.
#[allow(clippy::type_complexity)]
pub fn layer_norm_backward(
    grad: &Tensor,
    input: &Tensor,
    n: usize,
    weight: Option<&Tensor>,
    mean: &Tensor,
    rstd: &Tensor,
    need: [bool; 3],
) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
    if grad.shape() != input.shape() || n == 0 || input.numel() % n != 0 {
        return Err(Error::runtime("layer_norm_backward: gradient and input of different shapes"));
    }
    let m = input.numel() / n;
    if mean.numel() != m || rstd.numel() != m {
        return Err(Error::runtime("layer_norm_backward: saved statistics of the wrong size"));
    }
    let device = Device::common([grad, input, mean, rstd])?;
    let wshape = [n];
    let dx = if need[0] { Some(Tensor::empty_on(input.shape(), input.dtype(), device)?) } else { None };
    let dw = if need[1] { Some(Tensor::empty_on(&wshape, input.dtype(), device)?) } else { None };
    let db = if need[2] { Some(Tensor::empty_on(&wshape, input.dtype(), device)?) } else { None };
    if device == Device::Meta {
        return Ok((dx, dw, db));
    }
    let grad = grad.to_dtype(input.dtype())?;
    match input.dtype() {
        DType::Float64 => ln_backward::<f64>(&grad, input, (m, n), weight, mean, rstd, (&dx, &dw, &db))?,
        DType::Float32 => ln_backward::<f32>(&grad, input, (m, n), weight, mean, rstd, (&dx, &dw, &db))?,
        d => return Err(Error::unsupported("layer_norm_backward_fused", d)),
    }
    Ok((dx, dw, db))
}

#[allow(clippy::type_complexity)]
fn ln_backward<T: Float>(
    grad: &Tensor,
    input: &Tensor,
    (m, n): (usize, usize),
    weight: Option<&Tensor>,
    mean: &Tensor,
    rstd: &Tensor,
    (dx, dw, db): (&Option<Tensor>, &Option<Tensor>, &Option<Tensor>),
) -> Result<()> {
    with_slice::<T, _>(input, |x| {
        with_slice::<T, _>(grad, |dy| {
            with_slice::<T, _>(mean, |mu| {
                with_slice::<T, _>(rstd, |rs| {
                    opt_slice::<T, _>(weight, |w| {
                        if dw.is_some() || db.is_some() {
                            // column sums over the rows, in f64
                            let (mut sw, mut sb) = (vec![0.0f64; n], vec![0.0f64; n]);
                            for r in 0..m {
                                let (xr, gr) = (&x[r * n..(r + 1) * n], &dy[r * n..(r + 1) * n]);
                                let (mt, st) = (mu[r], rs[r]);
                                for j in 0..n {
                                    sw[j] += (gr[j] * ((xr[j] - mt) * st)).to_f64();
                                    sb[j] += gr[j].to_f64();
                                }
                            }
                            if let Some(dw) = dw {
                                dw.copy_(&Tensor::from_vec(sw, &[n])?)?;
                            }
                            if let Some(db) = db {
                                db.copy_(&Tensor::from_vec(sb, &[n])?)?;
                            }
                        }
                        let Some(dx) = dx else { return Ok(()) };
                        let og = dx.storage().write()?;
                        let op = SyncPtr(og.ptr() as *mut T);
                        for_each_chunk(m, channel_grain(n), |range| {
                            let mut g = vec![T::zero(); n];
                            crate::ops::simd(|| {
                                for r in range {
                                    let (xr, gr) = (&x[r * n..(r + 1) * n], &dy[r * n..(r + 1) * n]);
                                    let (mt, st) = (mu[r], rs[r]);
                                    match w {
                                        Some(w) => g.iter_mut().zip(gr).zip(w).for_each(|((o, &a), &k)| *o = a * k),
                                        None => g.copy_from_slice(gr),
                                    }
                                    let mg = T::from_f64(sum2(&g, &g, |a, _| a) / n as f64);
                                    let mgx = T::from_f64(sum2(&g, xr, |a, v| a * ((v - mt) * st)) / n as f64);
                                    // SAFETY: row r of dx is this chunk's.
                                    let y = unsafe { std::slice::from_raw_parts_mut(op.get().add(r * n), n) };
                                    for ((o, &a), &v) in y.iter_mut().zip(&g).zip(xr) {
                                        *o = (a - mg - (v - mt) * st * mgx) * st;
                                    }
                                }
                            })
                        });
                        Ok(())
                    })
                })
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_each_channel() {
        let x = Tensor::from_vec((0..24).map(|v| (v * v) as f64).collect(), &[2, 3, 4]).unwrap();
        let rm = Tensor::zeros(&[3], DType::Float64).unwrap();
        let rv = Tensor::full(&[3], crate::Scalar::Float(1.0), DType::Float64).unwrap();
        let (y, mean, _) = batch_norm(&x, None, None, Some(&rm), Some(&rv), true, 0.1, 1e-5).unwrap();
        let y = y.to_vec::<f64>().unwrap();
        for ch in 0..3 {
            let v: Vec<f64> = (0..2).flat_map(|i| y[(i * 3 + ch) * 4..(i * 3 + ch + 1) * 4].to_vec()).collect();
            let mu = v.iter().sum::<f64>() / 8.0;
            let var = v.iter().map(|a| (a - mu) * (a - mu)).sum::<f64>() / 8.0;
            assert!(mu.abs() < 1e-9 && (var - 1.0).abs() < 1e-4, "{mu} {var}");
        }
        let m = mean.to_vec::<f64>().unwrap();
        let rm = rm.to_vec::<f64>().unwrap();
        assert!((rm[0] - 0.1 * m[0]).abs() < 1e-12);
    }

    #[test]
    fn backward_input_gradient_sums_to_zero() {
        let x = Tensor::from_vec((0..24).map(|v| ((v * 7) % 5) as f32).collect(), &[2, 3, 4]).unwrap();
        let g = Tensor::from_vec((0..24).map(|v| (v % 3) as f32).collect(), &[2, 3, 4]).unwrap();
        let (_, mean, inv) = batch_norm(&x, None, None, None, None, true, 0.1, 1e-5).unwrap();
        let (dx, dw, db) = batch_norm_backward(&g, &x, None, &mean, &inv, true, [true, true, true]).unwrap();
        let dx = dx.unwrap().to_vec::<f32>().unwrap();
        let s: f32 = dx.iter().sum();
        assert!(s.abs() < 1e-4, "{s}");
        assert_eq!(dw.unwrap().shape(), &[3]);
        assert_eq!(db.unwrap().to_vec::<f32>().unwrap().iter().sum::<f32>(), g.to_vec::<f32>().unwrap().iter().sum::<f32>());
    }
}
