{% import "macros/index.wgsl" as index %}
{% import "macros/storage.wgsl" as storage %}
// Pad of {{ elements }} elements over rank {{ rank }}, {{ mode }} mode. Along each axis the output has
// `lead` padded positions, then the `len` input elements starting at `crop` (negative pads crop),
// then padding.
struct Params {
    n: u32,
    value: u32,
    _pad0: u32,
    _pad1: u32,
    shape: array<vec4<u32>, 2>,
    lead: array<vec4<u32>, 2>,
    crop: array<vec4<u32>, 2>,
    len: array<vec4<u32>, 2>,
    in_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> p: Params;
{{ storage::declare(name="x", binding=1, ty=elements, access="read", splits=splits, split_at=split_at) }}
{{ storage::declare(name="y", binding=2, ty=elements, access="read_write", splits=splits, split_at=split_at) }}

{{ index::main(workgroup=workgroup, count="p.n") }}
    var rest = i;
    var at = 0u;
{%- for axis in range(end=rank) | reverse %}
    {
        let size = p.shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        let coord = rest % size;
        rest /= size;
        let len = i32(p.len[{{ axis }}u >> 2u][{{ axis }}u & 3u]);
        var k = i32(coord) - i32(p.lead[{{ axis }}u >> 2u][{{ axis }}u & 3u]);
{%- if mode == "constant" %}
        if k < 0 || k >= len {
            store_y(i, {% if elements == "f16" %}bitcast<f32>(p.value){% else %}p.value{% endif %});
            return;
        }
{%- elif mode == "edge" %}
        k = clamp(k, 0, len - 1);
{%- else %}
        // Mirror without repeating the edge; wider pads repeat with period 2 (len - 1), as numpy.
        if len == 1 {
            k = 0;
        } else {
            let period = 2 * (len - 1);
            k = ((k % period) + period) % period;
            if k >= len {
                k = period - k;
            }
        }
{%- endif %}
        at += (u32(k) + p.crop[{{ axis }}u >> 2u][{{ axis }}u & 3u]) * p.in_strides[{{ axis }}u >> 2u][{{ axis }}u & 3u];
    }
{%- endfor %}
    store_y(i, load_x(at));
}
