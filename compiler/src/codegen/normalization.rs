//! Normalizations. InstanceNormalization and LayerNormalization standardize runs of contiguous
//! elements, one workgroup per run; BatchNormalization in inference mode is elementwise.

use onnx2wgsl_opset18::ops::batch_normalization::BatchNormalization;
use onnx2wgsl_opset18::ops::instance_normalization::InstanceNormalization;
use onnx2wgsl_opset18::ops::layer_normalization::LayerNormalization;
use onnx2wgsl_opset18::ops::normalize_axis;
use onnx2wgsl_runtime::plan::Region;
use serde::Serialize;

use super::params::{check_rank, Params};
use super::{grid, Kernel, Lower, Lowering};
use crate::kernels::{chunking, Chunking, CHUNK};
use crate::strides::broadcast_strides;
use crate::CompileError;

#[derive(Serialize)]
struct GroupsContext {
    rank: usize,
    /// The first power of two at or above half the workgroup: where the tree reduction starts.
    half: u32,
    bias_binding: Option<usize>,
    /// Binding of the mean output; the inverse standard deviation follows it.
    stats_binding: Option<usize>,
}

/// What the groups kernel needs to know about one normalization.
struct Groups {
    /// The input's shape, possibly with axes merged; the runs are its trailing `len` elements.
    shape: Vec<usize>,
    len: usize,
    epsilon: f32,
    scale: (Region, Vec<usize>),
    bias: Option<(Region, Vec<usize>)>,
    /// The Mean and InvStdDev outputs, when requested.
    stats: Option<[Region; 2]>,
    /// Scale is all ones and B all zeros (as in exported GroupNorms, whose affine follows).
    identity: bool,
}

pub fn instance(l: &Lowering, op: &InstanceNormalization) -> Result<Vec<Kernel>, CompileError> {
    let shape = l.shape(l.input(0).unwrap());
    // (N, C, D1, …) as (N, C, L): scale and B vary along C alone.
    let (channels, len) = (shape[1], shape[2..].iter().product());
    let per_channel = vec![0, 1, 0];
    let groups = Groups {
        shape: vec![shape[0], channels, len],
        len,
        epsilon: op.epsilon,
        scale: (l.region(l.input(1).unwrap()), per_channel.clone()),
        bias: Some((l.region(l.input(2).unwrap()), per_channel)),
        stats: None,
        identity: is_constant(l, l.input(1), 1.0) && is_constant(l, l.input(2), 0.0),
    };
    standardize(l, groups)
}

pub fn layer(l: &Lowering, op: &LayerNormalization) -> Result<Vec<Kernel>, Lower> {
    let shape = l.shape(l.input(0).unwrap());
    check_rank(shape.len(), "a LayerNormalization input")?;
    let axis = normalize_axis(op.axis, shape.len()).map_err(|e| l.op_error(e))?;
    let stats = match l.node.outputs[..] {
        [_] => None,
        [_, mean, inv_std] => Some([l.region(mean), l.region(inv_std)]),
        // The IR keeps present outputs only, so one of the two cannot be told from the other.
        _ => {
            return Err(Lower::Unsupported(
                "only one of the outputs Mean and InvStdDev: request both or neither".into(),
            ))
        }
    };
    let strides = |t| (l.region(t), broadcast_strides(l.shape(t), shape));
    let groups = Groups {
        shape: shape.to_vec(),
        len: shape[axis..].iter().product(),
        epsilon: op.epsilon,
        scale: strides(l.input(1).unwrap()),
        bias: l.input(2).map(strides),
        stats,
        identity: is_constant(l, l.input(1), 1.0)
            && l.input(2).is_none_or(|b| is_constant(l, Some(b), 0.0)),
    };
    Ok(standardize(l, groups)?)
}

/// Whether `tensor` is a build-time constant whose every element is `value`.
fn is_constant(l: &Lowering, tensor: Option<crate::ir::TensorId>, value: f64) -> bool {
    let known = tensor.and_then(|t| l.graph.tensor(t).value.as_ref());
    known.is_some_and(|v| {
        v.dtype() == onnx2wgsl_opset18::DataType::Float && v.as_f64().iter().all(|&x| x == value)
    })
}

fn standardize(l: &Lowering, g: Groups) -> Result<Vec<Kernel>, CompileError> {
    if let (Some(chunking), Some(scratch)) = (chunking(l.graph, l.node), l.layout.scratch(l.index))
    {
        return standardize_in_chunks(l, g, &chunking, scratch);
    }
    let workgroup = run_workgroup(g.len, l.target.workgroup());
    // A run of length 0 (a zero-sized normalized axis) leaves no runs either: the tensor is empty.
    let count = g.shape.iter().product::<usize>() / g.len.max(1);
    let mut params = Params::new()
        .u32(count)
        .u32(g.len)
        .f32(g.epsilon)
        .dims(&g.shape)
        .dims(&g.scale.1);
    let y = l.region(l.output());
    let mut bindings = vec![l.region(l.input(0).unwrap()), g.scale.0, y];
    let mut context = GroupsContext {
        rank: g.shape.len(),
        half: workgroup.div_ceil(2).next_power_of_two(),
        bias_binding: None,
        stats_binding: None,
    };
    if let Some((region, strides)) = g.bias {
        params = params.dims(&strides);
        bindings.push(region);
        context.bias_binding = Some(bindings.len());
    }
    if let Some(stats) = g.stats {
        context.stats_binding = Some(bindings.len() + 1);
        bindings.extend(stats);
    }
    // One workgroup per run.
    let mut kernel = l.kernel(
        "normalization/groups.wgsl",
        &context,
        bindings,
        params.finish()?,
        count * workgroup as usize,
    )?;
    kernel.context.insert("workgroup", &workgroup);
    kernel.workgroups = grid::linear(count * workgroup as usize, workgroup, &l.target.limits)?;
    Ok(vec![kernel.splittable(&[1, 3])])
}

