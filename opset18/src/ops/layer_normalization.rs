//! LayerNormalization (opset 17): standardizes X over the axes `axis..rank`, then applies Scale
//! and the optional B, both unidirectionally broadcast to X. The optional outputs Mean and
//! InvStdDev hold the statistics with the normalized axes kept as 1.

use super::broadcast::{broadcasts_to, source_indices};
use super::common::{check_arity, check_dtype, constants, normalize_axis, optional, required};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct LayerNormalization {
    /// In `[-rank, rank)`; normalize with [`normalize_axis`] once the rank is known.
    pub axis: i64,
    pub epsilon: f32,
}

impl LayerNormalization {
    pub fn parse(attrs: &Attributes) -> Result<LayerNormalization, OpError> {
        attrs.only(&["axis", "epsilon", "stash_type"])?;
        // Only float32 statistics (stash_type 1, the default) are implemented.
        let stash_type = attrs.int("stash_type", 1)?;
        if stash_type != 1 {
            return Err(OpError::Attribute {
                name: "stash_type".into(),
                reason: format!("{stash_type} is not supported; only 1 (float32)"),
            });
        }
        Ok(LayerNormalization {
            axis: attrs.int("axis", -1)?,
            epsilon: attrs.float("epsilon", 1e-5)?,
        })
    }
}

impl Semantics for LayerNormalization {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 2, 3)?;
        let x = required(inputs, 0, "X")?.ty;
        check_dtype("X", x, &[DataType::Float])?;
        let axis = normalize_axis(self.axis, x.shape.len())?;
        let scale = required(inputs, 1, "Scale")?.ty;
        let bias = optional(inputs, 2).map(|v| v.ty);
        for (name, ty) in [("Scale", Some(scale)), ("B", bias)] {
            let Some(ty) = ty else { continue };
            check_dtype(name, ty, &[DataType::Float])?;
            if !broadcasts_to(&ty.shape, &x.shape) {
                return Err(invalid!(
                    "{name} of shape {:?} does not broadcast to X of shape {:?}",
                    ty.shape,
                    x.shape
                ));
            }
        }
        let mut stats = x.shape.clone();
        stats[axis..].fill(1);
        let stats = TensorType::new(DataType::Float, stats);
        Ok(vec![x.clone(), stats.clone(), stats])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let types = self.infer(&constants(inputs))?;
        let shape = &types[0].shape;
        let x = required(inputs, 0, "X")?.f32s();
        let axis = normalize_axis(self.axis, shape.len())?;
        let len: usize = shape[axis..].iter().product();
        let moments = standardize(&x, shape[..axis].iter().product(), len, self.epsilon);
        let scale = required(inputs, 1, "Scale")?;
        let scale_at = source_indices(scale.shape(), shape);
        let scale = scale.f32s();
        let bias = optional(inputs, 2).map(|b| (source_indices(b.shape(), shape), b.f32s()));
        let y: Vec<f32> = x
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let (mean, inv_std) = moments[i / len];
                let shift = bias.as_ref().map_or(0.0, |(at, b)| b[at[i]]);
                (v - mean) * inv_std * scale[scale_at[i]] + shift
            })
            .collect();
        let (means, inv_stds): (Vec<f32>, Vec<f32>) = moments.into_iter().unzip();
        Ok(vec![
            Tensor::from_f32(types[0].shape.clone(), &y),
            Tensor::from_f32(types[1].shape.clone(), &means),
            Tensor::from_f32(types[2].shape.clone(), &inv_stds),
        ])
    }
}

/// Mean and 1/sqrt(variance + epsilon) of each of `groups` consecutive runs of `len` values,
/// accumulated in f64 with the variance taken about the mean.
pub fn standardize(x: &[f32], groups: usize, len: usize, epsilon: f32) -> Vec<(f32, f32)> {
    (0..groups)
        .map(|g| {
            let run = &x[g * len..(g + 1) * len];
            let mean = run.iter().map(|&v| v as f64).sum::<f64>() / len as f64;
            let var = run.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / len as f64;
            (mean as f32, (1.0 / (var + epsilon as f64).sqrt()) as f32)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{attrs, float, infer};
    use crate::Attribute;

    #[test]
    fn parse() {
        let op = LayerNormalization::parse(&Attributes::default()).unwrap();
        assert_eq!((op.axis, op.epsilon), (-1, 1e-5));
        let bad = attrs(&[("stash_type", Attribute::Int(11))]);
        assert!(LayerNormalization::parse(&bad).is_err());
        assert!(LayerNormalization::parse(&attrs(&[("momentum", Attribute::Float(0.1))])).is_err());
    }

    #[test]
    fn shapes() {
        let op = LayerNormalization::parse(&attrs(&[("axis", Attribute::Int(1))])).unwrap();
        let types = infer(&op, &[float(&[2, 3, 4]), float(&[3, 4]), float(&[4])]).unwrap();
        assert_eq!(types[0].shape, [2, 3, 4]);
        assert_eq!(types[1].shape, [2, 1, 1]);
        assert_eq!(types[2].shape, [2, 1, 1]);
        assert!(infer(&op, &[float(&[2, 3, 4]), float(&[5])]).is_err());
        assert!(infer(&op, &[float(&[2, 3, 4]), float(&[2, 2, 3, 4])]).is_err());
        assert!(infer(&op, &[float(&[2, 3, 4])]).is_err());
        let op = LayerNormalization::parse(&attrs(&[("axis", Attribute::Int(3))])).unwrap();
        assert!(infer(&op, &[float(&[2, 3, 4]), float(&[4])]).is_err());
    }

    #[test]
    fn values() {
        let op = LayerNormalization::parse(&attrs(&[("epsilon", Attribute::Float(0.0))])).unwrap();
        let x = Tensor::from_f32(vec![2, 2], &[1.0, 3.0, 5.0, 5.0]);
        let scale = Tensor::from_f32(vec![2], &[2.0, 1.0]);
        let bias = Tensor::from_f32(vec![1], &[0.5]);
        let out = op.eval(&[Some(&x), Some(&scale), Some(&bias)]).unwrap();
        assert_eq!(out[0].f32s()[..2], [-1.5, 1.5]);
        assert!(out[0].f32s()[2..].iter().all(|v| v.is_nan()));
        assert_eq!(out[1].f32s(), [2.0, 5.0]);
        assert_eq!(out[1].shape(), [2, 1]);
        assert_eq!(out[2].f32s()[0], 1.0);
        assert!(out[2].f32s()[1].is_infinite());
        // One element per group: the deviation is 0, so Y is B.
        let op = LayerNormalization::parse(&Attributes::default()).unwrap();
        let x = Tensor::from_f32(vec![3, 1], &[1.0, -2.0, 7.0]);
        let scale = Tensor::from_f32(vec![1], &[3.0]);
        let out = op.eval(&[Some(&x), Some(&scale), Some(&bias)]).unwrap();
        assert_eq!(out[0].f32s(), [0.5, 0.5, 0.5]);
    }
}
