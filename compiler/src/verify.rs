//! The IR's invariants, checked as a pass of their own (as naga validates a module before its back
//! ends trust it): every tensor is defined once and before it is read, edges mirror what the
//! nodes read (operator inputs and epilogue operands), each operator's inferred output type is the
//! one recorded, fused epilogues refer only to what exists, and a chosen schedule runs producers
//! first. [`crate::passes::run`] calls it after every pass in debug builds, which every test and
//! fuzzing run uses.

use std::collections::{HashMap, HashSet};

use petgraph::Direction;

use crate::ir::{Graph, Operand, Step};

/// The first broken invariant, described with the node it concerns.
pub fn verify(graph: &Graph) -> Result<(), String> {
    let count = graph.tensors.len();
    let known = |t: usize, what: &str| -> Result<(), String> {
        (t < count)
            .then_some(())
            .ok_or(format!("{what} names tensor {t}, of {count}"))
    };
    let mut producer = HashMap::new();
    for index in graph.nodes.node_indices() {
        let node = &graph.nodes[index];
        let what = format!("node {:?} ({})", node.name, node.op_type);
        for t in node.reads() {
            known(t, &what)?;
        }
        for &t in &node.outputs {
            known(t, &what)?;
            if producer.insert(t, index).is_some() {
                return Err(format!(
                    "{what}: tensor {:?} has two producers",
                    graph.tensor(t).name
                ));
            }
            if graph.producer(t) != Some(index) {
                return Err(format!(
                    "{what}: the graph does not record it as producing {:?}",
                    graph.tensor(t).name
                ));
            }
        }
    }
    let defined = |t: usize| {
        producer.contains_key(&t) || graph.inputs.contains(&t) || graph.tensor(t).value.is_some()
    };
    for index in graph.nodes.node_indices() {
        let node = &graph.nodes[index];
        let what = format!("node {:?} ({})", node.name, node.op_type);
        let mut from_edges: Vec<usize> = (graph.nodes.edges_directed(index, Direction::Incoming))
            .map(|e| *e.weight())
            .collect();
        let mut from_reads: Vec<usize> = (node.reads())
            .filter(|t| producer.contains_key(t))
            .collect();
        for list in [&mut from_edges, &mut from_reads] {
            list.sort_unstable();
            list.dedup();
        }
        if from_edges != from_reads {
            return Err(format!(
                "{what}: its edges carry {from_edges:?}, its reads need {from_reads:?}"
            ));
        }
        if let Some(t) = node.reads().find(|&t| !defined(t)) {
            return Err(format!(
                "{what} reads {:?}, which nothing defines",
                graph.tensor(t).name
            ));
        }
        check_types(graph, index)?;
    }
    for &t in &graph.outputs {
        known(t, "a graph output")?;
        if !defined(t) {
            return Err(format!(
                "graph output {:?} is never defined",
                graph.tensor(t).name
            ));
        }
    }
    if petgraph::algo::toposort(&graph.nodes, None).is_err() {
        return Err("the graph has a cycle".to_owned());
    }
    check_schedule(graph)
}

/// The operator's own output type, inferred again from its inputs, is the one recorded: for a
/// fused node that is its epilogue's base; the epilogue stores the node's one output and its
/// references stay in range.
fn check_types(graph: &Graph, index: petgraph::stable_graph::NodeIndex) -> Result<(), String> {
    let node = &graph.nodes[index];
    let what = format!("node {:?} ({})", node.name, node.op_type);
    let inferred = graph
        .infer(node)
        .map_err(|e| format!("{what}: its inputs no longer fit it: {e}"))?;
    let recorded: Vec<usize> = match &node.epilogue {
        Some(e) => vec![e.base],
        None => node.outputs.clone(),
    };
    for (ty, &t) in inferred.iter().zip(&recorded) {
        if *ty != graph.tensor(t).ty {
            return Err(format!(
                "{what}: infers {ty:?} for {:?}, which is recorded as {:?}",
                graph.tensor(t).name,
                graph.tensor(t).ty
            ));
        }
    }
    let Some(e) = &node.epilogue else {
        return Ok(());
    };
    if node.outputs.len() != 1 || graph.tensor(node.outputs[0]).ty.shape != e.shape {
        return Err(format!(
            "{what}: a fused node stores one result of its epilogue's shape {:?}",
            e.shape
        ));
    }
    if e.views.len() != e.operands.len() {
        return Err(format!(
            "{what}: its epilogue has {} operands and {} reads",
            e.operands.len(),
            e.views.len()
        ));
    }
    for (k, step) in e.steps.iter().enumerate() {
        let operands = match *step {
            Step::Unary(_, a) => vec![a],
            Step::Binary(_, a, b) => vec![a, b],
        };
        for operand in operands {
            let fine = match operand {
                Operand::Base => true,
                Operand::Step(j) => j < k,
                Operand::Input(i) => i < e.operands.len(),
            };
            if !fine {
                return Err(format!(
                    "{what}: epilogue step {k} reads {operand:?}, which does not exist"
                ));
            }
        }
    }
    Ok(())
}

