//! Inference BatchNormalization with constant statistics is a per-channel affine map,
//! y = x·s + t with s = scale / √(var + ε) and t = B − mean·s. Where `x` is a (transposed)
//! MatMul by constant weights whose columns are the channels, s folds into the weights and t
//! becomes a bias Add on the MatMul (which fusion makes its epilogue), so the BatchNormalization
//! costs nothing. Elsewhere it becomes a Mul and an Add of build-time constants, which fusion
//! folds into the kernel that reads `x`.

use onnx2wgsl_opset18::{Op, Tensor};
use petgraph::stable_graph::NodeIndex;

use crate::ir::{Graph, TensorId};

pub fn run(mut graph: Graph) -> Graph {
    let targets: Vec<NodeIndex> = (graph.nodes.node_indices())
        .filter(|&n| matches!(graph.nodes[n].op, Op::BatchNormalization(_)))
        .collect();
    for index in targets {
        rewrite(&mut graph, index);
    }
    graph.rewire();
    graph
}

fn rewrite(graph: &mut Graph, index: NodeIndex) {
    let node = &graph.nodes[index];
    let Op::BatchNormalization(op) = &node.op else {
        return;
    };
    let epsilon = op.epsilon as f64;
    let stats: Option<Vec<Vec<f64>>> = (1..5)
        .map(|i| node.inputs.get(i).copied().flatten())
        .map(|t| {
            t.and_then(|t| graph.tensor(t).value.as_ref())
                .map(Tensor::as_f64)
        })
        .collect();
    let (Some(stats), Some(x)) = (stats, node.inputs[0]) else {
        return;
    };
    let [scale, bias, mean, var] = &stats[..] else {
        return;
    };
    let s: Vec<f64> = scale
        .iter()
        .zip(var)
        .map(|(g, v)| g / (v + epsilon).sqrt())
        .collect();
    let t: Vec<f64> = (bias.iter().zip(mean).zip(&s))
        .map(|((b, m), s)| b - m * s)
        .collect();
    // [C] broadcast over axis 1 of x: [C, 1, …, 1].
    let rank = graph.tensor(x).ty.shape.len();
    let mut shape = vec![s.len()];
    shape.resize(rank.saturating_sub(1).max(1), 1);
    let name = node.name.clone();
    let output = node.outputs[0];
    if fold_into_matmul(graph, index, &s, &t) {
        return;
    }
    let to_f32 = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
    let x_info = graph.tensor(x).clone();
    let s = graph.add_constant(
        &format!("{name} scale"),
        Tensor::from_f32(shape.clone(), &to_f32(&s)),
    );
    let t = graph.add_constant(
        &format!("{name} shift"),
        Tensor::from_f32(shape, &to_f32(&t)),
    );
    let scaled = graph.add_value(&format!("{name} scaled"), x_info.ty);
    graph.remove_node(index);
    for (op_type, inputs, output) in [("Mul", [x, s], scaled), ("Add", [scaled, t], output)] {
        graph.add_op(&format!("{name} {op_type}"), op_type, &[], &inputs, output);
    }
}

/// Folds the affine map into `x = Transpose(MatMul(a, W))` (or `x = MatMul(a, W)`) when `W` is a
/// constant matrix whose columns become the BatchNormalization's channel axis and nothing else
/// reads the intermediate results. Returns whether it did.
fn fold_into_matmul(graph: &mut Graph, bn: NodeIndex, s: &[f64], t: &[f64]) -> bool {
    let Some(x) = graph.nodes[bn].inputs[0] else {
        return false;
    };
    let only_reader = |graph: &Graph, tensor: TensorId, reader: NodeIndex| {
        graph.consumers(tensor) == [reader] && !graph.outputs.contains(&tensor)
    };
    // The MatMul, and the Transpose between it and the BatchNormalization if there is one.
    let Some(mut producer) = graph.producer(x) else {
        return false;
    };
    let mut transpose = None;
    if let Op::Transpose(op) = &graph.nodes[producer].op {
        let rank = graph.tensor(x).ty.shape.len();
        let moves_columns_to_channels = op
            .resolved_perm(rank)
            .is_ok_and(|p| p.get(1) == Some(&(rank - 1)));
        let Some(source) = graph.nodes[producer].inputs[0] else {
            return false;
        };
        if !moves_columns_to_channels || !only_reader(graph, x, bn) {
            return false;
        }
        transpose = Some(producer);
        let Some(p) = graph.producer(source) else {
            return false;
        };
        producer = p;
    } else if graph.tensor(x).ty.shape.len() != 2 || !only_reader(graph, x, bn) {
        return false;
    }
    let matmul = &graph.nodes[producer];
    let (Op::MatMul(_), Some(w), product) = (&matmul.op, matmul.inputs[1], matmul.outputs[0])
    else {
        return false;
    };
    let weights = match &graph.tensor(w).value {
        Some(value) if value.shape().len() == 2 && value.shape()[1] == s.len() => value.clone(),
        _ => return false,
    };
    if transpose.is_some_and(|tr| !only_reader(graph, product, tr)) {
        return false;
    }
    let columns = s.len();
    let scaled: Vec<f32> = (weights.as_f64().iter().enumerate())
        .map(|(i, &v)| (v * s[i % columns]) as f32)
        .collect();
    let name = graph.nodes[bn].name.clone();
    let w = graph.add_constant(
        &format!("{name} folded weights"),
        Tensor::from_f32(weights.shape().to_vec(), &scaled),
    );
    graph.nodes[producer].inputs[1] = Some(w);
    let t: Vec<f32> = t.iter().map(|&v| v as f32).collect();
    let bias = graph.add_constant(
        &format!("{name} folded bias"),
        Tensor::from_f32(vec![columns], &t),
    );
    let biased = graph.add_value(&format!("{name} biased"), graph.tensor(product).ty.clone());
    graph.add_op(
        &format!("{name} bias"),
        "Add",
        &[],
        &[product, bias],
        biased,
    );
    // Readers of the BatchNormalization now read the (transposed) biased product.
    let result = match transpose {
        Some(tr) => {
            graph.nodes[tr].inputs[0] = Some(biased);
            x
        }
        None => biased,
    };
    let bn_output = graph.nodes[bn].outputs[0];
    graph.remove_node(bn);
    for node in graph.nodes.node_weights_mut() {
        for input in node.inputs.iter_mut().filter(|i| **i == Some(bn_output)) {
            *input = Some(result);
        }
    }
    for output in graph.outputs.iter_mut().filter(|o| **o == bn_output) {
        *output = result;
    }
    true
}

