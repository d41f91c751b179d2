//! Elementwise functions of one tensor. A new kind needs a variant and an arm in each match.

use super::common::{check_arity, check_dtype, constants, required};
use crate::op::Semantics;
use crate::{Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryKind {
    Relu,
    Sigmoid,
}

impl UnaryKind {
    pub fn from_op_type(op_type: &str) -> Option<UnaryKind> {
        Some(match op_type {
            "Relu" => UnaryKind::Relu,
            "Sigmoid" => UnaryKind::Sigmoid,
            _ => return None,
        })
    }

    pub fn op_type(self) -> &'static str {
        match self {
            UnaryKind::Relu => "Relu",
            UnaryKind::Sigmoid => "Sigmoid",
        }
    }

    fn apply(self, x: f32) -> f32 {
        match self {
            // Written so that NaN stays NaN, as with numpy's maximum.
            UnaryKind::Relu => {
                if x < 0.0 {
                    0.0
                } else {
                    x
                }
            }
            UnaryKind::Sigmoid => 1.0 / (1.0 + (-x).exp()),
        }
    }
}

/// Only float32 is implemented (Relu also allows signed integers since opset 14).
#[derive(Clone, Debug, PartialEq)]
pub struct Unary {
    pub kind: UnaryKind,
}

impl Unary {
    pub fn parse(op_type: &str, attrs: &Attributes) -> Result<Unary, OpError> {
        let kind =
            UnaryKind::from_op_type(op_type).ok_or_else(|| OpError::Unsupported(op_type.into()))?;
        attrs.only(&[])?;
        Ok(Unary { kind })
    }
}

impl Semantics for Unary {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 1, 1)?;
        let x = required(inputs, 0, "X")?.ty;
        check_dtype("X", x, &[DataType::Float])?;
        Ok(vec![x.clone()])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let out = self.infer(&constants(inputs))?.remove(0);
        let x = required(inputs, 0, "X")?.f32s();
        let values: Vec<f32> = x.into_iter().map(|v| self.kind.apply(v)).collect();
        Ok(vec![Tensor::from_f32(out.shape, &values)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{attrs, eval, infer_shape};
    use crate::Attribute;

    #[test]
    fn parse() {
        let relu = Unary::parse("Relu", &Attributes::default()).unwrap();
        assert_eq!(relu.kind.op_type(), "Relu");
        assert!(Unary::parse("Relu", &attrs(&[("alpha", Attribute::Float(0.1))])).is_err());
        assert!(Unary::parse("Tanh", &Attributes::default()).is_err());
    }

    #[test]
    fn values() {
        let x = Tensor::from_f32(vec![3], &[-1.0, 0.0, 2.0]);
        let relu = Unary::parse("Relu", &Attributes::default()).unwrap();
        assert_eq!(eval(&relu, [x.clone()]).unwrap().f32s(), [0.0, 0.0, 2.0]);
        let sigmoid = Unary::parse("Sigmoid", &Attributes::default()).unwrap();
        let y = eval(&sigmoid, [x]).unwrap().f32s();
        assert!((y[0] - 0.268_941_4).abs() < 1e-6 && y[1] == 0.5);
        let ints = TensorType::new(DataType::Int64, vec![2]);
        assert!(infer_shape(&relu, &[ints]).is_err());
    }
}
