{% import "macros/index.wgsl" as index %}
{% import "macros/storage.wgsl" as storage %}
// out = condition ? x : y over {{ stored }} elements of rank {{ rank }}, with numpy broadcasting of all
// three inputs: a stride of 0 repeats an input along that axis.
struct Params {
    n: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
    shape: array<vec4<u32>, 2>,
    c_strides: array<vec4<u32>, 2>,
    x_strides: array<vec4<u32>, 2>,
    y_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> condition: array<u32>;
{{ storage::declare(name="x", binding=2, ty=stored, access="read", splits=[], split_at=split_at) }}
{{ storage::declare(name="y", binding=3, ty=stored, access="read", splits=[], split_at=split_at) }}
{{ storage::declare(name="out", binding=4, ty=stored, access="read_write", splits=[], split_at=split_at) }}

{{ index::main(workgroup=workgroup, count="p.n") }}
    var ic = 0u;
    var ix = 0u;
    var iy = 0u;
{{ index::walk(rank=rank, index="i", shape="shape", vars=["ic", "ix", "iy"], strides=["c_strides", "x_strides", "y_strides"]) }}
    store_out(i, select(load_y(iy), load_x(ix), condition[ic] != 0u));
}
