//! Expand (opset 13): broadcasts the input against a constant shape. Broadcasting is
//! bidirectional, so a 1 in `shape` keeps the input's dim and the output may have more axes.

use super::broadcast::{broadcast_shapes, source_indices};
use super::common::{
    check_arity, check_dtype, check_rank, checked_numel, constant_ints, constants, gather_elements,
    required,
};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Expand;

impl Expand {
    pub fn parse(attrs: &Attributes) -> Result<Expand, OpError> {
        attrs.only(&[])?;
        Ok(Expand)
    }
}

impl Semantics for Expand {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 2, 2)?;
        let input = required(inputs, 0, "input")?.ty;
        let shape = required(inputs, 1, "shape")?;
        check_dtype("shape", shape.ty, &[DataType::Int64])?;
        check_rank("shape", shape.ty, 1)?;
        let dims = constant_ints(shape, 1, "the target shape")?;
        let dims = dims
            .iter()
            .map(|&d| usize::try_from(d).map_err(|_| invalid!("shape {dims:?} has a negative dim")))
            .collect::<Result<Vec<usize>, _>>()?;
        let out = broadcast_shapes(&input.shape, &dims).ok_or_else(|| {
            invalid!(
                "input of shape {:?} does not broadcast to {dims:?}",
                input.shape
            )
        })?;
        checked_numel(&out)?;
        Ok(vec![TensorType::new(input.dtype, out)])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let out = self.infer(&constants(inputs))?.remove(0);
        let input = required(inputs, 0, "input")?;
        let sources = source_indices(input.shape(), &out.shape);
        Ok(vec![gather_elements(input, out, &sources)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::eval;

    fn expand(input: Tensor, shape: &[i64]) -> Result<Tensor, OpError> {
        eval(&Expand, [input, Tensor::from_i64(vec![shape.len()], shape)])
    }

    #[test]
    fn broadcasts_both_ways() {
        let x = Tensor::from_f32(vec![3, 1], &[1.0, 2.0, 3.0]);
        let out = expand(x.clone(), &[2, 1, 2]).unwrap();
        assert_eq!(out.shape(), [2, 3, 2]);
        assert_eq!(
            out.f32s(),
            [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0]
        );
        // A 1 in the shape keeps the input's dim; a shorter shape keeps the input's rank.
        let out = expand(x.clone(), &[1]).unwrap();
        assert_eq!(
            (out.shape(), out.f32s()),
            (&[3, 1][..], vec![1.0, 2.0, 3.0])
        );
        let b = Tensor::from_bool(vec![1], &[true]);
        let out = expand(b, &[3]).unwrap();
        assert_eq!((out.dtype(), out.ints()), (DataType::Bool, vec![1, 1, 1]));
    }

    #[test]
    fn bad_shapes() {
        let x = Tensor::from_f32(vec![3], &[1.0, 2.0, 3.0]);
        assert!(expand(x.clone(), &[2]).is_err());
        assert!(expand(x.clone(), &[-1]).is_err());
        let shape32 = Tensor::from_i32(vec![1], &[3]);
        assert!(eval(&Expand, [x, shape32]).is_err());
    }
}
