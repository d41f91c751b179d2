//! Resize (opset 18) in nearest and linear modes, from constant `scales` or `sizes`.
//!
//! Coordinates are computed in f32 with the spec's formulas. Its `scale = length_resized /
//! length_original` makes align_corners divide by input length × scale, not by the output length
//! (which is that product truncated or rounded), as the node tests expect; onnxruntime divides by
//! the output length, which differs for scales such as 0.6. Sample positions outside the input are
//! clamped to its edge, so `exclude_outside` changes nothing here; `roi` and `extrapolation_value`
//! only matter for tf_crop_and_resize, which is rejected, as are cubic mode and antialiased linear
//! mode.

use super::common::{
    check_arity, check_dtype, check_rank, checked_numel, constant_ints, constants, for_each_index,
    gather_elements, normalize_axes, optional, required, strides,
};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResizeMode {
    Nearest,
    Linear,
}

/// `coordinate_transformation_mode`: where output coordinate `x` samples the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coordinates {
    HalfPixel,
    HalfPixelSymmetric,
    PytorchHalfPixel,
    AlignCorners,
    Asymmetric,
}

/// `nearest_mode`: how nearest mode rounds a sample position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    RoundPreferFloor,
    RoundPreferCeil,
    Floor,
    Ceil,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AspectPolicy {
    Stretch,
    NotLarger,
    NotSmaller,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Resize {
    pub mode: ResizeMode,
    pub coordinates: Coordinates,
    pub rounding: Rounding,
    pub axes: Option<Vec<i64>>,
    pub aspect: AspectPolicy,
}

/// One axis of a resize: its input and output lengths and the scale coordinates divide by.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AxisScale {
    pub input: usize,
    pub output: usize,
    pub scale: f32,
}

impl Coordinates {
    /// The input position that output position `x` samples, before rounding or clamping.
    pub fn source(self, x: f32, axis: &AxisScale) -> f32 {
        let (scale, input, output) = (axis.scale, axis.input as f32, axis.output as f32);
        match self {
            Coordinates::HalfPixel => (x + 0.5) / scale - 0.5,
            Coordinates::HalfPixelSymmetric => {
                let adjustment = output / (scale * input);
                let offset = input / 2.0 * (1.0 - adjustment);
                offset + (x + 0.5) / scale - 0.5
            }
            Coordinates::PytorchHalfPixel if axis.output > 1 => (x + 0.5) / scale - 0.5,
            Coordinates::AlignCorners if axis.output > 1 => {
                x * (input - 1.0) / (input * scale - 1.0)
            }
            Coordinates::PytorchHalfPixel | Coordinates::AlignCorners => 0.0,
            Coordinates::Asymmetric => x / scale,
        }
    }
}

impl Rounding {
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Rounding::RoundPreferFloor => (x - 0.5).ceil(),
            Rounding::RoundPreferCeil => (x + 0.5).floor(),
            Rounding::Floor => x.floor(),
            Rounding::Ceil => x.ceil(),
        }
    }
}

/// A string attribute that must be one of `choices`; other values name the attribute.
fn choice<T: Copy>(
    attrs: &Attributes,
    name: &str,
    default: &str,
    choices: &[(&str, T)],
) -> Result<T, OpError> {
    let value = attrs.string(name, default)?;
    match choices.iter().find(|(s, _)| *s == value) {
        Some(&(_, v)) => Ok(v),
        None => {
            let names: Vec<&str> = choices.iter().map(|(s, _)| *s).collect();
            Err(OpError::Attribute {
                name: name.into(),
                reason: format!(
                    "{value:?} is not supported (supported: {})",
                    names.join(", ")
                ),
            })
        }
    }
}

