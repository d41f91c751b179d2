//! Which float tensors an f16 plan keeps in f32. f16 holds integers only up to 2,048 exactly and
//! rounds 999 to a multiple of 0.5: the argument of a timestep embedding's Sin and Cos
//! (timestep × frequency) would be off by up to a quarter radian. Such arguments stay f32 where
//! every kernel that touches them can say so per binding: an elementwise producer and Unary
//! consumers (the Moebius UNet's Mul feeding both Sin and Cos).

use onnx2wgsl_opset18::ops::unary::UnaryKind;
use onnx2wgsl_opset18::Op;

use crate::ir::{Graph, TensorId};
use crate::target::Target;

/// The WGSL type `tensor` is stored as in a plan for `target`.
pub fn storage(graph: &Graph, target: &Target, tensor: TensorId) -> &'static str {
    match kept_wide(graph, target, tensor) {
        true => "f32",
        false => target.storage(graph.tensor(tensor).ty.dtype),
    }
}

fn kept_wide(graph: &Graph, target: &Target, tensor: TensorId) -> bool {
    if !target.converts(graph.tensor(tensor).ty.dtype) || graph.outputs.contains(&tensor) {
        return false;
    }
    let Some(producer) = graph.producer(tensor) else {
        return false;
    };
    let made = &graph.nodes[producer];
    let elementwise = matches!(made.op, Op::Binary(_) | Op::Unary(_));
    if made.view || !elementwise {
        return false;
    }
    let consumers = graph.consumers(tensor);
    let unary_reader = |n: &crate::ir::Node| {
        let operand = n
            .epilogue
            .as_ref()
            .is_some_and(|e| e.operands.contains(&tensor));
        matches!(n.op, Op::Unary(_)) && !n.view && !operand && n.inputs[0] == Some(tensor)
    };
    let periodic = |n: &crate::ir::Node| matches!(&n.op, Op::Unary(u) if matches!(u.kind, UnaryKind::Sin | UnaryKind::Cos));
    let nodes = || consumers.iter().map(|&c| &graph.nodes[c]);
    nodes().all(unary_reader) && nodes().any(periodic)
}
