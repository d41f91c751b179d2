//! Products of one input by different constant weights become one product by the weights side by
//! side: `x·W1, x·W2, …` is `x·[W1 W2 …]`, read back through slices (views, so they cost
//! nothing). Constant biases (a Gemm's C, or an Add right after a MatMul) go side by side too.
//! The UNet's 15 time-embedding projections and 30 context projections each read one shared
//! input: 45 dispatches become 2.

use std::collections::HashMap;

use onnx2wgsl_opset18::ops::binary::BinaryKind;
use onnx2wgsl_opset18::{DataType, Op, Tensor, TensorType};
use petgraph::stable_graph::NodeIndex;

use crate::ir::{Graph, TensorId};

pub fn run(mut graph: Graph) -> Graph {
    let mut by_input: HashMap<TensorId, Vec<Product>> = HashMap::new();
    for index in graph.topological_order() {
        if let Some(product) = product(&graph, index) {
            by_input.entry(product.input).or_default().push(product);
        }
    }
    let mut groups: Vec<Vec<Product>> = by_input.into_values().filter(|g| g.len() > 1).collect();
    // Deterministic output: products in the order they were added, groups by their first.
    for group in &mut groups {
        group.sort_by_key(|p| p.node);
    }
    groups.sort_by_key(|g| g[0].node);
    for group in groups {
        merge(&mut graph, group);
    }
    graph.rewire();
    graph
}

/// A product of `input` by constant weights, with its constant bias if it has one.
struct Product {
    node: NodeIndex,
    input: TensorId,
    /// The constant weights, (K × N) or, transposed, (N × K).
    weights: TensorId,
    transposed: bool,
    columns: usize,
    bias: Option<Vec<f32>>,
    /// The Add that applies the bias, when it is a separate node.
    bias_add: Option<NodeIndex>,
    /// The tensor readers read: the product, or the biased product.
    output: TensorId,
}

fn constant(graph: &Graph, tensor: Option<TensorId>) -> Option<&Tensor> {
    let value = graph.tensor(tensor?).value.as_ref()?;
    (value.dtype() == DataType::Float).then_some(value)
}

fn product(graph: &Graph, index: NodeIndex) -> Option<Product> {
    let node = &graph.nodes[index];
    if node.epilogue.is_some() || node.view || node.outputs.len() != 1 {
        return None;
    }
    if !matches!(node.op, Op::MatMul(_) | Op::Gemm(_)) {
        return None;
    }
    let input = node.inputs[0]?;
    let in_shape = &graph.tensor(input).ty.shape;
    if graph.is_constant(input) || graph.tensor(input).ty.dtype != DataType::Float {
        return None;
    }
    let weights = node.inputs[1]?;
    let [rows, cols] = constant(graph, Some(weights))?.shape()[..] else {
        return None;
    };
    let no_c = node.inputs.get(2).copied().flatten().is_none();
    let (transposed, bias) = match &node.op {
        Op::MatMul(_) if in_shape.len() >= 2 => (false, None),
        Op::Gemm(g) if !g.trans_a && g.alpha == 1.0 && (g.beta == 1.0 || no_c) => {
            let columns = if g.trans_b { rows } else { cols };
            let bias = match node.inputs.get(2).copied().flatten() {
                Some(c) => Some(row_bias(constant(graph, Some(c))?, columns)?),
                None => None,
            };
            (g.trans_b, bias)
        }
        _ => return None,
    };
    let mut product = Product {
        node: index,
        input,
        weights,
        transposed,
        columns: if transposed { rows } else { cols },
        bias,
        bias_add: None,
        output: node.outputs[0],
    };
    // A constant bias Add that only this product feeds joins it.
    if product.bias.is_none() && !graph.outputs.contains(&product.output) {
        if let [add] = graph.consumers(product.output)[..] {
            if let Some(bias) = bias_of(graph, add, product.output, product.columns) {
                product.bias = Some(bias);
                product.bias_add = Some(add);
                product.output = graph.nodes[add].outputs[0];
            }
        }
    }
    Some(product)
}

