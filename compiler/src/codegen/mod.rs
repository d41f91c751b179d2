//! Code generation: each device node becomes one or more [`Kernel`]s — a template name, a typed
//! context, bindings, uniform parameters and a grid — computed by the module of its kernel family.
//! Templates are rendered by tera and every module is validated by naga; identical sources are
//! kept once.

mod boolean;
mod conv;
mod copy;
mod einsum;
mod elementwise;
mod epilogue;
mod gather;
mod grid;
mod matmul;
mod normalization;
mod pad;
mod params;
mod resize;
mod shaders;
mod softmax;
mod split;

use onnx2wgsl_opset18::{DataType, Op, OpError, Value};
use onnx2wgsl_runtime::plan::{Dispatch, Region};
use petgraph::stable_graph::NodeIndex;
use serde::Serialize;

use crate::ir::{Graph, Node, TensorId};
use crate::kernels::traits;
use crate::memory::Layout;
use crate::strides::View;
use crate::target::Target;
use crate::views::view_of;
use crate::{CompileError, UnsupportedNode};

pub use shaders::{validate, Shader, ShaderSet};

/// One dispatch before rendering.
pub struct Kernel {
    pub template: &'static str,
    pub context: tera::Context,
    pub bindings: Vec<Region>,
    pub params: Vec<u32>,
    pub workgroups: [u32; 3],
    /// WGSL binding numbers whose tensor the template can take in two parts when it is larger
    /// than one storage binding (see `templates/macros/storage.wgsl`).
    pub splittable: Vec<u32>,
}

impl Kernel {
    /// Marks the bindings (WGSL numbers) the template can take in two parts.
    pub fn splittable(mut self, bindings: &[u32]) -> Kernel {
        self.splittable = bindings.to_vec();
        self
    }
}

/// What a kernel family sees of the node it lowers.
pub struct Lowering<'a> {
    pub graph: &'a Graph,
    pub layout: &'a Layout,
    pub target: &'a Target,
    pub node: &'a Node,
    pub index: NodeIndex,
}

impl Lowering<'_> {
    /// The operator's own input at `index`; `None` for an omitted optional input such as a bias.
    pub fn input(&self, index: usize) -> Option<TensorId> {
        self.node.inputs.get(index).copied().flatten()
    }

    /// The WGSL type `tensor` is stored as (see `precision.rs`); with a fused epilogue, the
    /// operator's own output is stored as the node's output, as [`Lowering::region`] binds it.
    pub fn storage(&self, tensor: TensorId) -> &'static str {
        let stored = match &self.node.epilogue {
            Some(e) if e.base == tensor => self.node.outputs[0],
            _ => tensor,
        };
        crate::precision::storage(self.graph, self.target, stored)
    }

    pub fn shape(&self, tensor: TensorId) -> &[usize] {
        &self.graph.tensor(tensor).ty.shape
    }

    pub fn region(&self, tensor: TensorId) -> Region {
        match &self.node.epilogue {
            Some(e) if e.base == tensor => self.layout.region(self.node.outputs[0]),
            _ => self.layout.region(tensor),
        }
    }

    /// The node's inputs as shape inference sees them, for ops whose kernels depend on constants.
    pub fn values(&self) -> Vec<Option<Value<'_>>> {
        self.graph.values(&self.node.inputs)
    }

    /// How `tensor`'s elements lie in its region (views read their root's storage).
    pub fn view(&self, tensor: TensorId) -> View {
        view_of(self.graph, tensor).expect("the views pass makes only expressible views")
    }

    /// An operator error, attributed to the node being lowered.
    pub fn op_error(&self, source: OpError) -> CompileError {
        CompileError::Node {
            name: self.node.name.clone(),
            op_type: self.node.op_type.clone(),
            source,
        }
    }

    /// Builds a kernel, adding the target's workgroup size to the template context.
    pub fn kernel(
        &self,
        template: &'static str,
        context: &impl Serialize,
        bindings: Vec<Region>,
        params: Vec<u32>,
        threads: usize,
    ) -> Result<Kernel, CompileError> {
        let mut kernel = kernel(template, context, bindings, params, threads, self.target)?;
        if let Some(e) = &self.node.epilogue {
            let k = &mut kernel;
            epilogue::attach(self, e, &mut k.context, &mut k.params, &mut k.bindings)?;
        }
        Ok(kernel)
    }

    /// As [`Lowering::kernel`], for kernels that choose their own grid of workgroups.
    pub fn kernel_with_grid(
        &self,
        template: &'static str,
        context: &impl Serialize,
        bindings: Vec<Region>,
        params: Vec<u32>,
        groups: [usize; 3],
    ) -> Result<Kernel, CompileError> {
        let max = self.target.limits.max_compute_workgroups_per_dimension as usize;
        if groups.iter().any(|&g| g > max) {
            return Err(CompileError::Limit(format!(
                "{template} needs {groups:?} workgroups, more than {max} per dimension"
            )));
        }
        let mut kernel = self.kernel(template, context, bindings, params, 1)?;
        kernel.workgroups = groups.map(|g| g.max(1) as u32);
        Ok(kernel)
    }

    /// The operator's own output: its shape is what the kernel computes. With a fused epilogue,
    /// the stored tensor is the node's output instead, which [`Lowering::region`] gives.
    pub fn output(&self) -> TensorId {
        match &self.node.epilogue {
            Some(e) => e.base,
            None => self.node.outputs[0],
        }
    }
}

