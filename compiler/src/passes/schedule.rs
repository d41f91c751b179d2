//! Scheduling: a topological order that keeps live memory low. Each node runs as late as it can,
//! right before the first node that needs it: a depth-first walk from the graph outputs emits a
//! node after its inputs. Branches that hang off the main path (the UNet's cross-attention
//! lambdas, computed from the prompt alone) are then produced where they are used rather than
//! all at the start, where they would stay live for the whole run.

use std::collections::HashSet;

use petgraph::stable_graph::NodeIndex;

use crate::ir::Graph;

pub fn run(mut graph: Graph) -> Graph {
    graph.schedule = order(&graph);
    graph
}

fn order(graph: &Graph) -> Vec<NodeIndex> {
    let mut done: HashSet<NodeIndex> = HashSet::new();
    let mut out = Vec::with_capacity(graph.nodes.node_count());
    // Roots: producers of the outputs, then any node nothing consumes (kept by earlier passes).
    let mut roots: Vec<NodeIndex> = graph
        .outputs
        .iter()
        .filter_map(|&t| graph.producer(t))
        .collect();
    roots.extend(graph.topological_order());
    for root in roots {
        // (node, whether its inputs have been pushed)
        let mut stack = vec![(root, false)];
        while let Some((node, expanded)) = stack.pop() {
            if done.contains(&node) {
                continue;
            }
            if expanded {
                done.insert(node);
                out.push(node);
                continue;
            }
            stack.push((node, true));
            // Pushed in reverse so the first input's producer is scheduled first.
            let producers: Vec<NodeIndex> = (graph.nodes[node].reads())
                .filter_map(|t| graph.producer(t))
                .collect();
            for producer in producers.into_iter().rev() {
                if !done.contains(&producer) {
                    stack.push((producer, false));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::testing::{op_types, Builder};

    #[test]
    fn side_branches_run_right_before_their_use() {
        // The Sigmoid branch depends only on `c` and could run first; it should run just before
        // the Mul that needs it, so its result is not live during the Relu chain.
        let mut b = Builder::default();
        let c = b.input("c", &[4]);
        let x = b.input("x", &[4]);
        let side = b.node("Sigmoid", &[c]);
        let h = b.node("Relu", &[x]);
        let h = b.node("Relu", &[h]);
        let y = b.node("Mul", &[h, side]);
        let graph = super::run(b.finish(&[y]));
        assert_eq!(op_types(&graph), ["Relu", "Relu", "Sigmoid", "Mul"]);
    }
}
