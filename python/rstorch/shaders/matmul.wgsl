// float32 matrix products: out[b] (+)= alpha * a[b] @ b[b] for a: [M, K], b: [K, N], over up to
// four batch dims (broadcast batch dims have stride 0). Every operand is strided, so transposed
// views (the backward's a.mT @ g) are read in place, never copied.
//
// Tiling: a 256-invocation workgroup computes a 64 x 64 tile of the output, each invocation a
// 4 x 4 block in registers (rows ty + 16 i, columns tx + 16 j); the K dimension goes by steps of
// 16 through two workgroup-memory tiles (A: 64 x 16, B: 16 x 64), loaded with bounds checks so
// any M, N, K work. Workgroups are numbered tile-column fastest, then tile-row, then batch, over a
// 1-D launch spread across x and y.

const BM: u32 = 64u;
const BN: u32 = 64u;
const BK: u32 = 16u;

struct Params {
    head: vec4<u32>,       // M, N, K, batch count
    tiles: vec4<u32>,      // tile rows, tile columns, batch ndim (<= 4), accumulate (1/0)
    offset: vec4<u32>,     // element offsets of out, a, b; alpha's f32 bits
    strides: vec4<u32>,    // a's row and k strides, b's k and column strides
    stride_out: vec4<u32>, // out's row and column strides, unused, unused
    bsize: vec4<u32>,      // batch sizes, outermost first
    bstride_a: vec4<u32>,
    bstride_b: vec4<u32>,
    bstride_out: vec4<u32>,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> b: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;

var<workgroup> ta: array<array<f32, BM>, BK>;   // ta[k][row]
var<workgroup> tb: array<array<f32, BN>, BK>;   // tb[k][col]

@compute @workgroup_size(256)
fn matmul(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) t: u32) {
    let g = wid.x + wid.y * nwg.x;
    let per_batch = p.tiles.x * p.tiles.y;
    if (g >= per_batch * p.head.w) {
        return;  // uniform: the whole workgroup leaves
    }
    let M = p.head.x;
    let N = p.head.y;
    let K = p.head.z;
    var bi = g / per_batch;
    let tile = g % per_batch;
    let m0 = (tile / p.tiles.y) * BM;
    let n0 = (tile % p.tiles.y) * BN;

    var oa = p.offset.y;
    var ob = p.offset.z;
    var oo = p.offset.x;
    for (var d = i32(p.tiles.z) - 1; d >= 0; d--) {
        let k = bi % p.bsize[d];
        bi = bi / p.bsize[d];
        oa += k * p.bstride_a[d];
        ob += k * p.bstride_b[d];
        oo += k * p.bstride_out[d];
    }
    let sam = p.strides.x;
    let sak = p.strides.y;
    let sbk = p.strides.z;
    let sbn = p.strides.w;

    let tx = t % 16u;
    let ty = t / 16u;
    var acc: array<array<f32, 4>, 4>;
    for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) {
            acc[i][j] = 0.0;
        }
    }

    for (var k0 = 0u; k0 < K; k0 += BK) {
        for (var l = 0u; l < 4u; l++) {
            let e = t + 256u * l;
            // A tile: row e / 16, k e % 16
            let ar = m0 + e / BK;
            let ak = k0 + e % BK;
            var va = 0.0;
            if (ar < M && ak < K) {
                va = a[oa + ar * sam + ak * sak];
            }
            ta[e % BK][e / BK] = va;
            // B tile: k e / 64, column e % 64
            let bk = k0 + e / BN;
            let bc = n0 + e % BN;
            var vb = 0.0;
            if (bk < K && bc < N) {
                vb = b[ob + bk * sbk + bc * sbn];
            }
            tb[e / BN][e % BN] = vb;
        }
        workgroupBarrier();
        for (var kk = 0u; kk < BK; kk++) {
            var ra: array<f32, 4>;
            var rb: array<f32, 4>;
            for (var i = 0u; i < 4u; i++) {
                ra[i] = ta[kk][ty + 16u * i];
                rb[i] = tb[kk][tx + 16u * i];
            }
            for (var i = 0u; i < 4u; i++) {
                for (var j = 0u; j < 4u; j++) {
                    acc[i][j] = fma(ra[i], rb[j], acc[i][j]);
                }
            }
        }
        workgroupBarrier();
    }

    let alpha = bitcast<f32>(p.offset.w);
    for (var i = 0u; i < 4u; i++) {
        let r = m0 + ty + 16u * i;
        if (r >= M) {
            continue;
        }
        for (var j = 0u; j < 4u; j++) {
            let c = n0 + tx + 16u * j;
            if (c < N) {
                let o = oo + r * p.stride_out.x + c * p.stride_out.y;
                var v = alpha * acc[i][j];
                if (p.tiles.w == 1u) {
                    v += out[o];
                }
                out[o] = v;
            }
        }
    }
}
