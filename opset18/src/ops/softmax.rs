//! Softmax along one axis (opset-13 semantics: the axis alone, not a flattened 2-D view).

use super::common::{check_arity, check_dtype, normalize_axis, required};
use crate::op::Semantics;
use crate::{Attributes, DataType, OpError, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Softmax {
    /// In `[-rank, rank)`; normalize with [`normalize_axis`] once the rank is known.
    pub axis: i64,
}

impl Softmax {
    pub fn parse(attrs: &Attributes) -> Result<Softmax, OpError> {
        attrs.only(&["axis"])?;
        Ok(Softmax {
            axis: attrs.int("axis", -1)?,
        })
    }
}

impl Semantics for Softmax {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 1, 1)?;
        let x = required(inputs, 0, "input")?.ty;
        check_dtype("input", x, &[DataType::Float])?;
        normalize_axis(self.axis, x.shape.len())?;
        Ok(vec![x.clone()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{attrs, float, infer_shape};
    use crate::Attribute;

    #[test]
    fn axes() {
        let s = Softmax::parse(&Attributes::default()).unwrap();
        assert_eq!(s.axis, -1);
        assert_eq!(infer_shape(&s, &[float(&[2, 3])]), Ok(vec![2, 3]));
        assert!(infer_shape(&s, &[float(&[])]).is_err());
        let s = Softmax::parse(&attrs(&[("axis", Attribute::Int(-3))])).unwrap();
        assert!(infer_shape(&s, &[float(&[2, 3])]).is_err());
        assert!(infer_shape(&s, &[float(&[2, 3, 4])]).is_ok());
    }
}
