{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/conv.wgsl" as conv %}
enable wgpu_cooperative_matrix;

// Convolution of one group as a matrix product per image ("implicit GEMM") on cooperative
// matrices: y[n, m, q] = sum_k weight[m, k] * patch[n, k, q]{% if has_bias %} + bias[m]{% endif %}, k over (channel, ky, kx).
// A workgroup of 8 subgroups of 32 invocations computes a {{ tile_m }}×{{ tile_q }} tile of (m, q); the subgroups
// form a {{ sg_m }}×{{ sg_q }} grid, each multiplying {{ fm }}×{{ fq }} 16×16 f16 matrices into f32 sums, {{ depth }} taps per step.
{%- if direct_x %} A 1×1
// convolution reads both operands straight from memory.{% else %} Patches are
// gathered into workgroup memory, and the matrices loaded from there.{% endif %}
{{ conv::params(epilogue=epilogue) }}
{{ conv::bindings(has_bias=has_bias, float=float, splits=splits, split_at=split_at, epilogue=epilogue, fetch=not direct_x) }}

const TILE_M: u32 = {{ tile_m }}u;
const TILE_Q: u32 = {{ tile_q }}u;
const DEPTH: u32 = {{ depth }}u;
{%- if not direct_x %}
// Patch rows (taps) each invocation stages per step, consecutive along a weight row.
const ROWS: u32 = {{ x_slots }}u;

// The staged step of patches, [k][q] row-major.
var<workgroup> x_tile: array<f16, {{ depth * tile_q }}>;
{%- endif %}
// Each subgroup's 16×16 sums, on their way to the epilogue.
var<workgroup> sums: array<f32, {{ 8 * 256 }}>;

@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) flat: u32,
    @builtin(subgroup_id) sg: u32,
    @builtin(subgroup_invocation_id) lane: u32,
) {
    let m0 = wid.y * TILE_M;
    let p0 = wid.x * TILE_Q;
    let n = wid.z;
    let x_image = n * p.image;
    // This subgroup's place in the {{ sg_m }}×{{ sg_q }} grid: rows and columns of its matrices.
    let sm = sg / {{ sg_q }}u * {{ fm * 16 }}u;
    let sq = sg % {{ sg_q }}u * {{ fq * 16 }}u;
{%- for i in range(end=fm) %}{% for j in range(end=fq) %}
    var acc{{ i }}_{{ j }} = coop_mat16x16<f32, C>();
{%- endfor %}{% endfor %}
{%- if not direct_x %}
    // Every invocation stages one pixel column, ROWS consecutive taps of it; the next step's
    // values are read into registers while this step's are multiplied.
    let column = flat % TILE_Q;
    let q = p0 + column;
    let row0 = flat / TILE_Q * ROWS;
    let window = vec2(
        (q / p.ow) * p.stride_h - p.pad_h,
        (q % p.ow) * p.stride_w - p.pad_w,
    );
    var first = tap_of(row0);
    var tap = first;
{%- for r in range(end=x_slots) %}
    var xv{{ r }} = gathered(x_image, tap, q, window);
{%- if not loop.last %}
    tap = following(tap);
{%- endif %}
{%- endfor %}
{%- endif %}
    // Weight rows are read as matrices straight from memory: the tile's rows and a step's taps
    // lie inside the weight (codegen picks this kernel only then).
    let w_row = (m0 + sm) * p.depth;
    for (var k0 = 0u; k0 < p.depth; k0 += DEPTH) {
{%- if not direct_x %}
{%- for r in range(end=x_slots) %}
        x_tile[(row0 + {{ r }}u) * TILE_Q + column] = xv{{ r }};
{%- endfor %}
        workgroupBarrier();
        if k0 + DEPTH < p.depth {
            first = advanced(first);
            tap = first;
{%- for r in range(end=x_slots) %}
            xv{{ r }} = gathered(x_image, tap, q, window);
{%- if not loop.last %}
            tap = following(tap);
{%- endif %}
{%- endfor %}
        }
{%- endif %}
{%- for k in range(end=depth / 16) %}
        {
{%- for i in range(end=fm) %}
            let a{{ i }} = coopLoadT<coop_mat16x16<f16, A>>(&weight[w_row + {{ i * 16 }}u * p.depth + k0 + {{ k * 16 }}u], p.depth);
{%- endfor %}
{%- for j in range(end=fq) %}
{%- if direct_x %}
            // 1×1: the patch matrix is the input, whose rows are channels.
            let b{{ j }} = coopLoadT<coop_mat16x16<f16, B>>(&x[x_image + (k0 + {{ k * 16 }}u) * p.pixels + p0 + sq + {{ j * 16 }}u], p.pixels);
{%- else %}
            let b{{ j }} = coopLoadT<coop_mat16x16<f16, B>>(&x_tile[{{ k * 16 }}u * TILE_Q + sq + {{ j * 16 }}u], TILE_Q);
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
        store(m0 + sm + {{ i * 16 }}u + e / 16u, p0 + sq + {{ j * 16 }}u + e % 16u, n, sums[mine + e]);
    }
    workgroupBarrier();
{%- endfor %}{% endfor %}
}

{{ conv::store(has_bias=has_bias) }}
{%- if not direct_x %}

{{ conv::gather(pointwise=pointwise, read="fetch_", zero="0.0h", float=float) }}

// The tap one further along a weight row.
fn following(tap: vec3<u32>) -> vec3<u32> {
    var t = tap + vec3(0u, 0u, 1u);
    if t.z >= p.kw {
        t.z = 0u;
        t.y += 1u;
    }
    if t.y >= p.kh {
        t.y = 0u;
        t.x += 1u;
    }
    return t;
}
{%- endif %}
