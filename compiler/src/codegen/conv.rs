//! 2-D convolution (grouped, strided, dilated, padded, optional bias).

use onnx2wgsl_opset18::ops::conv::Conv;
use serde::Serialize;

use super::params::Params;
use super::{Kernel, Lowering};
use crate::CompileError;

#[derive(Serialize)]
struct Context {
    has_bias: bool,
}

pub fn conv(l: &Lowering, op: &Conv) -> Result<Kernel, CompileError> {
    let (x, w, y) = (l.input(0).unwrap(), l.input(1).unwrap(), l.output());
    let bias = l.input(2);
    let (xs, ws, ys) = (l.shape(x), l.shape(w), l.shape(y));
    let pads = op.resolved_pads(&xs[2..], &ws[2..]);
    let (strides, dilations) = (&op.strides, &op.dilations);
    let params = Params::new()
        .u32(xs[0])
        .u32(xs[1])
        .u32(xs[2])
        .u32(xs[3])
        .u32(ys[1])
        .u32(ys[2])
        .u32(ys[3])
        .u32(op.group)
        .u32(ws[2])
        .u32(ws[3])
        .u32(strides[0])
        .u32(strides[1])
        .u32(pads[0])
        .u32(pads[1])
        .u32(dilations[0])
        .u32(dilations[1])
        .finish()?;
    let mut bindings = vec![l.region(x), l.region(w)];
    bindings.extend(bias.map(|b| l.region(b)));
    bindings.push(l.region(y));
    let n = l.graph.tensor(y).ty.numel();
    l.kernel(
        "conv2d.wgsl",
        &Context {
            has_bias: bias.is_some(),
        },
        bindings,
        params,
        n,
    )
    .map(|k| k.splittable(&[1, if bias.is_some() { 4 } else { 3 }]))
}
