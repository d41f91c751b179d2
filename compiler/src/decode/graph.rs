//! `GraphProto` to the IR: resolves names, parses every operator, infers every tensor's type and
//! propagates constants (so shape arithmetic is known at build time).

use std::collections::{HashMap, HashSet};

use onnx2wgsl_opset18::{Op, OpError, TensorType};

use super::attributes;
use super::tensor::{element_type, tensor_from_proto, ExternalData};
use crate::ir::{Graph, Node, TensorId, TensorInfo};
use crate::proto::tensor_shape_proto::dimension;
use crate::proto::type_proto;
use crate::proto::{GraphProto, NodeProto, ValueInfoProto};
use crate::{CompileError, UnsupportedNode};

pub fn build(
    proto: GraphProto,
    opset: i64,
    dims: &HashMap<String, usize>,
    external: &ExternalData,
) -> Result<Graph, CompileError> {
    let ops = parse_all(&proto.node, opset, external)?;
    let mut graph = Graph::default();
    let mut names: HashMap<String, TensorId> = HashMap::new();

    if !proto.sparse_initializer.is_empty() {
        return Err(CompileError::Model(
            "sparse initializers are not supported".into(),
        ));
    }
    for init in &proto.initializer {
        element_type(init.data_type()).map_err(|reason| CompileError::UnsupportedType {
            tensor: init.name().into(),
            reason,
        })?;
        let value = tensor_from_proto(init, external).map_err(|reason| CompileError::Tensor {
            tensor: init.name().into(),
            reason,
        })?;
        let ty = value.ty.clone();
        let id = graph.add_tensor(TensorInfo {
            name: init.name().into(),
            ty,
            value: Some(value),
        });
        names.insert(init.name().into(), id);
    }
    let mut symbolic = Vec::new();
    for input in &proto.input {
        // Older models list initializers among the inputs too; the initializer wins.
        if names.contains_key(input.name()) {
            continue;
        }
        let ty = input_type(input, dims, &mut symbolic)?;
        let id = graph.add_tensor(TensorInfo {
            name: input.name().into(),
            ty,
            value: None,
        });
        names.insert(input.name().into(), id);
        graph.inputs.push(id);
    }
    check_dims_used(dims, symbolic)?;
    let needed = values_needed(&proto);
    for (node, op) in proto.node.iter().zip(ops) {
        add_node(&mut graph, &mut names, node, op, &needed)?;
    }
    for output in &proto.output {
        // An output's declared type may leave the element type out; inference gives it.
        if let Some(tensor) = declared_tensor(output, "graph output")? {
            if tensor.elem_type() != 0 {
                element_type(tensor.elem_type()).map_err(|r| unsupported_type(output, r))?;
            }
        }
        let id = *names.get(output.name()).ok_or_else(|| {
            CompileError::Model(format!(
                "graph output {:?} is not produced by any node",
                output.name()
            ))
        })?;
        // A plan's outputs are read back by name, so a repeated one could not be told apart.
        if graph.outputs.contains(&id) {
            return Err(CompileError::Model(format!(
                "graph output {:?} is listed twice",
                output.name()
            )));
        }
        graph.outputs.push(id);
    }
    if graph.outputs.is_empty() {
        return Err(CompileError::Model("the graph has no outputs".into()));
    }
    Ok(graph)
}

/// Parses every node first, so that all unsupported nodes are reported together.
fn parse_all(
    nodes: &[NodeProto],
    opset: i64,
    external: &ExternalData,
) -> Result<Vec<Op>, CompileError> {
    let mut ops = Vec::with_capacity(nodes.len());
    let mut unsupported = Vec::new();
    for node in nodes {
        let parsed = if node.domain().is_empty() || node.domain() == "ai.onnx" {
            let outputs = node.output.len();
            attributes::convert(&node.attribute, external)
                .and_then(|attrs| Op::parse_node(node.op_type(), opset, &attrs, outputs))
        } else {
            Err(OpError::Unsupported(format!("domain {:?}", node.domain())))
        };
        match parsed {
            Ok(op) => ops.push(op),
            Err(e) => unsupported.push(UnsupportedNode {
                op_type: node.op_type().into(),
                name: node.name().into(),
                reason: e.to_string(),
            }),
        }
    }
    if unsupported.is_empty() {
        Ok(ops)
    } else {
        Err(CompileError::Unsupported(unsupported))
    }
}

