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
            stack.extend(graph.nodes[node].reads().filter_map(|t| graph.producer(t)));
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

#[cfg(test)]
mod tests {
    use crate::testing::{op_types, Builder};

    #[test]
    fn unused_branches_are_removed() {
        let mut b = Builder::default();
        let x = b.input("x", &[4]);
        let y = b.node("Relu", &[x]);
        let unused = b.node("Sigmoid", &[x]);
        b.node("Relu", &[unused]);
        let graph = super::run(b.finish(&[y]));
        assert_eq!(op_types(&graph), ["Relu"]);
    }
}
