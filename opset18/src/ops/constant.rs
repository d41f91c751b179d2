//! Constant: a tensor given by exactly one of its value attributes.

use super::common::check_arity;
use crate::op::Semantics;
use crate::{invalid, Attribute, Attributes, OpError, Tensor, TensorType, Value};

const VALUE_ATTRIBUTES: [&str; 5] = [
    "value",
    "value_float",
    "value_floats",
    "value_int",
    "value_ints",
];

#[derive(Clone, Debug, PartialEq)]
pub struct Constant {
    pub value: Tensor,
}

impl Constant {
    pub fn parse(attrs: &Attributes) -> Result<Constant, OpError> {
        for name in ["value_string", "value_strings", "sparse_value"] {
            if attrs.get(name).is_some() {
                let reason = "string and sparse constants are not supported".into();
                return Err(OpError::Attribute {
                    name: name.into(),
                    reason,
                });
            }
        }
        attrs.only(&VALUE_ATTRIBUTES)?;
        let mut entries = attrs.0.iter();
        let (Some((name, attr)), None) = (entries.next(), entries.next()) else {
            return Err(invalid!(
                "Constant needs exactly one of {}, got {}",
                VALUE_ATTRIBUTES.join(", "),
                attrs.0.len()
            ));
        };
        let value = match (name.as_str(), attr) {
            ("value", Attribute::Tensor(t)) => t.clone(),
            ("value_float", Attribute::Float(v)) => Tensor::from_f32(vec![], &[*v]),
            ("value_floats", Attribute::Floats(v)) => Tensor::from_f32(vec![v.len()], v),
            ("value_int", Attribute::Int(v)) => Tensor::from_i64(vec![], &[*v]),
            ("value_ints", Attribute::Ints(v)) => Tensor::from_i64(vec![v.len()], v),
            _ => {
                let reason = "has the wrong kind of value for its name".into();
                return Err(OpError::Attribute {
                    name: name.clone(),
                    reason,
                });
            }
        };
        Ok(Constant { value })
    }
}

impl Semantics for Constant {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 0, 0)?;
        Ok(vec![self.value.ty.clone()])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        check_arity(inputs, 0, 0)?;
        Ok(vec![self.value.clone()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::attrs;

    fn value(name: &str, attr: Attribute) -> Result<Tensor, OpError> {
        Ok(Constant::parse(&attrs(&[(name, attr)]))?.value)
    }

    #[test]
    fn kinds() {
        let t = Tensor::from_i32(vec![2], &[1, 2]);
        assert_eq!(value("value", Attribute::Tensor(t.clone())), Ok(t));
        assert_eq!(
            value("value_float", Attribute::Float(1.5)),
            Ok(Tensor::from_f32(vec![], &[1.5]))
        );
        assert_eq!(
            value("value_floats", Attribute::Floats(vec![1.0, 2.0])),
            Ok(Tensor::from_f32(vec![2], &[1.0, 2.0]))
        );
        assert_eq!(
            value("value_int", Attribute::Int(3)),
            Ok(Tensor::from_i64(vec![], &[3]))
        );
        assert_eq!(
            value("value_ints", Attribute::Ints(vec![])),
            Ok(Tensor::from_i64(vec![0], &[]))
        );
        assert!(value("value_int", Attribute::Float(1.0)).is_err());
    }

    #[test]
    fn rejects() {
        assert!(value("value_string", Attribute::String("a".into())).is_err());
        assert!(value("sparse_value", Attribute::Int(0)).is_err());
        assert!(Constant::parse(&Attributes::default()).is_err());
        let two = attrs(&[
            ("value_int", Attribute::Int(1)),
            ("value_float", Attribute::Float(1.0)),
        ]);
        assert!(Constant::parse(&two).is_err());
        let c = Constant::parse(&attrs(&[("value_int", Attribute::Int(1))])).unwrap();
        assert_eq!(c.eval(&[]), Ok(vec![Tensor::from_i64(vec![], &[1])]));
    }
}
