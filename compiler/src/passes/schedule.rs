//! Scheduling: a topological order that keeps live memory low. Among the nodes whose inputs are
//! ready, it runs the one that grows live memory least (its outputs' bytes minus the bytes of the
//! inputs it is the last reader of), so branches finish before new ones start. Ties keep the
//! model's own order.

use std::collections::{HashMap, HashSet};

use petgraph::stable_graph::NodeIndex;

use crate::ir::{Graph, TensorId};
use crate::memory::storage_root;

pub fn run(mut graph: Graph) -> Graph {
    graph.schedule = order(&graph);
    graph
}

fn order(graph: &Graph) -> Vec<NodeIndex> {
    let nodes = graph.topological_order();
    let rank: HashMap<NodeIndex, usize> = nodes.iter().enumerate().map(|(i, &n)| (n, i)).collect();
    // Readers still to run, per storage root (views keep their source alive).
    let mut readers: HashMap<TensorId, usize> = HashMap::new();
    for &n in &nodes {
        for &t in graph.nodes[n].inputs.iter().flatten() {
            *readers.entry(storage_root(graph, t)).or_default() += 1;
        }
    }
    let mut waiting: HashMap<NodeIndex, usize> = HashMap::new();
    for &n in &nodes {
        let producers: HashSet<NodeIndex> = graph.nodes[n]
            .inputs
            .iter()
            .flatten()
            .filter_map(|&t| graph.producer(t))
            .collect();
        waiting.insert(n, producers.len());
    }
    let mut ready: Vec<NodeIndex> = nodes.iter().copied().filter(|n| waiting[n] == 0).collect();
    let mut out = Vec::with_capacity(nodes.len());
    while !ready.is_empty() {
        let best = (0..ready.len())
            .min_by_key(|&i| (growth(graph, ready[i], &readers), rank[&ready[i]]))
            .expect("ready is not empty");
        let node = ready.swap_remove(best);
        for &t in graph.nodes[node].inputs.iter().flatten() {
            *readers
                .get_mut(&storage_root(graph, t))
                .expect("counted above") -= 1;
        }
        let mut released = HashSet::new();
        for &t in &graph.nodes[node].outputs {
            for consumer in graph.consumers(t) {
                if released.insert(consumer) {
                    let w = waiting.get_mut(&consumer).expect("every node is counted");
                    *w -= 1;
                    if *w == 0 {
                        ready.push(consumer);
                    }
                }
            }
        }
        out.push(node);
    }
    out
}

/// Bytes running `node` now adds to live memory.
fn growth(graph: &Graph, node: NodeIndex, readers: &HashMap<TensorId, usize>) -> i64 {
    let bytes = |t: TensorId| (graph.tensor(t).ty.numel() * 4) as i64;
    let n = &graph.nodes[node];
    let added: i64 = n.outputs.iter().map(|&t| bytes(t)).sum();
    let mut roots: Vec<TensorId> = n
        .inputs
        .iter()
        .flatten()
        .map(|&t| storage_root(graph, t))
        .collect();
    roots.sort();
    roots.dedup();
    let freed: i64 = (roots.into_iter())
        .filter(|r| !graph.is_constant(*r) && !graph.outputs.contains(r))
        .filter(|r| {
            let uses = n
                .inputs
                .iter()
                .flatten()
                .filter(|&&t| storage_root(graph, t) == *r)
                .count();
            readers[r] == uses
        })
        .map(bytes)
        .sum();
    added - freed
}
