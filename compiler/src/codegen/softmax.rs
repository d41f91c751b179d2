//! Softmax along any axis.

use onnx2wgsl_opset18::ops::normalize_axis;
use onnx2wgsl_opset18::ops::softmax::Softmax;
use serde::Serialize;

use super::params::Params;
use super::{Kernel, Lowering};
use crate::CompileError;

#[derive(Serialize)]
struct Context {
    /// The first power of two at or above half the workgroup: where the tree reduction starts.
    half: u32,
}

pub fn softmax(l: &Lowering, op: &Softmax) -> Result<Kernel, CompileError> {
    let (x, y) = (l.input(0).unwrap(), l.output());
    let shape = l.shape(x);
    let axis = normalize_axis(op.axis, shape.len()).map_err(|e| l.op_error(e))?;
    let outer: usize = shape[..axis].iter().product();
    let inner: usize = shape[axis + 1..].iter().product();
    let params = Params::new()
        .u32(outer)
        .u32(shape[axis])
        .u32(inner)
        .finish()?;
    // One workgroup per line.
    let workgroup = l.target.workgroup();
    let context = Context {
        half: workgroup.div_ceil(2).next_power_of_two(),
    };
    let threads = outer * inner * workgroup as usize;
    l.kernel(
        "softmax.wgsl",
        &context,
        vec![l.region(x), l.region(y)],
        params,
        threads,
    )
}
