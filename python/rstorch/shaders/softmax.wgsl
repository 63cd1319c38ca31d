// softmax and log_softmax of float32 tensors along one dim: one 64-invocation workgroup per line
// (a line: the elements along `dim` at one position of the other dims), three passes over it:
// the max (NaN-propagating), the sum of exp(x - max), then the outputs. Input and output are
// strided (the core lays the output out; the launcher merges the other dims where it can).
// As in torch, a NaN or an infinity that makes inf - inf anywhere in a line gives NaN outputs.

override LOG: bool = false;

const WG: u32 = 64u;

struct Params {
    head: vec4<u32>,                 // lines, line length, other ndim (<= 8), unused
    offset: vec4<u32>,               // element offsets of out and a; stride along dim of out, of a
    ksize: array<vec4<u32>, 2>,      // the other dims' sizes, dimension d at [d / 4][d % 4]
    kstride_a: array<vec4<u32>, 2>,
    kstride_out: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> a: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;

var<workgroup> ws: array<f32, WG>;

fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn nan_max(x: f32, y: f32) -> f32 {
    if (is_nan(x) || is_nan(y)) {
        return x + y;
    }
    return max(x, y);
}

@compute @workgroup_size(64)
fn softmax(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) t: u32) {
    let line = wid.x + wid.y * nwg.x;
    if (line >= p.head.x) {
        return;  // uniform: the whole workgroup leaves
    }
    var rem = line;
    var ia = p.offset.y;
    var io = p.offset.x;
    for (var d = i32(p.head.z) - 1; d >= 0; d--) {
        let q = u32(d) / 4u;
        let s = u32(d) % 4u;
        let k = rem % p.ksize[q][s];
        rem = rem / p.ksize[q][s];
        ia += k * p.kstride_a[q][s];
        io += k * p.kstride_out[q][s];
    }
    let n = p.head.y;
    let sa = p.offset.w;
    let so = p.offset.z;

    var m = bitcast<f32>(0xff800000u);
    for (var r = t; r < n; r += WG) {
        m = nan_max(m, a[ia + r * sa]);
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
    for (var r = t; r < n; r += WG) {
        s += exp(a[ia + r * sa] - m);
    }
    ws[t] = s;
    for (var half = WG / 2u; half > 0u; half /= 2u) {
        workgroupBarrier();
        if (t < half) {
            ws[t] += ws[t + half];
        }
    }
    workgroupBarrier();
    s = ws[0];

    if (LOG) {
        let shift = m + log(s);
        for (var r = t; r < n; r += WG) {
            out[io + r * so] = a[ia + r * sa] - shift;
        }
    } else {
        let inv = 1.0 / s;
        for (var r = t; r < n; r += WG) {
            out[io + r * so] = exp(a[ia + r * sa] - m) * inv;
        }
    }
}
