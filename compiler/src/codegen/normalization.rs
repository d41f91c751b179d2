//! Normalizations. InstanceNormalization and LayerNormalization standardize runs of contiguous
//! elements, one workgroup per run; BatchNormalization in inference mode is elementwise.

use onnx2wgsl_opset18::ops::batch_normalization::BatchNormalization;
use onnx2wgsl_opset18::ops::instance_normalization::InstanceNormalization;
use onnx2wgsl_opset18::ops::layer_normalization::LayerNormalization;
use onnx2wgsl_opset18::ops::normalize_axis;
use onnx2wgsl_runtime::plan::Region;
use serde::Serialize;

use super::params::{check_rank, Params};
use super::{Kernel, Lower, Lowering};
use crate::views::broadcast_strides;
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
}

pub fn instance(l: &Lowering, op: &InstanceNormalization) -> Result<Kernel, CompileError> {
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
    };
    standardize(l, groups)
}

pub fn layer(l: &Lowering, op: &LayerNormalization) -> Result<Kernel, Lower> {
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
    };
    Ok(standardize(l, groups)?)
}

fn standardize(l: &Lowering, g: Groups) -> Result<Kernel, CompileError> {
    let workgroup = l.target.workgroup();
    let count = g.shape.iter().product::<usize>() / g.len;
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
    // One workgroup per run: as many invocations as runs × workgroup size.
    let threads = count * workgroup as usize;
    l.kernel(
        "normalization/groups.wgsl",
        &context,
        bindings,
        params.finish()?,
        threads,
    )
    .map(|k| k.splittable(&[1, 3]))
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
