//! Sums of two Einsums that share an operand become one Einsum: Σ a·b1 + Σ a·b2 = Σ a·(b1 + b2)
//! when both sum over the same labels. The Add moves onto the other operands (b1 broadcast onto
//! b2), where fusion makes it an epilogue of b2's producer. The λ-layers' content and position
//! outputs (y_c + y_p, both contracting the queries) are this pattern: one contraction instead of
//! two, and one dispatch fewer.

use std::collections::HashMap;

use onnx2wgsl_opset18::ops::binary::BinaryKind;
use onnx2wgsl_opset18::ops::einsum::{Einsum, Term};
use onnx2wgsl_opset18::{Attribute, DataType, Op, Tensor, TensorType};
use petgraph::stable_graph::NodeIndex;

use crate::ir::{Graph, TensorId};

pub fn run(mut graph: Graph) -> Graph {
    for index in graph.topological_order() {
        if !graph.nodes.contains_node(index) {
            continue;
        }
        if let Some(merge) = find(&graph, index) {
            apply(&mut graph, index, merge);
            graph.rewire();
        }
    }
    graph
}

/// An Add of `first` and `second` to rewrite as `second` reading `other + aligned first operand`.
struct Merge {
    first: NodeIndex,
    second: NodeIndex,
    /// `first`'s operand that is not shared.
    b1: TensorId,
    /// Position in `second`'s inputs of its operand that is not shared.
    b2_position: usize,
    /// For each label of b2, the axis of b1 with that label, if b1 has it.
    axes: Vec<Option<usize>>,
}

fn find(graph: &Graph, add: NodeIndex) -> Option<Merge> {
    let node = &graph.nodes[add];
    let is_add = matches!(&node.op, Op::Binary(b) if b.kind == BinaryKind::Add);
    if !is_add || node.epilogue.is_some() || node.inputs.len() != 2 {
        return None;
    }
    let (x, y) = (node.inputs[0]?, node.inputs[1]?);
    let (px, py) = (graph.producer(x)?, graph.producer(y)?);
    if px == py || graph.tensor(x).ty.shape != graph.tensor(y).ty.shape {
        return None;
    }
    for t in [x, y] {
        if graph.tensor(t).ty.dtype != DataType::Float
            || graph.outputs.contains(&t)
            || graph.consumers(t) != [add]
        {
            return None;
        }
    }
    merge(graph, px, py).or_else(|| merge(graph, py, px))
}

/// Letters of `terms`, if they are all letters and distinct.
pub(super) fn letters(terms: &[Term]) -> Option<Vec<char>> {
    let mut out = Vec::with_capacity(terms.len());
    for term in terms {
        match term {
            Term::Letter(c) if !out.contains(c) => out.push(*c),
            _ => return None,
        }
    }
    Some(out)
}

/// Labels of a two-operand Einsum with an explicit output: (operands, output).
fn labels(graph: &Graph, node: NodeIndex) -> Option<([Vec<char>; 2], Vec<char>)> {
    let n = &graph.nodes[node];
    let Op::Einsum(Einsum { inputs, output }) = &n.op else {
        return None;
    };
    if n.view || n.epilogue.is_some() || inputs.len() != 2 {
        return None;
    }
    let output = letters(output.as_ref()?)?;
    Some(([letters(&inputs[0])?, letters(&inputs[1])?], output))
}

fn merge(graph: &Graph, first: NodeIndex, second: NodeIndex) -> Option<Merge> {
    let (l1, out1) = labels(graph, first)?;
    let (l2, out2) = labels(graph, second)?;
    let (in1, in2) = (&graph.nodes[first].inputs, &graph.nodes[second].inputs);
    // The shared operand, at position s1 of the first and s2 of the second.
    let (s1, s2) = (0..2)
        .flat_map(|a| (0..2).map(move |b| (a, b)))
        .find(|&(a, b)| in1[a].is_some() && in1[a] == in2[b] && l1[a].len() == l2[b].len())?;
    // The first's labels renamed to the second's, through the shared operand and the output.
    let mut rename: HashMap<char, char> = HashMap::new();
    let pairs = (l1[s1].iter().zip(&l2[s2])).chain(out1.iter().zip(&out2));
    for (&a, &b) in pairs {
        if *rename.entry(a).or_insert(b) != b {
            return None;
        }
    }
    let mut renamed: Vec<char> = rename.values().copied().collect();
    renamed.sort();
    renamed.dedup();
    if renamed.len() != rename.len() || out1.len() != out2.len() {
        return None;
    }
    let (b1_labels, b2_labels) = (&l1[1 - s1], &l2[1 - s2]);
    let b1_renamed: Vec<char> = (b1_labels.iter())
        .map(|c| rename.get(c).copied())
        .collect::<Option<_>>()?;
    if !b1_renamed.iter().all(|c| b2_labels.contains(c)) {
        return None;
    }
    // Both must sum over the same labels, or b1's terms would be counted a different number of
    // times.
    let summed = |operands: [&Vec<char>; 2], out: &Vec<char>| {
        let mut s: Vec<char> = (operands.iter().flat_map(|l| l.iter()))
            .filter(|c| !out.contains(c))
            .copied()
            .collect();
        s.sort();
        s.dedup();
        s
    };
    if summed([&l2[s2], &b1_renamed], &out2) != summed([&l2[s2], b2_labels], &out2) {
        return None;
    }
    let (b1, b2) = (in1[1 - s1]?, in2[1 - s2]?);
    let (b1_shape, b2_shape) = (&graph.tensor(b1).ty.shape, &graph.tensor(b2).ty.shape);
    let axes: Vec<Option<usize>> = (b2_labels.iter())
        .map(|c| b1_renamed.iter().position(|r| r == c))
        .collect();
    let sizes_agree =
        (axes.iter().zip(b2_shape)).all(|(a, &size)| a.is_none_or(|a| b1_shape[a] == size));
    (sizes_agree && graph.tensor(b1).ty.dtype == DataType::Float).then_some(Merge {
        first,
        second,
        b1,
        b2_position: 1 - s2,
        axes,
    })
}

