//! The plan bundle: `plan.json`, the deduplicated `.wgsl` files and the weight shards, held in
//! memory by [`assemble`] and written by [`Bundle::write`].

use std::io::Write;
use std::path::Path;

use onnx2wgsl_opset18::DataType;
use onnx2wgsl_runtime::plan::{self, DType, Io, Plan, Region, Shard, FORMAT_VERSION};

use crate::codegen::Generated;
use crate::ir::{Graph, TensorId};
use crate::memory::Layout;
use crate::shard::ShardData;
use crate::target::Target;
use crate::CompileError;

pub struct Bundle {
    pub plan: Plan,
    /// (file name, WGSL source), in the order of `plan.shaders`.
    pub shaders: Vec<(String, String)>,
    /// (file name, contents), in the order of `plan.shards`.
    pub shards: Vec<(String, ShardData)>,
}

pub fn assemble(
    graph: &Graph,
    layout: Layout,
    generated: Generated,
    target: &Target,
) -> Result<Bundle, CompileError> {
    let inputs = (graph.inputs.iter().zip(&layout.input_regions))
        .map(|(&t, &region)| io(graph, t, region))
        .collect();
    let outputs = (graph.outputs.iter().zip(&layout.output_regions))
        .map(|(&t, &region)| io(graph, t, region))
        .collect();
    let shards: Vec<(String, ShardData)> = layout
        .shards
        .into_iter()
        .enumerate()
        .map(|(i, bytes)| (format!("weights-{i:03}.bin"), bytes))
        .collect();
    let plan = Plan {
        format_version: FORMAT_VERSION,
        limits: target.required(&layout.buffers, &generated.dispatches),
        features: target.features(),
        inputs,
        outputs,
        buffers: layout.buffers,
        shards: shards
            .iter()
            .map(|(file, bytes)| Shard {
                file: file.clone(),
                size: bytes.len(),
                sha256: bytes.sha256(),
            })
            .collect(),
        shaders: generated
            .shaders
            .shaders
            .iter()
            .map(|s| plan::Shader {
                file: s.file.clone(),
                sha256: s.sha256.clone(),
            })
            .collect(),
        dispatches: generated.dispatches,
    };
    let shaders = generated
        .shaders
        .shaders
        .into_iter()
        .map(|s| (s.file, s.source))
        .collect();
    Ok(Bundle {
        plan,
        shaders,
        shards,
    })
}

fn io(graph: &Graph, tensor: TensorId, region: Region) -> Io {
    let info = graph.tensor(tensor);
    let dtype = match info.ty.dtype {
        DataType::Float => DType::F32,
        DataType::Int32 => DType::I32,
        DataType::Int64 => DType::I64,
        DataType::Bool => DType::Bool,
    };
    Io {
        name: info.name.clone(),
        dtype,
        shape: info.ty.shape.clone(),
        region,
    }
}

impl Bundle {
    /// Writes the bundle into `dir` (created if missing): shaders and shards first, the plan last,
    /// so a directory with a plan is complete.
    pub fn write(&self, dir: &Path) -> Result<(), CompileError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| CompileError::Write { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        for (file, source) in &self.shaders {
            let path = dir.join(file);
            std::fs::write(&path, source).map_err(io(&path))?;
        }
        for (file, data) in &self.shards {
            let path = dir.join(file);
            let mut out = std::io::BufWriter::new(std::fs::File::create(&path).map_err(io(&path))?);
            data.write_to(&mut out)
                .and_then(|()| out.flush())
                .map_err(io(&path))?;
        }
        let path = dir.join(plan::PLAN_FILE);
        std::fs::write(&path, self.plan.to_json()).map_err(io(&path))
    }
}
