//! Small IR graphs for the passes' unit tests, built the way decoding builds them: every node's
//! output types inferred and build-time values folded.

use onnx2wgsl_opset18::{Attribute, Attributes, DataType, Op, Tensor, TensorType};

use crate::ir::{Graph, TensorId, TensorInfo};

#[derive(Default)]
pub struct Builder {
    pub graph: Graph,
}

impl Builder {
    pub fn input(&mut self, name: &str, shape: &[usize]) -> TensorId {
        let ty = TensorType::new(DataType::Float, shape.to_vec());
        let id = self.graph.add_value(name, ty);
        self.graph.inputs.push(id);
        id
    }

    pub fn constant(&mut self, name: &str, tensor: Tensor) -> TensorId {
        self.graph.add_constant(name, tensor)
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
        let parsed = Attributes(
            (attrs.iter())
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        );
        let op = Op::parse(op_type, 18, &parsed).expect("a known operator");
        let present: Vec<Option<TensorId>> = inputs.iter().map(|&t| Some(t)).collect();
        let values = self.graph.values(&present);
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
        self.graph.add_op(&name, op_type, attrs, inputs, output);
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