fn kernel(
    template: &'static str,
    context: &impl Serialize,
    bindings: Vec<Region>,
    params: Vec<u32>,
    threads: usize,
    target: &Target,
) -> Result<Kernel, CompileError> {
    let workgroup = target.workgroup();
    let mut context = tera::Context::from_serialize(context).expect("kernel contexts are structs");
    context.insert("workgroup", &workgroup);
    // Templates that can fuse an epilogue test for it; most kernels have none.
    context.insert("epilogue", &None::<()>);
    let workgroups = grid::linear(threads, workgroup, &target.limits)?;
    // 32-bit elements per storage binding (`templates/macros/storage.wgsl` doubles it for f16).
    context.insert(
        "split_at",
        &(target.limits.max_storage_buffer_binding_size / 4),
    );
    // How float tensors are stored; kernels compute in f32 either way.
    context.insert("float", target.storage(DataType::Float));
    Ok(Kernel {
        template,
        context,
        bindings,
        params,
        workgroups,
        splittable: Vec::new(),
    })
}

/// Dispatches in execution order and the shaders they use.
pub struct Generated {
    pub shaders: ShaderSet,
    pub dispatches: Vec<Dispatch>,
}

pub fn generate(
    graph: &Graph,
    layout: &Layout,
    target: &Target,
) -> Result<Generated, CompileError> {
    let mut shaders = ShaderSet::new();
    let mut dispatches = Vec::new();
    for &position in &layout.input_copies {
        let input = graph.inputs[position];
        let name = &graph.tensor(input).name;
        let host = layout.input_regions[position];
        let kernel = copy::convert_input(graph, target, host, input, layout.region(input))?;
        let label = format!("convert input {name}");
        dispatches.push(emit(&mut shaders, kernel, &label, target)?);
    }
    let mut unsupported = Vec::new();
    for index in graph.order() {
        let node = &graph.nodes[index];
        if node.view {
            continue;
        }
        let lowering = Lowering {
            graph,
            layout,
            target,
            node,
            index,
        };
        let kernels = match lower(&lowering) {
            Ok(kernels) => kernels,
            Err(Lower::Unsupported(reason)) => {
                unsupported.push(UnsupportedNode {
                    op_type: node.op_type.clone(),
                    name: node.name.clone(),
                    reason,
                });
                continue;
            }
            Err(Lower::Failed(e)) => return Err(e),
        };
        let label = if node.name.is_empty() {
            node.op_type.clone()
        } else {
            node.name.clone()
        };
        for kernel in kernels {
            dispatches.push(emit(&mut shaders, kernel, &label, target)?);
        }
    }
    if !unsupported.is_empty() {
        return Err(CompileError::Unsupported(unsupported));
    }
    for &(source, position) in &layout.output_copies {
        let output = graph.outputs[position];
        let name = &graph.tensor(output).name;
        let destination = layout.output_regions[position];
        let kernel = copy::materialize(graph, target, source, output, destination)?;
        dispatches.push(emit(
            &mut shaders,
            kernel,
            &format!("copy to output {name}"),
            target,
        )?);
    }
    Ok(Generated {
        shaders,
        dispatches,
    })
}

