{% import "macros/index.wgsl" as index %}
{% import "macros/storage.wgsl" as storage %}
// Gather along one axis of {{ elements }} elements: data viewed as (outer, axis_len, inner), the output as
// (outer, count, inner) with count the number of indices. Negative indices count from the back;
// indices still out of range are clamped to the axis, since a shader cannot raise an error.
struct Params {
    n: u32,
    axis_len: u32,
    count: u32,
    inner: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
{{ storage::declare(name="data", binding=1, ty=elements, access="read", splits=[], split_at=split_at) }}
@group(0) @binding(2) var<storage, read> indices: array<i32>;
{{ storage::declare(name="y", binding=3, ty=elements, access="read_write", splits=[], split_at=split_at) }}

{{ index::main(workgroup=workgroup, count="p.n") }}
    let inner = i % p.inner;
    let j = (i / p.inner) % p.count;
    let outer = i / (p.inner * p.count);
    let len = i32(p.axis_len);
    var k = indices[j];
    if k < 0 {
        k += len;
    }
    let at = u32(clamp(k, 0, len - 1));
    store_y(i, load_data((outer * p.axis_len + at) * p.inner + inner));
}
