// Reductions of float32 tensors along any set of dims: sum (mean: a sum times `scale`), amax,
// amin, and argmax/argmin (the index, with the value for max(dim)/min(dim)).
//
// The core lays the output out (with keepdim's shape, so every input dim has an output dim); the
// launcher splits the input's dims into kept ones (one output element per position) and reduced
// ones, each list with its sizes and strides, dimensions merged where contiguous. An output's
// element folds the input elements at `base(o) + roff(r)` for r in 0..n_red, r walking the
// reduced dims in row-major order (so argmax over several dims, or all, gives torch's flat index).
//
// Two entry points: `reduce_wg`, one 64-invocation workgroup per output (or per chunk of an
// output, when a long reduction is split into `chunks` partial results that a second launch
// folds), combining in workgroup memory; `reduce_serial`, one invocation per output, for short
// reductions over many outputs. OP (pipeline-overridable) picks the operation.
//
// NaN: amax/amin and argmax/argmin propagate NaN as torch does (a NaN wins; argmax returns the
// first NaN's index); ties go to the lowest index. Sums accumulate in float32 (pairwise through
// the workgroup tree, so the error grows like log n, not n).

const OP_SUM: u32 = 0u;
const OP_MAX: u32 = 1u;
const OP_MIN: u32 = 2u;
const OP_ARGMAX: u32 = 3u;
const OP_ARGMIN: u32 = 4u;
override OP: u32 = 0u;

const WG: u32 = 64u;
const NO_INDEX: u32 = 0xffffffffu;

struct Params {
    head: vec4<u32>,                // n_out, n_red, kept ndim (<= 8), reduced ndim (<= 8)
    offset: vec4<u32>,              // element offsets of out, a, indices; scale's f32 bits
    split: vec4<u32>,               // chunks per output, chunk length, write indices (1/0), unused
    ksize: array<vec4<u32>, 2>,     // kept sizes, dimension d at [d / 4][d % 4]
    kstride_a: array<vec4<u32>, 2>,
    kstride_out: array<vec4<u32>, 2>,  // (the indices share the output's layout)
    rsize: array<vec4<u32>, 2>,
    rstride_a: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> idx: array<u32>;   // int64 as (lo, hi) words
@group(1) @binding(0) var<uniform> p: Params;

var<workgroup> wv: array<f32, WG>;
var<workgroup> wi: array<u32, WG>;

fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// (input offset, output offset) of output element o's first input element
fn bases(o: u32) -> vec2<u32> {
    var rem = o;
    var off = vec2<u32>(p.offset.y, p.offset.x);
    for (var d = i32(p.head.z) - 1; d >= 0; d--) {
        let q = u32(d) / 4u;
        let s = u32(d) % 4u;
        let k = rem % p.ksize[q][s];
        rem = rem / p.ksize[q][s];
        off += k * vec2<u32>(p.kstride_a[q][s], p.kstride_out[q][s]);
    }
    return off;
}

// the input offset of reduced position r, relative to the base
fn roff(r: u32) -> u32 {
    if (p.head.w == 1u) {
        return r * p.rstride_a[0][0];
    }
    var rem = r;
    var off = 0u;
    for (var d = i32(p.head.w) - 1; d >= 0; d--) {
        let q = u32(d) / 4u;
        let s = u32(d) % 4u;
        off += (rem % p.rsize[q][s]) * p.rstride_a[q][s];
        rem = rem / p.rsize[q][s];
    }
    return off;
}

fn identity() -> f32 {
    switch OP {
        case OP_SUM: { return 0.0; }
        case OP_MAX, OP_ARGMAX: { return bitcast<f32>(0xff800000u); }  // -inf
        default: { return bitcast<f32>(0x7f800000u); }                 // +inf
    }
}

// whether (x, i) beats (y, j): the accumulator keeps the winner
fn beats(x: f32, i: u32, y: f32, j: u32) -> bool {
    let nx = is_nan(x);
    let ny = is_nan(y);
    if (nx || ny) {
        return select(nx, i < j, nx && ny);
    }
    if (x == y) {
        return i < j;
    }
    if (OP == OP_MAX || OP == OP_ARGMAX) {
        return x > y;
    }
    return x < y;
}

struct Acc {
    v: f32,
    i: u32,
}

fn fold(acc: Acc, x: f32, i: u32) -> Acc {
    if (OP == OP_SUM) {
        return Acc(acc.v + x, 0u);
    }
    if (beats(x, i, acc.v, acc.i)) {
        return Acc(x, i);
    }
    return acc;
}

fn emit(o_off: u32, acc: Acc) {
    if (OP == OP_SUM) {
        out[o_off] = acc.v * bitcast<f32>(p.offset.w);
    } else {
        out[o_off] = acc.v;
    }
    if (p.split.z == 1u) {
        let w = 2u * (p.offset.z + o_off - p.offset.x);
        idx[w] = acc.i;
        idx[w + 1u] = 0u;
    }
}

@compute @workgroup_size(64)
fn reduce_wg(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) t: u32) {
    let g = wid.x + wid.y * nwg.x;
    let chunks = p.split.x;
    if (g >= p.head.x * chunks) {
        return;  // uniform: the whole workgroup leaves
    }
    let o = g / chunks;
    let ch = g % chunks;
    let base = bases(o);
    let start = ch * p.split.y;
    let end = min(start + p.split.y, p.head.y);
    var acc = Acc(identity(), NO_INDEX);
    for (var r = start + t; r < end; r += WG) {
        acc = fold(acc, a[base.x + roff(r)], r);
    }
    wv[t] = acc.v;
    wi[t] = acc.i;
    for (var half = WG / 2u; half > 0u; half /= 2u) {
        workgroupBarrier();
        if (t < half) {
            let other = Acc(wv[t + half], wi[t + half]);
            var mine = Acc(wv[t], wi[t]);
            if (OP == OP_SUM) {
                mine.v += other.v;
            } else if (beats(other.v, other.i, mine.v, mine.i)) {
                mine = other;
            }
            wv[t] = mine.v;
            wi[t] = mine.i;
        }
    }
    if (t == 0u) {
        // a split reduction writes its partial at [o * chunks + ch] of a contiguous scratch
        // (kstride_out are then the scratch's strides times chunks)
        emit(base.y + ch, Acc(wv[0], wi[0]));
    }
}

@compute @workgroup_size(256)
fn reduce_serial(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let o = gid.x + gid.y * nwg.x * 256u;
    if (o >= p.head.x) {
        return;
    }
    let base = bases(o);
    var acc = Acc(identity(), NO_INDEX);
    for (var r = 0u; r < p.head.y; r++) {
        acc = fold(acc, a[base.x + roff(r)], r);
    }
    emit(base.y, acc);
}
