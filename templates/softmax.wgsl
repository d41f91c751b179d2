// Softmax along one axis: the tensor is viewed as (outer, len, inner) and each invocation
// normalizes one (outer, inner) line, subtracting its maximum first for stability.
struct Params {
    outer: u32,
    len: u32,
    inner: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size({{ workgroup }})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let line = gid.x + gid.y * groups.x * {{ workgroup }}u;
    if line >= p.outer * p.inner {
        return;
    }
    let start = (line / p.inner) * p.len * p.inner + line % p.inner;
    var top = x[start];
    for (var j = 1u; j < p.len; j++) {
        top = max(top, x[start + j * p.inner]);
    }
    var sum = 0.0;
    for (var j = 0u; j < p.len; j++) {
        let e = exp(x[start + j * p.inner] - top);
        y[start + j * p.inner] = e;
        sum += e;
    }
    for (var j = 0u; j < p.len; j++) {
        y[start + j * p.inner] /= sum;
    }
}
