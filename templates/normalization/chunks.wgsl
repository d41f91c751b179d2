{% import "macros/index.wgsl" as index %}
{% import "macros/reduce.wgsl" as reduce %}
{% import "macros/storage.wgsl" as storage %}
// First step of standardizing long runs (p.groups runs of p.len elements): each workgroup takes
// one chunk of p.chunk elements of one run and writes its mean and its sum of squared deviations
// from that mean (two passes, reduced in workgroup memory) to stats[(run · p.chunks + chunk) · 2].
struct Params {
    groups: u32,
    len: u32,
    chunk: u32,
    chunks: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
{{ storage::declare(name="x", binding=1, ty=float, access="read", splits=splits, split_at=split_at) }}
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;

{{ reduce::functions(workgroup=workgroup, half=half) }}

{{ index::per_workgroup(workgroup=workgroup, name="slot", count="p.groups * p.chunks") }}
    let first = (slot % p.chunks) * p.chunk;
    let len = min(p.chunk, p.len - first);
    let start = (slot / p.chunks) * p.len + first;
    var sum = 0.0;
    for (var j = lid; j < len; j += {{ workgroup }}u) {
        sum += load_x(start + j);
    }
    let mean = reduce(lid, sum, 0u) / f32(len);
    var squares = 0.0;
    for (var j = lid; j < len; j += {{ workgroup }}u) {
        let d = load_x(start + j) - mean;
        squares += d * d;
    }
    let m2 = reduce(lid, squares, 0u);
    if lid == 0u {
        stats[slot * 2u] = mean;
        stats[slot * 2u + 1u] = m2;
    }
}
