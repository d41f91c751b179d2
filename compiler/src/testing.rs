//! Small IR graphs for the passes' unit tests, built the way decoding builds them: every node's
//! output types inferred and build-time values folded.

use onnx2wgsl_opset18::{Attribute, Attributes, DataType, Op, Tensor, TensorType};

use crate::ir::{Graph, Node, TensorId, TensorInfo};
use crate::views::is_reshape;

#[derive(Default)]
pub struct Builder {
    pub graph: Graph,
}

impl Builder {
    pub fn input(&mut self, name: &str, shape: &[usize]) -> TensorId {
        let ty = TensorType::new(DataType::Float, shape.to_vec());
        let id = self.graph.add_tensor(TensorInfo {
            name: name.into(),
            ty,
            value: None,
        });
        self.graph.inputs.push(id);
        id
    }

    pub fn constant(&mut self, name: &str, tensor: Tensor) -> TensorId {
        let ty = tensor.ty.clone();
        self.graph.add_tensor(TensorInfo {
            name: name.into(),
            ty,
            value: Some(tensor),
        })
    }

    /// Adds a single-output node and returns its output.
    pub fn node(&mut self, op_type: &str, inputs: &[TensorId]) -> TensorId {
        self.node_with(op_type, &[], inputs)
    }

    pub fn node_with(
        &mut self,
        op_type: &str,
        attrs: &[(&str, Attribute)],
        inputs: &[TensorId],
    ) -> TensorId {
        let attrs = Attributes(
            attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        );
        let op = Op::parse(op_type, 18, &attrs).expect("a known operator");
        let inputs: Vec<Option<TensorId>> = inputs.iter().map(|&t| Some(t)).collect();
        let values = self.graph.values(&inputs);
        let ty = op.infer(&values).expect("valid inputs").remove(0);
        let value = op
            .fold(&values)
            .expect("foldable or not")
            .map(|mut v| v.remove(0));
        let name = format!("{op_type}_{}", self.graph.nodes.node_count());
        let output = self.graph.add_tensor(TensorInfo {
            name: format!("{name}_out"),
            ty,
            value,
        });
        self.graph.add_node(Node {
            name,
            op_type: op_type.into(),
            inputs,
            outputs: vec![output],
            epilogue: None,
            view: is_reshape(&op),
            op,
        });
        output
    }

    pub fn finish(mut self, outputs: &[TensorId]) -> Graph {
        self.graph.outputs = outputs.to_vec();
        self.graph
    }
}

/// The op types of a graph's nodes in execution order.
pub fn op_types(graph: &Graph) -> Vec<String> {
    graph
        .order()
        .into_iter()
        .map(|n| graph.nodes[n].op_type.clone())
        .collect()
}
