//! Pad (opset 18): constant, reflect or edge padding from constant `pads` (negative ones crop),
//! an optional `constant_value` and optional `axes`.
//!
//! A negative pad crops first and the mode then pads what is kept, as onnxruntime does. Reflection
//! wider than the kept axis repeats periodically, as in numpy (onnxruntime leaves it undefined).

use super::common::{
    check_arity, check_dtype, check_rank, checked_numel, constant_ints, constants, for_each_index,
    normalize_axes, optional, required, strides,
};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PadMode {
    Constant,
    Reflect,
    Edge,
}

impl PadMode {
    /// The index into the kept part of an axis (`len` elements) that position `i` reads, counted
    /// from the kept part's start; `None` where the constant goes.
    pub fn source(self, i: i64, len: usize) -> Option<usize> {
        let len = len as i64;
        if (0..len).contains(&i) {
            return Some(i as usize);
        }
        match self {
            PadMode::Constant => None,
            PadMode::Edge => Some(i.clamp(0, len - 1) as usize),
            PadMode::Reflect if len == 1 => Some(0),
            PadMode::Reflect => {
                let period = 2 * (len - 1);
                let j = i.rem_euclid(period);
                Some(if j < len { j } else { period - j } as usize)
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pad {
    pub mode: PadMode,
}

/// How one output axis reads the input: `lead` padded positions, then the `len` input elements
/// that start at `crop`, then padding up to `out`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AxisPad {
    pub lead: usize,
    pub crop: usize,
    pub len: usize,
    pub out: usize,
}

impl Pad {
    pub fn parse(attrs: &Attributes) -> Result<Pad, OpError> {
        attrs.only(&["mode"])?;
        let mode = match attrs.string("mode", "constant")?.as_str() {
            "constant" => PadMode::Constant,
            "reflect" => PadMode::Reflect,
            "edge" => PadMode::Edge,
            other => {
                return Err(OpError::Attribute {
                    name: "mode".into(),
                    reason: format!("{other:?} is not supported (only constant, reflect and edge)"),
                })
            }
        };
        Ok(Pad { mode })
    }

    /// Checks the inputs and returns how every axis of the output reads the data.
    pub fn resolve(&self, inputs: &[Option<Value>]) -> Result<Vec<AxisPad>, OpError> {
        check_arity(inputs, 2, 4)?;
        let data = required(inputs, 0, "data")?.ty;
        let pads = required(inputs, 1, "pads")?;
        check_dtype("pads", pads.ty, &[DataType::Int64])?;
        check_rank("pads", pads.ty, 1)?;
        let pads = constant_ints(pads, 1, "the pads")?;
        if let Some(value) = optional(inputs, 2) {
            check_dtype("constant_value", value.ty, &[data.dtype])?;
            if value.ty.numel() != 1 {
                return Err(invalid!(
                    "constant_value must be a scalar, got shape {:?}",
                    value.ty.shape
                ));
            }
        }
        let rank = data.shape.len();
        let axes = match optional(inputs, 3) {
            Some(axes) => {
                check_dtype("axes", axes.ty, &[DataType::Int32, DataType::Int64])?;
                check_rank("axes", axes.ty, 1)?;
                normalize_axes(&constant_ints(axes, 3, "the padded axes")?, rank)?
            }
            None => (0..rank).collect(),
        };
        if pads.len() != 2 * axes.len() {
            return Err(invalid!(
                "{} pads for {} axes; expected two per axis",
                pads.len(),
                axes.len()
            ));
        }
        let mut out: Vec<AxisPad> = (data.shape.iter())
            .map(|&dim| AxisPad {
                lead: 0,
                crop: 0,
                len: dim,
                out: dim,
            })
            .collect();
        for (k, &axis) in axes.iter().enumerate() {
            let (begin, end) = (pads[k] as i128, pads[k + axes.len()] as i128);
            let dim = data.shape[axis] as i128;
            let len = dim + begin.min(0) + end.min(0);
            if len < 0 {
                return Err(invalid!(
                    "pads {pads:?} crop more than axis {axis} of size {dim} holds"
                ));
            }
            let size = len + begin.max(0) + end.max(0);
            if len == 0 && size > 0 && self.mode != PadMode::Constant {
                return Err(invalid!(
                    "axis {axis} is empty, so {:?} padding has nothing to repeat",
                    self.mode
                ));
            }
            let size =
                usize::try_from(size).map_err(|_| invalid!("pads {pads:?} are too large"))?;
            out[axis] = AxisPad {
                lead: begin.max(0) as usize,
                crop: (-begin).max(0) as usize,
                len: len as usize,
                out: size,
            };
        }
        checked_numel(&out.iter().map(|a| a.out).collect::<Vec<_>>())?;
        Ok(out)
    }
}

impl Semantics for Pad {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        let shape = self.resolve(inputs)?.iter().map(|a| a.out).collect();
        Ok(vec![TensorType::new(
            required(inputs, 0, "data")?.ty.dtype,
            shape,
        )])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let values = constants(inputs);
        let axes = self.resolve(&values)?;
        let out = self.infer(&values)?.remove(0);
        let data = required(inputs, 0, "data")?;
        let size = data.dtype().size();
        let fill = match optional(inputs, 2) {
            Some(value) => value.bytes.to_vec(),
            None => vec![0; size],
        };
        let data_strides = strides(data.shape());
        let mut bytes = Vec::with_capacity(out.numel() * size);
        for_each_index(&out.shape, |index| {
            let mut at = Some(0);
            for ((&o, a), stride) in index.iter().zip(&axes).zip(&data_strides) {
                let i = self.mode.source(o as i64 - a.lead as i64, a.len);
                at = at.zip(i).map(|(at, i)| at + (i + a.crop) * stride);
            }
            match at {
                Some(k) => bytes.extend_from_slice(&data.bytes[k * size..(k + 1) * size]),
                None => bytes.extend_from_slice(&fill),
            }
        });
        Ok(vec![Tensor {
            ty: out,
            bytes: bytes.into(),
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::attrs;
    use crate::Attribute;

    fn pad(mode: &str) -> Pad {
        Pad::parse(&attrs(&[("mode", Attribute::String(mode.into()))])).unwrap()
    }

    fn run(mode: &str, data: &Tensor, pads: &[i64], extra: [Option<&Tensor>; 2]) -> Tensor {
        let pads = Tensor::from_i64(vec![pads.len()], pads);
        let inputs = [Some(data), Some(&pads), extra[0], extra[1]];
        pad(mode).eval(&inputs).unwrap().remove(0)
    }

    fn row() -> Tensor {
        Tensor::from_f32(vec![5], &[1.0, 2.0, 3.0, 4.0, 5.0])
    }

    #[test]
    fn modes() {
        let cases: [(&str, &[i64], &[f32]); 8] = [
            (
                "constant",
                &[2, 1],
                &[0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 0.0],
            ),
            ("constant", &[-2, 2], &[3.0, 4.0, 5.0, 0.0, 0.0]),
            (
                "reflect",
                &[2, 1],
                &[3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 5.0, 4.0],
            ),
            ("reflect", &[2, -2], &[3.0, 2.0, 1.0, 2.0, 3.0]),
            ("reflect", &[-2, 2], &[3.0, 4.0, 5.0, 4.0, 3.0]),
            // Wider than the axis: periodic, as numpy.
            (
                "reflect",
                &[6, 0],
                &[3.0, 4.0, 5.0, 4.0, 3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 5.0],
            ),
            ("edge", &[2, 1], &[1.0, 1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 5.0]),
            ("edge", &[-3, 2], &[4.0, 5.0, 5.0, 5.0]),
        ];
        for (mode, pads, want) in cases {
            assert_eq!(
                run(mode, &row(), pads, [None, None]).f32s(),
                want,
                "{mode} {pads:?}"
            );
        }
    }

    #[test]
    fn constant_value_and_axes() {
        let data = Tensor::from_i64(vec![2, 2], &[1, 2, 3, 4]);
        let value = Tensor::from_i64(vec![], &[9]);
        let axes = Tensor::from_i32(vec![1], &[-1]);
        let out = run("constant", &data, &[1, 0], [Some(&value), Some(&axes)]);
        assert_eq!(
            (out.shape(), out.ints()),
            (&[2, 3][..], vec![9, 1, 2, 9, 3, 4])
        );
        let out = run("reflect", &data, &[1, 1, 0, 0], [None, None]);
        assert_eq!(out.shape(), [3, 3]);
        assert_eq!(out.ints(), [4, 3, 4, 2, 1, 2, 4, 3, 4]);
    }

    #[test]
    fn bad_inputs() {
        let p = |pads: &[i64]| Tensor::from_i64(vec![pads.len()], pads);
        let data = row();
        let fails = |mode: &str, inputs: &[Option<&Tensor>]| pad(mode).eval(inputs).is_err();
        assert!(fails("constant", &[Some(&data), Some(&p(&[1]))]));
        assert!(fails("constant", &[Some(&data), Some(&p(&[-4, -2]))]));
        assert!(fails("edge", &[Some(&data), Some(&p(&[-5, 1]))]));
        let wrong_type = Tensor::from_i64(vec![], &[1]);
        assert!(fails(
            "constant",
            &[Some(&data), Some(&p(&[1, 1])), Some(&wrong_type)]
        ));
        assert!(Pad::parse(&attrs(&[("mode", Attribute::String("wrap".into()))])).is_err());
    }
}
