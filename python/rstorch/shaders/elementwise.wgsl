// Elementwise float32 ops over strided, broadcast operands: out[i] = op(a[i], b[i]) for every
// element i of the output, each operand read through its own strides and offset (a broadcast
// dimension has stride 0), so views are never copied to be contiguous first.
//
// The ops. The loader (rstorch/_wgpu/kernels.py `expand`) turns each line below into an entry
// point `<name>_f32`, a copy of the `elementwise_OP` template at the end of this file with `x`
// (a's element), `y` (b's element, binary ops) and `alpha` (the scalar parameter, binary ops) in
// the expression.
//! unary copy = x
//! unary neg = -x
//! unary abs = abs(x)
//! unary exp = exp(x)
//! unary log = log(x)
//! unary sqrt = sqrt(x)
//! unary relu = select(0.0, x, x > 0.0 || is_nan(x))
//! unary sigmoid = 1.0 / (1.0 + exp(-x))
//! unary tanh = tanh(x)
//! binary add = x + alpha * y
//! binary sub = x - alpha * y
//! binary mul = x * y
//! binary div = x / y
//! binary maximum = select(max(x, y), x + y, is_nan(x) || is_nan(y))
//! binary minimum = select(min(x, y), x + y, is_nan(x) || is_nan(y))

// Sizes and strides come from the core's layouts (in elements, outermost dimension first; the
// runtime merges dimensions that are contiguous in every operand, so a contiguous op has ndim 1).
struct Strided {
    head: vec4<u32>,                  // n (output elements), ndim (<= 8), alpha's f32 bits, unused
    offset: vec4<u32>,                // element offsets of out, a, b (region + view), unused
    size: array<vec4<u32>, 2>,        // the output's sizes, dimension d at [d / 4][d % 4]
    stride_out: array<vec4<u32>, 2>,
    stride_a: array<vec4<u32>, 2>,
    stride_b: array<vec4<u32>, 2>,
}

// all read_write: an in-place op binds out and a to the same buffer (see kernels.py)
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> b: array<f32>;
@group(1) @binding(0) var<uniform> p: Strided;

// The element offsets (out, a, b) of output element i.
fn offsets(i: u32) -> vec3<u32> {
    var rem = i;
    var o = p.offset.xyz;
    for (var d = i32(p.head.y) - 1; d >= 0; d--) {
        let q = u32(d) / 4u;
        let r = u32(d) % 4u;
        let c = rem % p.size[q][r];
        rem = rem / p.size[q][r];
        o += c * vec3<u32>(p.stride_out[q][r], p.stride_a[q][r], p.stride_b[q][r]);
    }
    return o;
}

// NaN by its bits: drivers may fold `x != x` to false (Vulkan lets them assume no NaN), and
// WGSL's max/min leave NaN operands unspecified, while torch.maximum/minimum propagate NaN.
fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// The template (as written it is the add op, so this file compiles as it stands). Lines tagged
// `// binary` are kept for binary ops only: a unary op reads a alone.
// Launches spread over x and y (at most 65,535 workgroups per dimension).
@compute @workgroup_size(256)
fn elementwise_OP(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * 256u;
    if (i < p.head.x) {
        let o = offsets(i);
        let x = a[o.y];
        let y = b[o.z]; // binary
        let alpha = bitcast<f32>(p.head.z); // binary
        out[o.x] = x + alpha * y; // EXPR
    }
}
