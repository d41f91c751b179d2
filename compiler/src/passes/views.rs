//! Turns Transposes, Slices (with positive steps), Expands and same-type Casts into views where every reader can
//! follow strides, so they cost no dispatch and no memory: the reader addresses the source tensor
//! directly. A view stays a copy when some reader needs contiguous data (convolutions,
//! normalizations, …), when it is a graph output, or when a later reshape of it cannot be
//! expressed with strides.
//!
//! Reshapes of a strided view are views too when the merged or split axes stay evenly spaced, and
//! a view laid out exactly like a fresh tensor (an Expand to the same shape) serves any reader.

use crate::ir::{Graph, TensorId};
use crate::kernels::reads_strided;
use crate::strides::View;
use crate::views::{view_of, view_through};

pub fn run(mut graph: Graph) -> Graph {
    for index in graph.topological_order() {
        let node = &graph.nodes[index];
        let Some(&output) = node.outputs.first() else {
            continue;
        };
        // Reshape-like nodes are views already; view_through says which others can be.
        if node.view || node.epilogue.is_some() {
            continue;
        }
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
        if node.view && node.op.is_reshape() {
            return readers_follow_strides(graph, node.outputs[0]);
        }
        (node.inputs.iter().enumerate())
            .filter(|(_, t)| **t == Some(tensor))
            .all(|(position, _)| reads_strided(&node.op, position))
    })
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
