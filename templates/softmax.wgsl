{% import "macros/index.wgsl" as index %}
{% import "macros/reduce.wgsl" as reduce %}
// Softmax along one axis: the tensor is viewed as (outer, len, inner) and each workgroup
// normalizes one (outer, inner) line of `len` elements `inner` apart, subtracting the line's
// maximum first for stability.
struct Params {
    outer: u32,
    len: u32,
    inner: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

{{ reduce::functions(workgroup=workgroup, half=half) }}

{{ index::per_workgroup(workgroup=workgroup, name="line", count="p.outer * p.inner") }}
    let start = (line / p.inner) * p.len * p.inner + line % p.inner;
    var top = x[start];
    for (var j = lid; j < p.len; j += {{ workgroup }}u) {
        top = max(top, x[start + j * p.inner]);
    }
    top = reduce(lid, top, 1u);
    var sum = 0.0;
    for (var j = lid; j < p.len; j += {{ workgroup }}u) {
        let e = exp(x[start + j * p.inner] - top);
        y[start + j * p.inner] = e;
        sum += e;
    }
    let scale = 1.0 / reduce(lid, sum, 0u);
    for (var j = lid; j < p.len; j += {{ workgroup }}u) {
        y[start + j * p.inner] *= scale;
    }
}
