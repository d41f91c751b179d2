//! Fusion: elementwise operations that follow a kernel become its epilogue, so their results never
//! travel through memory. SiLU (Sigmoid then Mul), GroupNorm's affine (Mul, Add after the
//! InstanceNormalization and its Reshapes), biases, activations and residual Adds all fold into
//! the Conv, MatMul, Einsum, normalization or elementwise kernel that produces their input.
//!
//! A group grows from a root node through elementwise consumers (and views, which are free) as
//! long as every value it computes has the root's element count and index order. Other operands
//! must be ready before the root runs. The group is kept at its largest state in which exactly one
//! of its values is used outside it; that value becomes the root's output.

use std::collections::{HashMap, HashSet};

use onnx2wgsl_opset18::{DataType, Op};
use petgraph::stable_graph::NodeIndex;

use crate::ir::{Epilogue, Graph, Operand, Step, TensorId};
use crate::memory::storage_root;
use crate::views::is_reshape;

/// Most tensors an epilogue may read besides the kernel's own inputs, so every kernel stays within
/// WebGPU's 8 storage buffers per stage.
const MAX_OPERANDS: usize = 3;

pub fn run(mut graph: Graph) -> Graph {
    let order = graph.topological_order();
    let rank: HashMap<NodeIndex, usize> = order.iter().enumerate().map(|(i, &n)| (n, i)).collect();
    let mut absorbed: HashSet<NodeIndex> = HashSet::new();
    for &root in &order {
        if absorbed.contains(&root) || !can_root(&graph, root) {
            continue;
        }
        if let Some(group) = grow(&graph, root, &rank, &absorbed) {
            absorbed.extend(group.members.iter().copied());
            apply(&mut graph, root, group);
        }
    }
    for node in absorbed {
        graph.remove_node(node);
    }
    graph.rewire();
    graph
}

/// Kernels whose templates apply an epilogue to every element they store.
fn can_root(graph: &Graph, node: NodeIndex) -> bool {
    let n = &graph.nodes[node];
    let kernel = matches!(
        n.op,
        Op::Binary(_)
            | Op::Unary(_)
            | Op::Conv(_)
            | Op::MatMul(_)
            | Op::Gemm(_)
            | Op::Einsum(_)
            | Op::InstanceNormalization(_)
            | Op::LayerNormalization(_)
    );
    kernel && n.epilogue.is_none() && n.outputs.len() == 1 && is_float(graph, n.outputs[0])
}

fn is_float(graph: &Graph, tensor: TensorId) -> bool {
    graph.tensor(tensor).ty.dtype == DataType::Float
}

struct Group {
    members: Vec<NodeIndex>,
    steps: Vec<Step>,
    operands: Vec<TensorId>,
    shape: Vec<usize>,
    output: TensorId,
}

/// The state of a growing group.
#[derive(Clone)]
struct State {
    members: Vec<NodeIndex>,
    steps: Vec<Step>,
    operands: Vec<TensorId>,
    /// Group values by tensor: the root's output, steps, and views of them.
    values: HashMap<TensorId, Operand>,
    /// The shape every step computes (views may reshape the stored result, not the steps), over
    /// which operands are broadcast.
    shape: Vec<usize>,
}

fn grow(
    graph: &Graph,
    root: NodeIndex,
    rank: &HashMap<NodeIndex, usize>,
    absorbed: &HashSet<NodeIndex>,
) -> Option<Group> {
    let base = graph.nodes[root].outputs[0];
    let numel = graph.tensor(base).ty.numel();
    let mut state = State {
        members: Vec::new(),
        steps: Vec::new(),
        operands: Vec::new(),
        values: HashMap::from([(base, Operand::Base)]),
        shape: Vec::new(),
    };
    let mut best: Option<(State, TensorId)> = None;
    loop {
        let candidates: Vec<NodeIndex> = (state.values.keys())
            .flat_map(|&t| graph.consumers(t))
            .filter(|n| *n != root && !state.members.contains(n) && !absorbed.contains(n))
            .collect();
        let next = (candidates.into_iter())
            .filter(|&n| rank[&n] > rank[&root])
            .min_by_key(|n| rank[n])
            .and_then(|n| extend(graph, &state, n, root, rank, numel));
        match next {
            Some(grown) => state = grown,
            None => break,
        }
        if let Some(output) = single_escape(graph, &state) {
            best = Some((state.clone(), output));
        }
    }
    let (state, output) = best?;
    Some(Group {
        members: state.members,
        steps: state.steps,
        operands: state.operands,
        shape: state.shape,
        output,
    })
}

