{% import "macros/index.wgsl" as index %}
{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/conv.wgsl" as conv %}
// Direct 2-D convolution, one invocation per output element, NCHW layout, grouped.
struct Params {
    batch: u32,
    c: u32,
    h: u32,
    w: u32,
    m: u32,
    oh: u32,
    ow: u32,
    group: u32,
    kh: u32,
    kw: u32,
    stride_h: u32,
    stride_w: u32,
    pad_h: u32,
    pad_w: u32,
    dilation_h: u32,
    dilation_w: u32,

{{- epilogue::params(e=epilogue) }}
}

@group(0) @binding(0) var<uniform> p: Params;
{{ conv::bindings(has_bias=has_bias, float=float, splits=splits, split_at=split_at, epilogue=epilogue, read_x="load", read_weight="load") }}

{{ index::main(workgroup=workgroup, count="p.batch * p.m * p.oh * p.ow") }}
    let ox = i % p.ow;
    let oy = (i / p.ow) % p.oh;
    let om = (i / (p.ow * p.oh)) % p.m;
    let n = i / (p.ow * p.oh * p.m);
{%- if upsampled %}
    // Output pixel (oy, ox) is pixel (oy / 2, ox / 2) of phase (oy % 2, ox % 2), whose window
    // starts that far further (see macros/conv.wgsl).
    let phase = (oy & 1u) * 2u + (ox & 1u);
    let wy = (oy >> 1u) - p.pad_h + (oy & 1u);
    let wx = (ox >> 1u) - p.pad_w + (ox & 1u);
{%- else %}
    let wy = oy * p.stride_h - p.pad_h;
    let wx = ox * p.stride_w - p.pad_w;
{%- endif %}
    let c_per_group = p.c / p.group;
    let first_c = (om / (p.m / p.group)) * c_per_group;
{%- if has_bias %}
    var acc = load_bias(om);
{%- else %}
    var acc = 0.0;
{%- endif %}
    for (var ci = 0u; ci < c_per_group; ci++) {
        let x_plane = (n * p.c + first_c + ci) * p.h;
        let w_plane = ({{ conv::phase_row(upsampled=upsampled, m="om") }} * c_per_group + ci) * p.kh;
{%- if window %}
        // The {{ window[0] }}×{{ window[1] }} window is written out: wgpu bounds every loop with a counter.
        // Unsigned wrap-around makes positions above or left of the edge fail the bound checks too.
{%- for ky in range(end=window[0]) %}
        {
            let iy = wy + {{ ky }}u * p.dilation_h;
            if iy < p.h {
{%- for kx in range(end=window[1]) %}
                {
                    let ix = wx + {{ kx }}u * p.dilation_w;
                    if ix < p.w {
                        acc += load_x((x_plane + iy) * p.w + ix) * load_weight((w_plane + {{ ky }}u) * p.kw + {{ kx }}u);
                    }
                }
{%- endfor %}
            }
        }
{%- endfor %}
{%- else %}
        for (var ky = 0u; ky < p.kh; ky++) {
            // Unsigned wrap-around makes positions above the top edge fail the bound check too.
            let iy = wy + ky * p.dilation_h;
            if iy >= p.h {
                continue;
            }
            for (var kx = 0u; kx < p.kw; kx++) {
                let ix = wx + kx * p.dilation_w;
                if ix >= p.w {
                    continue;
                }
                acc += load_x((x_plane + iy) * p.w + ix) * load_weight((w_plane + ky) * p.kw + kx);
            }
        }
{%- endif %}
    }
    let o = stored(i);
    store_y(o, epilogue(acc, o));
}
