// Fill: the GPU side of Tensor.fill_, zeros, ones and full for 32-bit element types, over a
// contiguous run of a region. Launches spread over x and y (at most 65,535 workgroups per
// dimension), so the linear index folds y back in.

struct Params {
    n: u32,       // elements to write
    value: u32,   // the fill value's bits (f32, i32 or u32 alike)
    offset: u32,  // the first element's offset in the buffer (region + view), in elements
    value_hi: u32, // fill_64: the value's high word (int64 is stored as (lo, hi) words)
}

@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(1) @binding(0) var<uniform> params: Params;

@compute @workgroup_size(256)
fn fill_32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * 256u;
    if (i < params.n) {
        out[params.offset + i] = params.value;
    }
}

// 64-bit elements (int64): `n` elements of two words each from element `offset`.
@compute @workgroup_size(256)
fn fill_64(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * 256u;
    if (i < params.n) {
        let w = 2u * (params.offset + i);
        out[w] = params.value;
        out[w + 1u] = params.value_hi;
    }
}
