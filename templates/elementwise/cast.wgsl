{% import "macros/index.wgsl" as index %}
// y = x converted from {{ from }} to {{ to }}, element by element. Booleans live on the device as
// u32 0 or 1.
struct Params {
    n: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<{{ from }}>;
@group(0) @binding(2) var<storage, read_write> y: array<{{ to }}>;

{{ index::main(workgroup=workgroup, count="p.n") }}
{%- if to_bool %}
    y[i] = select(0u, 1u, x[i] != {{ from }}(0));
{%- else %}
    y[i] = {{ to }}(x[i]);
{%- endif %}
}
