{% import "macros/index.wgsl" as index %}
{% import "macros/storage.wgsl" as storage %}
// y = x converted from {{ from }} to {{ to }}, element by element. Booleans live on the device as
// u32 0 or 1.
struct Params {
    n: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
{{ storage::declare(name="x", binding=1, ty=stored[0], access="read", splits=[], split_at=split_at) }}
{{ storage::declare(name="y", binding=2, ty=stored[1], access="read_write", splits=[], split_at=split_at) }}

{{ index::main(workgroup=workgroup, count="p.n") }}
{%- if to_bool %}
    store_y(i, select(0u, 1u, load_x(i) != {{ from }}(0)));
{%- else %}
    store_y(i, {{ to }}(load_x(i)));
{%- endif %}
}
