{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/conv.wgsl" as conv %}
enable wgpu_cooperative_matrix;

// Convolution of one group as a matrix product per image ("implicit GEMM") on cooperative
// matrices: y[n, m, q] = sum_k weight[m, k] * patch[n, k, q]{% if has_bias %} + bias[m]{% endif %}, k over (channel, ky, kx).
// A workgroup of {{ sg_m * sg_q }} subgroups of 32 invocations computes a {{ tile_m }}×{{ tile_q }} tile of (m, q); the subgroups
// form a {{ sg_m }}×{{ sg_q }} grid, each multiplying {{ fm }}×{{ fq }} 16×16 f16 matrices into f32 sums, {{ depth }} taps per step.
{%- if direct_x %} A 1×1
// convolution reads both operands straight from memory.{% elif direct_w %} Weights are
// read straight from memory; patches are gathered into workgroup memory.{% else %} Weights
// and patches are staged in workgroup memory, 0 past the rows and taps.{% endif %}
{{ conv::params(epilogue=epilogue) }}
{#- Operands read as matrices straight from memory need no read function. #}
{%- if direct_x %}{% set read_x = "" %}{% else %}{% set read_x = "fetch" %}{% endif %}
{%- if direct_w %}{% set read_w = "" %}{% else %}{% set read_w = "fetch" %}{% endif %}
{{ conv::bindings(has_bias=has_bias, float=float, splits=splits, split_at=split_at, epilogue=epilogue, read_x=read_x, read_weight=read_w) }}

const TILE_M: u32 = {{ tile_m }}u;
const TILE_Q: u32 = {{ tile_q }}u;
const DEPTH: u32 = {{ depth }}u;
{%- if not direct_x %}
// Pixels of one staged run: consecutive in an output row.
const RUN: u32 = {{ run }}u;

// The staged step of patches, [q][k] (column-major).
var<workgroup> x_tile: array<f16, {{ depth * tile_q }}>;
{%- if not direct_w %}
// The staged step of weights, [m][k] (row-major).
var<workgroup> w_tile: array<f16, {{ tile_m * depth }}>;
{%- endif %}
{%- endif %}
// Each subgroup's 16×16 sums, on their way to the epilogue.
var<workgroup> sums: array<f32, {{ sg_m * sg_q * 256 }}>;

@compute @workgroup_size({{ sg_m * sg_q * 32 }})
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) flat: u32,
    @builtin(subgroup_id) sg: u32,
    @builtin(subgroup_invocation_id) lane: u32,
) {
    let m0 = wid.y * TILE_M;
    let p0 = wid.x * TILE_Q;
{{- conv::image(upsampled=upsampled) }}
    let x_image = n * p.image;
    // This subgroup's place in the {{ sg_m }}×{{ sg_q }} grid: rows and columns of its matrices.
    let sm = sg / {{ sg_q }}u * {{ fm * 16 }}u;
    let sq = sg % {{ sg_q }}u * {{ fq * 16 }}u;
{%- for i in range(end=fm) %}{% for j in range(end=fq) %}
    var acc{{ i }}_{{ j }} = coop_mat16x16<f32, C>();
{%- endfor %}{% endfor %}
{%- if not direct_x %}
    // The 8 runs of RUN pixels of the tile are staged by 32 invocations each, one tap of the
    // run each: a tap is decoded once per step, and a run's pixels are neighbours in an input
    // row. The next step's values are read into registers while this step's are multiplied.
    let run = flat / 32u;
    let row = flat % 32u;
    let q0 = p0 + run * RUN;
    let corner = vec2(
        (q0 / p.ow) * p.stride_h - p.pad_h{{ conv::shift(upsampled=upsampled, axis="h") }},
        (q0 % p.ow) * p.stride_w - p.pad_w{{ conv::shift(upsampled=upsampled, axis="w") }},
    );
    var tap = tap_of(row);
    var xv = run_of(x_image, tap, q0, corner);
{%- endif %}
{%- if direct_w %}
    // Weight rows are read as matrices straight from memory: the tile's rows and a step's taps
    // lie inside the weight (codegen checks).
    let w_row = ({{ conv::phase_row(upsampled=upsampled, m="m0") }} + sm) * p.depth;
{%- else %}
    // Weights are staged too, {{ w_slots }} per invocation (256 apart: neighbouring invocations read
    // neighbouring weights).
{%- for r in range(end=w_slots) %}
    var wv{{ r }} = weight_at(m0, 0u, flat + {{ r * 256 }}u{{ conv::phase_argument(upsampled=upsampled) }});
{%- endfor %}
{%- endif %}
{%- if direct_x %}
    // 1×1: the patch matrix is the input, whose rows are channels; the tile's pixels and a
    // step's channels lie inside it (codegen checks).
{%- endif %}
    for (var k0 = 0u; k0 < p.depth; k0 += DEPTH) {
{%- if not direct_x %}
{%- for j in range(end=run) %}
        x_tile[(run * RUN + {{ j }}u) * DEPTH + row] = xv[{{ j }}];
{%- endfor %}
{%- for r in range(end=w_slots) %}
        w_tile[flat + {{ r * 256 }}u] = wv{{ r }};
{%- endfor %}
        workgroupBarrier();
        if k0 + DEPTH < p.depth {
            tap = advanced(tap);
            xv = run_of(x_image, tap, q0, corner);
{%- for r in range(end=w_slots) %}
            wv{{ r }} = weight_at(m0, k0 + DEPTH, flat + {{ r * 256 }}u{{ conv::phase_argument(upsampled=upsampled) }});
{%- endfor %}
        }
{%- endif %}
{%- for k in range(end=depth / 16) %}
        {
{%- for i in range(end=fm) %}
{%- if direct_w %}
            let a{{ i }} = coopLoadT<coop_mat16x16<f16, A>>(&weight[w_row + {{ i * 16 }}u * p.depth + k0 + {{ k * 16 }}u], p.depth);
{%- else %}
            let a{{ i }} = coopLoadT<coop_mat16x16<f16, A>>(&w_tile[(sm + {{ i * 16 }}u) * DEPTH + {{ k * 16 }}u], DEPTH);
{%- endif %}
{%- endfor %}
{%- for j in range(end=fq) %}
{%- if direct_x %}
            let b{{ j }} = coopLoadT<coop_mat16x16<f16, B>>(&x[x_image + (k0 + {{ k * 16 }}u) * p.pixels + p0 + sq + {{ j * 16 }}u], p.pixels);
{%- else %}
            let b{{ j }} = coopLoad<coop_mat16x16<f16, B>>(&x_tile[(sq + {{ j * 16 }}u) * DEPTH + {{ k * 16 }}u], DEPTH);
{%- endif %}
{%- endfor %}
{%- for i in range(end=fm) %}{% for j in range(end=fq) %}
            acc{{ i }}_{{ j }} = coopMultiplyAdd(a{{ i }}, b{{ j }}, acc{{ i }}_{{ j }});
{%- endfor %}{% endfor %}
        }
{%- endfor %}
{%- if not direct_x %}
        workgroupBarrier();
{%- endif %}
    }
    // Each matrix of sums goes through workgroup memory, where the subgroup's 32 invocations
    // (the runtime requires subgroups of 32) take 8 values each through the epilogue.
    let mine = sg * 256u;
{%- for i in range(end=fm) %}{% for j in range(end=fq) %}
    coopStoreT(acc{{ i }}_{{ j }}, &sums[mine], 16u);
    workgroupBarrier();
    for (var e = lane; e < 256u; e += 32u) {
        store(m0 + sm + {{ i * 16 }}u + e / 16u, p0 + sq + {{ j * 16 }}u + e % 16u, n{{ conv::phase_argument(upsampled=upsampled) }}, sums[mine + e]);
    }
    workgroupBarrier();
{%- endfor %}{% endfor %}
}

