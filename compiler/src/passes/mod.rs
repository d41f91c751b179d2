//! Graph-to-graph passes, run in a fixed order.

mod batch_norm;
mod dead;
mod einsum_order;
mod einsum_sum;
mod fold;
mod fuse;
mod schedule;
mod siblings;
mod split;
mod upsample;
mod views;

use crate::ir::Graph;
use crate::verify::verify;
use crate::CompileError;

/// A pass: a named function from graph to graph.
pub type Pass = (&'static str, fn(Graph) -> Graph);

/// A pass's name and the graph's node count after it.
pub type NodeCount = (&'static str, usize);

/// The passes in the order [`run`] applies them.
pub const ORDER: &[Pass] = &[
    ("fold constants", fold::run),
    ("lower splits to slices", split::run),
    ("remove dead nodes", dead::run),
    ("fold batch norms", batch_norm::run),
    ("merge sibling products", siblings::run),
    ("regroup chained einsums", einsum_order::run),
    ("merge einsum sums", einsum_sum::run),
    ("fold upsampling into convolutions", upsample::run),
    ("fold layout ops into views", views::run),
    ("fuse elementwise epilogues", fuse::run),
    ("schedule", schedule::run),
];

/// Runs every pass in order, returning the graph and its node count after each pass. In debug
/// builds (tests, fuzzing) the IR is verified before the first pass and after each one; a broken
/// invariant is a compiler bug, reported with the pass that broke it.
pub fn run(mut graph: Graph) -> Result<(Graph, Vec<NodeCount>), CompileError> {
    check("decode", &graph)?;
    let mut counts = Vec::with_capacity(ORDER.len());
    for (name, pass) in ORDER {
        graph = pass(graph);
        check(name, &graph)?;
        counts.push((*name, graph.nodes.node_count()));
    }
    Ok((graph, counts))
}

fn check(stage: &str, graph: &Graph) -> Result<(), CompileError> {
    if cfg!(debug_assertions) {
        verify(graph).map_err(|reason| CompileError::Ir {
            stage: stage.to_owned(),
            reason,
        })?;
    }
    Ok(())
}