fn apply(graph: &mut Graph, add: NodeIndex, m: Merge) {
    let name = graph.nodes[add].name.clone();
    let b2 = graph.nodes[m.second].inputs[m.b2_position].expect("merge checked it");
    let b2_shape = graph.tensor(b2).ty.shape.clone();
    // b1's axes in b2's label order, then size-1 axes where b2 has labels b1 lacks.
    let perm: Vec<i64> = m.axes.iter().flatten().map(|&a| a as i64).collect();
    let mut aligned = m.b1;
    if perm.iter().enumerate().any(|(i, &p)| i as i64 != p) {
        let b1_shape = &graph.tensor(m.b1).ty.shape;
        let shape = perm.iter().map(|&p| b1_shape[p as usize]).collect();
        let attrs = [("perm", Attribute::Ints(perm))];
        aligned = add_node(graph, &name, "Transpose", &attrs, &[aligned], shape);
    }
    let shape: Vec<usize> = (m.axes.iter().zip(&b2_shape))
        .map(|(a, &size)| if a.is_some() { size } else { 1 })
        .collect();
    let dims: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    let target = graph.add_constant(
        &format!("{name} broadcast shape"),
        Tensor::from_i64(vec![dims.len()], &dims),
    );
    aligned = add_node(graph, &name, "Reshape", &[], &[aligned, target], shape);
    let sum = add_node(graph, &name, "Add", &[], &[b2, aligned], b2_shape);
    let output = graph.nodes[add].outputs[0];
    let second = &mut graph.nodes[m.second];
    second.inputs[m.b2_position] = Some(sum);
    second.outputs = vec![output];
    graph.remove_node(add);
    graph.remove_node(m.first);
}

/// Adds a node of one float output with `shape`, named after the Add it replaces; returns the
/// output.
fn add_node(
    graph: &mut Graph,
    name: &str,
    op_type: &str,
    attrs: &[(&str, Attribute)],
    inputs: &[TensorId],
    shape: Vec<usize>,
) -> TensorId {
    let name = format!("{name}/{op_type}");
    let ty = TensorType::new(DataType::Float, shape);
    let output = graph.add_value(&format!("{name}_output"), ty);
    graph.add_op(&name, op_type, attrs, inputs, output);
    output
}

#[cfg(test)]
mod tests {
    use onnx2wgsl_opset18::Attribute;

    use crate::testing::{op_types, Builder};

    fn einsum(b: &mut Builder, equation: &str, inputs: &[usize]) -> usize {
        let attrs = [("equation", Attribute::String(equation.into()))];
        b.node_with("Einsum", &attrs, inputs)
    }

    #[test]
    fn content_and_position_outputs_become_one_contraction() {
        let mut b = Builder::default();
        let q = b.input("q", &[2, 3, 4, 5]);
        let content = b.input("content", &[2, 4, 6]);
        let position = b.input("position", &[2, 5, 4, 6]);
        let yc = einsum(&mut b, "b h k n, b k v -> b h v n", &[q, content]);
        let yp = einsum(&mut b, "b h k n, b n k v -> b h v n", &[q, position]);
        let y = b.node("Add", &[yc, yp]);
        let graph = super::run(b.finish(&[y]));
        // content (b, k, v) is added to position (b, n, k, v) as (b, 1, k, v).
        assert_eq!(op_types(&graph), ["Reshape", "Add", "Einsum"]);
        let einsum = graph.producer(y).unwrap();
        let sum = graph.nodes[einsum].inputs[1].unwrap();
        let add = graph.producer(sum).unwrap();
        let broadcast = graph.nodes[add].inputs[1].unwrap();
        assert_eq!(graph.tensor(broadcast).ty.shape, [2, 1, 4, 6]);
    }

    #[test]
    fn different_summed_labels_are_left_alone() {
        // The second also sums over m, which the first lacks: its terms would be counted m times.
        let mut b = Builder::default();
        let q = b.input("q", &[2, 3, 4]);
        let content = b.input("content", &[2, 4, 6]);
        let position = b.input("position", &[2, 4, 6, 5]);
        let yc = einsum(&mut b, "b h k, b k v -> b h v", &[q, content]);
        let yp = einsum(&mut b, "b h k, b k v m -> b h v", &[q, position]);
        let y = b.node("Add", &[yc, yp]);
        let graph = super::run(b.finish(&[y]));
        assert_eq!(op_types(&graph), ["Einsum", "Einsum", "Add"]);
    }
}
