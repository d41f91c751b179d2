//! Softmax along any axis, of any strided view.

use onnx2wgsl_opset18::ops::normalize_axis;
use onnx2wgsl_opset18::ops::softmax::Softmax;
use serde::Serialize;

use super::params::{check_rank, Params};
use super::{Kernel, Lowering};
use crate::strides::contiguous_strides;
use crate::CompileError;

#[derive(Serialize)]
struct Context {
    /// The first power of two at or above half the workgroup: where the tree reduction starts.
    half: u32,
    /// Rank of the line index (every axis but the softmax axis; at least 1).
    rank: usize,
}

pub fn softmax(l: &Lowering, op: &Softmax) -> Result<Kernel, CompileError> {
    let (x, y) = (l.input(0).unwrap(), l.output());
    let shape = l.shape(x);
    let axis = normalize_axis(op.axis, shape.len()).map_err(|e| l.op_error(e))?;
    // Lines are indexed by every axis but `axis`; x is read through its view (a transposed or
    // sliced input costs no copy), y is written contiguously.
    let view = l.view(x);
    let y_strides = contiguous_strides(shape);
    let keep: Vec<usize> = (0..shape.len()).filter(|&d| d != axis).collect();
    let pick = |v: &[usize]| keep.iter().map(|&d| v[d]).collect::<Vec<_>>();
    // A 1-D input is a single line.
    let (line_shape, x_lines, y_lines) = match keep.is_empty() {
        true => (vec![1], vec![0], vec![0]),
        false => (pick(shape), pick(&view.strides), pick(&y_strides)),
    };
    check_rank(line_shape.len(), "a softmax input")?;
    let lines: usize = line_shape.iter().product();
    let params = Params::new()
        .u32(lines)
        .u32(shape[axis])
        .u32(view.strides[axis])
        .u32(y_strides[axis])
        .u32(view.offset)
        .dims(&line_shape)
        .dims(&x_lines)
        .dims(&y_lines)
        .finish()?;
    // One workgroup per line.
    let workgroup = l.target.workgroup();
    let context = Context {
        half: workgroup.div_ceil(2).next_power_of_two(),
        rank: line_shape.len(),
    };
    let threads = lines * workgroup as usize;
    l.kernel(
        "softmax.wgsl",
        &context,
        vec![l.region(x), l.region(y)],
        params,
        threads,
    )
}
