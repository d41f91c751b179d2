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

#[cfg(test)]
mod tests {
    use onnx2wgsl_opset18::{Attribute, Tensor};

    use crate::testing::{op_types, Builder};

    #[test]
    fn shape_arithmetic_is_removed() {
        let mut b = Builder::default();
        let x = b.input("x", &[2, 3, 4]);
        let shape = b.node("Shape", &[x]);
        let zero = b.constant("zero", Tensor::from_i64(vec![], &[0]));
        let batch = b.node("Gather", &[shape, zero]);
        let axes = b.constant("axes", Tensor::from_i64(vec![1], &[0]));
        let batch = b.node("Unsqueeze", &[batch, axes]);
        let rest = b.constant("rest", Tensor::from_i64(vec![1], &[-1]));
        let target = b.node_with("Concat", &[("axis", Attribute::Int(0))], &[batch, rest]);
        let y = b.node("Reshape", &[x, target]);
        let graph = super::run(b.finish(&[y]));
        assert_eq!(op_types(&graph), ["Reshape"]);
        assert_eq!(graph.tensor(y).ty.shape, [2, 12]);
    }
}
