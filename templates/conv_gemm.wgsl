{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/conv.wgsl" as conv %}
// Convolution of one group as a tiled matrix product per image ("implicit GEMM"):
// y[n, m, q] = sum_k weight[m, k] * patch[n, k, q]{% if has_bias %} + bias[m]{% endif %}, where k runs over (input channel, ky, kx)
// and patch gathers the input pixel that output pixel q sees through that tap (0 in the padding).
// Each workgroup of 16×16 invocations computes a {{ per_m * 16 }}×{{ per_q * 16 }} tile of (m, q), {{ per_m }}×{{ per_q }} outputs per
// invocation, staging {{ depth }}-deep slices of weight and patch in workgroup memory.
{{ conv::params(epilogue=epilogue) }}
{#- f16 values are staged as read and widened when stored to workgroup memory: widened as they
    were read, they made the kernel wait for each read (conv_gemm took 51.9 rather than 36.5 ms
    of the f16 UNet on an H200). #}
{%- set half = float == "f16" %}
{%- if half %}{% set mode = "fetch" %}{% set zero = "0.0h" %}{% else %}{% set mode = "load" %}{% set zero = "0.0" %}{% endif %}
{%- set read = mode ~ "_" %}
{{ conv::bindings(has_bias=has_bias, float=float, splits=splits, split_at=split_at, epilogue=epilogue, read_x=mode, read_weight=mode) }}

const TILE_M: u32 = {{ per_m * 16 }}u;
const TILE_Q: u32 = {{ per_q * 16 }}u;
const DEPTH: u32 = {{ depth }}u;

// [k][m] and [k][q] slices of the current depth step; pixels (and rows, when per_m allows) in
// fours, so each invocation reads its {{ per_q }} pixels of a step with {{ quads }} loads.
{%- if w_quads %}
var<workgroup> w_tile: array<array<vec4<f32>, {{ per_m * 4 }}>, {{ depth }}>;
{%- else %}
var<workgroup> w_tile: array<array<f32, {{ per_m * 16 }}>, {{ depth }}>;
{%- endif %}
var<workgroup> x_tile: array<array<vec4<f32>, {{ per_q * 4 }}>, {{ depth }}>;

@compute @workgroup_size(16, 16)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) flat: u32,
) {
    // This invocation's place (ty, tx) in the 16×16 grid of per-invocation tiles. Each run of 32
    // invocations (an NVIDIA warp, which reads workgroup memory together) takes a 4×8 block of
    // the grid rather than 2 rows of 16, so its reads of a staged step touch 4 and 8 addresses
    // rather than 2 and 16: conv_gemm took 34.3 ms of the UNet instead of 36.0 (H200).
    let ty = (flat >> 6u) * 4u + ((flat & 31u) >> 3u);
    let tx = ((flat >> 5u) & 1u) * 8u + (flat & 7u);
    let m0 = wid.y * TILE_M;
    let p0 = wid.x * TILE_Q;
{{- conv::image(upsampled=upsampled) }}
    let x_image = n * p.image;
    // Every invocation stages the same pixel column at each depth step (256 is a multiple of
    // TILE_Q), so where that pixel's window starts is worked out once.
    let q = p0 + flat % TILE_Q;
    // Where this pixel's four goes in x_tile: the {{ quads }} fours an invocation multiplies lie 16
    // apart, so the invocations of a warp read consecutive ones.
    let x_quad = ((flat % TILE_Q) >> 2u) % {{ quads }}u * 16u + ((flat % TILE_Q) >> 2u) / {{ quads }}u;
    let window = vec2(
        (q / p.ow) * p.stride_h - p.pad_h{{ conv::shift(upsampled=upsampled, axis="h") }},
        (q % p.ow) * p.stride_w - p.pad_w{{ conv::shift(upsampled=upsampled, axis="w") }},
    );
    // The {{ per_m }}×{{ per_q }} accumulators are unrolled into scalars so they stay in registers.
{%- for a in range(end=per_m) %}{% for b in range(end=per_q) %}
    var acc{{ a }}_{{ b }} = 0.0;
{%- endfor %}{% endfor %}
    // Per depth step each invocation stages {{ w_slots }} weights and {{ x_slots }} patch values, reading
    // memory in order: along c for the weight's rows, along pixels for x. Its patch values are
    // taps (channel, ky, kx) that advance by DEPTH every step, tracked without dividing. The
    // next step's values are read into registers while this step's are multiplied.
{%- for r in range(end=w_slots) %}
    var wv{{ r }} = weight_at(m0, 0u, flat + {{ r * 256 }}u{{ conv::phase_argument(upsampled=upsampled) }});
{%- endfor %}
{%- for r in range(end=x_slots) %}
    var tap{{ r }} = tap_of(flat / TILE_Q + {{ r }}u * (256u / TILE_Q));
    var xv{{ r }} = gathered(x_image, tap{{ r }}, q, window);
{%- endfor %}
    for (var k0 = 0u; k0 < p.depth; k0 += DEPTH) {
{%- for r in range(end=w_slots) %}
{%- if w_quads %}
        w_tile[(flat + {{ r * 256 }}u) % DEPTH][((flat + {{ r * 256 }}u) / DEPTH) >> 2u][((flat + {{ r * 256 }}u) / DEPTH) & 3u] = {{ self::wide(half=half, v="wv" ~ r) }};
{%- else %}
        w_tile[(flat + {{ r * 256 }}u) % DEPTH][(flat + {{ r * 256 }}u) / DEPTH] = {{ self::wide(half=half, v="wv" ~ r) }};
{%- endif %}
{%- endfor %}
{%- for r in range(end=x_slots) %}
        x_tile[(flat + {{ r * 256 }}u) / TILE_Q][x_quad][flat & 3u] = {{ self::wide(half=half, v="xv" ~ r) }};
{%- endfor %}
        workgroupBarrier();
        if k0 + DEPTH < p.depth {
{%- for r in range(end=w_slots) %}
            wv{{ r }} = weight_at(m0, k0 + DEPTH, flat + {{ r * 256 }}u{{ conv::phase_argument(upsampled=upsampled) }});
{%- endfor %}
{%- for r in range(end=x_slots) %}
            tap{{ r }} = advanced(tap{{ r }});
            xv{{ r }} = gathered(x_image, tap{{ r }}, q, window);
{%- endfor %}
        }
        // The {{ depth }} steps are written out rather than looped over: wgpu bounds every loop with a
        // counter (a guard against infinite loops), which here kept the loop from being unrolled and
        // cost a quarter of the UNet's time on an H200.
{%- for k in range(end=depth) %}
        {
{%- if w_quads %}
{%- for j in range(end=w_quads) %}
            let w{{ j }} = w_tile[{{ k }}][ty * {{ w_quads }}u + {{ j }}u];
{%- endfor %}
{%- else %}
{%- for a in range(end=per_m) %}
            let w{{ a }} = w_tile[{{ k }}][ty * {{ per_m }}u + {{ a }}u];
{%- endfor %}
{%- endif %}
{%- for j in range(end=quads) %}
            let x{{ j }} = x_tile[{{ k }}][{{ j * 16 }}u + tx];
{%- endfor %}
{%- for a in range(end=per_m) %}{% for b in range(end=per_q) %}
            acc{{ a }}_{{ b }} += {{ w_lanes[a] }} * {{ x_lanes[b] }};
{%- endfor %}{% endfor %}
        }
{%- endfor %}
        workgroupBarrier();
    }
{%- for a in range(end=per_m) %}{% for b in range(end=per_q) %}
    store(m0 + ty * {{ per_m }}u + {{ a }}u, p0 + tx * {{ per_q }}u + {{ b }}u, n{{ conv::phase_argument(upsampled=upsampled) }}, acc{{ a }}_{{ b }});
{%- endfor %}{% endfor %}
}

{{ conv::taps() }}

{{ conv::gather(pointwise=pointwise, read=read, zero=zero, float=float) }}

{{ conv::store(has_bias=has_bias, upsampled=upsampled) }}

// The weight that staging slot e (DEPTH values along each of TILE_M rows) holds at depth step k0.
fn weight_at(m0: u32, k0: u32, e: u32{{ conv::phase_parameter(upsampled=upsampled) }}) -> {{ float }} {
    let m = m0 + e / DEPTH;
    let k = k0 + e % DEPTH;
    if k >= p.depth || m >= p.m {
        return {{ zero }};
    }
    return {{ read }}weight({{ conv::phase_row(upsampled=upsampled, m="m") }} * p.depth + k);
}

{#- `v` widened to f32 where it was read as f16. -#}
{% macro wide(half, v) -%}
{%- if half %}f32({{ v }}){% else %}{{ v }}{% endif -%}
{%- endmacro wide %}
