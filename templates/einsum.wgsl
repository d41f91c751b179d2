{% import "macros/index.wgsl" as index %}
{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/reduce.wgsl" as reduce %}
{% import "macros/storage.wgsl" as storage %}
// Einsum as a strided contraction: each invocation owns one output element, walks the summed
// labels, and reads every operand through its own strides (0 where a label is absent), so no
// operand is transposed in memory. Output axes are walked in an order chosen for neighbouring
// invocations to touch neighbouring memory, and each element is stored through strides.
{%- if spread %}
// Few outputs with long sums: workgroup i (not invocation i) owns each output, and its
// invocations share the sum.
{%- endif %}
struct Params {
    n: u32,
    reduce_n: u32,
    _pad0: u32,
    _pad1: u32,
    offsets: vec4<u32>,
    out_shape: array<vec4<u32>, 2>,
    y_out: array<vec4<u32>, 2>,
    reduce_shape: array<vec4<u32>, 2>,
{%- for operand in operands %}
    {{ operand }}_out: array<vec4<u32>, 2>,
    {{ operand }}_reduce: array<vec4<u32>, 2>,
{%- endfor %}
{{- epilogue::params(e=epilogue) }}
}

@group(0) @binding(0) var<uniform> p: Params;
{%- for operand in operands %}
{{ storage::declare(name=operand, binding=loop.index, ty=stored, access="read", splits=[], split_at=split_at) }}
{%- endfor %}
{{ storage::declare(name="y", binding=operands | length + 1, ty=stored, access="read_write", splits=[], split_at=split_at) }}
{{- epilogue::bindings(e=epilogue, ty=float) }}

{{ epilogue::function(e=epilogue, ty=ty) }}

{%- if spread %}

{{ reduce::functions(workgroup=workgroup, half=half) }}

{{ index::per_workgroup(workgroup=workgroup, name="i", count="p.n") }}
{%- else %}

{{ index::main(workgroup=workgroup, count="p.n") }}
{%- endif %}
    // Invocation i owns the output element at index i of the walk order; o is where it is stored.
    var rest = i;
    var o = 0u;
{%- for operand in operands %}
    var {{ operand }}_base = p.offsets[{{ loop.index0 }}];
{%- endfor %}
{%- for axis in range(end=out_rank) | reverse %}
    {
        let coord = rest % p.out_shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        rest /= p.out_shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        o += coord * p.y_out[{{ axis }}u >> 2u][{{ axis }}u & 3u];
{%- for operand in operands %}
        {{ operand }}_base += coord * p.{{ operand }}_out[{{ axis }}u >> 2u][{{ axis }}u & 3u];
{%- endfor %}
    }
{%- endfor %}
{%- if mapped %}
    o = stored(o);
{%- endif %}
    var acc = {{ ty }}(0);
{%- if reduce_rank == 1 %}
    // One summed label: each operand steps by its own stride. Four terms per iteration, then the
    // rest: wgpu bounds every loop with a counter, which costs more than one multiply-add.
{%- set step = 1 %}{% if spread %}{% set step = workgroup %}{% endif %}
    var r = {% if spread %}lid{% else %}0u{% endif %};
    for (; r + {{ 3 * step }}u < p.reduce_n; r += {{ 4 * step }}u) {
{%- for u in range(end=4) %}
        acc += {% for operand in operands %}load_{{ operand }}({{ operand }}_base + (r + {{ u * step }}u) * p.{{ operand }}_reduce[0][0]){% if not loop.last %} * {% endif %}{% endfor %};
{%- endfor %}
    }
    for (; r < p.reduce_n; r += {{ step }}u) {
        acc += {% for operand in operands %}load_{{ operand }}({{ operand }}_base + r * p.{{ operand }}_reduce[0][0]){% if not loop.last %} * {% endif %}{% endfor %};
    }
{%- else %}
    {% if spread %}for (var r = lid; r < p.reduce_n; r += {{ workgroup }}u){% else %}for (var r = 0u; r < p.reduce_n; r++){% endif %} {
        var left = r;
{%- for operand in operands %}
        var {{ operand }}_at = {{ operand }}_base;
{%- endfor %}
{%- for axis in range(end=reduce_rank) | reverse %}
        {
            let coord = left % p.reduce_shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
            left /= p.reduce_shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
{%- for operand in operands %}
            {{ operand }}_at += coord * p.{{ operand }}_reduce[{{ axis }}u >> 2u][{{ axis }}u & 3u];
{%- endfor %}
        }
{%- endfor %}
        acc += {% for operand in operands %}load_{{ operand }}({{ operand }}_at){% if not loop.last %} * {% endif %}{% endfor %};
    }
{%- endif %}
{%- if spread %}
    acc = reduce(lid, acc, 0u);
    if lid == 0u {
        store_y(o, epilogue(acc, o));
    }
{%- else %}
    store_y(o, epilogue(acc, o));
{%- endif %}
}
