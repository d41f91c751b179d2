{% import "macros/index.wgsl" as index %}
{% import "macros/storage.wgsl" as storage %}
// BatchNormalization in inference mode: element i of x belongs to channel (i / inner) % channels,
// normalized with that channel's estimated mean and variance, then scaled and shifted.
struct Params {
    n: u32,
    channels: u32,
    inner: u32,
    epsilon: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
{%- for name in ["x", "scale", "b", "mean", "variance"] %}
{{ storage::declare(name=name, binding=loop.index, ty=float, access="read", splits=[], split_at=split_at) }}
{%- endfor %}
{{ storage::declare(name="y", binding=6, ty=float, access="read_write", splits=[], split_at=split_at) }}

{{ index::main(workgroup=workgroup, count="p.n") }}
    let c = (i / p.inner) % p.channels;
    store_y(i, (load_x(i) - load_mean(c)) / sqrt(load_variance(c) + p.epsilon) * load_scale(c) + load_b(c));
}
