// Elementwise ops over operands of any storage dtype: type conversion (`convert`, the GPU side of
// `.to(dtype)` and of a copy between dtypes), the comparisons eq/ne/lt/le/gt/ge (bool results)
// and `where` (also masked_fill). Operands are strided and broadcast as in elementwise.wgsl.
//
// Every buffer is an array of 32-bit words and an element is decoded by its dtype code (the
// `DT_*` constants; rstorch/_wgpu/typed.py has the same table):
// - 32-bit dtypes (float32, int32): one word;
// - int64: two words, low then high (little-endian, as the CPU stores it), so CPU and GPU bytes
//   are the same and transfers are plain copies; values are computed with as (lo, hi) pairs;
// - bool, uint8, int8: one byte, four to a word. A thread computes four consecutive output
//   elements, so it writes whole words: a byte-typed output must be contiguous from a 4-aligned
//   element (the launcher checks; fresh outputs are).
//
// Which op an entry point runs is the pipeline-overridable constant OP (the launcher passes it:
// one pipeline per op, specialised by the compiler); the dtypes come in the parameters.

const DT_F32: u32 = 0u;
const DT_I32: u32 = 1u;
const DT_BOOL: u32 = 2u;
const DT_U8: u32 = 3u;
const DT_I8: u32 = 4u;
const DT_I64: u32 = 5u;

const OP_CONVERT: u32 = 0u;
const OP_EQ: u32 = 1u;
const OP_NE: u32 = 2u;
const OP_LT: u32 = 3u;
const OP_LE: u32 = 4u;
const OP_GT: u32 = 5u;
const OP_GE: u32 = 6u;
const OP_WHERE: u32 = 7u;   // out = select(c, b, a != 0): a is the bool condition
const OP_BITWISE_AND: u32 = 8u;  // integer and bool operands, computed on int64 pairs
const OP_BITWISE_OR: u32 = 9u;
const OP_BITWISE_XOR: u32 = 10u;
const OP_LOGICAL_AND: u32 = 11u; // any dtypes: on a != 0, b != 0
const OP_LOGICAL_OR: u32 = 12u;
const OP_LOGICAL_XOR: u32 = 13u;
const OP_ISNAN: u32 = 14u;       // a alone
const OP_LOGICAL_NOT: u32 = 15u; // a alone
override OP: u32 = 0u;

