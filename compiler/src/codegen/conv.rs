//! 2-D convolution (grouped, strided, dilated, padded, optional bias): convolutions of one group
//! as a tiled matrix product over input patches (on cooperative matrices where the target has
//! them, `coop`), grouped ones (depthwise) directly. Each kernel also runs convolutions with a
//! nearest ×2 upsampling folded in (`passes/upsample.rs`), phase by phase.

use onnx2wgsl_opset18::ops::conv::Conv;
use onnx2wgsl_runtime::plan::Region;
use serde::Serialize;

mod coop;

use super::params::Params;
use super::{Kernel, Lowering};
use crate::ir::PHASES;
use crate::target::Precision;
use crate::CompileError;

#[derive(Serialize)]
struct Context {
    has_bias: bool,
    upsampled: bool,
    /// The kernel window (height, width) when it is small enough to write out.
    window: Option<(usize, usize)>,
}

/// Windows of at most this many taps are written out in the direct kernel rather than looped over.
const WRITTEN_OUT_TAPS: usize = 25;

pub fn conv(l: &Lowering, op: &Conv) -> Result<Kernel, CompileError> {
    let (x, w) = (l.input(0).unwrap(), l.input(1).unwrap());
    let (xs, ws) = (l.shape(x), l.shape(w));
    // A folded upsampling's phases are described by pads of 1 (see macros/conv.wgsl).
    let pads = match l.node.upsampled {
        true => vec![1; 4],
        false => op.resolved_pads(&xs[2..], &ws[2..]),
    };
    if op.group == 1 && l.target.cooperative_matrix && l.target.precision == Precision::F16 {
        if let Some(kernel) = coop::conv(l, op, &pads)? {
            return Ok(kernel);
        }
    }
    if op.group == 1 && l.target.workgroup() >= GEMM_INVOCATIONS {
        return gemm_conv(l, op, &pads);
    }
    direct_conv(l, op, &pads)
}

/// What the matrix-product kernels compute per plane of workgroups: output channels and the
/// rows and columns of pixels they walk; and the planes, one per image. With a folded upsampling
/// they walk each phase's pixels (the input's size) and the planes are images × phases.
struct Output {
    channels: usize,
    height: usize,
    width: usize,
    planes: usize,
}

impl Output {
    fn of(l: &Lowering) -> Output {
        let (xs, ys) = (l.shape(l.input(0).unwrap()), l.shape(l.output()));
        match l.node.upsampled {
            true => Output {
                channels: ys[1],
                height: xs[2],
                width: xs[3],
                planes: xs[0] * PHASES,
            },
            false => Output {
                channels: ys[1],
                height: ys[2],
                width: ys[3],
                planes: xs[0],
            },
        }
    }

    fn pixels(&self) -> usize {
        self.height * self.width
    }
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
    upsampled: bool,
    /// Outputs per invocation along m (output channels) and q (pixels).
    per_m: usize,
    per_q: usize,
    depth: usize,
    /// Weights and patch values each invocation stages per depth step.
    w_slots: usize,
    x_slots: usize,
    /// 1×1 kernel, stride 1, no padding: the patch matrix is the input itself.
    pointwise: bool,
    /// Fours of pixels per invocation, and the names of the single pixels (`x0.x`, …) an
    /// invocation multiplies.
    quads: usize,
    x_lanes: Vec<String>,
    /// Fours of rows per invocation when per_m is a multiple of 4 (else 0: rows one by one), and
    /// the names of the single weights.
    w_quads: usize,
    w_lanes: Vec<String>,
}

/// Outputs per invocation along m for `m` output channels, given `per` along pixels: `per` unless
/// that leaves more than a quarter of the tile's rows past the last channel (the λ-layers' 40 and
/// 80 keys in 64-row tiles); then the fewest rows computed, largest tiles first. A step must
/// stage a whole number of weights per invocation (16·per_m·depth a multiple of 256).
fn rows_per_invocation(m: usize, per: usize, depth: usize) -> usize {
    let rows = |p: usize| m.div_ceil(16 * p) * 16 * p;
    if 4 * (rows(per) - m) <= rows(per) {
        return per;
    }
    (1..=8)
        .filter(|p| (p * depth).is_multiple_of(16))
        .min_by_key(|&p| (rows(p), std::cmp::Reverse(p)))
        .unwrap_or(per)
}