{{ conv::store(has_bias=has_bias, upsampled=upsampled) }}
{%- if not direct_x %}

{{ conv::taps() }}

// The input values of tap `tap` for the RUN pixels from q0 on, whose windows start at `corner`
// and step by the stride (0 in the padding; unsigned wrap-around makes positions above or left
// of the edge fail the bound checks too).
fn run_of(x_image: u32, tap: vec3<u32>, q0: u32, corner: vec2<u32>) -> array<f16, {{ run }}> {
    var v: array<f16, {{ run }}>;
    let iy = corner.x + tap.y * p.dilation_h;
    if tap.x >= p.channels || q0 >= p.pixels || iy >= p.h {
        return v;
    }
    let ix = corner.y + tap.z * p.dilation_w;
    let at = x_image + (tap.x * p.h + iy) * p.w;
{%- for j in range(end=run) %}
    if ix + {{ j }}u * p.stride_w < p.w {
        v[{{ j }}] = fetch_x(at + ix + {{ j }}u * p.stride_w);
    }
{%- endfor %}
    return v;
}
{%- if not direct_w %}

// The weight that staging slot e (DEPTH values along each of TILE_M rows) holds at depth step k0.
fn weight_at(m0: u32, k0: u32, e: u32{{ conv::phase_parameter(upsampled=upsampled) }}) -> f16 {
    let m = m0 + e / DEPTH;
    let k = k0 + e % DEPTH;
    if k >= p.depth || m >= p.m {
        return 0.0h;
    }
    return fetch_weight({{ conv::phase_row(upsampled=upsampled, m="m") }} * p.depth + k);
}
{%- endif %}
{%- endif %}
