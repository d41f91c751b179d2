//! Views: nodes that produce no data of their own. A tensor made by views is read from the storage
//! of its root through an element offset and strides ([`View`]). Reshape-like operators are always
//! views; the `views` pass also turns Transposes, Slices and Expands into views where every reader
//! can follow strides, and same-type Casts into views always.

use onnx2wgsl_opset18::ops::slice::Slice;
use onnx2wgsl_opset18::Op;

use crate::ir::{Graph, TensorId};
use crate::strides::{reshape_strides, View};

/// The view of `tensor` over its storage root, or `None` where the views leading to it cannot be
/// expressed with strides.
pub fn view_of(graph: &Graph, tensor: TensorId) -> Option<View> {
    let shape = &graph.tensor(tensor).ty.shape;
    let node = match graph.producer(tensor).map(|n| &graph.nodes[n]) {
        Some(node) if node.view => node,
        _ => return Some(View::contiguous(shape)),
    };
    view_through(graph, &node.op, &node.inputs, tensor)
}

/// The view `op` would make of its first input, if it were a view.
pub fn view_through(
    graph: &Graph,
    op: &Op,
    inputs: &[Option<TensorId>],
    output: TensorId,
) -> Option<View> {
    let source = inputs.first().copied().flatten()?;
    let from = view_of(graph, source)?;
    let in_shape = &graph.tensor(source).ty.shape;
    let out_shape = &graph.tensor(output).ty.shape;
    match op {
        _ if op.is_reshape() => {
            let strides = reshape_strides(in_shape, &from.strides, out_shape)?;
            Some(View {
                offset: from.offset,
                strides,
            })
        }
        Op::Transpose(t) => {
            let perm = t.resolved_perm(in_shape.len()).ok()?;
            Some(View {
                offset: from.offset,
                strides: perm.iter().map(|&p| from.strides[p]).collect(),
            })
        }
        // A Cast to the type the tensor already has changes nothing.
        Op::Cast(cast) if cast.to == graph.tensor(source).ty.dtype => Some(from),
        Op::Expand(_) => Some(View {
            offset: from.offset,
            strides: from.broadcast(in_shape, out_shape),
        }),
        Op::Slice(_) => {
            let ranges = Slice::resolve(&graph.values(inputs)).ok()?;
            let mut offset = from.offset;
            let mut strides = Vec::with_capacity(ranges.len());
            for (range, &stride) in ranges.iter().zip(&from.strides) {
                // Negative steps would need signed strides; such slices stay copies.
                if range.step <= 0 {
                    return None;
                }
                offset += range.start * stride;
                strides.push(range.step as usize * stride);
            }
            Some(View { offset, strides })
        }
        _ => None,
    }
}

/// The tensor whose storage `tensor` uses: itself, or the source of the views it comes from.
pub fn storage_root(graph: &Graph, mut tensor: TensorId) -> TensorId {
    while let Some(node) = graph.producer(tensor).map(|n| &graph.nodes[n]) {
        if !node.view {
            break;
        }
        tensor = node.inputs[0].expect("a view always has its data input");
    }
    tensor
}