/// The bias `add` applies to `product`, if it is a constant row of `columns` values.
fn bias_of(graph: &Graph, add: NodeIndex, product: TensorId, columns: usize) -> Option<Vec<f32>> {
    let node = &graph.nodes[add];
    let is_add = matches!(&node.op, Op::Binary(b) if b.kind == BinaryKind::Add);
    if !is_add || node.epilogue.is_some() || node.inputs.len() != 2 {
        return None;
    }
    let other = if node.inputs[0] == Some(product) {
        node.inputs[1]
    } else {
        node.inputs[0]
    };
    let out_shape = &graph.tensor(node.outputs[0]).ty.shape;
    (*out_shape == graph.tensor(product).ty.shape)
        .then(|| row_bias(constant(graph, other)?, columns))
        .flatten()
}

/// A constant that broadcasts as one row of `columns` values (shape [columns], [1, columns], …,
/// or a single value).
fn row_bias(value: &Tensor, columns: usize) -> Option<Vec<f32>> {
    let shape = value.shape();
    let leading_ones = shape.iter().rev().skip(1).all(|&d| d == 1);
    match shape.last() {
        Some(&n) if n == columns && leading_ones => Some(value.f32s()),
        _ if value.numel() == 1 => Some(vec![value.f32s()[0]; columns]),
        _ => None,
    }
}

fn merge(graph: &mut Graph, group: Vec<Product>) {
    let input = group[0].input;
    let inner = graph.tensor(input).ty.shape.last().copied().unwrap_or(0);
    let total: usize = group.iter().map(|p| p.columns).sum();
    // Read only now that the products have siblings: most products have none.
    let values: Vec<Vec<f32>> = (group.iter())
        .map(|p| {
            graph
                .tensor(p.weights)
                .value
                .as_ref()
                .expect("checked")
                .f32s()
        })
        .collect();
    let mut weights = Vec::with_capacity(inner * total);
    for k in 0..inner {
        for (p, w) in group.iter().zip(&values) {
            match p.transposed {
                true => weights.extend((0..p.columns).map(|n| w[n * inner + k])),
                false => weights.extend_from_slice(&w[k * p.columns..(k + 1) * p.columns]),
            }
        }
    }
    let name = graph.nodes[group[0].node].name.clone();
    let w = graph.add_constant(
        &format!("{name} merged weights"),
        Tensor::from_f32(vec![inner, total], &weights),
    );
    let mut shape = graph.tensor(input).ty.shape.clone();
    *shape.last_mut().expect("products have rank 2 or more") = total;
    let mut merged = add_float_op(
        graph,
        &format!("{name} merged"),
        "MatMul",
        &[input, w],
        &shape,
    );
    if group.iter().any(|p| p.bias.is_some()) {
        let bias: Vec<f32> = (group.iter())
            .flat_map(|p| p.bias.clone().unwrap_or_else(|| vec![0.0; p.columns]))
            .collect();
        let b = graph.add_constant(
            &format!("{name} merged bias"),
            Tensor::from_f32(vec![total], &bias),
        );
        merged = add_float_op(
            graph,
            &format!("{name} merged bias"),
            "Add",
            &[merged, b],
            &shape,
        );
    }
    let axis = shape.len() as i64 - 1;
    let mut start = 0;
    for p in group {
        let end = start + p.columns;
        let ints = |v: i64| Tensor::from_i64(vec![1], &[v]);
        let starts = graph.add_constant("slice start", ints(start as i64));
        let ends = graph.add_constant("slice end", ints(end as i64));
        let axes = graph.add_constant("slice axis", ints(axis));
        let slice = format!("{} slice", graph.nodes[p.node].name);
        graph.remove_node(p.node);
        if let Some(add) = p.bias_add {
            graph.remove_node(add);
        }
        // Readers keep reading the tensor they read, now a slice of the merged product.
        let inputs = [merged, starts, ends, axes];
        graph.add_op(&slice, "Slice", &[], &inputs, p.output);
        start = end;
    }
}

