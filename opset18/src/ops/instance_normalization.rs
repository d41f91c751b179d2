//! InstanceNormalization (opset 6): standardizes each (n, c) slice of an (N, C, D1, …, Dn) input
//! over its spatial elements, then applies the per-channel scale and B.

use super::common::{check_arity, check_dtype, constants, required};
use super::layer_normalization::standardize;
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct InstanceNormalization {
    pub epsilon: f32,
}

impl InstanceNormalization {
    pub fn parse(attrs: &Attributes) -> Result<InstanceNormalization, OpError> {
        attrs.only(&["epsilon"])?;
        Ok(InstanceNormalization {
            epsilon: attrs.float("epsilon", 1e-5)?,
        })
    }
}

impl Semantics for InstanceNormalization {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 3, 3)?;
        let x = required(inputs, 0, "input")?.ty;
        check_dtype("input", x, &[DataType::Float])?;
        if x.shape.len() < 3 {
            return Err(invalid!(
                "input must be (N, C, D1, …) of rank 3 or more, got shape {:?}",
                x.shape
            ));
        }
        for (index, name) in [(1, "scale"), (2, "B")] {
            let ty = required(inputs, index, name)?.ty;
            check_dtype(name, ty, &[DataType::Float])?;
            if ty.shape != [x.shape[1]] {
                return Err(invalid!(
                    "{name} must have shape [{}] (the channels), got {:?}",
                    x.shape[1],
                    ty.shape
                ));
            }
        }
        Ok(vec![x.clone()])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let out = self.infer(&constants(inputs))?.remove(0);
        let x = required(inputs, 0, "input")?.f32s();
        let scale = required(inputs, 1, "scale")?.f32s();
        let bias = required(inputs, 2, "B")?.f32s();
        let channels = out.shape[1];
        let len: usize = out.shape[2..].iter().product();
        let groups = out.shape[0] * channels;
        let moments = standardize(&x, groups, len, self.epsilon);
        let y: Vec<f32> = x
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let group = i / len;
                let (mean, inv_std) = moments[group];
                let c = group % channels;
                (v - mean) * inv_std * scale[c] + bias[c]
            })
            .collect();
        Ok(vec![Tensor::from_f32(out.shape, &y)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{attrs, eval, float, infer_shape};
    use crate::Attribute;

    #[test]
    fn shapes() {
        let op = InstanceNormalization::parse(&Attributes::default()).unwrap();
        assert_eq!(op.epsilon, 1e-5);
        let types = [float(&[2, 3, 4, 5]), float(&[3]), float(&[3])];
        assert_eq!(infer_shape(&op, &types), Ok(vec![2, 3, 4, 5]));
        assert!(infer_shape(&op, &[float(&[2, 3]), float(&[3]), float(&[3])]).is_err());
        assert!(infer_shape(&op, &[float(&[2, 3, 4]), float(&[3]), float(&[4])]).is_err());
        assert!(infer_shape(&op, &[float(&[2, 3, 4]), float(&[3])]).is_err());
        assert!(InstanceNormalization::parse(&attrs(&[("axis", Attribute::Int(1))])).is_err());
    }

    #[test]
    fn values() {
        let op =
            InstanceNormalization::parse(&attrs(&[("epsilon", Attribute::Float(0.0))])).unwrap();
        // N=1, C=2, L=2: channel 0 is [1, 3], channel 1 is [2, 6].
        let x = Tensor::from_f32(vec![1, 2, 2], &[1.0, 3.0, 2.0, 6.0]);
        let scale = Tensor::from_f32(vec![2], &[1.0, 3.0]);
        let bias = Tensor::from_f32(vec![2], &[0.0, 1.0]);
        let y = eval(&op, [x, scale, bias]).unwrap();
        assert_eq!(y.f32s(), [-1.0, 1.0, -2.0, 4.0]);
    }
}
