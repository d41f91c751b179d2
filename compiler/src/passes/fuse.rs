//! Fusion: elementwise operations that follow a kernel become its epilogue, so their results never
//! travel through memory. SiLU (Sigmoid then Mul), GroupNorm's affine (Mul, Add after the
//! InstanceNormalization and its Reshapes), biases, activations and residual Adds all fold into
//! the Conv, MatMul, Einsum, normalization or elementwise kernel that produces their input.
//!
//! A group grows from a root node through elementwise consumers and layout operations (reshapes
//! and transposes) as long as every value it computes holds the root's elements, in some order.
//! Other operands must not depend on the root (the schedule then runs their producers first). The group is kept at its largest state in
//! which exactly one of its values is used outside it; that value becomes the root's output. When
//! it holds the elements in another order than the root's own result (a transpose was fused), the
//! root stores each element where that order puts it: a transpose between a convolution and
//! token-layout code, or between token-layout code and a convolution, then costs no copy.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use onnx2wgsl_opset18::{DataType, Op};
use petgraph::stable_graph::NodeIndex;

use crate::ir::{Epilogue, Graph, Operand, Step, TensorId};
use crate::kernels::traits;
use crate::order::{along_base, along_value, same_layout, AlongBase};
use crate::strides::{contiguous_strides, reshape_strides, View};
use crate::views::{storage_root, view_of};

/// Most tensors an epilogue may read besides the kernel's own inputs, so every kernel stays within
/// WebGPU's 8 storage buffers per stage.
const MAX_OPERANDS: usize = 3;

