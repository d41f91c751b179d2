{% import "macros/index.wgsl" as index %}
{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/math.wgsl" as math %}
{% import "macros/storage.wgsl" as storage %}
// y = {{ op }}(x), element by element over f32{% if epilogue %}, then the fused epilogue{% endif %}.
{%- if rank %}
// x is a view of rank {{ rank }}: read through an offset and strides.
{%- endif %}
struct Params {
    n: u32,
    x_offset: u32,
    _pad0: u32,
    _pad1: u32,
{%- if rank %}
    shape: array<vec4<u32>, 2>,
    x_strides: array<vec4<u32>, 2>,
{%- endif %}
{{- epilogue::params(e=epilogue) }}
}

@group(0) @binding(0) var<uniform> p: Params;
{{ storage::declare(name="x", binding=1, ty=stored[0], access="read", splits=[], split_at=split_at) }}
{{ storage::declare(name="y", binding=2, ty=stored[1], access="read_write", splits=[], split_at=split_at) }}
{{- epilogue::bindings(e=epilogue, ty=float) }}

{{ epilogue::function(e=epilogue, ty="f32", root=op) }}

{{ index::main(workgroup=workgroup, count="p.n") }}
{%- if rank %}
    var at = p.x_offset;
{{ index::walk(rank=rank, index="i", shape="shape", vars=["at"], strides=["x_strides"]) }}
    let v = load_x(at);
{%- else %}
    let v = load_x(p.x_offset + i);
{%- endif %}
    store_y(i, epilogue({{ math::unary(op=op, x="v", alpha=alpha) }}, i));
}
