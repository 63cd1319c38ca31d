// Cross-entropy of float32 logits [N, C] (any strides) against int64 class indices [N]:
// `cross_entropy_fwd` gives each row's loss (lse - x[target], 0 for ignore_index) and its
// log-sum-exp (saved for the backward), one 64-invocation workgroup per row;
// `cross_entropy_bwd` gives the gradient g_r * (softmax - onehot(target)), one invocation per
// element, from the saved log-sum-exps (g: one value per row, broadcast with stride 0).
//
// A target outside [0, C) other than ignore_index is an error the host must see: the kernel
// records the first bad value in the runtime's error buffer (`err`: a flag word and the value's
// low and high words), which the runtime reads at the next sync point and raises as IndexError
// ("Target 12 is out of bounds."), as torch does. Such a row's loss is NaN meanwhile.

const WG: u32 = 64u;

struct Params {
    head: vec4<u32>,       // N, C, ignore_index's low and high words
    offset: vec4<u32>,     // element offsets of out (loss rows / grad), x, target, lse
    strides: vec4<u32>,    // x's row and class strides, target's stride, g's stride
    more: vec4<u32>,       // g's offset, out's row and class strides (backward), unused
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> tgt: array<u32>;  // int64 as (lo, hi)
@group(0) @binding(3) var<storage, read_write> lse: array<f32>;
@group(0) @binding(4) var<storage, read_write> g: array<f32>;
@group(0) @binding(5) var<storage, read_write> err: array<atomic<u32>>;
@group(1) @binding(0) var<uniform> p: Params;

var<workgroup> ws: array<f32, WG>;

fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn nan_max(a: f32, b: f32) -> f32 {
    if (is_nan(a) || is_nan(b)) {
        return a + b;
    }
    return max(a, b);
}

// The row's class, -1 when ignored, -2 when out of range (recorded in err).
fn class_of(r: u32) -> i32 {
    let w = 2u * (p.offset.z + r * p.strides.z);
    let lo = tgt[w];
    let hi = tgt[w + 1u];
    if (lo == p.head.z && hi == p.head.w) {
        return -1;
    }
    if (hi != 0u || lo >= p.head.y) {
        if (atomicExchange(&err[0], 1u) == 0u) {
            atomicStore(&err[1], lo);
            atomicStore(&err[2], hi);
        }
        return -2;
    }
    return i32(lo);
}

@compute @workgroup_size(64)
fn cross_entropy_fwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) t: u32) {
    let r = wid.x + wid.y * nwg.x;
    if (r >= p.head.x) {
        return;  // uniform: the whole workgroup leaves
    }
    let C = p.head.y;
    let base = p.offset.y + r * p.strides.x;
    let sc = p.strides.y;
    var m = bitcast<f32>(0xff800000u);
    for (var c = t; c < C; c += WG) {
        m = nan_max(m, x[base + c * sc]);
    }
    ws[t] = m;
    for (var half = WG / 2u; half > 0u; half /= 2u) {
        workgroupBarrier();
        if (t < half) {
            ws[t] = nan_max(ws[t], ws[t + half]);
        }
    }
    workgroupBarrier();
    m = ws[0];
    workgroupBarrier();
    var s = 0.0;
    for (var c = t; c < C; c += WG) {
        s += exp(x[base + c * sc] - m);
    }
    ws[t] = s;
    for (var half = WG / 2u; half > 0u; half /= 2u) {
        workgroupBarrier();
        if (t < half) {
            ws[t] += ws[t + half];
        }
    }
    workgroupBarrier();
    if (t == 0u) {
        let shift = m + log(ws[0]);
        lse[p.offset.w + r] = shift;
        let k = class_of(r);
        var l = 0.0;
        if (k >= 0) {
            l = shift - x[base + u32(k) * sc];
        } else if (k == -2) {
            l = bitcast<f32>(0x7fc00000u);
        }
        out[p.offset.x + r] = l;
    }
}

@compute @workgroup_size(256)
fn cross_entropy_bwd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * 256u;
    let C = p.head.y;
    if (i >= p.head.x * C) {
        return;
    }
    let r = i / C;
    let c = i % C;
    let k = class_of(r);
    var v = 0.0;
    if (k != -1) {
        let prob = exp(x[p.offset.y + r * p.strides.x + c * p.strides.y] - lse[p.offset.w + r]);
        v = g[p.more.x + r * p.strides.w] * (prob - select(0.0, 1.0, i32(c) == k));
    }
    out[p.offset.x + r * p.more.y + c * p.more.z] = v;
}