/// The tensors whose values something needs: those a node other than Shape reads, and the graph's
/// outputs. (Shape needs only the type.)
fn values_needed(proto: &GraphProto) -> HashSet<String> {
    let read = (proto.node.iter())
        .filter(|n| n.op_type() != "Shape")
        .flat_map(|n| n.input.iter());
    let outputs = proto.output.iter().map(|o| o.name());
    read.map(String::as_str)
        .chain(outputs)
        .map(str::to_owned)
        .collect()
}

/// ConstantOfShape has no device kernel: unless only its shape is needed, it must fold.
fn check_folds(
    proto: &NodeProto,
    op: &Op,
    types: &[TensorType],
    constant_inputs: bool,
    needed: &HashSet<String>,
) -> Result<(), CompileError> {
    if !matches!(op, Op::ConstantOfShape(_)) || !constant_inputs {
        return Ok(());
    }
    let Some(bytes) = op.over_fold_budget(types) else {
        return Ok(());
    };
    if proto.output.iter().any(|o| needed.contains(o)) {
        return Err(CompileError::FoldBudget {
            name: proto.name().into(),
            op_type: proto.op_type().into(),
            bytes,
        });
    }
    Ok(())
}

fn add_node(
    graph: &mut Graph,
    names: &mut HashMap<String, TensorId>,
    proto: &NodeProto,
    op: Op,
    needed: &HashSet<String>,
) -> Result<(), CompileError> {
    let node_error = |source: OpError| CompileError::Node {
        name: proto.name().into(),
        op_type: proto.op_type().into(),
        source,
    };
    let mut inputs = Vec::with_capacity(proto.input.len());
    for name in &proto.input {
        if name.is_empty() {
            inputs.push(None);
            continue;
        }
        let id = names.get(name).copied().ok_or_else(|| {
            node_error(OpError::Invalid(format!(
                "input {name:?} is not defined before this node (nodes must be topologically sorted)"
            )))
        })?;
        inputs.push(Some(id));
    }
    let values = graph.values(&inputs);
    let types = op.infer(&values).map_err(node_error)?;
    let folded = op.fold(&values).map_err(node_error)?;
    if folded.is_none() {
        let constant_inputs = values.iter().flatten().all(|v| v.constant.is_some());
        check_folds(proto, &op, &types, constant_inputs, needed)?;
    }

    // The outputs of a Split are its parts in order (see `passes::split`).
    if matches!(op, Op::Split(_)) && proto.output.iter().any(String::is_empty) {
        return Err(node_error(OpError::Invalid(
            "every output of a Split must be named".into(),
        )));
    }
    let mut outputs = Vec::new();
    for (i, name) in proto.output.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        let ty = types.get(i).cloned().ok_or_else(|| {
            node_error(OpError::Invalid(format!(
                "has no output {i} (output {name:?})"
            )))
        })?;
        let value = folded.as_ref().and_then(|values| values.get(i).cloned());
        if let Some(v) = &value {
            if v.ty != ty {
                return Err(node_error(OpError::Invalid(format!(
                    "evaluated output {name:?} as {:?} but inferred {:?} (operator bug)",
                    v.ty, ty
                ))));
            }
        }
        let id = graph.add_tensor(TensorInfo {
            name: name.clone(),
            ty,
            value,
        });
        names.insert(name.clone(), id);
        outputs.push(id);
    }
    let view = op.is_reshape();
    graph.add_node(Node {
        name: proto.name().into(),
        op_type: proto.op_type().into(),
        op,
        inputs,
        outputs,
        epilogue: None,
        view,
        upsampled: false,
    });
    Ok(())
}

/// A `--dim` that names no dimension of the model is a mistake (a typo, the wrong model), not
/// something to ignore.
fn check_dims_used(
    dims: &HashMap<String, usize>,
    mut symbolic: Vec<String>,
) -> Result<(), CompileError> {
    let mut unknown: Vec<&String> = dims.keys().filter(|d| !symbolic.contains(d)).collect();
    unknown.sort();
    if let Some(dim) = unknown.first() {
        symbolic.sort();
        symbolic.dedup();
        return Err(CompileError::UnknownDim {
            dim: dim.to_string(),
            known: symbolic,
        });
    }
    Ok(())
}

