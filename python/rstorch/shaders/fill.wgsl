// Fill: the GPU side of Tensor.fill_, zeros, ones and full for 32-bit element types, over a
// contiguous run of a region. Launches spread over x and y (at most 65,535 workgroups per
// dimension), so the linear index folds y back in.

struct Params {
    n: u32,       // elements to write
    value: u32,   // the fill value's bits (f32, i32 or u32 alike)
    offset: u32,  // the first element's offset in the buffer (region + view)
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
