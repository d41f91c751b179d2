//! Where (opset 16): picks X where the bool condition holds and Y elsewhere, broadcasting all three
//! numpy-style. (The module is not called `where`, which is a Rust keyword.)

use super::broadcast::{broadcast_shapes, source_indices};
use super::common::{check_arity, check_dtype, constants, required};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Where;

impl Where {
    pub fn parse(attrs: &Attributes) -> Result<Where, OpError> {
        attrs.only(&[])?;
        Ok(Where)
    }
}

impl Semantics for Where {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 3, 3)?;
        let condition = required(inputs, 0, "condition")?.ty;
        let x = required(inputs, 1, "X")?.ty;
        let y = required(inputs, 2, "Y")?.ty;
        check_dtype("condition", condition, &[DataType::Bool])?;
        check_dtype("Y", y, &[x.dtype])?;
        let shape = broadcast_shapes(&condition.shape, &x.shape)
            .and_then(|s| broadcast_shapes(&s, &y.shape))
            .ok_or_else(|| {
                invalid!(
                    "shapes {:?}, {:?} and {:?} do not broadcast",
                    condition.shape,
                    x.shape,
                    y.shape
                )
            })?;
        Ok(vec![TensorType::new(x.dtype, shape)])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let out = self.infer(&constants(inputs))?.remove(0);
        let condition = required(inputs, 0, "condition")?;
        let (x, y) = (required(inputs, 1, "X")?, required(inputs, 2, "Y")?);
        let flags = condition.ints();
        let at = |t: &Tensor| source_indices(t.shape(), &out.shape);
        let size = x.dtype().size();
        let mut bytes = Vec::with_capacity(out.numel() * size);
        for ((c, i), j) in at(condition).into_iter().zip(at(x)).zip(at(y)) {
            let (source, k) = if flags[c] != 0 { (x, i) } else { (y, j) };
            bytes.extend_from_slice(&source.bytes[k * size..(k + 1) * size]);
        }
        Ok(vec![Tensor {
            ty: out,
            bytes: bytes.into(),
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{eval, float, infer_shape};

    #[test]
    fn shapes() {
        let c = TensorType::new(DataType::Bool, vec![2, 1]);
        assert_eq!(
            infer_shape(&Where, &[c.clone(), float(&[3]), float(&[])]),
            Ok(vec![2, 3])
        );
        assert!(infer_shape(&Where, &[c.clone(), float(&[3]), float(&[4])]).is_err());
        let int = TensorType::new(DataType::Int64, vec![3]);
        assert!(infer_shape(&Where, &[c, float(&[3]), int]).is_err());
        assert!(infer_shape(&Where, &[float(&[3]), float(&[3]), float(&[3])]).is_err());
    }

    #[test]
    fn values() {
        let c = Tensor::from_bool(vec![2, 1], &[true, false]);
        let x = Tensor::from_i64(vec![2], &[1, 2]);
        let y = Tensor::from_i64(vec![], &[-1]);
        let out = eval(&Where, [c, x, y]).unwrap();
        assert_eq!((out.shape(), out.ints()), (&[2, 2][..], vec![1, 2, -1, -1]));
    }
}
