//! Inference BatchNormalization with constant statistics is a per-channel affine map,
//! y = x·s + t with s = scale / √(var + ε) and t = B − mean·s. This pass rewrites it as a Mul and
//! an Add of build-time constants, which fusion then folds into the kernel that reads `x`.

use onnx2wgsl_opset18::{Attributes, Op, Tensor};
use petgraph::stable_graph::NodeIndex;

use crate::ir::{Graph, Node, TensorId, TensorInfo};

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
    let to_f32 = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
    let name = node.name.clone();
    let output = node.outputs[0];
    let x_info = graph.tensor(x).clone();
    let s = constant(
        graph,
        &format!("{name} scale"),
        Tensor::from_f32(shape.clone(), &to_f32(&s)),
    );
    let t = constant(
        graph,
        &format!("{name} shift"),
        Tensor::from_f32(shape, &to_f32(&t)),
    );
    let scaled = graph.add_tensor(TensorInfo {
        name: format!("{name} scaled"),
        ty: x_info.ty,
        value: None,
    });
    graph.remove_node(index);
    let arithmetic =
        |op_type: &str| Op::parse(op_type, 18, &Attributes::default()).expect("Mul and Add parse");
    for (op_type, inputs, output) in [("Mul", [x, s], scaled), ("Add", [scaled, t], output)] {
        graph.add_node(Node {
            name: format!("{name} {op_type}"),
            op_type: op_type.into(),
            op: arithmetic(op_type),
            inputs: inputs.iter().map(|&t| Some(t)).collect(),
            outputs: vec![output],
            epilogue: None,
            view: false,
        });
    }
}

fn constant(graph: &mut Graph, name: &str, value: Tensor) -> TensorId {
    graph.add_tensor(TensorInfo {
        name: name.into(),
        ty: value.ty.clone(),
        value: Some(value),
    })
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
}