impl Resize {
    pub fn parse(attrs: &Attributes) -> Result<Resize, OpError> {
        attrs.only(&[
            "antialias",
            "axes",
            "coordinate_transformation_mode",
            "cubic_coeff_a",
            "exclude_outside",
            "extrapolation_value",
            "keep_aspect_ratio_policy",
            "mode",
            "nearest_mode",
        ])?;
        let mode = choice(
            attrs,
            "mode",
            "nearest",
            &[
                ("nearest", ResizeMode::Nearest),
                ("linear", ResizeMode::Linear),
            ],
        )?;
        let coordinates = choice(
            attrs,
            "coordinate_transformation_mode",
            "half_pixel",
            &[
                ("half_pixel", Coordinates::HalfPixel),
                ("half_pixel_symmetric", Coordinates::HalfPixelSymmetric),
                ("pytorch_half_pixel", Coordinates::PytorchHalfPixel),
                ("align_corners", Coordinates::AlignCorners),
                ("asymmetric", Coordinates::Asymmetric),
            ],
        )?;
        let rounding = choice(
            attrs,
            "nearest_mode",
            "round_prefer_floor",
            &[
                ("round_prefer_floor", Rounding::RoundPreferFloor),
                ("round_prefer_ceil", Rounding::RoundPreferCeil),
                ("floor", Rounding::Floor),
                ("ceil", Rounding::Ceil),
            ],
        )?;
        let aspect = choice(
            attrs,
            "keep_aspect_ratio_policy",
            "stretch",
            &[
                ("stretch", AspectPolicy::Stretch),
                ("not_larger", AspectPolicy::NotLarger),
                ("not_smaller", AspectPolicy::NotSmaller),
            ],
        )?;
        let antialias = attrs.int("antialias", 0)?;
        if mode == ResizeMode::Linear && antialias != 0 {
            return Err(OpError::Attribute {
                name: "antialias".into(),
                reason: format!("{antialias} is not supported in linear mode (only 0)"),
            });
        }
        Ok(Resize {
            mode,
            coordinates,
            rounding,
            axes: attrs.opt_ints("axes")?,
            aspect,
        })
    }

    /// Checks the inputs and returns the input length, output length and scale of every axis.
    pub fn resolve(&self, inputs: &[Option<Value>]) -> Result<Vec<AxisScale>, OpError> {
        check_arity(inputs, 1, 4)?;
        let x = required(inputs, 0, "X")?.ty;
        if self.mode == ResizeMode::Linear {
            check_dtype("X in linear mode", x, &[DataType::Float])?;
        }
        let rank = x.shape.len();
        let axes = match &self.axes {
            Some(axes) => normalize_axes(axes, rank)?,
            None => (0..rank).collect(),
        };
        // Exporters pass an empty tensor for the unused one of scales and sizes.
        let given = |index| optional(inputs, index).filter(|v: &Value| v.ty.numel() > 0);
        let mut out: Vec<AxisScale> = (x.shape.iter())
            .map(|&dim| AxisScale {
                input: dim,
                output: dim,
                scale: 1.0,
            })
            .collect();
        let count_error =
            |what: &str, n: usize| invalid!("{n} {what} for {} resized axes", axes.len());
        let empty = axes.iter().find(|&&a| x.shape[a] == 0);
        if let Some(axis) = empty {
            return Err(invalid!("axis {axis} to resize is empty"));
        }
        match (given(2), given(3)) {
            (Some(scales), None) => {
                check_dtype("scales", scales.ty, &[DataType::Float])?;
                check_rank("scales", scales.ty, 1)?;
                let scales = scales
                    .constant
                    .ok_or(OpError::NeedsConstant {
                        index: 2,
                        what: "the scales",
                    })?
                    .f32s();
                if scales.len() != axes.len() {
                    return Err(count_error("scales", scales.len()));
                }
                for (&axis, &scale) in axes.iter().zip(&scales) {
                    if !(scale > 0.0 && scale.is_finite()) {
                        return Err(invalid!("scale {scale} of axis {axis} is not positive"));
                    }
                    let a = &mut out[axis];
                    // f32 product, as onnxruntime and ONNX's shape inference compute it.
                    a.output = float_length(a.input as f32 * scale)?;
                    a.scale = scale;
                }
            }
            (None, Some(sizes)) => {
                check_dtype("sizes", sizes.ty, &[DataType::Int64])?;
                check_rank("sizes", sizes.ty, 1)?;
                let sizes = constant_ints(sizes, 3, "the output sizes")?;
                if sizes.len() != axes.len() {
                    return Err(count_error("sizes", sizes.len()));
                }
                if let Some(size) = sizes.iter().find(|&&s| s < 0) {
                    return Err(invalid!("size {size} is negative"));
                }
                let ratios = axes
                    .iter()
                    .zip(&sizes)
                    .map(|(&a, &s)| s as f32 / x.shape[a] as f32);
                let common = match self.aspect {
                    AspectPolicy::Stretch => None,
                    AspectPolicy::NotLarger => ratios.reduce(f32::min),
                    AspectPolicy::NotSmaller => ratios.reduce(f32::max),
                };
                for (&axis, &size) in axes.iter().zip(&sizes) {
                    let a = &mut out[axis];
                    (a.output, a.scale) = match common {
                        Some(scale) => (float_length((scale * a.input as f32).round())?, scale),
                        None => (size as usize, size as f32 / a.input as f32),
                    };
                }
            }
            _ => return Err(invalid!("exactly one of scales and sizes must be given")),
        }
        checked_numel(&out.iter().map(|a| a.output).collect::<Vec<_>>())?;
        Ok(out)
    }
}