/// A graph input's static type, binding symbolic dimensions from `dims` (whose names it adds to
/// `symbolic`).
fn input_type(
    input: &ValueInfoProto,
    dims: &HashMap<String, usize>,
    symbolic: &mut Vec<String>,
) -> Result<TensorType, CompileError> {
    let name = input.name();
    let bad = |reason: String| CompileError::Tensor {
        tensor: name.into(),
        reason,
    };
    let tensor = declared_tensor(input, "graph input")?
        .ok_or_else(|| bad("graph input has no type".into()))?;
    let dtype = element_type(tensor.elem_type()).map_err(|r| unsupported_type(input, r))?;
    let shape_proto = tensor
        .shape
        .as_ref()
        .ok_or_else(|| bad("graph input has no shape".into()))?;
    let mut shape = Vec::with_capacity(shape_proto.dim.len());
    for (axis, dim) in shape_proto.dim.iter().enumerate() {
        let size = match &dim.value {
            Some(dimension::Value::DimValue(v)) if *v >= 0 => *v as usize,
            Some(dimension::Value::DimParam(p)) => {
                symbolic.push(p.clone());
                *dims.get(p).ok_or_else(|| CompileError::UnboundDim {
                    input: name.into(),
                    dim: p.clone(),
                    axis,
                })?
            }
            _ => return Err(bad(format!("axis {axis} has neither a size nor a name"))),
        };
        shape.push(size);
    }
    let ty = TensorType::new(dtype, shape);
    if ty.checked_bytes().is_none() {
        return Err(bad(format!("shape {:?} has too many elements", ty.shape)));
    }
    Ok(ty)
}

/// The tensor type a graph input or output declares, if it declares one; other kinds of value
/// (sequences, maps, optionals, sparse tensors) are not supported.
fn declared_tensor<'a>(
    info: &'a ValueInfoProto,
    role: &str,
) -> Result<Option<&'a type_proto::Tensor>, CompileError> {
    let kind = match info.r#type.as_ref().and_then(|t| t.value.as_ref()) {
        None => return Ok(None),
        Some(type_proto::Value::TensorType(t)) => return Ok(Some(t)),
        Some(type_proto::Value::SequenceType(_)) => "a sequence",
        Some(type_proto::Value::MapType(_)) => "a map",
        Some(type_proto::Value::OptionalType(_)) => "an optional",
        Some(type_proto::Value::SparseTensorType(_)) => "a sparse tensor",
    };
    Err(unsupported_type(
        info,
        format!("{role} is {kind}, not a tensor"),
    ))
}

fn unsupported_type(info: &ValueInfoProto, reason: String) -> CompileError {
    CompileError::UnsupportedType {
        tensor: info.name().into(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{TensorProto, TensorShapeProto, TypeProto};

    fn info(name: &str, value: type_proto::Value) -> ValueInfoProto {
        ValueInfoProto {
            name: Some(name.into()),
            r#type: Some(TypeProto {
                value: Some(value),
                ..TypeProto::default()
            }),
            ..ValueInfoProto::default()
        }
    }

    fn tensor(elem_type: i32) -> type_proto::Value {
        type_proto::Value::TensorType(type_proto::Tensor {
            elem_type: Some(elem_type),
            shape: Some(TensorShapeProto::default()),
        })
    }

    /// The tensor and reason of the `UnsupportedType` error that `Identity(x) -> y` gives.
    fn refused(x: Option<type_proto::Value>, y: type_proto::Value) -> (String, String) {
        let mut graph = GraphProto {
            node: vec![NodeProto {
                op_type: Some("Identity".into()),
                input: vec!["x".into()],
                output: vec!["y".into()],
                ..NodeProto::default()
            }],
            output: vec![info("y", y)],
            ..GraphProto::default()
        };
        match x {
            Some(x) => graph.input.push(info("x", x)),
            None => graph.initializer.push(TensorProto {
                name: Some("x".into()),
                data_type: Some(16),
                ..TensorProto::default()
            }),
        }
        let external = ExternalData::new(Default::default());
        match build(graph, 18, &HashMap::new(), &external) {
            Err(CompileError::UnsupportedType { tensor, reason }) => (tensor, reason),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unsupported_types_name_the_tensor_and_the_type() {
        let optional = type_proto::Value::OptionalType(Box::default());
        let cases = [
            (
                Some(tensor(2)),
                tensor(1),
                "x",
                "element type uint8 is not supported",
            ),
            (
                None,
                tensor(1),
                "x",
                "element type bfloat16 is not supported",
            ),
            (
                Some(optional),
                tensor(1),
                "x",
                "graph input is an optional, not a tensor",
            ),
            (
                Some(tensor(1)),
                tensor(10),
                "y",
                "element type float16 is not supported",
            ),
        ];
        for (x, y, tensor, reason) in cases {
            assert_eq!(refused(x, y), (tensor.into(), reason.into()));
        }
    }
}
