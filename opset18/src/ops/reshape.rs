//! Reshape to a shape given as a constant int64 input.

use super::common::{
    check_arity, check_dtype, check_rank, checked_numel, constant_ints, constants, required,
};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Reshape {
    /// When false, a 0 in the target shape copies the input's dim at the same index.
    pub allowzero: bool,
}

impl Reshape {
    pub fn parse(attrs: &Attributes) -> Result<Reshape, OpError> {
        attrs.only(&["allowzero"])?;
        let allowzero = match attrs.int("allowzero", 0)? {
            0 => false,
            1 => true,
            other => {
                return Err(OpError::Attribute {
                    name: "allowzero".into(),
                    reason: format!("must be 0 or 1, got {other}"),
                })
            }
        };
        Ok(Reshape { allowzero })
    }

    /// The output shape for an input of shape `input` and the requested `shape` (with 0 and -1).
    pub fn output_shape(&self, input: &[usize], shape: &[i64]) -> Result<Vec<usize>, OpError> {
        let mut out = Vec::with_capacity(shape.len());
        let mut inferred = None;
        for (i, &d) in shape.iter().enumerate() {
            out.push(match d {
                -1 if inferred.is_some() => {
                    return Err(invalid!("shape {shape:?} has more than one -1"))
                }
                -1 => {
                    inferred = Some(i);
                    1
                }
                0 if !self.allowzero => *input.get(i).ok_or_else(|| {
                    invalid!("shape {shape:?} copies dim {i} of input shape {input:?} with 0")
                })?,
                d if d >= 0 => d as usize,
                _ => return Err(invalid!("shape {shape:?} has an invalid dim {d}")),
            });
        }
        if self.allowzero && inferred.is_some() && shape.contains(&0) {
            return Err(invalid!("shape {shape:?} has both 0 and -1 with allowzero"));
        }
        let numel = checked_numel(input)?;
        let known = checked_numel(&out)?;
        match inferred {
            Some(i) if known != 0 && numel % known == 0 => out[i] = numel / known,
            None if known == numel => {}
            _ => return Err(invalid!("cannot reshape {input:?} to {shape:?}")),
        }
        Ok(out)
    }
}

impl Semantics for Reshape {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 2, 2)?;
        let data = required(inputs, 0, "data")?.ty;
        let shape = required(inputs, 1, "shape")?;
        check_dtype("shape", shape.ty, &[DataType::Int64])?;
        check_rank("shape", shape.ty, 1)?;
        let shape = constant_ints(shape, 1, "the target shape")?;
        Ok(vec![TensorType::new(
            data.dtype,
            self.output_shape(&data.shape, &shape)?,
        )])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let out = self.infer(&constants(inputs))?.remove(0);
        Ok(vec![required(inputs, 0, "data")?.reshaped(out.shape)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{attrs, eval};
    use crate::Attribute;

    fn reshape(allowzero: i64, input: &[usize], shape: &[i64]) -> Result<Vec<usize>, OpError> {
        let op = Reshape::parse(&attrs(&[("allowzero", Attribute::Int(allowzero))]))?;
        op.output_shape(input, shape)
    }

    #[test]
    fn zero_and_minus_one() {
        assert_eq!(reshape(0, &[2, 3, 4], &[0, -1]), Ok(vec![2, 12]));
        assert_eq!(reshape(0, &[2, 3, 4], &[-1, 0, 2]), Ok(vec![4, 3, 2]));
        assert_eq!(
            reshape(0, &[2, 3], &[]),
            Err(invalid!("cannot reshape [2, 3] to []"))
        );
        assert_eq!(reshape(0, &[1], &[]), Ok(vec![]));
        assert!(reshape(0, &[2, 3], &[-1, -1]).is_err());
        assert!(reshape(0, &[2, 3], &[-1, 4]).is_err());
        assert!(reshape(0, &[2, 3], &[0, 0, 0]).is_err());
        assert!(reshape(0, &[6], &[-2, 3]).is_err());
        // A copied 0 dim leaves -1 undetermined.
        assert!(reshape(0, &[0, 3], &[0, -1]).is_err());
        assert_eq!(reshape(1, &[0, 3], &[3, 0]), Ok(vec![3, 0]));
        assert!(reshape(1, &[0, 3], &[0, -1]).is_err());
        assert!(reshape(2, &[1], &[1]).is_err());
    }

    #[test]
    fn needs_constant_shape() {
        let op = Reshape::parse(&Attributes::default()).unwrap();
        let data = TensorType::new(DataType::Float, vec![2, 3]);
        let shape = TensorType::new(DataType::Int64, vec![2]);
        let inputs = [
            Some(Value {
                ty: &data,
                constant: None,
            }),
            Some(Value {
                ty: &shape,
                constant: None,
            }),
        ];
        assert_eq!(
            op.infer(&inputs),
            Err(OpError::NeedsConstant {
                index: 1,
                what: "the target shape"
            })
        );
    }

    #[test]
    fn values() {
        let op = Reshape::parse(&Attributes::default()).unwrap();
        let data = Tensor::from_i64(vec![2, 3], &[1, 2, 3, 4, 5, 6]);
        let out = eval(&op, [data, Tensor::from_i64(vec![2], &[3, -1])]).unwrap();
        assert_eq!(
            (out.shape(), out.ints()),
            (&[3, 2][..], vec![1, 2, 3, 4, 5, 6])
        );
    }
}
