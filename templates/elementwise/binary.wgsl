{% import "macros/index.wgsl" as index %}
{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/math.wgsl" as math %}
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
@group(0) @binding(1) var<storage, read> a: array<{{ ty }}>;
@group(0) @binding(2) var<storage, read> b: array<{{ b_ty }}>;
@group(0) @binding(3) var<storage, read_write> y: array<{{ ty }}>;
{{- epilogue::bindings(e=epilogue) }}

{{ epilogue::function(e=epilogue, ty=ty, root=op) }}

{{ index::main(workgroup=workgroup, count="p.n") }}
    var ia = p.a_offset;
    var ib = p.b_offset;
{{ index::walk(rank=rank, index="i", shape="shape", vars=["ia", "ib"], strides=["a_strides", "b_strides"]) }}
{%- if b_ty == ty %}{% set b_read = "b[ib]" %}{% else %}{% set b_read = ty ~ "(b[ib])" %}{% endif %}
    y[i] = epilogue({{ math::binary(op=op, a="a[ia]", b=b_read) }}, i);
}
