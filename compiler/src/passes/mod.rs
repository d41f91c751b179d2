//! Graph-to-graph passes, run in a fixed order.

mod batch_norm;
mod dead;
mod einsum_sum;
mod fold;
mod fuse;
mod schedule;
mod siblings;
mod split;
mod views;

use crate::ir::Graph;

/// A pass: a named function from graph to graph.
pub type Pass = (&'static str, fn(Graph) -> Graph);

/// The passes in the order [`run`] applies them.
pub const ORDER: &[Pass] = &[
    ("fold constants", fold::run),
    ("lower splits to slices", split::run),
    ("remove dead nodes", dead::run),
    ("fold batch norms", batch_norm::run),
    ("merge sibling products", siblings::run),
    ("merge einsum sums", einsum_sum::run),
    ("fold layout ops into views", views::run),
    ("fuse elementwise epilogues", fuse::run),
    ("schedule", schedule::run),
];

/// Runs every pass in order, returning the graph and its node count after each pass.
pub fn run(mut graph: Graph) -> (Graph, Vec<(&'static str, usize)>) {
    let mut counts = Vec::with_capacity(ORDER.len());
    for (name, pass) in ORDER {
        graph = pass(graph);
        counts.push((*name, graph.nodes.node_count()));
    }
    (graph, counts)
}
