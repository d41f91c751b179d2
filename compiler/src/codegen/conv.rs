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
/// The tiled kernel's two shapes, as (outputs per invocation along each axis of its 16×16
/// invocations, depth of the staged slices): 128×128 tiles reuse each loaded value twice as often
/// as 64×64 ones, but give fewer workgroups. Measured on an H200: the VAE's 512² convolutions ran
/// 17–20% faster with the large tiles, the UNet's (at most 64², often 16²) 20% slower.
const LARGE_TILES: (usize, usize) = (8, 8);
const SMALL_TILES: (usize, usize) = (4, 16);
/// Large tiles when they still give at least this many workgroups (a few per multiprocessor of a
/// large GPU).
const LARGE_TILE_WORKGROUPS: usize = 256;

#[derive(Serialize)]
struct GemmContext {
    has_bias: bool,
    per: usize,
    depth: usize,
    /// 1×1 kernel, stride 1, no padding: the patch matrix is the input itself.
    pointwise: bool,
    /// Fours of outputs per invocation along each axis, and the names of the single values
    /// (`w0.x`, …, `x1.w`) an invocation multiplies.
    quads: usize,
    /// Values of each operand an invocation stages per depth step.
    slots: usize,
    w_lanes: Vec<String>,
    x_lanes: Vec<String>,
}

/// A convolution of one group is a matrix product per image, weights (M × C·KH·KW) times the
/// input's patches: tiled, each loaded value is reused 4 times from registers and 64 times from
/// workgroup memory.
fn gemm_conv(l: &Lowering, op: &Conv, pads: &[usize]) -> Result<Kernel, CompileError> {
    let (x, w, y) = (l.input(0).unwrap(), l.input(1).unwrap(), l.output());
    let bias = l.input(2);
    let (xs, ws, ys) = (l.shape(x), l.shape(w), l.shape(y));
    let pixels = ys[2] * ys[3];
    let tiles = |per: usize| pixels.div_ceil(16 * per) * ys[1].div_ceil(16 * per) * xs[0];
    let (per, depth) = if tiles(LARGE_TILES.0) >= LARGE_TILE_WORKGROUPS {
        LARGE_TILES
    } else {
        SMALL_TILES
    };
    // One depth step moves every staged tap `depth` along a weight row (channel, ky, kx).
    let (taps, kw) = ((ws[2] * ws[3]).max(1), ws[3].max(1));
    let params = Params::new()
        .u32(ys[1])
        .u32(ws[1] * taps)
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
        .u32(ws[1])
        .u32(depth / taps)
        .u32(depth % taps / kw)
        .u32(depth % taps % kw)
        .finish()?;
    let mut bindings = vec![l.region(x), l.region(w)];
    bindings.extend(bias.map(|b| l.region(b)));
    bindings.push(l.region(y));
    let context = GemmContext {
        has_bias: bias.is_some(),
        per,
        depth,
        pointwise: ws[2..] == [1, 1] && op.strides == [1, 1] && pads.iter().all(|&p| p == 0),
        quads: per / 4,
        slots: per * depth / 16,
        w_lanes: lanes("w", per),
        x_lanes: lanes("x", per),
    };
    let groups = [pixels.div_ceil(16 * per), ys[1].div_ceil(16 * per), xs[0]];
    let kernel = l.kernel_with_grid("conv_gemm.wgsl", &context, bindings, params, groups)?;
    Ok(kernel.splittable(&[1, if bias.is_some() { 4 } else { 3 }]))
}

/// `name0.x`, `name0.y`, … for `count` values held in fours.
fn lanes(name: &str, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| format!("{name}{}.{}", i / 4, ["x", "y", "z", "w"][i % 4]))
        .collect()
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