/// An output length computed in f32, truncated.
fn float_length(value: f32) -> Result<usize, OpError> {
    if value >= usize::MAX as f32 {
        return Err(invalid!("output length {value} is too large"));
    }
    Ok(value as usize)
}

impl Semantics for Resize {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        let shape = self.resolve(inputs)?.iter().map(|a| a.output).collect();
        Ok(vec![TensorType::new(
            required(inputs, 0, "X")?.ty.dtype,
            shape,
        )])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let values = constants(inputs);
        let axes = self.resolve(&values)?;
        let out = self.infer(&values)?.remove(0);
        let x = required(inputs, 0, "X")?;
        let in_strides = strides(x.shape());
        // Per axis and output position: the lower and upper input index and the upper's weight.
        let taps: Vec<Vec<(usize, usize, f32)>> = axes
            .iter()
            .map(|a| {
                let last = a.input as f32 - 1.0;
                (0..a.output)
                    .map(|o| {
                        let at = self.coordinates.source(o as f32, a);
                        if self.mode == ResizeMode::Nearest {
                            let i = self.rounding.apply(at).clamp(0.0, last) as usize;
                            return (i, i, 0.0);
                        }
                        let at = at.clamp(0.0, last);
                        let lo = at.floor() as usize;
                        (lo, (lo + 1).min(a.input - 1), at - lo as f32)
                    })
                    .collect()
            })
            .collect();
        if self.mode == ResizeMode::Nearest {
            let mut sources = Vec::with_capacity(out.numel());
            for_each_index(&out.shape, |index| {
                let at = index.iter().zip(&taps).zip(&in_strides);
                sources.push(at.map(|((&o, t), s)| t[o].0 * s).sum());
            });
            return Ok(vec![gather_elements(x, out, &sources)]);
        }
        let data = x.f32s();
        let mut values = Vec::with_capacity(out.numel());
        for_each_index(&out.shape, |index| {
            let mut acc = 0.0;
            // Every corner of the cell around the sample point, weighted multilinearly.
            for corner in 0..1usize << index.len() {
                let (mut weight, mut at) = (1.0f32, 0);
                for (d, &o) in index.iter().enumerate() {
                    let (lo, hi, f) = taps[d][o];
                    let high = corner >> d & 1 == 1;
                    weight *= if high { f } else { 1.0 - f };
                    at += if high { hi } else { lo } * in_strides[d];
                }
                if weight != 0.0 {
                    acc += weight * data[at];
                }
            }
            values.push(acc);
        });
        Ok(vec![Tensor::from_f32(out.shape, &values)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::attrs;
    use crate::Attribute;

    fn resize(list: &[(&str, &str)]) -> Result<Resize, OpError> {
        let list: Vec<(&str, Attribute)> = list
            .iter()
            .map(|&(k, v)| (k, Attribute::String(v.into())))
            .collect();
        Resize::parse(&attrs(&list))
    }

    fn scaled(op: &Resize, x: &Tensor, scales: &[f32]) -> Result<Tensor, OpError> {
        let scales = Tensor::from_f32(vec![scales.len()], scales);
        Ok(op.eval(&[Some(x), None, Some(&scales)])?.remove(0))
    }

    fn sized(op: &Resize, x: &Tensor, sizes: &[i64]) -> Result<Tensor, OpError> {
        let sizes = Tensor::from_i64(vec![sizes.len()], sizes);
        let empty = Tensor::from_f32(vec![0], &[]);
        Ok(op
            .eval(&[Some(x), None, Some(&empty), Some(&sizes)])?
            .remove(0))
    }

    #[test]
    fn rejects_what_it_does_not_implement() {
        for (name, value) in [
            ("mode", "cubic"),
            ("coordinate_transformation_mode", "tf_crop_and_resize"),
            ("nearest_mode", "round"),
            ("keep_aspect_ratio_policy", "fit"),
        ] {
            match resize(&[(name, value)]) {
                Err(OpError::Attribute { name: n, reason }) => {
                    assert_eq!(n, name);
                    assert!(reason.contains(value), "{reason}");
                }
                other => panic!("{name}={value}: {other:?}"),
            }
        }
        let antialias = attrs(&[
            ("mode", Attribute::String("linear".into())),
            ("antialias", Attribute::Int(1)),
        ]);
        assert!(Resize::parse(&antialias).is_err());
    }

    #[test]
    fn nearest_upsample_like_pytorch() {
        let op = resize(&[
            ("coordinate_transformation_mode", "asymmetric"),
            ("nearest_mode", "floor"),
        ])
        .unwrap();
        let x = Tensor::from_f32(vec![1, 2, 2], &[1.0, 2.0, 3.0, 4.0]);
        let out = scaled(&op, &x, &[1.0, 2.0, 2.0]).unwrap();
        assert_eq!(out.shape(), [1, 4, 4]);
        assert_eq!(
            out.f32s(),
            [1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 3.0, 3.0, 4.0, 4.0]
        );
    }

    #[test]
    fn nearest_modes() {
        // Downsampling [0..8) by 0.5 with half_pixel samples 0.5, 2.5, 4.5, 6.5: all ties.
        let x = Tensor::from_i64(vec![8], &[0, 1, 2, 3, 4, 5, 6, 7]);
        for (mode, want) in [
            ("round_prefer_floor", [0, 2, 4, 6]),
            ("round_prefer_ceil", [1, 3, 5, 7]),
            ("floor", [0, 2, 4, 6]),
            ("ceil", [1, 3, 5, 7]),
        ] {
            let op = resize(&[("nearest_mode", mode)]).unwrap();
            assert_eq!(scaled(&op, &x, &[0.5]).unwrap().ints(), want, "{mode}");
        }
        let op = resize(&[("coordinate_transformation_mode", "align_corners")]).unwrap();
        assert_eq!(sized(&op, &x, &[3]).unwrap().ints(), [0, 3, 7]);
        let op = resize(&[("coordinate_transformation_mode", "pytorch_half_pixel")]).unwrap();
        assert_eq!(sized(&op, &x, &[1]).unwrap().ints(), [0]);
    }

    #[test]
    fn linear() {
        let op = resize(&[("mode", "linear")]).unwrap();
        let x = Tensor::from_f32(vec![2], &[1.0, 3.0]);
        // half_pixel samples -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
        assert_eq!(
            scaled(&op, &x, &[2.0]).unwrap().f32s(),
            [1.0, 1.5, 2.5, 3.0]
        );
        let x = Tensor::from_f32(vec![2, 2], &[0.0, 1.0, 2.0, 3.0]);
        let op = resize(&[
            ("mode", "linear"),
            ("coordinate_transformation_mode", "align_corners"),
        ])
        .unwrap();
        let out = sized(&op, &x, &[3, 3]).unwrap();
        assert_eq!(out.f32s(), [0.0, 0.5, 1.0, 1.0, 1.5, 2.0, 2.0, 2.5, 3.0]);
        // With scales, align_corners divides by 4 × 0.6 − 1 = 1.4, not by the output length − 1.
        let x = Tensor::from_f32(vec![4], &[1.0, 2.0, 3.0, 4.0]);
        let out = scaled(&op, &x, &[0.6]).unwrap().f32s();
        assert_eq!(out.len(), 2);
        assert!((out[1] - (1.0 + 3.0 / 1.4)).abs() < 1e-6, "{out:?}");
        let ints = Tensor::from_i64(vec![2], &[1, 2]);
        assert!(scaled(&op, &ints, &[2.0]).is_err());
    }

    #[test]
    fn output_sizes() {
        let op = resize(&[]).unwrap();
        let x = Tensor::from_f32(vec![10, 4], &[0.0; 40]);
        // 10 * 0.7 is 7.0000005 in f32 (and 6.99… in f64): the f32 product counts.
        assert_eq!(scaled(&op, &x, &[0.7, 1.0]).unwrap().shape(), [7, 4]);
        assert_eq!(scaled(&op, &x, &[0.25, 0.6]).unwrap().shape(), [2, 2]);
        assert!(scaled(&op, &x, &[0.0, 1.0]).is_err());
        assert!(scaled(&op, &x, &[1.0]).is_err());
        let axes = attrs(&[
            ("axes", Attribute::Ints(vec![-1])),
            (
                "keep_aspect_ratio_policy",
                Attribute::String("not_larger".into()),
            ),
        ]);
        let op = Resize::parse(&axes).unwrap();
        assert_eq!(sized(&op, &x, &[6]).unwrap().shape(), [10, 6]);
        let both = attrs(&[
            ("axes", Attribute::Ints(vec![0, 1])),
            (
                "keep_aspect_ratio_policy",
                Attribute::String("not_smaller".into()),
            ),
        ]);
        let op = Resize::parse(&both).unwrap();
        assert_eq!(sized(&op, &x, &[5, 6]).unwrap().shape(), [15, 6]);
        let op = Resize::parse(&Attributes::default()).unwrap();
        let neither = op.eval(&[Some(&x)]);
        assert!(neither.is_err());
    }
}
