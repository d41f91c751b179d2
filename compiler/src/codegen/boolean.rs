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
    /// How Equal's inputs, or Where's x, y and result, are stored (Where moves them as bits, see
    /// [`crate::target::Target::copy_type`]).
    stored: &'static str,
    rank: usize,
}

/// A broadcasting kernel over the node's inputs, all read at the output's shape.
fn broadcasting(
    l: &Lowering,
    template: &'static str,
    stored: &'static str,
) -> Result<Kernel, CompileError> {
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
        stored,
        rank: out.len(),
    };
    let mut bindings: Vec<_> = inputs.iter().map(|&t| l.region(t)).collect();
    bindings.push(l.region(y));
    l.kernel(template, &context, bindings, params.finish()?, n)
}

pub fn equal(l: &Lowering) -> Result<Kernel, CompileError> {
    broadcasting(l, "elementwise/equal.wgsl", l.storage(l.input(0).unwrap()))
}

/// Where: condition, X and Y.
pub fn select(l: &Lowering) -> Result<Kernel, CompileError> {
    let y = l.graph.tensor(l.output()).ty.dtype;
    broadcasting(l, "elementwise/where.wgsl", l.target.copy_type(y))
}
