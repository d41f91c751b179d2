//! Decoding: a memory-mapped `.onnx` file into an [`ir::Graph`](crate::ir::Graph).
//!
//! Initializer bytes stay views of the memory map (prost decodes `bytes` fields from a
//! `bytes::Bytes` by slicing it), so a 900 MB model is not copied while it is read.

mod attributes;
mod graph;
mod tensor;

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use prost::Message;

use crate::ir::Graph;
use crate::proto::ModelProto;
use crate::CompileError;

/// The newest `ai.onnx` opset whose semantics the compiler implements.
pub const MAX_OPSET: i64 = 18;

/// Reads, decodes and type-checks a model, binding symbolic dimensions from `dims`.
pub fn load(path: &Path, dims: &HashMap<String, usize>) -> Result<Graph, CompileError> {
    let bytes = map_file(path)?;
    // An empty message decodes as an empty model, which would be reported as lacking an opset.
    if bytes.is_empty() {
        return Err(CompileError::Decode {
            path: path.to_path_buf(),
            reason: "the file is empty".into(),
        });
    }
    let model = ModelProto::decode(bytes).map_err(|e| CompileError::Decode {
        path: path.to_path_buf(),
        reason: format!("protobuf decoding failed ({e}); the file may be truncated or not ONNX"),
    })?;
    let opset = ai_onnx_opset(&model)?;
    let graph = model.graph.ok_or_else(|| CompileError::Decode {
        path: path.to_path_buf(),
        reason: "the model has no graph".into(),
    })?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let external = tensor::ExternalData::new(dir);
    graph::build(graph, opset, dims, &external)
}

/// Memory-maps a file as `Bytes`.
pub(crate) fn map_file(path: &Path) -> Result<Bytes, CompileError> {
    let io = |source| CompileError::Io {
        path: PathBuf::from(path),
        source,
    };
    let file = File::open(path).map_err(io)?;
    // Opening a directory succeeds; mapping it would fail with a puzzling "No such device".
    if file.metadata().map_err(io)?.is_dir() {
        return Err(CompileError::Directory {
            path: path.to_path_buf(),
        });
    }
    // SAFETY: the map is read-only; like every mmap user we rely on the file not being truncated
    // by another process while the compiler runs.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
    Ok(Bytes::from_owner(map))
}

/// The `ai.onnx` opset version, rejecting any other domain and versions above [`MAX_OPSET`].
fn ai_onnx_opset(model: &ModelProto) -> Result<i64, CompileError> {
    let mut version = None;
    for import in &model.opset_import {
        let domain = import.domain();
        let v = import.version();
        if (domain.is_empty() || domain == "ai.onnx") && v <= MAX_OPSET {
            version = Some(v);
        } else {
            return Err(CompileError::Opset {
                domain: domain.to_string(),
                version: v,
            });
        }
    }
    version.ok_or_else(|| CompileError::Model("the model imports no ai.onnx opset".into()))
}
