{% import "macros/index.wgsl" as index %}
{% import "macros/storage.wgsl" as storage %}
// Resize over rank {{ rank }}, {{ mode }} mode, {{ coordinates }} coordinates, in f32 with the
// spec's formulas. Sample positions are clamped to the input. WGSL lets division be off by 2.5 ULP,
// so on some GPUs a position exactly on a rounding tie may round the other way than on the CPU.
struct Params {
    n: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
    out_shape: array<vec4<u32>, 2>,
    in_shape: array<vec4<u32>, 2>,
    scales: array<vec4<f32>, 2>,
}

@group(0) @binding(0) var<uniform> p: Params;
{%- if mode == "nearest" %}
{%- set ty = elements %}
{%- else %}
{%- set ty = float %}
{%- endif %}
{{ storage::declare(name="x", binding=1, ty=ty, access="read", splits=splits, split_at=split_at) }}
{{ storage::declare(name="y", binding=2, ty=ty, access="read_write", splits=splits, split_at=split_at) }}

// The input position that output position `v` along `axis` samples.
fn source(v: f32, axis: u32) -> f32 {
    let scale = p.scales[axis >> 2u][axis & 3u];
    let input = f32(p.in_shape[axis >> 2u][axis & 3u]);
    let output = f32(p.out_shape[axis >> 2u][axis & 3u]);
{%- if coordinates == "half_pixel" %}
    return (v + 0.5) / scale - 0.5;
{%- elif coordinates == "half_pixel_symmetric" %}
    let adjustment = output / (scale * input);
    let offset = input / 2.0 * (1.0 - adjustment);
    return offset + (v + 0.5) / scale - 0.5;
{%- elif coordinates == "pytorch_half_pixel" %}
    return select(0.0, (v + 0.5) / scale - 0.5, output > 1.0);
{%- elif coordinates == "align_corners" %}
    // The spec's length_resized is input × scale, unrounded.
    return select(0.0, v * (input - 1.0) / (input * scale - 1.0), output > 1.0);
{%- else %}
    return v / scale;
{%- endif %}
}
{%- if mode == "nearest" %}

fn nearest(v: f32) -> f32 {
{%- if rounding == "round_prefer_floor" %}
    return ceil(v - 0.5);
{%- elif rounding == "round_prefer_ceil" %}
    return floor(v + 0.5);
{%- else %}
    return {{ rounding }}(v);
{%- endif %}
}

{{ index::main(workgroup=workgroup, count="p.n") }}
    var rest = i;
    var at = 0u;
    var stride = 1u;
{%- for axis in range(end=rank) | reverse %}
    {
        let size = p.out_shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        let coord = rest % size;
        rest /= size;
        let len = p.in_shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        let k = clamp(nearest(source(f32(coord), {{ axis }}u)), 0.0, f32(len - 1u));
        at += u32(k) * stride;
        stride *= len;
    }
{%- endfor %}
    store_y(i, load_x(at));
}
{%- else %}

{{ index::main(workgroup=workgroup, count="p.n") }}
    // Per axis: the two input indices around the sample point, the upper one's weight, the stride.
    var lo: array<u32, 8>;
    var hi: array<u32, 8>;
    var frac: array<f32, 8>;
    var strides: array<u32, 8>;
    var rest = i;
    var stride = 1u;
{%- for axis in range(end=rank) | reverse %}
    {
        let size = p.out_shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        let coord = rest % size;
        rest /= size;
        let len = p.in_shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        let v = clamp(source(f32(coord), {{ axis }}u), 0.0, f32(len - 1u));
        lo[{{ axis }}u] = u32(floor(v));
        hi[{{ axis }}u] = min(lo[{{ axis }}u] + 1u, len - 1u);
        frac[{{ axis }}u] = v - f32(lo[{{ axis }}u]);
        strides[{{ axis }}u] = stride;
        stride *= len;
    }
{%- endfor %}
    // Every corner of the cell around the sample point, weighted multilinearly.
    var acc = 0.0;
    for (var corner = 0u; corner < (1u << {{ rank }}u); corner++) {
        var weight = 1.0;
        var at = 0u;
        for (var axis = 0u; axis < {{ rank }}u; axis++) {
            if ((corner >> axis) & 1u) == 1u {
                weight *= frac[axis];
                at += hi[axis] * strides[axis];
            } else {
                weight *= 1.0 - frac[axis];
                at += lo[axis] * strides[axis];
            }
        }
        if weight != 0.0 {
            acc += weight * load_x(at);
        }
    }
    store_y(i, acc);
}
{%- endif %}
