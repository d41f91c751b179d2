//! Turns Transposes, Slices (with positive steps), Expands and same-type Casts into views where every reader can
//! follow strides, so they cost no dispatch and no memory: the reader addresses the source tensor
//! directly. A view stays a copy when some reader needs contiguous data (convolutions,
//! normalizations, …), when it is a graph output, or when a later reshape of it cannot be
//! expressed with strides.
//!
//! Reshapes of a strided view are views too when the merged or split axes stay evenly spaced, and
//! a view laid out exactly like a fresh tensor (an Expand to the same shape) serves any reader.

use onnx2wgsl_opset18::Op;
use petgraph::stable_graph::NodeIndex;

use crate::ir::{Graph, TensorId};
use crate::views::{is_reshape, view_of, view_through, View};

pub fn run(mut graph: Graph) -> Graph {
    for index in graph.topological_order() {
        let node = &graph.nodes[index];
        let candidate = matches!(
            node.op,
            Op::Transpose(_) | Op::Slice(_) | Op::Expand(_) | Op::Cast(_)
        );
        if !candidate || node.view || node.epilogue.is_some() {
            continue;
        }
        let output = node.outputs[0];
        if view_through(&graph, &node.op, &node.inputs, output).is_none() {
            continue;
        }
        graph.nodes[index].view = true;
        if !readers_follow_strides(&graph, output) {
            graph.nodes[index].view = false;
        }
    }
    graph
}

/// Whether every reader of `tensor` (through reshapes) can read it through a view.
fn readers_follow_strides(graph: &Graph, tensor: TensorId) -> bool {
    let Some(view) = view_of(graph, tensor) else {
        return false;
    };
    // Laid out exactly like a fresh tensor (an Expand to the same shape, a Transpose of unit
    // axes): any reader will do.
    if view == View::contiguous(&graph.tensor(tensor).ty.shape) {
        return true;
    }
    if graph.outputs.contains(&tensor) {
        return false;
    }
    graph.consumers(tensor).into_iter().all(|consumer| {
        let node = &graph.nodes[consumer];
        if node.view && is_reshape(&node.op) {
            return readers_follow_strides(graph, node.outputs[0]);
        }
        (node.inputs.iter().enumerate())
            .filter(|(_, t)| **t == Some(tensor))
            .all(|(position, _)| follows_strides(graph, consumer, position))
    })
}

/// Kernels that read the input at `position` through an offset and strides. Convolutions could
/// too, but measured on an H200 (with the direct kernel) the UNet ran 36% slower with its
/// token-layout (NHWC) inputs read in place than with them transposed first, so they read
/// contiguous data.
fn follows_strides(graph: &Graph, node: NodeIndex, position: usize) -> bool {
    match graph.nodes[node].op {
        Op::Binary(_) | Op::Unary(_) | Op::Einsum(_) | Op::MatMul(_) => true,
        Op::Transpose(_) | Op::Concat(_) => true,
        Op::Slice(_) | Op::Expand(_) | Op::Softmax(_) => position == 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use onnx2wgsl_opset18::Attribute;

    use crate::testing::Builder;

    #[test]
    fn a_transpose_read_by_an_add_becomes_a_view() {
        let mut b = Builder::default();
        let x = b.input("x", &[2, 3]);
        let other = b.input("other", &[3, 2]);
        let t = b.node_with("Transpose", &[("perm", Attribute::Ints(vec![1, 0]))], &[x]);
        let y = b.node("Add", &[t, other]);
        let graph = super::run(b.finish(&[y]));
        let transpose = graph.producer(t).unwrap();
        assert!(graph.nodes[transpose].view);
    }

    #[test]
    fn a_transpose_read_by_a_softmax_becomes_a_view() {
        let mut b = Builder::default();
        let x = b.input("x", &[2, 3]);
        let t = b.node_with("Transpose", &[("perm", Attribute::Ints(vec![1, 0]))], &[x]);
        let y = b.node("Softmax", &[t]);
        let graph = super::run(b.finish(&[y]));
        assert!(graph.nodes[graph.producer(t).unwrap()].view);
    }

    #[test]
    fn a_transpose_read_by_a_layer_norm_stays_a_copy() {
        let mut b = Builder::default();
        let x = b.input("x", &[2, 3]);
        let scale = b.input("scale", &[2]);
        let t = b.node_with("Transpose", &[("perm", Attribute::Ints(vec![1, 0]))], &[x]);
        let y = b.node("LayerNormalization", &[t, scale]);
        let graph = super::run(b.finish(&[y]));
        assert!(!graph.nodes[graph.producer(t).unwrap()].view);
    }

    #[test]
    fn an_expand_to_the_same_shape_is_a_view_for_any_reader() {
        let mut b = Builder::default();
        let x = b.input("x", &[2]);
        let shape = b.constant("shape", onnx2wgsl_opset18::Tensor::from_i64(vec![1], &[2]));
        let e = b.node("Expand", &[x, shape]);
        let y = b.node("Softmax", &[e]);
        let graph = super::run(b.finish(&[y]));
        assert!(graph.nodes[graph.producer(e).unwrap()].view);
    }
}
