//! Resize, nearest and linear: one invocation per output element, per-axis lengths and scales as
//! uniforms, the coordinate and rounding modes baked into the shader.

use onnx2wgsl_opset18::ops::resize::{AxisScale, Coordinates, Resize, ResizeMode, Rounding};
use serde::Serialize;

use super::params::{check_rank, Params};
use super::{Kernel, Lowering};
use crate::CompileError;

#[derive(Serialize)]
struct Context {
    mode: &'static str,
    /// How elements are read and written (see [`crate::target::Target::copy_type`]).
    elements: &'static str,
    coordinates: &'static str,
    rounding: &'static str,
    rank: usize,
}

pub fn resize(l: &Lowering, op: &Resize) -> Result<Kernel, CompileError> {
    let (x, y) = (l.input(0).unwrap(), l.output());
    let axes = op.resolve(&l.values()).map_err(|e| l.op_error(e))?;
    check_rank(axes.len(), "a resized tensor")?;
    let lengths = |f: fn(&AxisScale) -> usize| axes.iter().map(f).collect::<Vec<_>>();
    let scales: Vec<f32> = axes.iter().map(|a| a.scale).collect();
    let n = l.graph.tensor(y).ty.numel();
    let params = Params::new()
        .u32(n)
        .dims(&lengths(|a| a.output))
        .dims(&lengths(|a| a.input))
        .float_dims(&scales)
        .finish()?;
    let context = Context {
        mode: match op.mode {
            ResizeMode::Nearest => "nearest",
            ResizeMode::Linear => "linear",
        },
        coordinates: match op.coordinates {
            Coordinates::HalfPixel => "half_pixel",
            Coordinates::HalfPixelSymmetric => "half_pixel_symmetric",
            Coordinates::PytorchHalfPixel => "pytorch_half_pixel",
            Coordinates::AlignCorners => "align_corners",
            Coordinates::Asymmetric => "asymmetric",
        },
        rounding: match op.rounding {
            Rounding::RoundPreferFloor => "round_prefer_floor",
            Rounding::RoundPreferCeil => "round_prefer_ceil",
            Rounding::Floor => "floor",
            Rounding::Ceil => "ceil",
        },
        rank: axes.len(),
        elements: l.target.copy_type(l.graph.tensor(y).ty.dtype),
    };
    l.kernel(
        "resize.wgsl",
        &context,
        vec![l.region(x), l.region(y)],
        params,
        n,
    )
    .map(|k| k.splittable(&[1, 2]))
}