/// Runs up to this long (LayerNorms over channels) are standardized by narrow workgroups.
const SHORT_RUN: usize = 2048;
/// The narrow workgroup: a few loads per invocation for the UNet's 320 to 1,280 channels, fewer
/// barrier steps, and four times as many runs resident per multiprocessor as with 256. Its 45
/// LayerNorms took 1.76 ms against 2.01 ms with 256 (H200, side by side).
const SHORT_RUN_WORKGROUP: u32 = 64;

/// Invocations per run: `widest` for long runs; for short ones [`SHORT_RUN_WORKGROUP`], or the
/// run's length rounded up to a power of two and to at least 32 where that is narrower
/// (invocations with nothing to load still pay every barrier, which software adapters such as
/// SwiftShader and lavapipe simulate one by one).
fn run_workgroup(len: usize, widest: u32) -> u32 {
    let short = SHORT_RUN_WORKGROUP.min(len.next_power_of_two().max(32) as u32);
    if len <= SHORT_RUN {
        short.min(widest)
    } else {
        widest
    }
}

#[derive(Serialize)]
struct ChunksContext {
    half: u32,
}

#[derive(Serialize)]
struct ApplyContext {
    rank: usize,
    affine: bool,
    has_bias: bool,
}

/// Long runs in three dispatches: chunk statistics (many workgroups per run), their merge per run,
/// then one invocation per element, which also carries the fused epilogue.
fn standardize_in_chunks(
    l: &Lowering,
    g: Groups,
    c: &Chunking,
    scratch: Region,
) -> Result<Vec<Kernel>, CompileError> {
    let workgroup = l.target.workgroup();
    let x = l.region(l.input(0).unwrap());
    let header = || {
        Params::new()
            .u32(c.groups)
            .u32(c.len)
            .u32(CHUNK)
            .u32(c.chunks)
    };
    let half = workgroup.div_ceil(2).next_power_of_two();
    let chunks = super::kernel(
        "normalization/chunks.wgsl",
        &ChunksContext { half },
        vec![x, scratch],
        header().finish()?,
        c.groups * c.chunks * workgroup as usize,
        l.target,
    )?
    .splittable(&[1]);
    let combine = super::kernel(
        "normalization/combine.wgsl",
        &ChunksContext { half },
        vec![scratch],
        header().f32(g.epsilon).finish()?,
        c.groups,
        l.target,
    )?;
    check_rank(g.shape.len(), "a normalized tensor")?;
    let n = c.groups * c.len;
    let mut params = Params::new()
        .u32(n)
        .u32(c.len)
        .u32(2 * c.groups * c.chunks)
        .dims(&g.shape);
    let mut bindings = vec![x, l.region(l.output()), scratch];
    // Skipping an identity affine keeps the bindings within 8 when x and y are split.
    let affine = !g.identity;
    if affine {
        params = params.dims(&g.scale.1);
        bindings.push(g.scale.0);
    }
    let has_bias = affine && g.bias.is_some();
    if let (true, Some((region, strides))) = (has_bias, g.bias) {
        params = params.dims(&strides);
        bindings.push(region);
    }
    let context = ApplyContext {
        rank: g.shape.len(),
        affine,
        has_bias,
    };
    let apply = l.kernel(
        "normalization/apply.wgsl",
        &context,
        bindings,
        params.finish()?,
        n,
    )?;
    Ok(vec![chunks, combine, apply.splittable(&[1, 2])])
}

#[derive(Serialize)]
struct BatchContext {}

pub fn batch(l: &Lowering, op: &BatchNormalization) -> Result<Kernel, CompileError> {
    let (x, y) = (l.input(0).unwrap(), l.output());
    let n = l.graph.tensor(y).ty.numel();
    let (channels, inner) = BatchNormalization::channels(l.shape(x));
    let params = Params::new()
        .u32(n)
        .u32(channels)
        .u32(inner)
        .f32(op.epsilon)
        .finish()?;
    let mut bindings: Vec<Region> = (0..5).map(|i| l.region(l.input(i).unwrap())).collect();
    bindings.push(l.region(y));
    l.kernel(
        "normalization/batch.wgsl",
        &BatchContext {},
        bindings,
        params,
        n,
    )
}
