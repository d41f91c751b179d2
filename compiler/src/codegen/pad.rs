//! Pad as an index kernel: each output element reads its source element or the constant.

use onnx2wgsl_opset18::ops::pad::{AxisPad, Pad, PadMode};
use onnx2wgsl_opset18::OpError;
use serde::Serialize;

use super::params::{check_rank, Params};
use super::{Kernel, Lower, Lowering};
use crate::memory::device_bytes;
use crate::strides::contiguous_strides;

#[derive(Serialize)]
struct Context {
    mode: &'static str,
    /// How elements are read and written (see [`crate::target::Target::copy_type`]).
    elements: &'static str,
    rank: usize,
}

pub fn pad(l: &Lowering, op: &Pad) -> Result<Kernel, Lower> {
    let (x, y) = (l.input(0).unwrap(), l.output());
    let axes = op.resolve(&l.values()).map_err(|e| l.op_error(e))?;
    check_rank(axes.len(), "a padded tensor")?;
    // The constant is a uniform word, so it must be known at build time.
    let value = match l.input(2) {
        None => 0,
        Some(t) => {
            let info = l.graph.tensor(t);
            let Some(tensor) = &info.value else {
                let what = "constant_value, which the kernel holds as a uniform";
                return Err(l.op_error(OpError::NeedsConstant { index: 2, what }).into());
            };
            let bytes = device_bytes(&info.name, tensor)?;
            u32::from_le_bytes(bytes[..4].try_into().unwrap())
        }
    };
    let field = |f: fn(&AxisPad) -> usize| axes.iter().map(f).collect::<Vec<_>>();
    let n = l.graph.tensor(y).ty.numel();
    let params = Params::new()
        .u32(n)
        .u32(value as usize)
        .dims(&field(|a| a.out))
        .dims(&field(|a| a.lead))
        .dims(&field(|a| a.crop))
        .dims(&field(|a| a.len))
        .dims(&contiguous_strides(l.shape(x)))
        .finish()?;
    let context = Context {
        mode: match op.mode {
            PadMode::Constant => "constant",
            PadMode::Reflect => "reflect",
            PadMode::Edge => "edge",
        },
        rank: axes.len(),
        elements: l.target.copy_type(l.graph.tensor(y).ty.dtype),
    };
    Ok(l.kernel(
        "pad.wgsl",
        &context,
        vec![l.region(x), l.region(y)],
        params,
        n,
    )?
    .splittable(&[1, 2]))
}
