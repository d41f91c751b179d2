use std::fmt;
use std::path::PathBuf;

use onnx2wgsl_opset18::OpError;
use thiserror::Error;

/// One node the compiler cannot handle, with the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct UnsupportedNode {
    pub op_type: String,
    pub name: String,
    pub reason: String,
}

/// Everything that can stop a build. Each message names what is wrong.
#[derive(Debug, Error)]
pub enum CompileError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is a directory, not a file")]
    Directory { path: PathBuf },
    #[error("{path} is not a valid ONNX model: {reason}")]
    Decode { path: PathBuf, reason: String },
    #[error("{0}")]
    Model(String),
    #[error("opset import {domain:?} version {version} is not supported (only ai.onnx up to 18)")]
    Opset { domain: String, version: i64 },
    #[error("{}", unsupported_message(.0))]
    Unsupported(Vec<UnsupportedNode>),
    #[error("node {name:?} ({op_type}): {source}")]
    Node {
        name: String,
        op_type: String,
        source: OpError,
    },
    #[error(
        "node {name:?} ({op_type}): its value would take {} ({bytes} bytes), more than the {} \
         a build computes on the CPU; a value this large can only be read through Shape",
        crate::units::bytes(*.bytes as u64),
        crate::units::bytes(onnx2wgsl_opset18::FOLD_BUDGET as u64)
    )]
    FoldBudget {
        name: String,
        op_type: String,
        bytes: usize,
    },
    #[error("input {input:?} has symbolic dimension {dim:?} (axis {axis}) with no value: pass --dim {dim}=N")]
    UnboundDim {
        input: String,
        dim: String,
        axis: usize,
    },
    #[error("--dim {dim} is given twice ({first} and {second})")]
    DuplicateDim {
        dim: String,
        first: usize,
        second: usize,
    },
    #[error("--dim {dim}: no input of the model has a dimension named {dim:?} (its symbolic dimensions: {})", list(.known))]
    UnknownDim { dim: String, known: Vec<String> },
    #[error("tensor {tensor:?}: {reason}")]
    Tensor { tensor: String, reason: String },
    /// A graph input, output or initializer of a type the compiler does not support: not a
    /// tensor, or an element type other than float32, int32, int64 and bool.
    #[error("tensor {tensor:?}: {reason}")]
    UnsupportedType { tensor: String, reason: String },
    #[error("target limit exceeded: {0}")]
    Limit(String),
    #[error("compiler bug: the IR is invalid after {stage}: {reason}")]
    Ir { stage: String, reason: String },
    #[error("compiler bug: shader for node(s) {nodes} failed validation: {message}")]
    Shader { nodes: String, message: String },
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn unsupported_message(nodes: &[UnsupportedNode]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for node in nodes {
        match counts.iter_mut().find(|(op, _)| *op == node.op_type) {
            Some((_, n)) => *n += 1,
            None => counts.push((&node.op_type, 1)),
        }
    }
    let summary: Vec<String> = counts.iter().map(|(op, n)| format!("{op} ×{n}")).collect();
    let mut out = format!(
        "the model has {} unsupported node(s): {}",
        nodes.len(),
        summary.join(", ")
    );
    for node in nodes {
        out.push_str(&format!(
            "\n  {} {:?}: {}",
            node.op_type, node.name, node.reason
        ));
    }
    out
}

impl fmt::Display for UnsupportedNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}: {}", self.op_type, self.name, self.reason)
    }
}
