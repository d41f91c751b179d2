//! ConstantOfShape: a tensor of the shape given by a constant int64 input, filled with `value`.

use super::common::{check_arity, check_dtype, check_rank, constant_ints, constants, required};
use crate::op::Semantics;
use crate::tensor::too_large;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct ConstantOfShape {
    /// A one-element tensor; its type is the output's.
    pub value: Tensor,
}

impl ConstantOfShape {
    pub fn parse(attrs: &Attributes) -> Result<ConstantOfShape, OpError> {
        attrs.only(&["value"])?;
        let value = match attrs.opt_tensor("value")? {
            Some(t) if t.numel() != 1 => {
                return Err(OpError::Attribute {
                    name: "value".into(),
                    reason: format!("must have one element, got shape {:?}", t.shape()),
                })
            }
            Some(t) => t.clone(),
            None => Tensor::from_f32(vec![1], &[0.0]),
        };
        Ok(ConstantOfShape { value })
    }
}

impl Semantics for ConstantOfShape {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 1, 1)?;
        let input = required(inputs, 0, "input")?;
        check_dtype("input", input.ty, &[DataType::Int64])?;
        check_rank("input", input.ty, 1)?;
        let dims = constant_ints(input, 0, "the output shape")?;
        if dims.iter().any(|&d| d < 0) {
            return Err(invalid!("output shape {dims:?} has a negative dim"));
        }
        let shape: Vec<usize> = dims.iter().map(|&d| d as usize).collect();
        let ty = TensorType::new(self.value.dtype(), shape);
        // Checked here too, not only by `Op::infer`: `eval` repeats the value this many times.
        if ty.checked_bytes().is_none() {
            return Err(too_large(&ty));
        }
        Ok(vec![ty])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let ty = self.infer(&constants(inputs))?.remove(0);
        let bytes = self.value.bytes.repeat(ty.numel());
        Ok(vec![Tensor {
            ty,
            bytes: bytes.into(),
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{attrs, eval};
    use crate::Attribute;

    #[test]
    fn default_value() {
        let op = ConstantOfShape::parse(&Attributes::default()).unwrap();
        let out = eval(&op, [Tensor::from_i64(vec![2], &[2, 3])]).unwrap();
        assert_eq!((out.shape(), out.f32s()), (&[2, 3][..], vec![0.0; 6]));
        let scalar = eval(&op, [Tensor::from_i64(vec![0], &[])]).unwrap();
        assert_eq!(scalar.shape(), [] as [usize; 0]);
        assert_eq!(scalar.numel(), 1);
    }

    #[test]
    fn typed_value() {
        let value = Tensor::from_i32(vec![1], &[7]);
        let op = ConstantOfShape::parse(&attrs(&[("value", Attribute::Tensor(value))])).unwrap();
        let out = eval(&op, [Tensor::from_i64(vec![1], &[3])]).unwrap();
        assert_eq!((out.dtype(), out.ints()), (DataType::Int32, vec![7, 7, 7]));
        assert!(eval(&op, [Tensor::from_i64(vec![1], &[-1])]).is_err());
        assert!(eval(&op, [Tensor::from_i64(vec![2], &[i64::MAX, 4])]).is_err());
        // Few enough elements for a usize, too many bytes.
        assert!(eval(&op, [Tensor::from_i64(vec![2], &[1 << 31, 1 << 31])]).is_err());
        assert!(eval(&op, [Tensor::from_i32(vec![1], &[3])]).is_err());
        let two = Tensor::from_f32(vec![2], &[1.0, 2.0]);
        assert!(ConstantOfShape::parse(&attrs(&[("value", Attribute::Tensor(two))])).is_err());
    }
}
