//! Node tests pass shapes, axes and scales as graph inputs; a static compiler needs them constant.
//! When the compiler asks for a constant input, the runner bakes in the test's value for it.

use onnx_protobuf::{ModelProto, TensorProto};

/// The graph input that the compiler asked to be constant: input `index` of node `node` (the
/// compiler names the node; node tests leave names empty, so every node of that name and type is
/// a candidate, and all candidates must read the same graph input).
pub fn requested_input(
    model: &ModelProto,
    node: &str,
    op_type: &str,
    index: usize,
) -> Option<String> {
    let graph = model.graph.get_or_default();
    let is_graph_input = |name: &String| {
        graph.input.iter().any(|i| &i.name == name)
            && !graph.initializer.iter().any(|t| &t.name == name)
    };
    let mut candidates: Vec<&String> = (graph.node.iter())
        .filter(|n| n.name == node && n.op_type == op_type)
        .filter_map(|n| n.input.get(index))
        .filter(|name| is_graph_input(name))
        .collect();
    candidates.sort();
    candidates.dedup();
    match candidates[..] {
        [name] => Some(name.clone()),
        _ => None,
    }
}

/// Turns graph input `name` into an initializer holding `value`.
pub fn freeze(model: &mut ModelProto, name: &str, mut value: TensorProto) {
    let graph = model.graph.mut_or_insert_default();
    graph.input.retain(|i| i.name != name);
    value.name = name.to_string();
    graph.initializer.push(value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use onnx_protobuf::{GraphProto, NodeProto, ValueInfoProto};

    fn node(op_type: &str, inputs: &[&str]) -> NodeProto {
        NodeProto {
            op_type: op_type.into(),
            input: inputs.iter().map(|s| s.to_string()).collect(),
            ..NodeProto::default()
        }
    }

    fn model(nodes: Vec<NodeProto>, inputs: &[&str]) -> ModelProto {
        let input = (inputs.iter())
            .map(|name| ValueInfoProto {
                name: name.to_string(),
                ..ValueInfoProto::default()
            })
            .collect();
        let graph = GraphProto {
            node: nodes,
            input,
            ..GraphProto::default()
        };
        ModelProto {
            graph: Some(graph).into(),
            ..ModelProto::default()
        }
    }

    #[test]
    fn freezes_only_the_input_the_compiler_names() {
        let mut m = model(vec![node("Reshape", &["x", "shape"])], &["x", "shape"]);
        assert_eq!(
            requested_input(&m, "", "Reshape", 1).as_deref(),
            Some("shape")
        );
        assert_eq!(requested_input(&m, "", "Slice", 1), None);
        freeze(&mut m, "shape", TensorProto::default());
        let graph = m.graph.get_or_default();
        assert_eq!(graph.input.len(), 1);
        assert_eq!(graph.initializer[0].name, "shape");
        assert_eq!(requested_input(&m, "", "Reshape", 1), None, "now constant");
    }

    #[test]
    fn unnamed_nodes_reading_different_inputs_are_ambiguous() {
        let nodes = vec![node("Reshape", &["x", "a"]), node("Reshape", &["x", "b"])];
        let m = model(nodes, &["x", "a", "b"]);
        assert_eq!(requested_input(&m, "", "Reshape", 1), None);
    }
}