#[cfg(test)]
mod tests {
    use onnx2wgsl_opset18::Tensor;

    use crate::testing::{op_types, Builder};

    #[test]
    fn batch_norm_becomes_an_affine_map() {
        let mut b = Builder::default();
        let x = b.input("x", &[1, 2, 3]);
        let scale = b.constant("scale", Tensor::from_f32(vec![2], &[2.0, 1.0]));
        let bias = b.constant("bias", Tensor::from_f32(vec![2], &[0.5, 0.0]));
        let mean = b.constant("mean", Tensor::from_f32(vec![2], &[1.0, -1.0]));
        let var = b.constant("var", Tensor::from_f32(vec![2], &[3.0, 0.0]));
        let y = b.node("BatchNormalization", &[x, scale, bias, mean, var]);
        let graph = super::run(b.finish(&[y]));
        assert_eq!(op_types(&graph), ["Mul", "Add"]);
        let mul = graph
            .nodes
            .node_weights()
            .find(|n| n.op_type == "Mul")
            .unwrap();
        let s = graph.tensor(mul.inputs[1].unwrap()).value.as_ref().unwrap();
        assert_eq!(s.shape(), [2, 1]);
        // ε = 1e-5: 2 / √(3 + ε) and 1 / √ε.
        let expected = [2.0 / (3.0f32 + 1e-5).sqrt(), 1.0 / 1e-5f32.sqrt()];
        for (got, want) in s.f32s().iter().zip(expected) {
            assert!((got - want).abs() <= 1e-4 * want.abs(), "{got} vs {want}");
        }
    }

    #[test]
    fn batch_norm_after_a_transposed_matmul_folds_into_its_weights() {
        let mut b = Builder::default();
        let x = b.input("x", &[1, 5, 4]);
        let w = b.constant("w", Tensor::from_f32(vec![4, 2], &[1.0; 8]));
        let h = b.node("MatMul", &[x, w]);
        let perm = onnx2wgsl_opset18::Attribute::Ints(vec![0, 2, 1]);
        let t = b.node_with("Transpose", &[("perm", perm)], &[h]);
        let stat = |b: &mut Builder, name: &str, v: [f32; 2]| {
            b.constant(name, Tensor::from_f32(vec![2], &v))
        };
        let (scale, bias) = (
            stat(&mut b, "scale", [2.0, 3.0]),
            stat(&mut b, "bias", [1.0, 0.0]),
        );
        let (mean, var) = (
            stat(&mut b, "mean", [0.5, 0.0]),
            stat(&mut b, "var", [1.0, 1.0]),
        );
        let y = b.node("BatchNormalization", &[t, scale, bias, mean, var]);
        let graph = super::run(b.finish(&[y]));
        assert_eq!(op_types(&graph), ["MatMul", "Add", "Transpose"]);
        let matmul = graph
            .nodes
            .node_weights()
            .find(|n| n.op_type == "MatMul")
            .unwrap();
        let folded = graph
            .tensor(matmul.inputs[1].unwrap())
            .value
            .as_ref()
            .unwrap()
            .f32s();
        let s = [2.0 / (1.0f32 + 1e-5).sqrt(), 3.0 / (1.0f32 + 1e-5).sqrt()];
        assert!(
            (folded[0] - s[0]).abs() < 1e-6 && (folded[1] - s[1]).abs() < 1e-6,
            "{folded:?}"
        );
        assert_eq!(graph.outputs, [t]);
    }
}
