{% import "macros/index.wgsl" as index %}
{% import "macros/storage.wgsl" as storage %}
// y = (a == b) over {{ ty }} tensors of rank {{ rank }}, as bools (u32 0 or 1), with numpy
// broadcasting: a stride of 0 repeats an operand along that axis.
struct Params {
    n: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
    shape: array<vec4<u32>, 2>,
    a_strides: array<vec4<u32>, 2>,
    b_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> p: Params;
{{ storage::declare(name="a", binding=1, ty=stored, access="read", splits=[], split_at=split_at) }}
{{ storage::declare(name="b", binding=2, ty=stored, access="read", splits=[], split_at=split_at) }}
@group(0) @binding(3) var<storage, read_write> y: array<u32>;

{{ index::main(workgroup=workgroup, count="p.n") }}
    var ia = 0u;
    var ib = 0u;
{{ index::walk(rank=rank, index="i", shape="shape", vars=["ia", "ib"], strides=["a_strides", "b_strides"]) }}
    y[i] = select(0u, 1u, load_a(ia) == load_b(ib));
}