/// A chosen schedule names every node once, each after the producers of its inputs.
fn check_schedule(graph: &Graph) -> Result<(), String> {
    if graph.schedule.is_empty() {
        return Ok(());
    }
    let mut done = HashSet::new();
    for &index in &graph.schedule {
        let Some(node) = graph.nodes.node_weight(index) else {
            return Err(format!("the schedule names a removed node {index:?}"));
        };
        for source in graph.nodes.neighbors_directed(index, Direction::Incoming) {
            if !done.contains(&source) {
                return Err(format!(
                    "the schedule runs {:?} before {:?}, which it reads",
                    node.name, graph.nodes[source].name
                ));
            }
        }
        if !done.insert(index) {
            return Err(format!("the schedule runs {:?} twice", node.name));
        }
    }
    if done.len() != graph.nodes.node_count() {
        return Err(format!(
            "the schedule runs {} of {} nodes",
            done.len(),
            graph.nodes.node_count()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use onnx2wgsl_opset18::ops::binary::BinaryKind;
    use onnx2wgsl_opset18::{DataType, TensorType};

    use super::*;
    use crate::ir::Epilogue;
    use crate::strides::View;
    use crate::testing::Builder;

    fn relu_of_sum() -> Graph {
        let mut b = Builder::default();
        let x = b.input("x", &[2, 3]);
        let y = b.input("y", &[2, 3]);
        let s = b.node("Add", &[x, y]);
        let r = b.node("Relu", &[s]);
        b.finish(&[r])
    }

    #[test]
    fn a_graph_built_as_decoding_builds_it_is_valid() {
        assert_eq!(verify(&relu_of_sum()), Ok(()));
    }

    #[test]
    fn a_read_of_an_undefined_tensor_is_named() {
        let mut graph = relu_of_sum();
        let stray = graph.add_value("stray", TensorType::new(DataType::Float, vec![2, 3]));
        let relu = graph.nodes.node_indices().last().unwrap();
        graph.nodes[relu].inputs = vec![Some(stray)];
        graph.rewire();
        let error = verify(&graph).unwrap_err();
        assert!(
            error.contains("reads \"stray\", which nothing defines"),
            "{error}"
        );
    }

    #[test]
    fn a_recorded_type_that_inference_contradicts_is_named() {
        let mut graph = relu_of_sum();
        let output = graph.outputs[0];
        graph.tensors[output].ty = TensorType::new(DataType::Float, vec![3, 2]);
        let error = verify(&graph).unwrap_err();
        assert!(error.contains("infers"), "{error}");
    }

    #[test]
    fn edges_that_no_longer_match_the_inputs_are_named() {
        let mut graph = relu_of_sum();
        graph.nodes.clear_edges();
        let error = verify(&graph).unwrap_err();
        assert!(error.contains("its edges carry []"), "{error}");
    }

    /// Relu(x) with Neg(y) added in its epilogue, as fusion leaves it.
    fn fused() -> Graph {
        let mut b = Builder::default();
        let x = b.input("x", &[2, 3]);
        let y = b.input("y", &[2, 3]);
        let n = b.node("Neg", &[y]);
        let r = b.node("Relu", &[x]);
        let mut graph = b.finish(&[r]);
        let out = graph.add_value("out", TensorType::new(DataType::Float, vec![2, 3]));
        let relu = graph.producer(r).unwrap();
        let node = &mut graph.nodes[relu];
        node.epilogue = Some(Epilogue {
            base: r,
            steps: vec![Step::Binary(
                BinaryKind::Add,
                Operand::Base,
                Operand::Input(0),
            )],
            operands: vec![n],
            views: vec![View::contiguous(&[2, 3])],
            shape: vec![2, 3],
            store: None,
        });
        node.outputs = vec![out];
        graph.outputs = vec![out];
        graph.rewire();
        graph
    }

    #[test]
    fn a_fused_node_is_valid() {
        assert_eq!(verify(&fused()), Ok(()));
    }

    #[test]
    fn an_epilogue_operand_needs_its_edge() {
        let mut graph = fused();
        graph.nodes.clear_edges();
        let error = verify(&graph).unwrap_err();
        assert!(
            error.contains("its edges carry [], its reads need ["),
            "{error}"
        );
    }

    #[test]
    fn an_epilogue_step_reading_no_operand_is_named() {
        let mut graph = fused();
        let relu = graph.producer(graph.outputs[0]).unwrap();
        let e = graph.nodes[relu].epilogue.as_mut().unwrap();
        e.steps = vec![Step::Binary(
            BinaryKind::Add,
            Operand::Base,
            Operand::Input(1),
        )];
        let error = verify(&graph).unwrap_err();
        assert!(
            error.contains("reads Input(1), which does not exist"),
            "{error}"
        );
    }
}
