{% import "macros/index.wgsl" as index %}
{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/storage.wgsl" as storage %}
// Last step: one invocation per element, y = (x - mean) · inv_std{% if affine %} · scale{% endif %}{% if has_bias %} + b{% endif %} with its run's
// statistics{% if affine %}, scale and b read through broadcast strides over x's shape (rank {{ rank }}){% endif %}.
struct Params {
    n: u32,
    len: u32,
    // Where the runs' (mean, inv_std) pairs start in stats.
    stats_at: u32,
    _pad: u32,
    shape: array<vec4<u32>, 2>,
{%- if affine %}
    scale_strides: array<vec4<u32>, 2>,
{%- endif %}
{%- if has_bias %}
    bias_strides: array<vec4<u32>, 2>,
{%- endif %}
{{- epilogue::params(e=epilogue) }}
}

@group(0) @binding(0) var<uniform> p: Params;
{{ storage::declare(name="x", binding=1, ty=float, access="read", splits=splits, split_at=split_at) }}
{{ storage::declare(name="y", binding=2, ty=float, access="read_write", splits=splits, split_at=split_at) }}
@group(0) @binding(3) var<storage, read> stats: array<f32>;
{%- if affine %}
{{ storage::declare(name="scale", binding=4, ty=float, access="read", splits=[], split_at=split_at) }}
{%- endif %}
{%- if has_bias %}
{{ storage::declare(name="b", binding=5, ty=float, access="read", splits=[], split_at=split_at) }}
{%- endif %}
{{- epilogue::bindings(e=epilogue, ty=float) }}

{{ epilogue::function(e=epilogue, ty="f32") }}

{{ index::main(workgroup=workgroup, count="p.n") }}
    let run = p.stats_at + (i / p.len) * 2u;
    var v = (load_x(i) - stats[run]) * stats[run + 1u];
{%- if affine %}
    var s = 0u;
    var t = 0u;
{%- if has_bias %}
{{ index::walk(rank=rank, index="i", shape="shape", vars=["s", "t"], strides=["scale_strides", "bias_strides"]) }}
    v = v * load_scale(s) + load_b(t);
{%- else %}
{{ index::walk(rank=rank, index="i", shape="shape", vars=["s"], strides=["scale_strides"]) }}
    v *= load_scale(s);
{%- endif %}
{%- endif %}
    let o = stored(i);
    store_y(o, epilogue(v, o));
}