struct Params {
    head: vec4<u32>,               // n (output elements), ndim (<= 8), dtype of out, dtype of a
    head2: vec4<u32>,              // dtype of b, dtype of c, float compare (1) or integer (0), unused
    offset: vec4<u32>,             // element offsets of out, a, b, c (in each one's element units)
    size: array<vec4<u32>, 2>,     // the output's sizes, dimension d at [d / 4][d % 4]
    stride_out: array<vec4<u32>, 2>,
    stride_a: array<vec4<u32>, 2>,
    stride_b: array<vec4<u32>, 2>,
    stride_c: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<storage, read_write> a: array<u32>;
@group(0) @binding(2) var<storage, read_write> b: array<u32>;
@group(0) @binding(3) var<storage, read_write> c: array<u32>;
@group(1) @binding(0) var<uniform> p: Params;

// The element offsets (out, a, b, c) of output element i.
fn offsets(i: u32) -> vec4<u32> {
    var rem = i;
    var o = p.offset;
    for (var d = i32(p.head.y) - 1; d >= 0; d--) {
        let q = u32(d) / 4u;
        let r = u32(d) % 4u;
        let k = rem % p.size[q][r];
        rem = rem / p.size[q][r];
        o += k * vec4<u32>(p.stride_out[q][r], p.stride_a[q][r], p.stride_b[q][r], p.stride_c[q][r]);
    }
    return o;
}

fn word(which: u32, w: u32) -> u32 {
    switch which {
        case 1u: { return a[w]; }
        case 2u: { return b[w]; }
        default: { return c[w]; }
    }
}

// Element e of operand `which` (1 = a, 2 = b, 3 = c) of dtype dt, as its raw bits: a byte in the
// low 8 bits, a word, or (lo, hi) for int64.
fn raw(which: u32, dt: u32, e: u32) -> vec2<u32> {
    switch dt {
        case DT_BOOL, DT_U8, DT_I8: { return vec2<u32>((word(which, e / 4u) >> (8u * (e % 4u))) & 0xffu, 0u); }
        case DT_I64: { return vec2<u32>(word(which, 2u * e), word(which, 2u * e + 1u)); }
        default: { return vec2<u32>(word(which, e), 0u); }
    }
}

fn is_float(dt: u32) -> bool {
    return dt == DT_F32;
}

// The value as float32.
fn as_f32(dt: u32, r: vec2<u32>) -> f32 {
    switch dt {
        case DT_F32: { return bitcast<f32>(r.x); }
        case DT_I32: { return f32(bitcast<i32>(r.x)); }
        case DT_I8: { return f32(i32(r.x << 24u) >> 24u); }
        case DT_I64: {
            if (r.y == select(0u, 0xffffffffu, bitcast<i32>(r.x) < 0)) {
                return f32(bitcast<i32>(r.x));  // fits int32: exact rounding
            }
            return f32(bitcast<i32>(r.y)) * 4294967296.0 + f32(r.x);
        }
        default: { return f32(r.x); }
    }
}

// The value as int64 (lo, hi); a float truncates toward zero.
fn as_i64(dt: u32, r: vec2<u32>) -> vec2<u32> {
    switch dt {
        case DT_F32: {
            let f = trunc(bitcast<f32>(r.x));
            if (abs(f) < 2147483648.0) {
                let v = i32(f);
                return vec2<u32>(bitcast<u32>(v), select(0u, 0xffffffffu, v < 0));
            }
            let hi = floor(f / 4294967296.0);
            return vec2<u32>(u32(f - hi * 4294967296.0), bitcast<u32>(i32(hi)));
        }
        case DT_I32: { return vec2<u32>(r.x, select(0u, 0xffffffffu, bitcast<i32>(r.x) < 0)); }
        case DT_I8: {
            let v = i32(r.x << 24u) >> 24u;
            return vec2<u32>(bitcast<u32>(v), select(0u, 0xffffffffu, v < 0));
        }
        case DT_I64: { return r; }
        default: { return vec2<u32>(r.x, 0u); }
    }
}

fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn nonzero(dt: u32, r: vec2<u32>) -> bool {
    if (dt == DT_F32) {
        return (r.x & 0x7fffffffu) != 0u; // -0.0 is false, NaN true
    }
    return (r.x | r.y) != 0u;
}

// The bits of `r` (an element of dtype `src`) converted to dtype `dst`.
fn convert(src: u32, dst: u32, r: vec2<u32>) -> vec2<u32> {
    switch dst {
        case DT_F32: { return vec2<u32>(bitcast<u32>(as_f32(src, r)), 0u); }
        case DT_BOOL: { return vec2<u32>(select(0u, 1u, nonzero(src, r)), 0u); }
        case DT_I64: { return as_i64(src, r); }
        default: { return vec2<u32>(as_i64(src, r).x & select(0xffffffffu, 0xffu, dst != DT_I32), 0u); }
    }
}

// -1, 0, 1 for x < y, x == y, x > y as int64 pairs; 2 when unordered (a NaN)
fn cmp_i64(x: vec2<u32>, y: vec2<u32>) -> i32 {
    let hx = bitcast<i32>(x.y);
    let hy = bitcast<i32>(y.y);
    if (hx != hy) {
        return select(1, -1, hx < hy);
    }
    if (x.x != y.x) {
        return select(1, -1, x.x < y.x);
    }
    return 0;
}

fn cmp_f32(x: f32, y: f32) -> i32 {
    if (is_nan(x) || is_nan(y)) {
        return 2;
    }
    if (x < y) {
        return -1;
    }
    return select(0, 1, x > y);
}

fn compare(r: i32) -> bool {
    switch OP {
        case OP_EQ: { return r == 0; }
        case OP_NE: { return r != 0; }
        case OP_LT: { return r == -1; }
        case OP_LE: { return r == -1 || r == 0; }
        case OP_GT: { return r == 1; }
        default: { return r == 1 || r == 0; }
    }
}

// The output bits of element i (offsets o).
fn compute(o: vec4<u32>) -> vec2<u32> {
    let dta = p.head.w;
    let ra = raw(1u, dta, o.y);
    if (OP == OP_CONVERT) {
        return convert(dta, p.head.z, ra);
    }
    if (OP == OP_WHERE) {
        if (nonzero(dta, ra)) {
            return raw(2u, p.head2.x, o.z);
        }
        return raw(3u, p.head2.y, o.w);
    }
    if (OP == OP_ISNAN) {
        return vec2<u32>(select(0u, 1u, dta == DT_F32 && is_nan(bitcast<f32>(ra.x))), 0u);
    }
    if (OP == OP_LOGICAL_NOT) {
        return convert(DT_BOOL, p.head.z, vec2<u32>(select(1u, 0u, nonzero(dta, ra)), 0u));
    }
    let dtb = p.head2.x;
    let rb = raw(2u, dtb, o.z);
    if (OP >= OP_BITWISE_AND && OP <= OP_BITWISE_XOR) {
        let x = as_i64(dta, ra);
        let y = as_i64(dtb, rb);
        var v: vec2<u32>;
        switch OP {
            case OP_BITWISE_AND: { v = x & y; }
            case OP_BITWISE_OR: { v = x | y; }
            default: { v = x ^ y; }
        }
        return convert(DT_I64, p.head.z, v);
    }
    if (OP >= OP_LOGICAL_AND && OP <= OP_LOGICAL_XOR) {
        let x = nonzero(dta, ra);
        let y = nonzero(dtb, rb);
        var v: bool;
        switch OP {
            case OP_LOGICAL_AND: { v = x && y; }
            case OP_LOGICAL_OR: { v = x || y; }
            default: { v = x != y; }
        }
        return convert(DT_BOOL, p.head.z, vec2<u32>(select(0u, 1u, v), 0u));
    }
    var r: i32;
    if (p.head2.z == 1u) {
        r = cmp_f32(as_f32(dta, ra), as_f32(dtb, rb));
    } else {
        r = cmp_i64(as_i64(dta, ra), as_i64(dtb, rb));
    }
    return vec2<u32>(select(0u, 1u, compare(r)), 0u);
}

// Four consecutive output elements per invocation; launches spread over x and y.
@compute @workgroup_size(256)
fn typed(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let t = gid.x + gid.y * nwg.x * 256u;
    let n = p.head.x;
    let dto = p.head.z;
    let bytes = dto == DT_BOOL || dto == DT_U8 || dto == DT_I8;
    var packed = 0u;
    var first = 0u;
    for (var j = 0u; j < 4u; j++) {
        let i = 4u * t + j;
        if (i >= n) {
            break;
        }
        let o = offsets(i);
        let v = compute(o);
        if (bytes) {
            if (j == 0u) {
                first = o.x;
            }
            packed |= (v.x & 0xffu) << (8u * j);
        } else if (dto == DT_I64) {
            out[2u * o.x] = v.x;
            out[2u * o.x + 1u] = v.y;
        } else {
            out[o.x] = v.x;
        }
    }
    if (bytes && 4u * t < n) {
        out[first / 4u] = packed;
    }
}
