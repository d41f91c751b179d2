{% import "macros/index.wgsl" as index %}
// BatchNormalization in inference mode: element i of x belongs to channel (i / inner) % channels,
// normalized with that channel's estimated mean and variance, then scaled and shifted.
struct Params {
    n: u32,
    channels: u32,
    inner: u32,
    epsilon: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> scale: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(5) var<storage, read> variance: array<f32>;
@group(0) @binding(6) var<storage, read_write> y: array<f32>;

{{ index::main(workgroup=workgroup, count="p.n") }}
    let c = (i / p.inner) % p.channels;
    y[i] = (x[i] - mean[c]) / sqrt(variance[c] + p.epsilon) * scale[c] + b[c];
}
