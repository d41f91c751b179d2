//! Gather with indices computed on the device (an embedding lookup, say): one invocation per output
//! element. Out-of-range indices are clamped to the axis (see the template).

use onnx2wgsl_opset18::ops::gather::Gather;
use onnx2wgsl_opset18::ops::normalize_axis;
use serde::Serialize;

use super::params::Params;
use super::{Kernel, Lowering};
use crate::CompileError;

#[derive(Serialize)]
struct Context {
    /// How elements are read and written (see [`crate::target::Target::copy_type`]).
    elements: &'static str,
}

pub fn gather(l: &Lowering, op: &Gather) -> Result<Kernel, CompileError> {
    let (data, indices, y) = (l.input(0).unwrap(), l.input(1).unwrap(), l.output());
    let shape = l.shape(data);
    let axis = normalize_axis(op.axis, shape.len()).map_err(|e| l.op_error(e))?;
    let n = l.graph.tensor(y).ty.numel();
    let params = Params::new()
        .u32(n)
        .u32(shape[axis])
        .u32(l.graph.tensor(indices).ty.numel())
        .u32(shape[axis + 1..].iter().product())
        .finish()?;
    let bindings = vec![l.region(data), l.region(indices), l.region(y)];
    let context = Context {
        elements: l.target.copy_type(l.graph.tensor(y).ty.dtype),
    };
    l.kernel("gather.wgsl", &context, bindings, params, n)
}