/// The group with `node` added, if it can be.
fn extend(
    graph: &Graph,
    state: &State,
    node: NodeIndex,
    root: NodeIndex,
    rank: &HashMap<NodeIndex, usize>,
    numel: usize,
) -> Option<State> {
    let n = &graph.nodes[node];
    let output = *n.outputs.first()?;
    if n.outputs.len() != 1 || !is_float(graph, output) || graph.tensor(output).ty.numel() != numel
    {
        return None;
    }
    let mut next = state.clone();
    // Reshapes keep element order, so the fused kernel can store through them.
    if n.view && is_reshape(&n.op) {
        let source = *next.values.get(&n.inputs[0]?)?;
        next.values.insert(output, source);
        next.members.push(node);
        return Some(next);
    }
    let shape = &graph.tensor(output).ty.shape;
    if !next.steps.is_empty() && next.shape != *shape {
        return None;
    }
    next.shape = shape.clone();
    let mut operand = |t: TensorId| -> Option<Operand> {
        if let Some(&value) = next.values.get(&t) {
            // A group value must not be broadcast: its elements must line up with the output's.
            return (graph.tensor(t).ty.shape == *shape).then_some(value);
        }
        // Views compute nothing: what matters is when their storage root is written.
        let source = storage_root(graph, t);
        let ready = graph
            .producer(source)
            .is_none_or(|p| rank[&p] < rank[&root]);
        if !ready || !is_float(graph, t) {
            return None;
        }
        let index = match next.operands.iter().position(|&o| o == t) {
            Some(i) => i,
            None if next.operands.len() < MAX_OPERANDS => {
                next.operands.push(t);
                next.operands.len() - 1
            }
            None => return None,
        };
        Some(Operand::Input(index))
    };
    let step = match &n.op {
        Op::Unary(op) => Step::Unary(op.kind, operand(n.inputs[0]?)?),
        Op::Binary(op) => Step::Binary(op.kind, operand(n.inputs[0]?)?, operand(n.inputs[1]?)?),
        _ => return None,
    };
    next.steps.push(step);
    next.values
        .insert(output, Operand::Step(next.steps.len() - 1));
    next.members.push(node);
    Some(next)
}

/// The one group value used outside the group, if there is exactly one and it is the last step's
/// result (or a view of it).
fn single_escape(graph: &Graph, state: &State) -> Option<TensorId> {
    let last = Operand::Step(state.steps.len().checked_sub(1)?);
    let mut escaping = (state.values.keys()).filter(|&&t| {
        graph.outputs.contains(&t)
            || graph
                .consumers(t)
                .iter()
                .any(|c| !state.members.contains(c))
    });
    let output = *escaping.next()?;
    (escaping.next().is_none() && state.values[&output] == last).then_some(output)
}

fn apply(graph: &mut Graph, root: NodeIndex, group: Group) {
    let shape = group.shape;
    let node = &mut graph.nodes[root];
    let first_input = node.inputs.len();
    let steps = (group.steps.into_iter())
        .map(|step| {
            let shift = |o: Operand| match o {
                Operand::Input(i) => Operand::Input(first_input + i),
                other => other,
            };
            match step {
                Step::Unary(kind, a) => Step::Unary(kind, shift(a)),
                Step::Binary(kind, a, b) => Step::Binary(kind, shift(a), shift(b)),
            }
        })
        .collect();
    node.inputs.extend(group.operands.into_iter().map(Some));
    node.epilogue = Some(Epilogue {
        base: node.outputs[0],
        steps,
        shape,
        first_input,
    });
    node.outputs = vec![group.output];
}

#[cfg(test)]
mod tests {
    use onnx2wgsl_opset18::ops::binary::BinaryKind;
    use onnx2wgsl_opset18::ops::unary::UnaryKind;
    use onnx2wgsl_opset18::Tensor;

    use crate::ir::{Operand, Step};
    use crate::testing::{op_types, Builder};

    #[test]
    fn silu_and_residual_fuse_into_the_matmul() {
        let mut b = Builder::default();
        let x = b.input("x", &[2, 3]);
        let w = b.constant("w", Tensor::from_f32(vec![3, 3], &[0.5; 9]));
        let h = b.node("MatMul", &[x, w]);
        let s = b.node("Sigmoid", &[h]);
        let h = b.node("Mul", &[h, s]);
        let y = b.node("Add", &[h, x]);
        let graph = super::run(b.finish(&[y]));
        assert_eq!(op_types(&graph), ["MatMul"]);
        let node = graph.nodes.node_weights().next().unwrap();
        let e = node.epilogue.as_ref().unwrap();
        assert_eq!(
            e.steps,
            [
                Step::Unary(UnaryKind::Sigmoid, Operand::Base),
                Step::Binary(BinaryKind::Mul, Operand::Base, Operand::Step(0)),
                Step::Binary(BinaryKind::Add, Operand::Step(1), Operand::Input(2)),
            ]
        );
        assert_eq!(node.outputs, [y]);
    }

    #[test]
    fn a_value_used_outside_stops_the_group() {
        let mut b = Builder::default();
        let x = b.input("x", &[4]);
        let h = b.node("Relu", &[x]);
        let s = b.node("Sigmoid", &[h]);
        let y = b.node("Neg", &[s]);
        // `s` is also a graph output, so Neg cannot take it over; Sigmoid fuses into Relu.
        let graph = super::run(b.finish(&[y, s]));
        assert_eq!(op_types(&graph), ["Relu", "Neg"]);
    }

    #[test]
    fn broadcasting_a_group_value_is_not_fused() {
        let mut b = Builder::default();
        let x = b.input("x", &[1, 4]);
        let wide = b.input("wide", &[3, 4]);
        let h = b.node("Relu", &[x]);
        let y = b.node("Add", &[h, wide]);
        let graph = super::run(b.finish(&[y]));
        assert_eq!(op_types(&graph), ["Relu", "Add"]);
    }
}
