//! The one graph type every pass works on: operations are petgraph nodes, and an edge from a
//! producer to a consumer carries the tensor that flows between them. Every tensor has a static
//! dtype and shape; constants carry their value.

use std::collections::HashMap;

use onnx2wgsl_opset18::ops::binary::BinaryKind;
use onnx2wgsl_opset18::ops::unary::UnaryKind;
use onnx2wgsl_opset18::{Attribute, Attributes, Op, OpError, Tensor, TensorType, Value};
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::order::AlongBase;
use crate::strides::View;

pub type TensorId = usize;

/// Output phases of a convolution with a folded upsampling ([`Node::upsampled`]): (row parity,
/// column parity) as 2·py + px.
pub const PHASES: usize = 4;

#[derive(Clone, Debug)]
pub struct TensorInfo {
    pub name: String,
    pub ty: TensorType,
    /// Known at build time (initializers, folded results).
    pub value: Option<Tensor>,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub name: String,
    pub op_type: String,
    pub op: Op,
    /// The operator's own inputs, in ONNX input order; `None` for an omitted optional input.
    pub inputs: Vec<Option<TensorId>>,
    pub outputs: Vec<TensorId>,
    /// Elementwise operations fused onto the output (see [`Epilogue`]).
    pub epilogue: Option<Epilogue>,
    /// Produces no data of its own: its output is its first input read through a
    /// [`View`].
    pub view: bool,
    /// A convolution that reads its input at half the size, a nearest ×2 upsampling folded in:
    /// its weight holds one 2×2 kernel per output phase (`passes/upsample.rs`).
    pub upsampled: bool,
}

impl Node {
    /// Every tensor the node reads: the operator's inputs, then its epilogue's operands.
    pub fn reads(&self) -> impl Iterator<Item = TensorId> + '_ {
        let operands = self
            .epilogue
            .iter()
            .flat_map(|e| e.operands.iter().copied());
        self.inputs.iter().flatten().copied().chain(operands)
    }
}

/// Elementwise operations applied to a kernel's result before it is stored. The node's single
/// output is then the last step's result, possibly rearranged by fused reshapes and transposes;
/// `base` is the operator's own output, which is never stored but still gives the kernel its
/// shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Epilogue {
    pub base: TensorId,
    pub steps: Vec<Step>,
    /// The tensors the steps read besides the kernel's result (bound after the kernel's own
    /// inputs); a tensor read in two ways appears twice.
    pub operands: Vec<TensorId>,
    /// The stored result's shape: the steps run once per element of it, at its row-major index.
    pub shape: Vec<usize>,
    /// How each of `operands` is read at each index of `shape` (offset and strides into its
    /// storage).
    pub views: Vec<View>,
    /// Where the base's element at each row-major index goes in the stored result (its row-major
    /// index), when fused transposes store it in another order; `None` for the same order.
    pub store: Option<AlongBase>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Operand {
    /// The operator's own result.
    Base,
    /// An earlier step's result.
    Step(usize),
    /// The epilogue's operand at this index, read through its entry of [`Epilogue::views`].
    Input(usize),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step {
    Unary(UnaryKind, Operand),
    Binary(BinaryKind, Operand, Operand),
}

#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub nodes: StableDiGraph<Node, TensorId>,
    pub tensors: Vec<TensorInfo>,
    pub inputs: Vec<TensorId>,
    pub outputs: Vec<TensorId>,
    /// The order the nodes run in, once the scheduling pass has chosen it.
    pub schedule: Vec<NodeIndex>,
    producers: HashMap<TensorId, NodeIndex>,
}

impl Graph {
    pub fn add_tensor(&mut self, info: TensorInfo) -> TensorId {
        self.tensors.push(info);
        self.tensors.len() - 1
    }

    pub fn tensor(&self, id: TensorId) -> &TensorInfo {
        &self.tensors[id]
    }

    /// Adds a build-time constant.
    pub fn add_constant(&mut self, name: &str, value: Tensor) -> TensorId {
        self.add_tensor(TensorInfo {
            name: name.to_string(),
            ty: value.ty.clone(),
            value: Some(value),
        })
    }

    /// Adds a tensor a node will compute.
    pub fn add_value(&mut self, name: &str, ty: TensorType) -> TensorId {
        self.add_tensor(TensorInfo {
            name: name.to_string(),
            ty,
            value: None,
        })
    }