/// Adds a float node of one output with `shape`; returns the output.
fn add_float_op(
    graph: &mut Graph,
    name: &str,
    op_type: &str,
    inputs: &[TensorId],
    shape: &[usize],
) -> TensorId {
    let ty = TensorType::new(DataType::Float, shape.to_vec());
    let output = graph.add_value(&format!("{name} output"), ty);
    graph.add_op(name, op_type, &[], inputs, output);
    output
}

#[cfg(test)]
mod tests {
    use onnx2wgsl_opset18::{Attribute, Tensor};

    use crate::ir::Graph;
    use crate::testing::{op_types, Builder};

    /// The constant second input of the graph's node of `op_type`.
    fn constant_input<'g>(graph: &'g Graph, op_type: &str) -> &'g Tensor {
        let node = graph
            .nodes
            .node_weights()
            .find(|n| n.op_type == op_type)
            .unwrap();
        graph
            .tensor(node.inputs[1].unwrap())
            .value
            .as_ref()
            .unwrap()
    }

    #[test]
    fn products_of_one_input_share_one_matmul() {
        let mut b = Builder::default();
        let x = b.input("x", &[4, 2]);
        let w1 = b.constant("w1", Tensor::from_f32(vec![2, 2], &[1.0, 2.0, 3.0, 4.0]));
        let w2 = b.constant("w2", Tensor::from_f32(vec![2, 1], &[5.0, 6.0]));
        let bias = b.constant("bias", Tensor::from_f32(vec![1], &[7.0]));
        let y1 = b.node("MatMul", &[x, w1]);
        let p2 = b.node("MatMul", &[x, w2]);
        let y2 = b.node("Add", &[p2, bias]);
        let graph = super::run(b.finish(&[y1, y2]));
        assert_eq!(op_types(&graph), ["MatMul", "Add", "Slice", "Slice"]);
        let weights = constant_input(&graph, "MatMul");
        assert_eq!(weights.shape(), [2, 3]);
        assert_eq!(weights.f32s(), [1.0, 2.0, 5.0, 3.0, 4.0, 6.0]);
        // The unbiased product gets zeros.
        let bias = constant_input(&graph, "Add");
        assert_eq!(bias.f32s(), [0.0, 0.0, 7.0]);
        // Readers read the same tensors as before, now slices.
        assert_eq!(graph.nodes[graph.producer(y2).unwrap()].op_type, "Slice");
    }

    #[test]
    fn gemm_weights_stored_transposed_are_turned_around() {
        let mut b = Builder::default();
        let x = b.input("x", &[1, 3]);
        let w = b.constant(
            "w",
            Tensor::from_f32(vec![2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        );
        let c = b.constant("c", Tensor::from_f32(vec![2], &[0.5, 0.25]));
        let trans = [("transB", Attribute::Int(1))];
        let y1 = b.node_with("Gemm", &trans, &[x, w, c]);
        let y2 = b.node_with("Gemm", &trans, &[x, w, c]);
        let graph = super::run(b.finish(&[y1, y2]));
        let weights = constant_input(&graph, "MatMul");
        assert_eq!(
            weights.f32s(),
            [1.0, 4.0, 1.0, 4.0, 2.0, 5.0, 2.0, 5.0, 3.0, 6.0, 3.0, 6.0]
        );
    }

    #[test]
    fn a_lone_product_is_left_alone() {
        let mut b = Builder::default();
        let x = b.input("x", &[4, 2]);
        let w = b.constant("w", Tensor::from_f32(vec![2, 2], &[1.0; 4]));
        let y = b.node("MatMul", &[x, w]);
        let graph = super::run(b.finish(&[y]));
        assert_eq!(op_types(&graph), ["MatMul"]);
    }
}