pub fn run(mut graph: Graph) -> Graph {
    let order = graph.topological_order();
    let rank: HashMap<NodeIndex, usize> = order.iter().enumerate().map(|(i, &n)| (n, i)).collect();
    let mut absorbed: HashSet<NodeIndex> = HashSet::new();
    // Dependencies fusion has added: the producers of operands, and the roots that read them.
    let mut added: HashMap<NodeIndex, Vec<NodeIndex>> = HashMap::new();
    for &root in &order {
        if absorbed.contains(&root) || !can_root(&graph, root) {
            continue;
        }
        // Worked out only if some group takes an operand from outside.
        let after = OnceCell::new();
        let depends = |p: NodeIndex| {
            after
                .get_or_init(|| after_root(&graph, root, &added))
                .contains(&p)
        };
        if let Some(group) = grow(&graph, root, &rank, &depends, &absorbed) {
            for &t in &group.operands {
                if let Some(p) = graph.producer(storage_root(&graph, t)) {
                    added.entry(p).or_default().push(root);
                }
            }
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

/// Kernels that apply an epilogue to every element they store, to a float result of their own.
fn can_root(graph: &Graph, node: NodeIndex) -> bool {
    let n = &graph.nodes[node];
    let kernel = traits(&n.op).is_some_and(|t| t.epilogue);
    kernel && n.epilogue.is_none() && n.outputs.len() == 1 && is_float(graph, n.outputs[0])
}

/// `root` and every node that depends on it: an operand made by one of them cannot be ready
/// before `root` runs.
fn after_root(
    graph: &Graph,
    root: NodeIndex,
    added: &HashMap<NodeIndex, Vec<NodeIndex>>,
) -> HashSet<NodeIndex> {
    let mut seen = HashSet::from([root]);
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        let next =
            (graph.nodes.neighbors(node)).chain(added.get(&node).into_iter().flatten().copied());
        for n in next.collect::<Vec<_>>() {
            if seen.insert(n) {
                stack.push(n);
            }
        }
    }
    seen
}

fn is_float(graph: &Graph, tensor: TensorId) -> bool {
    graph.tensor(tensor).ty.dtype == DataType::Float
}

struct Group {
    members: Vec<NodeIndex>,
    steps: Vec<Step>,
    operands: Vec<TensorId>,
    finish: Finish,
    output: TensorId,
}

/// The state of a growing group.
#[derive(Clone)]
struct State {
    members: Vec<NodeIndex>,
    steps: Vec<Step>,
    /// Operand tensors with their reads along the root's element index (one entry per way a
    /// tensor is read).
    operands: Vec<(TensorId, usize, AlongBase)>,
    /// Group values by tensor: the root's output, steps, and rearrangements of them, each with its
    /// order (strides over its shape into the root's element index).
    values: HashMap<TensorId, (Operand, Vec<usize>)>,
    /// Whether a transpose that would have been a copy was taken in.
    saves_copy: bool,
}

fn grow(
    graph: &Graph,
    root: NodeIndex,
    rank: &HashMap<NodeIndex, usize>,
    depends: &dyn Fn(NodeIndex) -> bool,
    absorbed: &HashSet<NodeIndex>,
) -> Option<Group> {
    let base = graph.nodes[root].outputs[0];
    let base_shape = &graph.tensor(base).ty.shape;
    let numel = graph.tensor(base).ty.numel();
    let mut state = State {
        members: Vec::new(),
        steps: Vec::new(),
        operands: Vec::new(),
        values: HashMap::from([(base, (Operand::Base, contiguous_strides(base_shape)))]),
        saves_copy: false,
    };
    let reorder = traits(&graph.nodes[root].op).is_some_and(|t| t.reorder);
    let mut best: Option<(State, TensorId, Finish)> = None;
    loop {
        let candidates: Vec<NodeIndex> = (state.values.keys())
            .flat_map(|&t| graph.consumers(t))
            .filter(|n| *n != root && !state.members.contains(n) && !absorbed.contains(n))
            .collect();
        let next = (candidates.into_iter())
            .filter(|&n| rank[&n] > rank[&root])
            .min_by_key(|n| rank[n])
            .and_then(|n| extend(graph, &state, n, depends, numel));
        match next {
            Some(grown) => state = grown,
            None => break,
        }
        if state.steps.is_empty() && !state.saves_copy {
            continue;
        }
        let Some(output) = single_escape(graph, &state) else {
            continue;
        };
        if let Some(finish) = finish(graph, &state, output, reorder) {
            best = Some((state.clone(), output, finish));
        }
    }
    let (state, output, finish) = best?;
    Some(Group {
        members: state.members,
        steps: state.steps,
        operands: state.operands.into_iter().map(|(t, _, _)| t).collect(),
        finish,
        output,
    })
}

/// The group with `node` added, if it can be.
fn extend(
    graph: &Graph,
    state: &State,
    node: NodeIndex,
    depends: &dyn Fn(NodeIndex) -> bool,
    numel: usize,
) -> Option<State> {
    let n = &graph.nodes[node];
    let output = *n.outputs.first()?;
    if n.outputs.len() != 1 || !is_float(graph, output) || graph.tensor(output).ty.numel() != numel
    {
        return None;
    }
    let shape = &graph.tensor(output).ty.shape;
    let mut next = state.clone();
    // Reshapes and transposes move elements without computing: the group follows where to.
    if (n.view && n.op.is_reshape()) || matches!(n.op, Op::Transpose(_)) {
        let input = n.inputs[0]?;
        let (source, order) = next.values.get(&input)?.clone();
        let in_shape = &graph.tensor(input).ty.shape;
        let order = match &n.op {
            Op::Transpose(t) => {
                next.saves_copy |= !n.view;
                let perm = t.resolved_perm(in_shape.len()).ok()?;
                perm.iter().map(|&p| order[p]).collect()
            }
            _ => reshape_strides(in_shape, &order, shape)?,
        };
        next.values.insert(output, (source, order));
        next.members.push(node);
        return Some(next);
    }
    let inputs: Vec<TensorId> = match &n.op {
        Op::Unary(_) => vec![n.inputs[0]?],
        Op::Binary(_) => vec![n.inputs[0]?, n.inputs[1]?],
        _ => return None,
    };
    // The step runs in the order of the group values it reads, which must agree, and whose
    // elements must line up with its result's (no broadcast).
    let mut order: Option<&Vec<usize>> = None;
    for t in &inputs {
        if let Some((_, o)) = next.values.get(t) {
            if graph.tensor(*t).ty.shape != *shape || order.is_some_and(|seen| seen != o) {
                return None;
            }
            order = Some(o);
        }
    }
    let order = order?.clone();
    let mut operand = |t: TensorId| -> Option<Operand> {
        if let Some((value, _)) = next.values.get(&t) {
            return Some(*value);
        }
        // Views compute nothing: what matters is when their storage root is written.
        let source = storage_root(graph, t);
        let ready = graph.producer(source).is_none_or(|p| !depends(p));
        if !ready || !is_float(graph, t) {
            return None;
        }
        let view = view_of(graph, t)?;
        let strides = view.broadcast(&graph.tensor(t).ty.shape, shape);
        let reads = along_base(shape, &order, &strides)?;
        let entry = (t, view.offset, reads);
        let index = match next.operands.iter().position(|o| *o == entry) {
            Some(i) => i,
            None if next.operands.len() < MAX_OPERANDS => {
                next.operands.push(entry);
                next.operands.len() - 1
            }
            None => return None,
        };
        Some(Operand::Input(index))
    };
    let step = match &n.op {
        Op::Unary(op) => Step::Unary(op.kind, operand(inputs[0])?),
        Op::Binary(op) => Step::Binary(op.kind, operand(inputs[0])?, operand(inputs[1])?),
        _ => return None,
    };
    next.steps.push(step);
    next.values
        .insert(output, (Operand::Step(next.steps.len() - 1), order));
    next.members.push(node);
    Some(next)
}

/// The one group value used outside the group, if there is exactly one and it is the last step's
/// result (or a rearrangement of it; of the root's own result when there are no steps).
fn single_escape(graph: &Graph, state: &State) -> Option<TensorId> {
    let last = match state.steps.len() {
        0 => Operand::Base,
        n => Operand::Step(n - 1),
    };
    let mut escaping = (state.values.keys()).filter(|&&t| {
        graph.outputs.contains(&t)
            || graph
                .consumers(t)
                .iter()
                .any(|c| !state.members.contains(c))
    });
    let output = *escaping.next()?;
    (escaping.next().is_none() && state.values[&output].0 == last).then_some(output)
}

/// Where a finished group reads its operands and stores its result.
struct Finish {
    shape: Vec<usize>,
    reads: Vec<View>,
    store: Option<AlongBase>,
}

/// The reads and store of the group as it stands, with `output` leaving it; `None` where they
/// cannot be expressed with strides, or the root would have to store in an order it cannot.
fn finish(graph: &Graph, state: &State, output: TensorId, reorder: bool) -> Option<Finish> {
    let shape = graph.tensor(output).ty.shape.clone();
    let order = &state.values[&output].1;
    let reads = (state.operands.iter())
        .map(|(_, offset, reads)| {
            Some(View {
                offset: *offset,
                strides: along_value(reads, &shape, order)?,
            })
        })
        .collect::<Option<Vec<View>>>()?;
    let stored = along_base(&shape, order, &contiguous_strides(&shape))?;
    let in_order = same_layout(
        &stored.sizes,
        &stored.strides,
        &contiguous_strides(&stored.sizes),
    );
    let store = (!in_order).then_some(stored);
    if store.is_some() && !reorder {
        return None;
    }
    Some(Finish {
        shape,
        reads,
        store,
    })
}

fn apply(graph: &mut Graph, root: NodeIndex, group: Group) {
    let node = &mut graph.nodes[root];
    node.epilogue = Some(Epilogue {
        base: node.outputs[0],
        steps: group.steps,
        operands: group.operands,
        shape: group.finish.shape,
        views: group.finish.reads,
        store: group.finish.store,
    });
    node.outputs = vec![group.output];
}

#[cfg(test)]
mod tests {
    use onnx2wgsl_opset18::ops::binary::BinaryKind;
    use onnx2wgsl_opset18::ops::unary::UnaryKind;
    use onnx2wgsl_opset18::{Attribute, Tensor};

    use crate::ir::{Operand, Step, TensorId};
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
                Step::Binary(BinaryKind::Add, Operand::Step(1), Operand::Input(0)),
            ]
        );
        assert_eq!(e.operands, [x]);
        assert_eq!(node.inputs, [Some(x), Some(w)]);
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

    /// A 1×1 convolution from `channels` to 2 channels on a (2, channels, 3, 5) input.
    fn conv(b: &mut Builder, x: TensorId, channels: usize) -> TensorId {
        let w = b.constant(
            "w",
            Tensor::from_f32(vec![2, channels, 1, 1], &vec![0.5; 2 * channels]),
        );
        b.node("Conv", &[x, w])
    }

    fn transpose(b: &mut Builder, x: TensorId, perm: &[i64]) -> TensorId {
        b.node_with(
            "Transpose",
            &[("perm", Attribute::Ints(perm.to_vec()))],
            &[x],
        )
    }

    fn reshape(b: &mut Builder, x: TensorId, shape: &[i64]) -> TensorId {
        let shape = b.constant("shape", Tensor::from_i64(vec![shape.len()], shape));
        b.node("Reshape", &[x, shape])
    }

    #[test]
    fn a_convolution_stores_its_result_in_token_layout() {
        let mut b = Builder::default();
        let x = b.input("x", &[2, 4, 3, 5]);
        let y = conv(&mut b, x, 4);
        let t = transpose(&mut b, y, &[0, 2, 3, 1]);
        let tokens = reshape(&mut b, t, &[2, 15, 2]);
        let scale = b.constant("scale", Tensor::from_f32(vec![2], &[1.0, 1.0]));
        let z = b.node("LayerNormalization", &[tokens, scale]);
        let graph = super::run(b.finish(&[z]));
        assert_eq!(op_types(&graph), ["Conv", "LayerNormalization"]);
        let conv = graph.producer(tokens).unwrap();
        let e = graph.nodes[conv].epilogue.as_ref().unwrap();
        assert!(e.steps.is_empty());
        // Base element (n, m, q = y·5 + x) goes to token (n, q, m) of the stored (2, 15, 2)
        // result.
        let store = e.store.as_ref().unwrap();
        assert_eq!(
            (&store.sizes[..], &store.strides[..]),
            (&[2, 2, 15][..], &[30, 1, 2][..])
        );
    }

    #[test]
    fn a_token_layout_residual_fuses_into_a_channel_first_convolution() {
        // conv → tokens → + z → back to channels first → conv: the Add becomes the first
        // convolution's epilogue, reading z through strides; nothing is stored reordered.
        let mut b = Builder::default();
        let x = b.input("x", &[2, 4, 3, 5]);
        let z = b.input("z", &[2, 15, 2]);
        let y = conv(&mut b, x, 4);
        let t = transpose(&mut b, y, &[0, 2, 3, 1]);
        let tokens = reshape(&mut b, t, &[2, 15, 2]);
        let sum = b.node("Add", &[tokens, z]);
        let map = reshape(&mut b, sum, &[2, 3, 5, 2]);
        let back = transpose(&mut b, map, &[0, 3, 1, 2]);
        let out = conv(&mut b, back, 2);
        let graph = super::run(b.finish(&[out]));
        assert_eq!(op_types(&graph), ["Conv", "Conv"]);
        let first = graph.producer(back).unwrap();
        let e = graph.nodes[first].epilogue.as_ref().unwrap();
        assert_eq!(e.store, None);
        assert_eq!(e.shape, [2, 2, 3, 5]);
        assert_eq!(e.views[0].strides, [30, 1, 10, 2]);
    }

    #[test]
    fn a_matmul_does_not_store_reordered() {
        let mut b = Builder::default();
        let x = b.input("x", &[2, 3]);
        let w = b.constant("w", Tensor::from_f32(vec![3, 4], &[0.5; 12]));
        let h = b.node("MatMul", &[x, w]);
        let t = transpose(&mut b, h, &[1, 0]);
        let y = b.node("Softmax", &[t]);
        let graph = super::run(b.finish(&[y]));
        assert_eq!(op_types(&graph), ["MatMul", "Transpose", "Softmax"]);
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
