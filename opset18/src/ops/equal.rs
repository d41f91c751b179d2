//! Equal (opset 13): elementwise `A == B` with multidirectional broadcasting, as a bool tensor.

use super::broadcast::{broadcast_shapes, source_indices};
use super::common::{check_arity, check_dtype, constants, required};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Equal;

impl Equal {
    pub fn parse(attrs: &Attributes) -> Result<Equal, OpError> {
        attrs.only(&[])?;
        Ok(Equal)
    }
}

impl Semantics for Equal {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 2, 2)?;
        let a = required(inputs, 0, "A")?.ty;
        let b = required(inputs, 1, "B")?.ty;
        let all = [
            DataType::Float,
            DataType::Int32,
            DataType::Int64,
            DataType::Bool,
        ];
        check_dtype("A", a, &all)?;
        check_dtype("B", b, &[a.dtype])?;
        let shape = broadcast_shapes(&a.shape, &b.shape)
            .ok_or_else(|| invalid!("shapes {:?} and {:?} do not broadcast", a.shape, b.shape))?;
        Ok(vec![TensorType::new(DataType::Bool, shape)])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let out = self.infer(&constants(inputs))?.remove(0);
        let (a, b) = (required(inputs, 0, "A")?, required(inputs, 1, "B")?);
        let pairs = source_indices(a.shape(), &out.shape)
            .into_iter()
            .zip(source_indices(b.shape(), &out.shape));
        // Floats compare as f32 (NaN equals nothing), integers exactly.
        let values: Vec<bool> = if a.dtype() == DataType::Float {
            let (a, b) = (a.f32s(), b.f32s());
            pairs.map(|(i, j)| a[i] == b[j]).collect()
        } else {
            let (a, b) = (a.ints(), b.ints());
            pairs.map(|(i, j)| a[i] == b[j]).collect()
        };
        Ok(vec![Tensor::from_bool(out.shape, &values)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{eval, float, infer_shape};

    #[test]
    fn types_and_shapes() {
        assert_eq!(
            infer_shape(&Equal, &[float(&[2, 1]), float(&[3])]),
            Ok(vec![2, 3])
        );
        let int = TensorType::new(DataType::Int64, vec![3]);
        assert!(infer_shape(&Equal, &[float(&[3]), int]).is_err());
        assert!(infer_shape(&Equal, &[float(&[2]), float(&[3])]).is_err());
    }

    #[test]
    fn values() {
        let a = Tensor::from_f32(vec![2, 2], &[1.0, 2.0, f32::NAN, 4.0]);
        let b = Tensor::from_f32(vec![2], &[1.0, 4.0]);
        let out = eval(&Equal, [a, b.clone()]).unwrap();
        assert_eq!(
            (out.dtype(), out.ints()),
            (DataType::Bool, vec![1, 0, 0, 1])
        );
        let nan = Tensor::from_f32(vec![1], &[f32::NAN]);
        assert_eq!(eval(&Equal, [nan.clone(), nan]).unwrap().ints(), [0]);
        let big = Tensor::from_i64(vec![2], &[1 << 60, (1 << 60) + 1]);
        let same = Tensor::from_i64(vec![], &[1 << 60]);
        assert_eq!(eval(&Equal, [big, same]).unwrap().ints(), [1, 0]);
        let t = Tensor::from_bool(vec![2], &[true, false]);
        let f = Tensor::from_bool(vec![], &[false]);
        assert_eq!(eval(&Equal, [t, f]).unwrap().ints(), [0, 1]);
    }
}
