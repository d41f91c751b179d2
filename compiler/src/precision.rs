//! Which float tensors an f16 plan keeps in f32. f16 keeps 11 significant bits: 999 × 0.9 would
//! be off by up to a quarter, and a timestep embedding's Sin and Cos of it by a quarter radian.
//! Such arguments stay f32 where every kernel that touches them can say so per binding: an
//! elementwise producer and Unary consumers (the Moebius UNet's Mul feeding both Sin and Cos), and
//! so do the constants (the frequencies) that producer reads. The timesteps themselves are
//! integers, which f16 holds exactly up to 2,048. Where fusion takes Sin and Cos into the kernel
//! that computes their argument, the argument stays in f32 registers, but that kernel still reads
//! its constants as f16.

use onnx2wgsl_opset18::ops::unary::UnaryKind;
use onnx2wgsl_opset18::Op;
use petgraph::stable_graph::NodeIndex;

use crate::ir::{Graph, Node, TensorId};
use crate::target::Target;
use crate::views::storage_root;

/// The WGSL type `tensor` is stored as in a plan for `target` (a view, as the tensor it views).
pub fn storage(graph: &Graph, target: &Target, tensor: TensorId) -> &'static str {
    let root = storage_root(graph, tensor);
    match target.converts(graph.tensor(root).ty.dtype) && kept_wide(graph, root) {
        true => "f32",
        false => target.storage(graph.tensor(root).ty.dtype),
    }
}

fn kept_wide(graph: &Graph, tensor: TensorId) -> bool {
    if graph.outputs.contains(&tensor) {
        return false;
    }
    match graph.producer(tensor) {
        Some(producer) => periodic_argument(graph, producer, tensor),
        None if graph.is_constant(tensor) => {
            let consumers = graph.consumers(tensor);
            let into_wide = |&c: &NodeIndex| {
                let n = &graph.nodes[c];
                !is_operand(n, tensor) && kept_wide(graph, n.outputs[0])
            };
            !consumers.is_empty() && consumers.iter().all(into_wide)
        }
        None => false,
    }
}

/// Whether `tensor`, made by `producer`, is the argument of a Sin or Cos and only read by Unary
/// kernels, with an elementwise producer: kernels that type each binding on its own.
fn periodic_argument(graph: &Graph, producer: NodeIndex, tensor: TensorId) -> bool {
    let made = &graph.nodes[producer];
    if made.view || !matches!(made.op, Op::Binary(_) | Op::Unary(_)) {
        return false;
    }
    let consumers: Vec<&Node> = (graph.consumers(tensor).into_iter())
        .map(|c| &graph.nodes[c])
        .collect();
    let unary_reader = |n: &&Node| {
        matches!(n.op, Op::Unary(_))
            && !n.view
            && !is_operand(n, tensor)
            && n.inputs[0] == Some(tensor)
    };
    let periodic = |n: &&Node| matches!(&n.op, Op::Unary(u) if matches!(u.kind, UnaryKind::Sin | UnaryKind::Cos));
    consumers.iter().all(unary_reader) && consumers.iter().any(periodic)
}

/// Whether `node` reads `tensor` in its fused epilogue, whose operands share one storage type.
fn is_operand(node: &Node, tensor: TensorId) -> bool {
    (node.epilogue.as_ref()).is_some_and(|e| e.operands.contains(&tensor))
}

#[cfg(test)]
mod tests {
    use onnx2wgsl_opset18::Tensor;

    use super::*;
    use crate::target::Precision;
    use crate::testing::Builder;

    #[test]
    fn an_f16_plan_keeps_the_argument_of_sin_and_cos_and_its_constants_in_f32() {
        let mut b = Builder::default();
        let t = b.input("t", &[2, 1]);
        let freq = b.constant("freq", Tensor::from_f32(vec![1, 4], &[1.0, 0.3, 0.1, 0.03]));
        let other = b.constant("other", Tensor::from_f32(vec![1, 4], &[2.0; 4]));
        let arg = b.node("Mul", &[t, freq]);
        let sin = b.node("Sin", &[arg]);
        let cos = b.node("Cos", &[arg]);
        let scaled = b.node("Mul", &[sin, other]);
        let both = b.node("Add", &[scaled, cos]);
        let graph = b.finish(&[both]);
        let f16 = Target::default().with_precision(Precision::F16);
        let stored = |t| storage(&graph, &f16, t);
        assert_eq!([stored(arg), stored(freq)], ["f32", "f32"]);
        assert_eq!([stored(t), stored(sin), stored(cos)], ["f16", "f16", "f16"]);
        assert_eq!([stored(other), stored(scaled), stored(both)], ["f16"; 3]);
        assert_eq!(storage(&graph, &Target::default(), freq), "f32");
    }
}
