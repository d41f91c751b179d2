//! BatchNormalization (opset 15, the same as 14 for float32) in inference mode: each channel (axis 1; a rank-1 input is one
//! channel) is normalized with the given estimated mean and variance, then scaled and shifted.

use super::common::{check_arity, check_dtype, constants, required};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct BatchNormalization {
    pub epsilon: f32,
}

impl BatchNormalization {
    pub fn parse(attrs: &Attributes) -> Result<BatchNormalization, OpError> {
        attrs.only(&["epsilon", "momentum", "training_mode"])?;
        if attrs.int("training_mode", 0)? != 0 {
            return Err(OpError::Attribute {
                name: "training_mode".into(),
                reason: "training mode is not supported; only inference (training_mode=0)".into(),
            });
        }
        // momentum only updates running statistics in training mode.
        attrs.float("momentum", 0.9)?;
        Ok(BatchNormalization {
            epsilon: attrs.float("epsilon", 1e-5)?,
        })
    }

    /// (channels, elements per channel run) of an input of this shape.
    pub fn channels(shape: &[usize]) -> (usize, usize) {
        match shape {
            [_] => (1, 1),
            _ => (shape[1], shape[2..].iter().product()),
        }
    }
}

const PER_CHANNEL: [&str; 4] = ["scale", "B", "input_mean", "input_var"];

impl Semantics for BatchNormalization {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 5, 5)?;
        let x = required(inputs, 0, "X")?.ty;
        check_dtype("X", x, &[DataType::Float])?;
        if x.shape.is_empty() {
            return Err(invalid!("X must have rank 1 or more"));
        }
        let (channels, _) = BatchNormalization::channels(&x.shape);
        for (i, name) in PER_CHANNEL.into_iter().enumerate() {
            let ty = required(inputs, i + 1, name)?.ty;
            check_dtype(name, ty, &[DataType::Float])?;
            if ty.shape != [channels] {
                return Err(invalid!(
                    "{name} must have shape [{channels}] (the channels), got {:?}",
                    ty.shape
                ));
            }
        }
        // In inference mode the running statistics outputs are invalid: Y alone.
        Ok(vec![x.clone()])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let out = self.infer(&constants(inputs))?.remove(0);
        let x = required(inputs, 0, "X")?.f32s();
        let [scale, bias, mean, var] =
            [1, 2, 3, 4].map(|i| inputs[i].expect("checked by infer").f32s());
        let (channels, inner) = BatchNormalization::channels(&out.shape);
        let y: Vec<f32> = x
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let c = (i / inner) % channels;
                (v - mean[c]) / (var[c] + self.epsilon).sqrt() * scale[c] + bias[c]
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
    fn parse() {
        let op = BatchNormalization::parse(&attrs(&[("momentum", Attribute::Float(0.1))])).unwrap();
        assert_eq!(op.epsilon, 1e-5);
        let training = attrs(&[("training_mode", Attribute::Int(1))]);
        let e = BatchNormalization::parse(&training).unwrap_err();
        assert!(e.to_string().contains("training mode"), "{e}");
        assert!(BatchNormalization::parse(&attrs(&[("spatial", Attribute::Int(1))])).is_err());
    }

    #[test]
    fn shapes() {
        let op = BatchNormalization::parse(&Attributes::default()).unwrap();
        let c = float(&[3]);
        let with = |x: &[usize], c: &TensorType| {
            infer_shape(&op, &[float(x), c.clone(), c.clone(), c.clone(), c.clone()])
        };
        assert_eq!(with(&[2, 3, 5], &c), Ok(vec![2, 3, 5]));
        assert_eq!(with(&[2, 3], &c), Ok(vec![2, 3]));
        assert_eq!(with(&[4], &float(&[1])), Ok(vec![4]));
        assert!(with(&[2, 4, 5], &c).is_err());
        assert!(with(&[], &c).is_err());
        assert!(infer_shape(&op, &[float(&[2, 3]), c.clone(), c.clone(), c]).is_err());
    }

    #[test]
    fn values() {
        let op = BatchNormalization::parse(&attrs(&[("epsilon", Attribute::Float(0.0))])).unwrap();
        // N=1, C=2, L=2.
        let x = Tensor::from_f32(vec![1, 2, 2], &[1.0, 3.0, 2.0, 6.0]);
        let per = |v: [f32; 2]| Tensor::from_f32(vec![2], &v);
        let y = eval(
            &op,
            [
                x,
                per([1.0, 2.0]),
                per([0.0, 1.0]),
                per([1.0, 2.0]),
                per([4.0, 16.0]),
            ],
        )
        .unwrap();
        assert_eq!(y.f32s(), [0.0, 1.0, 1.0, 3.0]);
        let x = Tensor::from_f32(vec![2], &[3.0, 5.0]);
        let one = |v: f32| Tensor::from_f32(vec![1], &[v]);
        let y = eval(&op, [x, one(1.0), one(0.0), one(1.0), one(4.0)]).unwrap();
        assert_eq!(y.f32s(), [1.0, 2.0]);
    }
}
