{% import "macros/index.wgsl" as index %}
{% import "macros/storage.wgsl" as storage %}
// Concatenation of {{ sources | length }} tensors of {{ elements }} elements along one axis of a
// rank-{{ rank }} box of the output, in one dispatch: each invocation owns one element of the box,
// finds the input whose slot holds it, and reads that input through its own offset and strides.
struct Params {
    n: u32,
    axis: u32,
    y_offset: u32,
    _pad: u32,
    // Where each input's slot ends along the axis, within the box.
    ends: array<vec4<u32>, 2>,
    offsets: array<vec4<u32>, 2>,
    shape: array<vec4<u32>, 2>,
    y_strides: array<vec4<u32>, 2>,
{%- for s in sources %}
    {{ s.name }}_strides: array<vec4<u32>, 2>,
{%- endfor %}
}

@group(0) @binding(0) var<uniform> p: Params;
{%- for s in sources %}
{{ storage::declare(name=s.name, binding=loop.index, ty=elements, access="read", splits=[], split_at=split_at) }}
{%- endfor %}
{{ storage::declare(name="y", binding=sources | length + 1, ty=elements, access="read_write", splits=[], split_at=split_at) }}

{{ index::main(workgroup=workgroup, count="p.n") }}
    var coords: array<u32, {{ rank }}>;
    var rest = i;
    var y_at = p.y_offset;
{%- for axis in range(end=rank) | reverse %}
    {
        let size = p.shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        coords[{{ axis }}u] = rest % size;
        rest /= size;
        y_at += coords[{{ axis }}u] * p.y_strides[{{ axis }}u >> 2u][{{ axis }}u & 3u];
    }
{%- endfor %}
    var start = 0u;
{%- for s in sources %}
    if coords[p.axis] < p.ends{{ s.at }} {
        coords[p.axis] -= start;
        var at = p.offsets{{ s.at }};
        for (var d = 0u; d < {{ rank }}u; d++) {
            at += coords[d] * p.{{ s.name }}_strides[d >> 2u][d & 3u];
        }
        store_y(y_at, load_{{ s.name }}(at));
        return;
    }
    start = p.ends{{ s.at }};
{%- endfor %}
}
