{% import "macros/index.wgsl" as index %}
{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/math.wgsl" as math %}
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
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
{{- epilogue::bindings(e=epilogue) }}

{{ epilogue::function(e=epilogue, ty="f32", root=op) }}

{{ index::main(workgroup=workgroup, count="p.n") }}
{%- if rank %}
    var at = p.x_offset;
{{ index::walk(rank=rank, index="i", shape="shape", vars=["at"], strides=["x_strides"]) }}
    let v = x[at];
{%- else %}
    let v = x[p.x_offset + i];
{%- endif %}
    y[i] = epilogue({{ math::unary(op=op, x="v", alpha=alpha) }}, i);
}
