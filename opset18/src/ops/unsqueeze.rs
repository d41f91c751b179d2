//! Unsqueeze: inserts dims of size 1 at the given axes of the output (axes as input 1).

use super::common::{
    check_arity, check_dtype, check_rank, constant_ints, constants, normalize_axes, required,
};
use crate::op::Semantics;
use crate::{Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Unsqueeze;

impl Unsqueeze {
    pub fn parse(attrs: &Attributes) -> Result<Unsqueeze, OpError> {
        attrs.only(&[])?;
        Ok(Unsqueeze)
    }

    /// The output shape for `shape` with ones inserted at `axes` (axes of the output).
    pub fn output_shape(shape: &[usize], axes: &[i64]) -> Result<Vec<usize>, OpError> {
        let rank = shape.len() + axes.len();
        let mut axes = normalize_axes(axes, rank)?;
        // Inserting in increasing order puts each 1 at its final position.
        axes.sort_unstable();
        let mut out = shape.to_vec();
        for a in axes {
            out.insert(a, 1);
        }
        Ok(out)
    }
}

impl Semantics for Unsqueeze {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 2, 2)?;
        let data = required(inputs, 0, "data")?.ty;
        let axes = required(inputs, 1, "axes")?;
        check_dtype("axes", axes.ty, &[DataType::Int64])?;
        check_rank("axes", axes.ty, 1)?;
        let axes = constant_ints(axes, 1, "the axes to insert")?;
        Ok(vec![TensorType::new(
            data.dtype,
            Unsqueeze::output_shape(&data.shape, &axes)?,
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
    use crate::ops::common::testing::eval;

    #[test]
    fn shapes() {
        assert_eq!(
            Unsqueeze::output_shape(&[3, 4], &[0, -1]),
            Ok(vec![1, 3, 4, 1])
        );
        assert_eq!(
            Unsqueeze::output_shape(&[3, 4], &[1, 3]),
            Ok(vec![3, 1, 4, 1])
        );
        assert_eq!(
            Unsqueeze::output_shape(&[3, 4], &[3, 1]),
            Ok(vec![3, 1, 4, 1])
        );
        assert_eq!(Unsqueeze::output_shape(&[], &[0]), Ok(vec![1]));
        assert!(Unsqueeze::output_shape(&[3], &[2]).is_err());
        assert_eq!(Unsqueeze::output_shape(&[3], &[0, -2]), Ok(vec![1, 1, 3]));
        assert!(Unsqueeze::output_shape(&[3], &[0, -3]).is_err());
    }

    #[test]
    fn values() {
        let x = Tensor::from_f32(vec![2], &[1.0, 2.0]);
        let out = eval(&Unsqueeze, [x, Tensor::from_i64(vec![1], &[-2])]).unwrap();
        assert_eq!((out.shape(), out.f32s()), (&[1, 2][..], vec![1.0, 2.0]));
        let x = Tensor::from_f32(vec![2], &[1.0, 2.0]);
        assert!(eval(&Unsqueeze, [x, Tensor::from_i32(vec![1], &[0])]).is_err());
        let data = TensorType::new(DataType::Float, vec![2]);
        let axes = TensorType::new(DataType::Int64, vec![1]);
        let inputs = [
            Some(Value {
                ty: &data,
                constant: None,
            }),
            Some(Value {
                ty: &axes,
                constant: None,
            }),
        ];
        assert!(matches!(
            Unsqueeze.infer(&inputs),
            Err(OpError::NeedsConstant { index: 1, .. })
        ));
    }
}
