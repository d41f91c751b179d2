//! Einsum of one or more operands as one strided contraction kernel.

use onnx2wgsl_opset18::ops::einsum::Einsum;
use serde::Serialize;

use super::elementwise::wgsl_type;
use super::params::{check_rank, Params};
use super::{Kernel, Lowering};
use crate::CompileError;

/// Operand names in the shader; one per input.
const OPERANDS: [&str; 4] = ["a", "b", "c", "d"];

#[derive(Serialize)]
struct Context {
    ty: &'static str,
    operands: Vec<&'static str>,
    out_rank: usize,
    reduce_rank: usize,
}

pub fn einsum(l: &Lowering, op: &Einsum) -> Result<Kernel, CompileError> {
    let inputs: Vec<_> = l.node.op_inputs().iter().flatten().copied().collect();
    let y = l.output();
    if inputs.len() > OPERANDS.len() {
        return Err(CompileError::Limit(format!(
            "Einsum with {} operands (at most {})",
            inputs.len(),
            OPERANDS.len()
        )));
    }
    let shapes: Vec<&[usize]> = inputs.iter().map(|&t| l.shape(t)).collect();
    let views: Vec<_> = inputs.iter().map(|&t| l.view(t)).collect();
    let layouts: Vec<&[usize]> = views.iter().map(|v| v.strides.as_slice()).collect();
    let mut c = op
        .contraction_strided(&shapes, &layouts)
        .map_err(|e| l.op_error(e))?;
    // A summed label of size 1 only ever has coordinate 0; dropping it often leaves a single
    // summed label, which the template walks without dividing.
    let keep: Vec<usize> = (0..c.reduce_shape.len())
        .filter(|&d| c.reduce_shape[d] != 1)
        .collect();
    c.reduce_shape = keep.iter().map(|&d| c.reduce_shape[d]).collect();
    for strides in &mut c.reduce_strides {
        *strides = keep.iter().map(|&d| strides[d]).collect();
    }
    check_rank(c.output_shape.len(), "an einsum output")?;
    check_rank(c.reduce_shape.len(), "an einsum's summed labels")?;
    let n: usize = c.output_shape.iter().product();
    let reduce_n = c.reduce_shape.iter().product();
    // Scalars, two words of padding, then one offset per operand slot (a vec4).
    let mut params = Params::new().u32(n).u32(reduce_n).u32(0).u32(0);
    for k in 0..OPERANDS.len() {
        params = params.u32(views.get(k).map_or(0, |v| v.offset));
    }
    params = params.dims(&c.output_shape).dims(&c.reduce_shape);
    for k in 0..inputs.len() {
        params = params.dims(&c.output_strides[k]).dims(&c.reduce_strides[k]);
    }
    let context = Context {
        ty: wgsl_type(l.graph.tensor(y).ty.dtype),
        operands: OPERANDS[..inputs.len()].to_vec(),
        out_rank: c.output_shape.len(),
        reduce_rank: c.reduce_shape.len(),
    };
    let mut bindings: Vec<_> = inputs.iter().map(|&t| l.region(t)).collect();
    bindings.push(l.region(y));
    l.kernel("einsum.wgsl", &context, bindings, params.finish()?, n)
}
