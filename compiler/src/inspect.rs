//! A readable summary of a plan: what `onnx2wgsl inspect` prints.

use std::fmt::Write;

use std::collections::BTreeMap;

use std::path::Path;

use onnx2wgsl_runtime::plan::{Dispatch, Io, Plan};

use crate::execute::{read_plan, RunError};
use crate::units::bytes;

/// What `onnx2wgsl inspect` prints for the bundle in `dir`. The plan is validated first, by the
/// runtime's own check, so a summary never indexes past what the plan holds.
pub fn bundle(dir: &Path) -> Result<String, RunError> {
    Ok(summary(&read_plan(dir)?))
}

/// The summary of a plan that passed [`Plan::validate`].
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
    let _ = writeln!(w, "dispatches by kernel:");
    for (kind, count) in dispatches_by_kernel(plan) {
        let _ = writeln!(w, "  {kind:<28} {count}");
    }
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

/// The kernel template a dispatch's shader was rendered from (its file name without the hash).
pub fn kernel_kind<'a>(plan: &'a Plan, dispatch: &Dispatch) -> &'a str {
    let file = &plan.shaders[dispatch.shader as usize].file;
    file.rsplit_once('-')
        .map_or(file.as_str(), |(stem, _)| stem)
}

/// Dispatch counts per kernel template, by name.
pub fn dispatches_by_kernel(plan: &Plan) -> BTreeMap<&str, usize> {
    let mut kinds = BTreeMap::new();
    for d in &plan.dispatches {
        *kinds.entry(kernel_kind(plan, d)).or_default() += 1;
    }
    kinds
}

/// Every dispatch's GPU time, in execution order: index, kernel, milliseconds, label (tab-separated,
/// with a header).
pub fn profile_table(plan: &Plan, nanoseconds: &[f64]) -> String {
    let mut out = String::from("dispatch\tkernel\tms\tlabel\n");
    for (i, (d, &ns)) in plan.dispatches.iter().zip(nanoseconds).enumerate() {
        let _ = writeln!(
            out,
            "{i}\t{}\t{:.4}\t{}",
            kernel_kind(plan, d),
            ns / 1e6,
            d.label
        );
    }
    out
}

/// Where a run's GPU time goes: per kernel template, then the slowest dispatches.
pub fn profile(plan: &Plan, nanoseconds: &[f64]) -> String {
    let kind = |d: &Dispatch| kernel_kind(plan, d).to_string();
    let total: f64 = nanoseconds.iter().sum();
    let mut kinds: Vec<(String, usize, f64)> = Vec::new();
    for (d, &ns) in plan.dispatches.iter().zip(nanoseconds) {
        let k = kind(d);
        match kinds.iter_mut().find(|(name, _, _)| *name == k) {
            Some(entry) => {
                entry.1 += 1;
                entry.2 += ns;
            }
            None => kinds.push((k, 1, ns)),
        }
    }
    kinds.sort_by(|a, b| b.2.total_cmp(&a.2));
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "GPU time, one pass per dispatch: {:.2} ms over {} dispatches",
        total / 1e6,
        nanoseconds.len()
    );
    for (name, count, ns) in &kinds {
        let _ = writeln!(
            w,
            "  {name:<28} {count:>4} dispatches {:>9.3} ms {:>5.1}%",
            ns / 1e6,
            100.0 * ns / total
        );
    }
    let mut slowest: Vec<usize> = (0..nanoseconds.len()).collect();
    slowest.sort_by(|&a, &b| nanoseconds[b].total_cmp(&nanoseconds[a]));
    let _ = writeln!(w, "slowest dispatches:");
    for &i in slowest.iter().take(15) {
        let d = &plan.dispatches[i];
        let _ = writeln!(
            w,
            "  {:>9.3} ms  {:<28} {}",
            nanoseconds[i] / 1e6,
            kind(d),
            d.label
        );
    }
    out
}

fn line(w: &mut String, io: &Io) {
    let dtype = format!("{:?}", io.dtype).to_lowercase();
    let _ = writeln!(w, "  {}: {dtype} {:?}", io.name, io.shape);
}