/// A convolution of one group is a matrix product per image, weights (M × C·KH·KW) times the
/// input's patches: tiled, each loaded value is reused 4 times from registers and 64 times from
/// workgroup memory.
fn gemm_conv(l: &Lowering, op: &Conv, pads: &[usize]) -> Result<Kernel, CompileError> {
    let w = l.input(1).unwrap();
    let bias = l.input(2);
    let ws = l.shape(w);
    let out = Output::of(l);
    let pixels = out.pixels();
    let tiles =
        |per: usize| pixels.div_ceil(16 * per) * out.channels.div_ceil(16 * per) * out.planes;
    let (per, depth) = if tiles(LARGE_TILES.0) >= LARGE_TILE_WORKGROUPS {
        LARGE_TILES
    } else {
        SMALL_TILES
    };
    let per_m = rows_per_invocation(out.channels, per, depth);
    let params = gemm_params(l, op, pads, depth)?;
    let bindings = bindings(l);
    let context = GemmContext {
        has_bias: bias.is_some(),
        upsampled: l.node.upsampled,
        per_m,
        per_q: per,
        depth,
        w_slots: per_m * depth / 16,
        x_slots: per * depth / 16,
        pointwise: pointwise(op, ws, pads),
        quads: per / 4,
        x_lanes: lanes("x", per),
        // Measured on an H200 (UNet, side by side): reading every tile's rows one by one cost 3%
        // (81.4 vs 79.1 ms); reading them in fours where per_m allows gained 4% (75.6 ms).
        w_quads: if per_m.is_multiple_of(4) {
            per_m / 4
        } else {
            0
        },
        w_lanes: if per_m.is_multiple_of(4) {
            lanes("w", per_m)
        } else {
            (0..per_m).map(|a| format!("w{a}")).collect()
        },
    };
    let groups = [
        pixels.div_ceil(16 * per),
        out.channels.div_ceil(16 * per_m),
        out.planes,
    ];
    let kernel = l.kernel_with_grid("conv_gemm.wgsl", &context, bindings, params, groups)?;
    Ok(kernel.splittable(&[1, if bias.is_some() { 4 } else { 3 }]))
}

/// The regions every convolution kernel binds (1 to 3, or 4 with a bias): x, weight, the bias
/// if any, and y.
fn bindings(l: &Lowering) -> Vec<Region> {
    let mut bindings = vec![l.region(l.input(0).unwrap()), l.region(l.input(1).unwrap())];
    bindings.extend(l.input(2).map(|b| l.region(b)));
    bindings.push(l.region(l.output()));
    bindings
}

/// 1×1, stride 1, no padding: the patch matrix is the input itself.
fn pointwise(op: &Conv, ws: &[usize], pads: &[usize]) -> bool {
    ws[2..] == [1, 1] && op.strides == [1, 1] && pads.iter().all(|&p| p == 0)
}

/// The Params of both matrix-product kernels, for staged steps `depth` taps deep.
fn gemm_params(
    l: &Lowering,
    op: &Conv,
    pads: &[usize],
    depth: usize,
) -> Result<Vec<u32>, CompileError> {
    let (x, w) = (l.input(0).unwrap(), l.input(1).unwrap());
    let (xs, ws, out) = (l.shape(x), l.shape(w), Output::of(l));
    // One depth step moves every staged tap `depth` along a weight row (channel, ky, kx).
    let (taps, kw) = ((ws[2] * ws[3]).max(1), ws[3].max(1));
    Params::new()
        .u32(out.channels)
        .u32(ws[1] * taps)
        .u32(out.pixels())
        .u32(out.width)
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
        .finish()
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
    let bindings = bindings(l);
    let n = l.graph.tensor(y).ty.numel();
    l.kernel(
        "conv2d.wgsl",
        &Context {
            has_bias: bias.is_some(),
            upsampled: l.node.upsampled,
            window: (ws[2] * ws[3] <= WRITTEN_OUT_TAPS).then_some((ws[2], ws[3])),
        },
        bindings,
        params,
        n,
    )
    .map(|k| k.splittable(&[1, if bias.is_some() { 4 } else { 3 }]))
}

#[cfg(test)]
mod tests {
    use super::rows_per_invocation;

    #[test]
    fn tiles_shrink_along_m_only_when_many_rows_would_be_idle() {
        // 320 channels fill five 64-row tiles; 160 leave 32 of 192 rows idle, which is fine.
        assert_eq!(rows_per_invocation(320, 4, 16), 4);
        assert_eq!(rows_per_invocation(160, 4, 16), 4);
        // 40 keys: 48-row tiles rather than 64; 80: exactly 80.
        assert_eq!(rows_per_invocation(40, 4, 16), 3);
        assert_eq!(rows_per_invocation(80, 4, 16), 5);
        // Large tiles stage 8 deep, so rows come in pairs: 3 channels get 32-row tiles.
        assert_eq!(rows_per_invocation(3, 8, 8), 2);
    }
}
