//! onnx2wgsl: compiles an ONNX opset-18 graph ahead of time into a plan bundle of validated WGSL
//! shaders, a dispatch plan and weight shards, which `onnx2wgsl-runtime` executes with wgpu.
//!
//! Stages, each in its own module: [`decode`] (protobuf to [`ir::Graph`], with shape inference and
//! constant propagation), [`passes`] (fold, views, fusion, schedule; printed by [`report`]),
//! [`memory`] (arenas and weight shards), [`codegen`] (kernels from templates, validated by naga)
//! and [`bundle`] (writing it all). [`execute`] is the native host behind `onnx2wgsl run`.

pub mod bundle;
pub mod codegen;
pub mod decode;
mod error;
pub mod execute;
pub mod finite;
pub mod inspect;
pub mod ir;
mod kernels;
pub mod memory;
mod npy_size;
mod order;
pub mod passes;
mod precision;
pub mod proto;
pub mod report;
pub mod shard;
pub mod strides;
pub mod target;
#[cfg(test)]
mod testing;
mod units;
pub mod verify;
pub mod views;

pub use error::{CompileError, UnsupportedNode};

use std::collections::HashMap;
use std::path::Path;

/// What a build needs besides the model.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Values for symbolic input dimensions, by name (`--dim B=2`).
    pub dims: HashMap<String, usize>,
    pub target: target::Target,
}

/// The `--dim NAME=VALUE` bindings as a map, refusing a name given twice rather than letting the
/// last one win.
pub fn bind_dims(
    pairs: impl IntoIterator<Item = (String, usize)>,
) -> Result<HashMap<String, usize>, CompileError> {
    let mut dims = HashMap::new();
    for (dim, value) in pairs {
        if let Some(&first) = dims.get(&dim) {
            return Err(CompileError::DuplicateDim {
                dim,
                first,
                second: value,
            });
        }
        dims.insert(dim, value);
    }
    Ok(dims)
}

/// Compiles the model at `model` into an in-memory bundle.
pub fn compile(model: &Path, options: &Options) -> Result<bundle::Bundle, CompileError> {
    compile_with_report(model, options).map(|(bundle, _)| bundle)
}

/// As [`compile`], also returning what each stage did.
pub fn compile_with_report(
    model: &Path,
    options: &Options,
) -> Result<(bundle::Bundle, report::Report), CompileError> {
    let graph = decode::load(model, &options.dims)?;
    let decoded_nodes = graph.nodes.node_count();
    let (graph, passes) = passes::run(graph)?;
    let layout = memory::plan(&graph, &options.target)?;
    let memory = layout.stats;
    let kernels = codegen::generate(&graph, &layout, &options.target)?;
    let int64_dispatches = report::int64_dispatches(&graph);
    let bundle = bundle::assemble(&graph, layout, kernels, &options.target)?;
    let report = report::Report::new(decoded_nodes, passes, memory, int64_dispatches, &bundle);
    Ok((bundle, report))
}
