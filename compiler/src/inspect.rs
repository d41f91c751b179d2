//! A readable summary of a plan: what `onnx2wgsl inspect` prints.

use std::fmt::Write;

use onnx2wgsl_runtime::plan::{Io, Plan};

pub fn summary(plan: &Plan) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "plan format {}", plan.format_version);
    let _ = writeln!(w, "inputs:");
    for io in &plan.inputs {
        line(w, io);
    }
    let _ = writeln!(w, "outputs:");
    for io in &plan.outputs {
        line(w, io);
    }
    let l = &plan.limits;
    let _ = writeln!(
        w,
        "requires: {} per storage binding, {} per buffer, {} storage buffers per stage, {} invocations per workgroup, {} workgroups per dimension",
        bytes(l.max_storage_buffer_binding_size),
        bytes(l.max_buffer_size),
        l.max_storage_buffers_per_shader_stage,
        l.max_compute_invocations_per_workgroup,
        l.max_compute_workgroups_per_dimension
    );
    if !plan.features.is_empty() {
        let _ = writeln!(w, "features: {}", plan.features.join(", "));
    }
    let (weights, activations): (Vec<_>, Vec<_>) =
        plan.buffers.iter().partition(|b| b.shard.is_some());
    let total = |v: &[&onnx2wgsl_runtime::plan::Buffer]| v.iter().map(|b| b.size).sum::<u64>();
    let _ = writeln!(
        w,
        "buffers: {} for activations and i/o ({}), {} weight shards ({})",
        activations.len(),
        bytes(total(&activations)),
        weights.len(),
        bytes(total(&weights))
    );
    let _ = writeln!(w, "shaders: {}", plan.shaders.len());
    for (i, shader) in plan.shaders.iter().enumerate() {
        let uses = plan
            .dispatches
            .iter()
            .filter(|d| d.shader as usize == i)
            .count();
        let _ = writeln!(w, "  {}  ({uses} dispatches)", shader.file);
    }
    let _ = writeln!(w, "dispatches: {}", plan.dispatches.len());
    for d in &plan.dispatches {
        let [x, y, z] = d.workgroups;
        let shader = &plan.shaders[d.shader as usize].file;
        let _ = writeln!(w, "  {:<32} {shader}  [{x}, {y}, {z}]", d.label);
    }
    out
}

fn line(w: &mut String, io: &Io) {
    let dtype = format!("{:?}", io.dtype).to_lowercase();
    let _ = writeln!(w, "  {}: {dtype} {:?}", io.name, io.shape);
}

/// Bytes in the largest binary unit that keeps the number at least 1.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