fn emit(
    shaders: &mut ShaderSet,
    mut kernel: Kernel,
    label: &str,
    target: &Target,
) -> Result<Dispatch, CompileError> {
    split::split_large_bindings(&mut kernel, label, target)?;
    let storage = kernel.bindings.len() as u32;
    if storage > target.limits.max_storage_buffers_per_shader_stage {
        return Err(CompileError::Limit(format!(
            "{label} needs {storage} storage buffers, more than {}",
            target.limits.max_storage_buffers_per_shader_stage
        )));
    }
    let shader = shaders.add(kernel.template, &kernel.context, label)?;
    let module = &shaders.shaders[shader as usize];
    (module.check_kernel(kernel.params.len(), kernel.bindings.len())).map_err(|message| {
        CompileError::Shader {
            nodes: label.to_string(),
            message,
        }
    })?;
    // Storage binding n of the shader is `bindings[n - 1]`; a binding the shader declares but
    // this dispatch does not bind cannot be written.
    let writes = (shaders.shaders[shader as usize].writes.iter())
        .filter_map(|&n| n.checked_sub(1))
        .filter(|&b| (b as usize) < kernel.bindings.len())
        .collect();
    Ok(Dispatch {
        shader,
        label: label.to_string(),
        writes,
        bindings: kernel.bindings,
        params: kernel.params,
        workgroups: kernel.workgroups,
    })
}

/// Why a node could not be lowered: unsupported nodes are collected and reported together.
pub enum Lower {
    Unsupported(String),
    Failed(CompileError),
}

impl From<CompileError> for Lower {
    fn from(e: CompileError) -> Lower {
        Lower::Failed(e)
    }
}

fn lower(l: &Lowering) -> Result<Vec<Kernel>, Lower> {
    let output = &l.graph.tensor(l.node.outputs[0]).ty;
    let float_only = traits(&l.node.op).and_then(|t| t.float_only);
    if let (Some(why), false) = (float_only, output.dtype == DataType::Float) {
        return Err(Lower::Unsupported(format!(
            "{} on the device is float32 only{why}",
            output.dtype.name()
        )));
    }
    Ok(match &l.node.op {
        Op::Binary(op) => vec![elementwise::binary(l, op)?],
        Op::Unary(op) => vec![elementwise::unary(l, op)?],
        Op::Cast(op) => vec![elementwise::cast(l, op)?],
        Op::Conv(op) => vec![conv::conv(l, op)?],
        Op::Einsum(op) => vec![einsum::einsum(l, op)?],
        Op::MatMul(_) => vec![matmul::matmul(l)?],
        Op::Gemm(op) => vec![matmul::gemm(l, op)?],
        Op::Softmax(op) => vec![softmax::softmax(l, op)?],
        Op::Transpose(op) => vec![copy::transpose(l, op)?],
        Op::Concat(op) => copy::concat(l, op)?,
        Op::Slice(_) => vec![copy::slice(l)?],
        Op::Expand(_) => vec![copy::expand(l)?],
        Op::Gather(op) => vec![gather::gather(l, op)?],
        Op::Pad(op) => vec![pad::pad(l, op)?],
        Op::Resize(op) => vec![resize::resize(l, op)?],
        Op::Equal(_) => vec![boolean::equal(l)?],
        Op::Where(_) => vec![boolean::select(l)?],
        Op::InstanceNormalization(op) => normalization::instance(l, op)?,
        Op::LayerNormalization(op) => normalization::layer(l, op)?,
        Op::BatchNormalization(op) => vec![normalization::batch(l, op)?],
        _ => {
            return Err(Lower::Unsupported(
                "runs only on build-time constants; here its inputs are computed on the device"
                    .into(),
            ))
        }
    })
}
