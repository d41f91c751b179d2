//! Elementwise kernels around bool tensors (u32 0 or 1 on the device), with numpy broadcasting:
//! Equal produces them, Where consumes them.

use serde::Serialize;

use super::elementwise::wgsl_type;
use super::params::{check_rank, Params};
use super::{Kernel, Lowering};
use crate::strides::broadcast_strides;
use crate::CompileError;

#[derive(Serialize)]
struct Context {
    /// The inputs' WGSL type: floats compare as floats (-0 equals 0, NaN equals nothing).
    ty: &'static str,
    /// How Where's x, y and result are read and written (see [`crate::target::Target::copy_type`]).
    elements: &'static str,
    rank: usize,
}

/// A broadcasting kernel over the node's inputs, all read at the output's shape.
fn broadcasting(l: &Lowering, template: &'static str) -> Result<Kernel, CompileError> {
    let y = l.output();
    let out = l.shape(y);
    check_rank(out.len(), "an elementwise result")?;
    let inputs: Vec<_> = l.node.inputs.iter().map(|t| t.unwrap()).collect();
    let n: usize = out.iter().product();
    let mut params = Params::new().u32(n).dims(out);
    for &input in &inputs {
        params = params.dims(&broadcast_strides(l.shape(input), out));
    }
    let context = Context {
        ty: wgsl_type(l.graph.tensor(inputs[0]).ty.dtype),
        elements: l.target.copy_type(l.graph.tensor(y).ty.dtype),
        rank: out.len(),
    };
    let mut bindings: Vec<_> = inputs.iter().map(|&t| l.region(t)).collect();
    bindings.push(l.region(y));
    l.kernel(template, &context, bindings, params.finish()?, n)
}

pub fn equal(l: &Lowering) -> Result<Kernel, CompileError> {
    broadcasting(l, "elementwise/equal.wgsl")
}

/// Where: condition, X and Y.
pub fn select(l: &Lowering) -> Result<Kernel, CompileError> {
    broadcasting(l, "elementwise/where.wgsl")
}