    /// Adds a node of the opset-18 operator `op_type` computing `output` (reshape-like operators
    /// as views), for passes that build operators they know to be valid.
    pub fn add_op(
        &mut self,
        name: &str,
        op_type: &str,
        attrs: &[(&str, Attribute)],
        inputs: &[TensorId],
        output: TensorId,
    ) -> NodeIndex {
        let attrs = Attributes(
            (attrs.iter())
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        );
        let op = Op::parse(op_type, 18, &attrs).expect("passes build valid operators");
        self.add_node(Node {
            name: name.to_string(),
            op_type: op_type.to_string(),
            view: op.is_reshape(),
            op,
            inputs: inputs.iter().map(|&t| Some(t)).collect(),
            outputs: vec![output],
            epilogue: None,
            upsampled: false,
        })
    }

    /// Adds a node and the edges from the producers of what it reads.
    pub fn add_node(&mut self, node: Node) -> NodeIndex {
        let reads: Vec<TensorId> = node.reads().collect();
        let outputs = node.outputs.clone();
        let index = self.nodes.add_node(node);
        for read in reads {
            if let Some(&producer) = self.producers.get(&read) {
                self.nodes.add_edge(producer, index, read);
            }
        }
        for output in outputs {
            self.producers.insert(output, index);
        }
        index
    }

    /// Rebuilds producers and edges from what the nodes read and write, after a pass rewrote them.
    pub fn rewire(&mut self) {
        self.nodes.clear_edges();
        self.producers.clear();
        let indices: Vec<NodeIndex> = self.nodes.node_indices().collect();
        for &index in &indices {
            for &output in &self.nodes[index].outputs {
                self.producers.insert(output, index);
            }
        }
        for &index in &indices {
            let reads: Vec<TensorId> = self.nodes[index].reads().collect();
            for read in reads {
                if let Some(&producer) = self.producers.get(&read) {
                    self.nodes.add_edge(producer, index, read);
                }
            }
        }
    }

    pub fn remove_node(&mut self, index: NodeIndex) {
        if let Some(node) = self.nodes.remove_node(index) {
            for output in node.outputs {
                self.producers.remove(&output);
            }
        }
    }

    pub fn producer(&self, tensor: TensorId) -> Option<NodeIndex> {
        self.producers.get(&tensor).copied()
    }

    /// Nodes that read `tensor`.
    pub fn consumers(&self, tensor: TensorId) -> Vec<NodeIndex> {
        let mut out: Vec<NodeIndex> = match self.producer(tensor) {
            Some(p) => self
                .nodes
                .edges_directed(p, Direction::Outgoing)
                .filter(|e| *e.weight() == tensor)
                .map(|e| e.target())
                .collect(),
            // Graph inputs and initializers have no producer, so scan.
            None => self
                .nodes
                .node_indices()
                .filter(|&n| self.nodes[n].reads().any(|t| t == tensor))
                .collect(),
        };
        out.sort();
        out.dedup();
        out
    }

    /// A topological order of the nodes (ties broken by insertion order, so it is deterministic).
    pub fn topological_order(&self) -> Vec<NodeIndex> {
        petgraph::algo::toposort(&self.nodes, None)
            .expect("the IR graph is acyclic by construction")
    }

    /// The execution order: the schedule if one was chosen, else a topological order.
    pub fn order(&self) -> Vec<NodeIndex> {
        if self.schedule.len() == self.nodes.node_count() {
            self.schedule.clone()
        } else {
            self.topological_order()
        }
    }

    /// `inputs` as shape inference and folding see them: types, and values where known.
    pub fn values(&self, inputs: &[Option<TensorId>]) -> Vec<Option<Value<'_>>> {
        (inputs.iter())
            .map(|t| {
                t.map(|t| Value {
                    ty: &self.tensors[t].ty,
                    constant: self.tensors[t].value.as_ref(),
                })
            })
            .collect()
    }

    /// What `node`'s operator infers from its inputs as it was written: a convolution with a
    /// folded upsampling was written for the upsampled input and [M, C, 3, 3] weights.
    pub fn infer(&self, node: &Node) -> Result<Vec<TensorType>, OpError> {
        let values = self.values(&node.inputs);
        if !node.upsampled {
            return node.op.infer(&values);
        }
        let mut types: Vec<Option<TensorType>> =
            values.iter().map(|v| v.map(|v| v.ty.clone())).collect();
        if let [Some(x), Some(w), ..] = &mut types[..] {
            if x.shape.len() == 4 && w.shape.len() == 4 {
                x.shape[2] *= 2;
                x.shape[3] *= 2;
                w.shape = vec![w.shape[0] / PHASES, w.shape[1], 3, 3];
            }
        }
        let written: Vec<Option<Value>> = (types.iter())
            .map(|t| t.as_ref().map(|ty| Value { ty, constant: None }))
            .collect();
        node.op.infer(&written)
    }

    pub fn is_constant(&self, tensor: TensorId) -> bool {
        self.tensors[tensor].value.is_some()
    }
}
