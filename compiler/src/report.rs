//! What `onnx2wgsl build --report` prints: the passes' effect, dispatches by kernel, memory
//! against its bounds, and weights.

use std::collections::BTreeMap;
use std::fmt;

use onnx2wgsl_opset18::DataType;

use crate::bundle::Bundle;
use crate::inspect::dispatches_by_kernel;
use crate::ir::Graph;
use crate::memory::MemoryStats;
use crate::units::bytes;

pub struct Report {
    pub decoded_nodes: usize,
    /// Node count after each pass, in the order they ran.
    pub passes: Vec<(&'static str, usize)>,
    pub dispatches: usize,
    /// Dispatches per kernel template.
    pub kernels: BTreeMap<String, usize>,
    /// Device nodes computing int64 values (shape arithmetic that was not folded away).
    pub int64_dispatches: usize,
    pub memory: MemoryStats,
    pub weight_bytes: u64,
    pub shards: usize,
}

impl Report {
    pub fn new(
        decoded_nodes: usize,
        passes: Vec<(&'static str, usize)>,
        memory: MemoryStats,
        int64_dispatches: usize,
        bundle: &Bundle,
    ) -> Report {
        let kernels = (dispatches_by_kernel(&bundle.plan).into_iter())
            .map(|(kind, count)| (kind.to_string(), count))
            .collect();
        Report {
            decoded_nodes,
            passes,
            dispatches: bundle.plan.dispatches.len(),
            kernels,
            int64_dispatches,
            memory,
            weight_bytes: bundle.plan.shards.iter().map(|s| s.size).sum(),
            shards: bundle.plan.shards.len(),
        }
    }
}

/// Device nodes (views excluded) that compute int64 values.
pub fn int64_dispatches(graph: &Graph) -> usize {
    (graph.nodes.node_weights())
        .filter(|n| !n.view)
        .filter(|n| {
            n.outputs
                .iter()
                .any(|&t| graph.tensor(t).ty.dtype == DataType::Int64)
        })
        .count()
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "passes (nodes after each):")?;
        writeln!(f, "  {:<28} {}", "decode", self.decoded_nodes)?;
        for (name, nodes) in &self.passes {
            writeln!(f, "  {name:<28} {nodes}")?;
        }
        writeln!(
            f,
            "dispatches: {} ({} compute int64)",
            self.dispatches, self.int64_dispatches
        )?;
        for (kind, count) in &self.kernels {
            writeln!(f, "  {kind:<28} {count}")?;
        }
        let m = &self.memory;
        let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        writeln!(
            f,
            "activation memory: planned {} = {:.3}× the lower bound of this schedule ({}); {:.3}× less than no reuse ({})",
            bytes(m.planned),
            ratio(m.planned, m.lower_bound),
            bytes(m.lower_bound),
            ratio(m.naive, m.planned),
            bytes(m.naive)
        )?;
        writeln!(
            f,
            "weights: {} in {} shards",
            bytes(self.weight_bytes),
            self.shards
        )?;
        writeln!(f, "goals (set for the Moebius UNet at B=2):")?;
        let met = |ok: bool| if ok { "met" } else { "NOT met" };
        let goals = [
            (
                format!(
                    "at most {DISPATCH_GOAL} dispatches per run: {}",
                    self.dispatches
                ),
                self.dispatches <= DISPATCH_GOAL,
            ),
            (
                format!("no int64 computation on the GPU: {}", self.int64_dispatches),
                self.int64_dispatches == 0,
            ),
            (
                format!(
                    "planned activations within {MEMORY_GOAL}× the lower bound: {:.3}×",
                    ratio(m.planned, m.lower_bound)
                ),
                ratio(m.planned, m.lower_bound) <= MEMORY_GOAL,
            ),
        ];
        for (goal, ok) in goals {
            writeln!(f, "  {goal:<60} {}", met(ok))?;
        }
        Ok(())
    }
}

/// The goals set for the passes on the Moebius UNet: dispatches per run, and planned activation
/// memory against the lower bound of the schedule.
const DISPATCH_GOAL: usize = 500;
const MEMORY_GOAL: f64 = 1.25;
