{% import "macros/index.wgsl" as index %}
// Second step: one invocation per run merges its chunks' means and squared deviations (Chan et
// al.'s pairwise update, which stays accurate for long runs) and writes the run's mean and
// 1 / sqrt(variance + epsilon) after the chunk statistics.
struct Params {
    groups: u32,
    len: u32,
    chunk: u32,
    chunks: u32,
    epsilon: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> stats: array<f32>;

{{ index::main(workgroup=workgroup, count="p.groups") }}
    var n = 0.0;
    var mean = 0.0;
    var m2 = 0.0;
    for (var c = 0u; c < p.chunks; c++) {
        let nb = f32(min(p.chunk, p.len - c * p.chunk));
        let mb = stats[(i * p.chunks + c) * 2u];
        let delta = mb - mean;
        let total = n + nb;
        mean += delta * nb / total;
        m2 += stats[(i * p.chunks + c) * 2u + 1u] + delta * delta * n * nb / total;
        n = total;
    }
    let out = (p.groups * p.chunks + i) * 2u;
    stats[out] = mean;
    stats[out + 1u] = 1.0 / sqrt(m2 / n + p.epsilon);
}
