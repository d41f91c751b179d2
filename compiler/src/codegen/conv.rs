//! 2-D convolution (grouped, strided, dilated, padded, optional bias): convolutions of one group
//! as a tiled matrix product over input patches, grouped ones (depthwise) directly.

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
    let (x, w) = (l.input(0).unwrap(), l.input(1).unwrap());
    let (xs, ws) = (l.shape(x), l.shape(w));
    let pads = op.resolved_pads(&xs[2..], &ws[2..]);
    if op.group == 1 && l.target.workgroup() >= GEMM_INVOCATIONS {
        return gemm_conv(l, op, &pads);
    }
    direct_conv(l, op, &pads)
}

/// Invocations per workgroup of the tiled kernel (16×16).
const GEMM_INVOCATIONS: u32 = 256;
/// Output rows (channels) and columns (pixels) per workgroup of the tiled kernel.
const GEMM_TILE: usize = 64;

/// A convolution of one group is a matrix product per image, weights (M × C·KH·KW) times the
/// input's patches: tiled, each loaded value is reused 4 times from registers and 64 times from
/// workgroup memory.
fn gemm_conv(l: &Lowering, op: &Conv, pads: &[usize]) -> Result<Kernel, CompileError> {
    let (x, w, y) = (l.input(0).unwrap(), l.input(1).unwrap(), l.output());
    let bias = l.input(2);
    let (xs, ws, ys) = (l.shape(x), l.shape(w), l.shape(y));
    let pixels = ys[2] * ys[3];
    let params = Params::new()
        .u32(ys[1])
        .u32(ws[1] * ws[2] * ws[3])
        .u32(pixels)
        .u32(ys[3])
        .u32(xs[2])
        .u32(xs[3])
        .u32(ws[2])
        .u32(ws[3])
        .u32(op.strides[0])
        .u32(op.strides[1])
        .u32(pads[0])
        .u32(pads[1])
        .u32(op.dilations[0])
        .u32(op.dilations[1])
        .u32(xs[1] * xs[2] * xs[3])
        .finish()?;
    let mut bindings = vec![l.region(x), l.region(w)];
    bindings.extend(bias.map(|b| l.region(b)));
    bindings.push(l.region(y));
    let context = Context {
        has_bias: bias.is_some(),
    };
    let groups = [pixels.div_ceil(GEMM_TILE), ys[1].div_ceil(GEMM_TILE), xs[0]];
    let kernel = l.kernel_with_grid("conv_gemm.wgsl", &context, bindings, params, groups)?;
    Ok(kernel.splittable(&[1, if bias.is_some() { 4 } else { 3 }]))
}

fn direct_conv(l: &Lowering, op: &Conv, pads: &[usize]) -> Result<Kernel, CompileError> {
    let (x, w, y) = (l.input(0).unwrap(), l.input(1).unwrap(), l.output());
    let bias = l.input(2);
    let (xs, ws, ys) = (l.shape(x), l.shape(w), l.shape(y));
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
