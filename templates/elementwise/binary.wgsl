{% import "macros/index.wgsl" as index %}
{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/math.wgsl" as math %}
{% import "macros/storage.wgsl" as storage %}
// y = {{ op }}(a, b) over {{ ty }} tensors of rank {{ rank }}, with numpy broadcasting: a stride of 0
// repeats an operand along that axis.
struct Params {
    n: u32,
    a_offset: u32,
    b_offset: u32,
    _pad: u32,
    shape: array<vec4<u32>, 2>,
    a_strides: array<vec4<u32>, 2>,
    b_strides: array<vec4<u32>, 2>,
{{- epilogue::params(e=epilogue) }}
}

@group(0) @binding(0) var<uniform> p: Params;
{{ storage::declare(name="a", binding=1, ty=stored[0], access="read", splits=[], split_at=split_at) }}
{{ storage::declare(name="b", binding=2, ty=stored[1], access="read", splits=[], split_at=split_at) }}
{{ storage::declare(name="y", binding=3, ty=stored[2], access="read_write", splits=[], split_at=split_at) }}
{{- epilogue::bindings(e=epilogue, ty=float) }}

{{ epilogue::function(e=epilogue, ty=ty, root=op) }}

{{ index::main(workgroup=workgroup, count="p.n") }}
    var ia = p.a_offset;
    var ib = p.b_offset;
{{ index::walk(rank=rank, index="i", shape="shape", vars=["ia", "ib"], strides=["a_strides", "b_strides"]) }}
{%- if b_ty == ty %}{% set b_read = "load_b(ib)" %}{% else %}{% set b_read = ty ~ "(load_b(ib))" %}{% endif %}
    store_y(i, epilogue({{ math::binary(op=op, a="load_a(ia)", b=b_read) }}, i));
}
