{#- What the convolution kernels share: their bindings; and those that work as matrix products
    their Params (set by codegen/conv.rs) and how they walk the taps of a weight row, gather patch
    values and store results (the kernel defines DEPTH, the taps of one staged step).
    `upsampled`: a nearest ×2 upsampling is folded in (passes/upsample.rs). The kernel computes
    four 2×2 convolutions of the small input, one per output phase (row parity · 2 + column
    parity), whose weights follow each other: Params describe one phase (its pixels, the small
    input's; pads of 1), and workgroup z runs over images × phases. -#}
{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/storage.wgsl" as storage %}

{#- x, weight, the optional bias and y, then the fused epilogue's operands and its function.
    `read_x`, `read_weight`: how the kernel reads x and weight (see macros/storage.wgsl). -#}
{% macro bindings(has_bias, float, splits, split_at, epilogue, read_x, read_weight) -%}
{{ storage::declare(name="x", binding=1, ty=float, access="read", splits=splits, split_at=split_at, read=read_x) }}
{{ storage::declare(name="weight", binding=2, ty=float, access="read", splits=splits, split_at=split_at, read=read_weight) }}
{%- if has_bias %}
{{ storage::declare(name="bias", binding=3, ty=float, access="read", splits=splits, split_at=split_at) }}
{{ storage::declare(name="y", binding=4, ty=float, access="read_write", splits=splits, split_at=split_at, read="") }}
{%- else %}
{{ storage::declare(name="y", binding=3, ty=float, access="read_write", splits=splits, split_at=split_at, read="") }}
{%- endif %}
{{- epilogue::bindings(e=epilogue, ty=float) }}

{{ epilogue::function(e=epilogue, ty="f32") }}
{%- endmacro bindings %}

{% macro params(epilogue) -%}
struct Params {
    m: u32,
    // c × kh × kw: the length of a weight row.
    depth: u32,
    pixels: u32,
    ow: u32,
    h: u32,
    w: u32,
    kh: u32,
    kw: u32,
    stride_h: u32,
    stride_w: u32,
    pad_h: u32,
    pad_w: u32,
    dilation_h: u32,
    dilation_w: u32,
    image: u32,
    channels: u32,
    // A depth step of DEPTH taps, as whole channels, rows and columns of the kernel window.
    step_c: u32,
    step_ky: u32,
    step_kx: u32,
    _pad: u32,
{{- epilogue::params(e=epilogue) }}
}

@group(0) @binding(0) var<uniform> p: Params;
{%- endmacro params %}

{#- The image (n) of this workgroup and, with a folded upsampling, its phase. -#}
{% macro image(upsampled) -%}
{%- if upsampled %}
    let n = wid.z / 4u;
    let phase = wid.z % 4u;
{%- else %}
    let n = wid.z;
{%- endif %}
{%- endmacro image %}

{#- Added to a window's start along `axis` (h or w): phase (py, px) starts py rows and px
    columns further than the pads of 1 say. -#}
{% macro shift(upsampled, axis) -%}
{%- if upsampled and axis == "h" %} + (phase >> 1u){% elif upsampled %} + (phase & 1u){% endif -%}
{%- endmacro shift %}

{#- The phase, as a further argument or parameter of functions that need it. -#}
{% macro phase_argument(upsampled) -%}
{%- if upsampled %}, phase{% endif -%}
{%- endmacro phase_argument %}

{% macro phase_parameter(upsampled) -%}
{%- if upsampled %}, phase: u32{% endif -%}
{%- endmacro phase_parameter %}

{#- Weight row `m` of this phase: each phase's rows follow the previous phase's. -#}
{% macro phase_row(upsampled, m) -%}
{%- if upsampled %}(phase * p.m + {{ m }}){% else %}{{ m }}{% endif -%}
{%- endmacro phase_row %}

{#- Where the taps of a weight row lie in the kernel window. -#}
{% macro taps() -%}
// Tap k of a weight row as (channel, ky, kx).
fn tap_of(k: u32) -> vec3<u32> {
    let taps = p.kh * p.kw;
    let c = k / taps;
    let ky = (k - c * taps) / p.kw;
    return vec3(c, ky, k - c * taps - ky * p.kw);
}

// The tap DEPTH further along a weight row.
fn advanced(tap: vec3<u32>) -> vec3<u32> {
    var t = tap + vec3(p.step_c, p.step_ky, p.step_kx);
    if t.z >= p.kw {
        t.z -= p.kw;
        t.y += 1u;
    }
    if t.y >= p.kh {
        t.y -= p.kh;
        t.x += 1u;
    }
    return t;
}
{%- endmacro taps %}

{#- `read`: the function that reads x (load_ widens, fetch_ reads as stored); `float`: the type
    it returns; `zero`: that type's zero. -#}
{% macro gather(pointwise, read, zero, float) -%}
// The input value that `tap` contributes to output pixel q, whose window starts at `window`
// (unsigned wrap-around makes positions above or left of the edge fail the bound check too).
fn gathered(x_image: u32, tap: vec3<u32>, q: u32, window: vec2<u32>) -> {{ float }} {
    if tap.x >= p.channels || q >= p.pixels {
        return {{ zero }};
    }
{%- if pointwise %}
    // 1×1, stride 1, no padding: the patch is the input itself.
    return {{ read }}x(x_image + tap.x * p.pixels + q);
{%- else %}
    let iy = window.x + tap.y * p.dilation_h;
    let ix = window.y + tap.z * p.dilation_w;
    if iy >= p.h || ix >= p.w {
        return {{ zero }};
    }
    return {{ read }}x(x_image + (tap.x * p.h + iy) * p.w + ix);
{%- endif %}
}
{%- endmacro gather %}

{#- Stores the sum v of output channel m, pixel px of image n, through bias and epilogue. -#}
{% macro store(has_bias, upsampled) -%}
fn store(m: u32, px: u32, n: u32{{ self::phase_parameter(upsampled=upsampled) }}, v: f32) {
    if m >= p.m || px >= p.pixels {
        return;
    }
{%- if upsampled %}
    // Pixel (a, b) of the phase with row parity r and column parity c is pixel (2a + r, 2b + c)
    // of the output, which has 4 times the phase's pixels in rows twice as long.
    let at = (2u * (px / p.ow) + (phase >> 1u)) * 2u * p.ow + 2u * (px % p.ow) + (phase & 1u);
    let o = stored((n * p.m + m) * 4u * p.pixels + at);
{%- else %}
    let o = stored((n * p.m + m) * p.pixels + px);
{%- endif %}
{%- if has_bias %}
    store_y(o, epilogue(v + load_bias(m), o));
{%- else %}
    store_y(o, epilogue(v, o));
{%- endif %}
}
{%- endmacro store %}
