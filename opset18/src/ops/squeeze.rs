//! Squeeze: removes dims of size 1, those at the given axes (input 1) or all of them.

use super::common::{
    check_arity, check_dtype, check_rank, constant_ints, constants, normalize_axes, optional,
    required,
};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Squeeze;

impl Squeeze {
    pub fn parse(attrs: &Attributes) -> Result<Squeeze, OpError> {
        attrs.only(&[])?;
        Ok(Squeeze)
    }

    /// The output shape for `shape` without the dims at `axes` (every 1 when `axes` is `None`).
    pub fn output_shape(shape: &[usize], axes: Option<&[i64]>) -> Result<Vec<usize>, OpError> {
        let Some(axes) = axes else {
            return Ok(shape.iter().copied().filter(|&d| d != 1).collect());
        };
        let axes = normalize_axes(axes, shape.len())?;
        if let Some(&a) = axes.iter().find(|&&a| shape[a] != 1) {
            return Err(invalid!(
                "cannot squeeze axis {a} of shape {shape:?}: its size is not 1"
            ));
        }
        Ok((0..shape.len())
            .filter(|i| !axes.contains(i))
            .map(|i| shape[i])
            .collect())
    }
}

impl Semantics for Squeeze {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 1, 2)?;
        let data = required(inputs, 0, "data")?.ty;
        let axes = match optional(inputs, 1) {
            Some(axes) => {
                check_dtype("axes", axes.ty, &[DataType::Int64])?;
                check_rank("axes", axes.ty, 1)?;
                Some(constant_ints(axes, 1, "the axes to remove")?)
            }
            None => None,
        };
        let shape = Squeeze::output_shape(&data.shape, axes.as_deref())?;
        Ok(vec![TensorType::new(data.dtype, shape)])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let out = self.infer(&constants(inputs))?.remove(0);
        Ok(vec![required(inputs, 0, "data")?.reshaped(out.shape)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(Squeeze::output_shape(&[1, 3, 1, 2], None), Ok(vec![3, 2]));
        assert_eq!(
            Squeeze::output_shape(&[1, 3, 1, 2], Some(&[-2])),
            Ok(vec![1, 3, 2])
        );
        assert_eq!(Squeeze::output_shape(&[1], Some(&[0])), Ok(vec![]));
        assert!(Squeeze::output_shape(&[1, 3], Some(&[1])).is_err());
        assert!(Squeeze::output_shape(&[1, 3], Some(&[2])).is_err());
        assert!(Squeeze::output_shape(&[1, 1], Some(&[0, -2])).is_err());
    }

    #[test]
    fn values() {
        let x = Tensor::from_i64(vec![1, 2, 1], &[4, 5]);
        let out = Squeeze.eval(&[Some(&x), None]).unwrap().remove(0);
        assert_eq!((out.shape(), out.ints()), (&[2][..], vec![4, 5]));
        let axes = Tensor::from_i64(vec![1], &[0]);
        let out = Squeeze.eval(&[Some(&x), Some(&axes)]).unwrap().remove(0);
        assert_eq!(out.shape(), [2, 1]);
    }
}
