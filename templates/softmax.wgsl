{% import "macros/index.wgsl" as index %}
{% import "macros/reduce.wgsl" as reduce %}
{% import "macros/storage.wgsl" as storage %}
// Softmax along one axis: each workgroup normalizes one line of `len` elements, read through x's
// offset and strides and written contiguously, subtracting the line's maximum first for
// stability.
struct Params {
    lines: u32,
    len: u32,
    x_step: u32,
    y_step: u32,
    x_offset: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
    line_shape: array<vec4<u32>, 2>,
    x_lines: array<vec4<u32>, 2>,
    y_lines: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> p: Params;
{{ storage::declare(name="x", binding=1, ty=float, access="read", splits=[], split_at=split_at) }}
{{ storage::declare(name="y", binding=2, ty=float, access="read_write", splits=[], split_at=split_at) }}

{{ reduce::functions(workgroup=workgroup, half=half) }}

{{ index::per_workgroup(workgroup=workgroup, name="line", count="p.lines") }}
    var xs = p.x_offset;
    var ys = 0u;
{{ index::walk(rank=rank, index="line", shape="line_shape", vars=["xs", "ys"], strides=["x_lines", "y_lines"]) }}
    var top = load_x(xs);
    for (var j = lid; j < p.len; j += {{ workgroup }}u) {
        top = max(top, load_x(xs + j * p.x_step));
    }
    top = reduce(lid, top, 1u);
    var sum = 0.0;
    for (var j = lid; j < p.len; j += {{ workgroup }}u) {
        sum += exp(load_x(xs + j * p.x_step) - top);
    }
    let scale = 1.0 / reduce(lid, sum, 0u);
    // The exponentials are computed again rather than stored and read back: y is written once,
    // and rounded once where it is stored as f16.
    for (var j = lid; j < p.len; j += {{ workgroup }}u) {
        store_y(ys + j * p.y_step, exp(load_x(xs + j * p.x_step) - top) * scale);
    }
}
