//! Removes nodes none of whose outputs reach a graph output.

use std::collections::HashSet;

use crate::ir::Graph;

pub fn run(mut graph: Graph) -> Graph {
    let mut live = HashSet::new();
    let mut stack: Vec<_> = graph
        .outputs
        .iter()
        .filter_map(|&t| graph.producer(t))
        .collect();
    while let Some(node) = stack.pop() {
        if live.insert(node) {
            stack.extend(
                graph.nodes[node]
                    .inputs
                    .iter()
                    .flatten()
                    .filter_map(|&t| graph.producer(t)),
            );
        }
    }
    let dead: Vec<_> = graph
        .nodes
        .node_indices()
        .filter(|n| !live.contains(n))
        .collect();
    for node in dead {
        graph.remove_node(node);
    }
    graph
}
