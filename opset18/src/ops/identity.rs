//! Identity on tensors (opset 16+ also allows sequences and optionals, which are not supported).

use super::common::{check_arity, constants, required};
use crate::op::Semantics;
use crate::{Attributes, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Identity;

impl Identity {
    pub fn parse(attrs: &Attributes) -> Result<Identity, OpError> {
        attrs.only(&[])?;
        Ok(Identity)
    }
}

impl Semantics for Identity {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 1, 1)?;
        Ok(vec![required(inputs, 0, "input")?.ty.clone()])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        self.infer(&constants(inputs))?;
        Ok(vec![required(inputs, 0, "input")?.clone()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::eval;

    #[test]
    fn copies() {
        let t = Tensor::from_bool(vec![2], &[true, false]);
        assert_eq!(eval(&Identity, [t.clone()]), Ok(t.clone()));
        assert!(Identity.eval(&[Some(&t), Some(&t)]).is_err());
        assert!(Identity.eval(&[None]).is_err());
    }
}
