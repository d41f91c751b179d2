//! Small ONNX models written by the tests themselves (with the independent `onnx-protobuf`
//! encoder), for error cases too odd to keep as fixture files.

use std::path::{Path, PathBuf};

use onnx_protobuf::attribute_proto::AttributeType;
use onnx_protobuf::tensor_shape_proto::{dimension, Dimension};
use onnx_protobuf::{
    type_proto, AttributeProto, GraphProto, Message, ModelProto, NodeProto, OperatorSetIdProto,
    TensorProto, TensorShapeProto, TypeProto, ValueInfoProto,
};

/// A graph under construction; [`Model::write`] saves it as an opset-18 model.
#[derive(Default)]
pub struct Model {
    graph: GraphProto,
}

/// A dimension of a graph input: a size or a symbolic name.
pub enum Dim {
    Size(i64),
    Named(&'static str),
}

impl Model {
    /// A float32 graph input.
    pub fn input(self, name: &str, shape: &[Dim]) -> Model {
        self.typed_input(name, 1, shape)
    }

    /// A graph input of ONNX element type `elem_type` (1 float, 6 int32, 7 int64, 9 bool).
    pub fn typed_input(mut self, name: &str, elem_type: i32, shape: &[Dim]) -> Model {
        let dim = shape
            .iter()
            .map(|d| Dimension {
                value: Some(match d {
                    Dim::Size(n) => dimension::Value::DimValue(*n),
                    Dim::Named(p) => dimension::Value::DimParam(p.to_string()),
                }),
                ..Dimension::default()
            })
            .collect();
        let tensor = type_proto::Tensor {
            elem_type,
            shape: Some(TensorShapeProto {
                dim,
                ..TensorShapeProto::default()
            })
            .into(),
            ..type_proto::Tensor::default()
        };
        self.graph.input.push(ValueInfoProto {
            name: name.into(),
            type_: Some(TypeProto {
                value: Some(type_proto::Value::TensorType(tensor)),
                ..TypeProto::default()
            })
            .into(),
            ..ValueInfoProto::default()
        });
        self
    }

    /// An int64 initializer.
    pub fn int64s(mut self, name: &str, values: &[i64]) -> Model {
        self.graph.initializer.push(TensorProto {
            name: name.into(),
            dims: vec![values.len() as i64],
            data_type: 7,
            int64_data: values.to_vec(),
            ..TensorProto::default()
        });
        self
    }

    /// A float32 initializer.
    pub fn floats(mut self, name: &str, dims: &[i64], values: Vec<f32>) -> Model {
        self.graph.initializer.push(TensorProto {
            name: name.into(),
            dims: dims.to_vec(),
            data_type: 1,
            float_data: values,
            ..TensorProto::default()
        });
        self
    }

    pub fn node(self, op_type: &str, name: &str, inputs: &[&str], outputs: &[&str]) -> Model {
        self.node_with(op_type, name, inputs, outputs, vec![])
    }

    pub fn node_with(
        mut self,
        op_type: &str,
        name: &str,
        inputs: &[&str],
        outputs: &[&str],
        attribute: Vec<AttributeProto>,
    ) -> Model {
        self.graph.node.push(NodeProto {
            op_type: op_type.into(),
            name: name.into(),
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: outputs.iter().map(|s| s.to_string()).collect(),
            attribute,
            ..NodeProto::default()
        });
        self
    }

    /// A graph output whose type inference gives.
    pub fn output(mut self, name: &str) -> Model {
        self.graph.output.push(ValueInfoProto {
            name: name.into(),
            ..ValueInfoProto::default()
        });
        self
    }

    /// Writes the model as `name` in `dir`, returning its path.
    pub fn write(self, dir: &Path, name: &str) -> PathBuf {
        let model = ModelProto {
            ir_version: 8,
            opset_import: vec![OperatorSetIdProto {
                domain: String::new(),
                version: 18,
                ..OperatorSetIdProto::default()
            }],
            graph: Some(self.graph).into(),
            ..ModelProto::default()
        };
        let path = dir.join(name);
        std::fs::write(&path, model.write_to_bytes().expect("model encodes")).unwrap();
        path
    }
}

/// An `ints` attribute.
pub fn ints(name: &str, values: &[i64]) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        type_: AttributeType::INTS.into(),
        ints: values.to_vec(),
        ..AttributeProto::default()
    }
}

/// A `float` attribute.
pub fn float(name: &str, value: f32) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        type_: AttributeType::FLOAT.into(),
        f: value,
        ..AttributeProto::default()
    }
}

/// A `string` attribute.
pub fn string(name: &str, value: &str) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        type_: AttributeType::STRING.into(),
        s: value.as_bytes().to_vec(),
        ..AttributeProto::default()
    }
}

/// An `int` attribute.
pub fn int(name: &str, value: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        type_: AttributeType::INT.into(),
        i: value,
        ..AttributeProto::default()
    }
}
