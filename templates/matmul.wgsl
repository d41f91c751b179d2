{% import "macros/index.wgsl" as index %}
{% import "macros/epilogue.wgsl" as epilogue %}
// y[batch, i, j] = alpha * sum_k a[batch, i, k] * b[batch, k, j]{% if has_c %} + beta * c[i, j]{% endif %}.
// Every operand is addressed through strides, so transposed operands (Gemm's transA/transB),
// broadcast batch axes (stride 0) and a broadcast bias need no copies.
struct Params {
    m: u32,
    n: u32,
    k: u32,
    total: u32,
    alpha: f32,
    beta: f32,
    c_row: u32,
    c_col: u32,
    a_row: u32,
    a_col: u32,
    b_row: u32,
    b_col: u32,
    a_offset: u32,
    b_offset: u32,
    batch_shape: array<vec4<u32>, 2>,
    a_batch_strides: array<vec4<u32>, 2>,
    b_batch_strides: array<vec4<u32>, 2>,
{{- epilogue::params(e=epilogue) }}
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
{%- if has_c %}
@group(0) @binding(3) var<storage, read> c: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
{%- else %}
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
{%- endif %}
{{- epilogue::bindings(e=epilogue) }}

{{ epilogue::function(e=epilogue, ty="f32") }}

{{ index::main(workgroup=workgroup, count="p.total") }}
    let col = i % p.n;
    let row = (i / p.n) % p.m;
    var rest = i / (p.n * p.m);
    var a_at = p.a_offset + row * p.a_row;
    var b_at = p.b_offset + col * p.b_col;
{%- for axis in range(end=batch_rank) | reverse %}
    {
        let size = p.batch_shape[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        let coord = rest % size;
        rest /= size;
        a_at += coord * p.a_batch_strides[{{ axis }}u >> 2u][{{ axis }}u & 3u];
        b_at += coord * p.b_batch_strides[{{ axis }}u >> 2u][{{ axis }}u & 3u];
    }
{%- endfor %}
    var acc = 0.0;
    // Four terms per iteration, then the rest: wgpu bounds every loop with a counter, which costs
    // more than one multiply-add.
    var kk = 0u;
    for (; kk + 3u < p.k; kk += 4u) {
{%- for u in range(end=4) %}
        acc += a[a_at + (kk + {{ u }}u) * p.a_col] * b[b_at + (kk + {{ u }}u) * p.b_row];
{%- endfor %}
    }
    for (; kk < p.k; kk++) {
        acc += a[a_at + kk * p.a_col] * b[b_at + kk * p.b_row];
    }
{%- if has_c %}
    y[i] = epilogue(p.alpha * acc + p.beta * c[row * p.c_row + col * p.c_col], i);
{%- else %}
    y[i] = epilogue(p.alpha * acc, i);
{%- endif %}
}
