//! Constant folding: decoding already computed every build-time-known value (shape arithmetic,
//! constant subgraphs); this pass removes the nodes that produced them.

use crate::ir::Graph;

pub fn run(mut graph: Graph) -> Graph {
    let folded: Vec<_> = graph
        .nodes
        .node_indices()
        .filter(|&n| graph.nodes[n].outputs.iter().all(|&t| graph.is_constant(t)))
        .collect();
    for node in folded {
        graph.remove_node(node);
    }
    graph
}
