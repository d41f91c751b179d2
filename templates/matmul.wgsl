{% import "macros/index.wgsl" as index %}
{% import "macros/epilogue.wgsl" as epilogue %}
{% import "macros/matmul.wgsl" as matmul %}
// y[batch, i, j] = alpha * sum_k a[batch, i, k] * b[batch, k, j]{% if has_c %} + beta * c[i, j]{% endif %}.
// Every operand is addressed through strides, so transposed operands (Gemm's transA/transB),
// broadcast batch axes (stride 0) and a broadcast bias need no copies.
{{ matmul::declare(has_c=has_c, epilogue=epilogue, ty=float) }}

{{ epilogue::function(e=epilogue, ty="f32") }}

{{ index::main(workgroup=workgroup, count="p.total") }}
    let col = i % p.n;
    let row = (i / p.n) % p.m;
    var rest = i / (p.n * p.m);
    var a_at = p.a_offset + row * p.a_row;
    var b_at = p.b_offset + col * p.b_col;
{{- matmul::batch(batch_rank=batch_rank) }}
    var acc = 0.0;
    // Four terms per iteration, then the rest: wgpu bounds every loop with a counter, which costs
    // more than one multiply-add.
    var kk = 0u;
    for (; kk + 3u < p.k; kk += 4u) {
{%- for u in range(end=4) %}
        acc += load_a(a_at + (kk + {{ u }}u) * p.a_col) * load_b(b_at + (kk + {{ u }}u) * p.b_row);
{%- endfor %}
    }
    for (; kk < p.k; kk++) {
        acc += load_a(a_at + kk * p.a_col) * load_b(b_at + kk * p.b_row);
    }
{%- if has_c %}
    store_y(i, epilogue(p.alpha * acc + p.beta * load_c(row * p.c_row + col * p.c_col), i));
{%- else %}
    store_y(i, epilogue(p.alpha * acc, i));
{%- endif %}
}
