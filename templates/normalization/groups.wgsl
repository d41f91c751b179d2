{% import "macros/index.wgsl" as index %}
{% import "macros/reduce.wgsl" as reduce %}
{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/storage.wgsl" as storage %}
// Standardizes p.groups runs of p.len contiguous elements, one workgroup per run: the mean, then
// the variance about it (two passes, each reduced in workgroup memory), then
// y = (x - mean) / sqrt(variance + epsilon) * scale + b, where scale and b are read through
// broadcast strides over x's shape (rank {{ rank }}).
struct Params {
    groups: u32,
    len: u32,
    epsilon: f32,
    _pad: u32,
    shape: array<vec4<u32>, 2>,
    scale_strides: array<vec4<u32>, 2>,
{%- if bias_binding %}
    bias_strides: array<vec4<u32>, 2>,
{%- endif %}
{{- epilogue::params(e=epilogue) }}
}

@group(0) @binding(0) var<uniform> p: Params;
{{ storage::declare(name="x", binding=1, ty=float, access="read", splits=splits, split_at=split_at) }}
{{ storage::declare(name="scale", binding=2, ty=float, access="read", splits=[], split_at=split_at) }}
{{ storage::declare(name="y", binding=3, ty=float, access="read_write", splits=splits, split_at=split_at) }}
{%- if bias_binding %}
{{ storage::declare(name="b", binding=bias_binding, ty=float, access="read", splits=[], split_at=split_at) }}
{%- endif %}
{%- if stats_binding %}
{{ storage::declare(name="mean_out", binding=stats_binding, ty=float, access="read_write", splits=[], split_at=split_at) }}
{{ storage::declare(name="inv_std_out", binding=stats_binding + 1, ty=float, access="read_write", splits=[], split_at=split_at) }}
{%- endif %}
{{- epilogue::bindings(e=epilogue, ty=float) }}

{{ epilogue::function(e=epilogue, ty="f32") }}

{{ reduce::functions(workgroup=workgroup, half=half) }}

// Where element `i` of x reads scale (and b).
fn affine(i: u32) -> vec2<u32> {
    var rest = i;
    var at = vec2(0u);
{%- for axis in range(end=rank) | reverse %}
    {
        let coord = rest % p.shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        rest /= p.shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        at.x += coord * p.scale_strides[{{ axis }}u >> 2u][{{ axis }}u & 3u];
{%- if bias_binding %}
        at.y += coord * p.bias_strides[{{ axis }}u >> 2u][{{ axis }}u & 3u];
{%- endif %}
    }
{%- endfor %}
    return at;
}

{{ index::per_workgroup(workgroup=workgroup, name="group", count="p.groups") }}
    let start = group * p.len;
    // Each invocation keeps four loads in flight: with one workgroup per run, one at a time would
    // leave the run waiting on memory.
    var sum = vec4(0.0);
    var j = lid;
    for (; j + {{ 3 * workgroup }}u < p.len; j += {{ 4 * workgroup }}u) {
        sum += vec4(
            load_x(start + j),
            load_x(start + j + {{ workgroup }}u),
            load_x(start + j + {{ 2 * workgroup }}u),
            load_x(start + j + {{ 3 * workgroup }}u),
        );
    }
    for (; j < p.len; j += {{ workgroup }}u) {
        sum.x += load_x(start + j);
    }
    let mean = reduce(lid, sum.x + sum.y + sum.z + sum.w, 0u) / f32(p.len);
    var squares = vec4(0.0);
    j = lid;
    for (; j + {{ 3 * workgroup }}u < p.len; j += {{ 4 * workgroup }}u) {
        let d = vec4(
            load_x(start + j),
            load_x(start + j + {{ workgroup }}u),
            load_x(start + j + {{ 2 * workgroup }}u),
            load_x(start + j + {{ 3 * workgroup }}u),
        ) - mean;
        squares += d * d;
    }
    for (; j < p.len; j += {{ workgroup }}u) {
        let d = load_x(start + j) - mean;
        squares.x += d * d;
    }
    let total = squares.x + squares.y + squares.z + squares.w;
    let inv_std = 1.0 / sqrt(reduce(lid, total, 0u) / f32(p.len) + p.epsilon);
    for (var j = lid; j < p.len; j += {{ workgroup }}u) {
        let i = start + j;
        let at = affine(i);
        let o = stored(i);
{%- if bias_binding %}
        store_y(o, epilogue((load_x(i) - mean) * inv_std * load_scale(at.x) + load_b(at.y), o));
{%- else %}
        store_y(o, epilogue((load_x(i) - mean) * inv_std * load_scale(at.x), o));
{%- endif %}
    }
{%- if stats_binding %}
    if lid == 0u {
        store_mean_out(group, mean);
        store_inv_std_out(group, inv_std);
    }
{%- endif %}
}
