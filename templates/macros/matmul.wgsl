{#- The declarations both matmul kernels share: parameters and bindings, in one layout. -#}
{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/storage.wgsl" as storage %}

{#- `ty`: the WGSL type float tensors are stored as. -#}
{% macro declare(has_c, epilogue, ty) -%}
struct Params {
    m: u32,
    n: u32,
    k: u32,
    total: u32,
    alpha: f32,
    beta: f32,
    c_row: u32,
    c_col: u32,
    a_row: u32,
    a_col: u32,
    b_row: u32,
    b_col: u32,
    a_offset: u32,
    b_offset: u32,
    batch_shape: array<vec4<u32>, 2>,
    a_batch_strides: array<vec4<u32>, 2>,
    b_batch_strides: array<vec4<u32>, 2>,
{{- epilogue::params(e=epilogue) }}
}

@group(0) @binding(0) var<uniform> p: Params;
{{ storage::declare(name="a", binding=1, ty=ty, access="read", splits=[], split_at=0) }}
{{ storage::declare(name="b", binding=2, ty=ty, access="read", splits=[], split_at=0) }}
{%- if has_c %}
{{ storage::declare(name="c", binding=3, ty=ty, access="read", splits=[], split_at=0) }}
{{ storage::declare(name="y", binding=4, ty=ty, access="read_write", splits=[], split_at=0) }}
{%- else %}
{{ storage::declare(name="y", binding=3, ty=ty, access="read_write", splits=[], split_at=0) }}
{%- endif %}
{{- epilogue::bindings(e=epilogue, ty=ty) }}
{%- endmacro declare %}

{#- Moves `a_at` and `b_at` to batch `rest` (an index over p.batch_shape, consumed). -#}
{% macro batch(batch_rank) -%}
{%- for axis in range(end=batch_rank) | reverse %}
    {
        let size = p.batch_shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        let coord = rest % size;
        rest /= size;
        a_at += coord * p.a_batch_strides[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        b_at += coord * p.b_batch_strides[{{ axis }}u >> 2u][{{ axis }}u & 3u];
    }
{%- endfor %}
{%- endmacro batch %}
