{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/matmul.wgsl" as matmul %}
// y[batch, i, j] = alpha * sum_k a[batch, i, k] * b[batch, k, j]{% if has_c %} + beta * c[i, j]{% endif %}, tiled: each workgroup of
// 16×16 invocations computes a 64×64 tile of (i, j), 4×4 outputs per invocation, staging 16-deep
// slices of a and b in workgroup memory. Operands are read through strides, as in matmul.wgsl.
{{ matmul::declare(has_c=has_c, epilogue=epilogue, ty=float) }}

{{ epilogue::function(e=epilogue, ty="f32") }}

const DEPTH: u32 = 16u;

// [k][i] and [k][j] slices of the current depth step, in fours along i and j.
var<workgroup> a_tile: array<array<vec4<f32>, 16>, 16>;
var<workgroup> b_tile: array<array<vec4<f32>, 16>, 16>;

@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) flat: u32,
) {
    // This invocation's place (ty, tx) in the 16×16 grid of 4×4 tiles; each run of 32 invocations
    // (an NVIDIA warp) takes a 4×8 block, as in conv_gemm.wgsl.
    let ty = (flat >> 6u) * 4u + ((flat & 31u) >> 3u);
    let tx = ((flat >> 5u) & 1u) * 8u + (flat & 7u);
    let i0 = wid.y * 64u;
    let j0 = wid.x * 64u;
    var rest = wid.z;
    var a_at = p.a_offset;
    var b_at = p.b_offset;
{{- matmul::batch(batch_rank=batch_rank) }}
{%- for a in range(end=4) %}{% for b in range(end=4) %}
    var acc{{ a }}_{{ b }} = 0.0;
{%- endfor %}{% endfor %}
    // Each invocation stages four values of each slice per step (64 × 16 = 1,024 each), walking
    // along whichever axis the operand is contiguous in, so neighbours read neighbouring memory.
    for (var k0 = 0u; k0 < p.k; k0 += DEPTH) {
{%- for s in range(end=4) %}
        {
            let e = flat + {{ s * 256 }}u;
{%- if a_along_k %}
            let i = e / DEPTH;
            let k = e % DEPTH;
{%- else %}
            let i = e % 64u;
            let k = e / 64u;
{%- endif %}
            var v = 0.0;
            if i0 + i < p.m && k0 + k < p.k {
                v = load_a(a_at + (i0 + i) * p.a_row + (k0 + k) * p.a_col);
            }
            a_tile[k][i >> 2u][i & 3u] = v;
        }
        {
            let e = flat + {{ s * 256 }}u;
{%- if b_along_j %}
            let j = e % 64u;
            let k = e / 64u;
{%- else %}
            let j = e / DEPTH;
            let k = e % DEPTH;
{%- endif %}
            var v = 0.0;
            if j0 + j < p.n && k0 + k < p.k {
                v = load_b(b_at + (k0 + k) * p.b_row + (j0 + j) * p.b_col);
            }
            b_tile[k][j >> 2u][j & 3u] = v;
        }
{%- endfor %}
        workgroupBarrier();
        // The 16 steps are written out: wgpu bounds every loop with a counter.
{%- for k in range(end=16) %}
        {
            let x = a_tile[{{ k }}][ty];
            let w = b_tile[{{ k }}][tx];
{%- for a in range(end=4) %}{% for b in range(end=4) %}
            acc{{ a }}_{{ b }} += x[{{ a }}] * w[{{ b }}];
{%- endfor %}{% endfor %}
        }
{%- endfor %}
        workgroupBarrier();
    }
{%- for a in range(end=4) %}{% for b in range(end=4) %}
    store(i0 + ty * 4u + {{ a }}u, j0 + tx * 4u + {{ b }}u, wid.z, acc{{ a }}_{{ b }});
{%- endfor %}{% endfor %}
}

fn store(i: u32, j: u32, batch: u32, acc: f32) {
    if i >= p.m || j >= p.n {
        return;
    }
    let o = (batch * p.m + i) * p.n + j;
{%- if has_c %}
    store_y(o, epilogue(p.alpha * acc + p.beta * load_c(i * p.c_row + j * p.c_col), o));
{%- else %}
    store_y(o, epilogue(p.alpha * acc, o));
{%- endif %}
}
